import { describe, expect, it } from "vitest";
import { RecordIoReader } from "../../lib/sources/recordio.ts";
import { StreamFormatError } from "../../lib/sources/event-stream.ts";
import { watchMesosEvents } from "../../lib/sources/mesos-events.ts";
import { LiveCluster } from "../../lib/sources/live-cluster.ts";
import { watchLiveCluster, type ReadTrigger } from "../../lib/sources/live-watch.ts";
import { Backoff } from "../../lib/sources/backoff.ts";
import { Config } from "../../lib/snapshot/config.ts";
import { operatorPayload } from "../support/upstream-fixtures.ts";
import { recordIo, startFakeMaster, startServer, trackServers, until } from "../support/fake-cluster.ts";

const { track } = trackServers();

const bytes = (text: string) => new TextEncoder().encode(text);

describe("RecordIoReader", () => {
  it("cuts records by byte length, across chunk boundaries and multi-byte characters", () => {
    const reader = new RecordIoReader();
    const framed = bytes(recordIo({ type: "HEARTBEAT" }) + recordIo({ name: "café ☕" }));
    expect(reader.push(framed.subarray(0, 5))).toEqual([]);
    expect(reader.push(framed.subarray(5, framed.length - 3))).toEqual([{ type: "HEARTBEAT" }]);
    expect(reader.push(framed.subarray(framed.length - 3))).toEqual([{ name: "café ☕" }]);
  });

  it("refuses a frame that is not RecordIO instead of buffering forever", () => {
    expect(() => new RecordIoReader().push(bytes("event: x\n"))).toThrow(StreamFormatError);
    expect(() => new RecordIoReader().push(bytes("99999999999\n"))).toThrow(/not a record length/);
    expect(() => new RecordIoReader().push(bytes("3\n{x}"))).toThrow(/a 3-byte record is not JSON/);
    expect(() => new RecordIoReader().push(bytes("x".repeat(30)))).toThrow(/no record length/);
  });
});

describe("watchMesosEvents", () => {
  it("subscribes through a non-leader's redirect, passes change events on and skips heartbeats", async () => {
    const leader = await track(startFakeMaster({ operatorState: operatorPayload("tcp-and-udp") }));
    const follower = await track(startFakeMaster());
    follower.redirectTo = leader.url;
    const types: string[] = [];
    const controller = new AbortController();
    const done = watchMesosEvents({ bases: [follower.url], onEvent: (t) => types.push(t), signal: controller.signal, backoff: new Backoff({ initialMs: 20, maxMs: 40 }) });
    await until(() => leader.subscribers === 1);
    leader.emitMesos({ type: "HEARTBEAT" });
    leader.emitMesos({ type: "TASK_ADDED", task_added: {} });
    await until(() => types.length === 1);
    controller.abort();
    await done;
    expect(types).toEqual(["TASK_ADDED"]);
  });

  it("drops a stream that sends something other than RecordIO and reconnects", async () => {
    let connections = 0;
    const server = await track(
      startServer((_req, res) => {
        connections++;
        res.writeHead(200, { "Content-Type": "application/json" });
        res.write("<html>not the API</html>\n");
      }),
    );
    const reasons: string[] = [];
    const controller = new AbortController();
    const done = watchMesosEvents({ bases: [server.url], onEvent: () => {}, onDisconnect: (_u, r) => reasons.push(r), signal: controller.signal, backoff: new Backoff({ initialMs: 20, maxMs: 40 }) });
    await until(() => connections >= 2);
    controller.abort();
    await done;
    expect(reasons[0]).toMatch(/^RecordIO: '<html>not the API<\/h' is not a record length/);
  });

  it("makes a Mesos-only change (no Marathon event) push-driven in the live watcher", async () => {
    const master = await track(startFakeMaster({ operatorState: operatorPayload("tcp-and-udp") }));
    const live = new LiveCluster({ mesos: { api: "operator", bases: [master.url] }, config: Config.parse({}) });
    const triggers: ReadTrigger[] = [];
    const controller = new AbortController();
    const done = watchLiveCluster({
      cluster: live,
      mesosEventBases: [master.url],
      pollIntervalMs: 60_000,
      previous: () => ({}),
      onSnapshot: (_s, trigger) => void triggers.push(trigger),
      onError: () => {},
      signal: controller.signal,
    });
    await until(() => master.subscribers === 1 && triggers.length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    master.emitMesos({ type: "TASK_UPDATED", task_updated: {} });
    await until(() => triggers.at(-1)?.reason === "event");
    controller.abort();
    await done;
    expect(triggers.at(-1)?.detail).toBe("TASK_UPDATED");
  });
});
