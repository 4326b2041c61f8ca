import { describe, expect, it } from "vitest";
import { LiveCluster } from "../../lib/sources/live-cluster.ts";
import { watchLiveCluster, type ReadTrigger } from "../../lib/sources/live-watch.ts";
import { Backoff } from "../../lib/sources/backoff.ts";
import { Config } from "../../lib/snapshot/config.ts";
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { operatorPayload } from "../support/upstream-fixtures.ts";
import { startFakeMarathon, startFakeMaster, trackServers, until } from "../support/fake-cluster.ts";

const { track } = trackServers();

const config = Config.parse({});
const NOW = "2026-01-01T00:00:00.000Z";

describe("LiveCluster", () => {
  it("builds one snapshot from /master/state and Marathon's apps", async () => {
    const master = await track(startFakeMaster());
    const marathon = await track(startFakeMarathon());
    const live = new LiveCluster({ mesos: { api: "state", bases: [master.url] }, marathon: { bases: [marathon.url] }, config });
    const snapshot = await live.snapshot({ now: NOW, previous: {} });
    expect(snapshot.leader).toBe(`master@127.0.0.1:${master.port}`);
    expect(snapshot.masters).toEqual([`127.0.0.1:${master.port}`]);
    expect(snapshot.tasks.map((t) => t.name)).toContain("toy-store");
    expect(snapshot.agents).toHaveLength(4);
    expect(snapshot.marathonApps.map((a) => a.id)).toEqual(["/pywebserver"]);
    expect(snapshot.now).toBe(NOW);
  });

  it("builds the Mesos part from the operator API's GET_STATE", async () => {
    const master = await track(startFakeMaster({ operatorState: operatorPayload("vip-labels") }));
    const live = new LiveCluster({ mesos: { api: "operator", bases: [master.url] }, clusterName: "prod", config });
    const snapshot = await live.snapshot({ now: NOW, previous: {} });
    expect(snapshot.cluster.name).toBe("prod");
    expect(snapshot.leader).toBe(`master@127.0.0.1:${master.port}`);
    expect(snapshot.tasks.length).toBeGreaterThan(0);
  });

  it("fails the whole read when one source fails, naming it, rather than building a snapshot without it", async () => {
    const master = await track(startFakeMaster());
    const marathon = await track(startFakeMarathon());
    marathon.behaviour = "malformed";
    const live = new LiveCluster({ mesos: { api: "state", bases: [master.url] }, marathon: { bases: [marathon.url] }, config });
    await expect(live.snapshot({ now: NOW, previous: {} })).rejects.toThrow(`no Marathon answered: GET ${marathon.url}/v2/apps?embed=apps.tasks: the answer is not valid JSON`);
  });

  it("rejects a /master/state whose fields do not have Mesos's shape, with the JSON path", async () => {
    const master = await track(startFakeMaster());
    master.state = { ...master.state, slaves: [{ id: 5 }] };
    const live = new LiveCluster({ mesos: { api: "state", bases: [master.url] }, config });
    await expect(live.snapshot({ now: NOW, previous: {} })).rejects.toThrow(/master\/state: slaves\[0\]\.id/);
  });
});

describe("watchLiveCluster", () => {
  it("reads at start, on the stream's connect and on each Marathon event, and retries a failed read", async () => {
    const master = await track(startFakeMaster());
    const marathon = await track(startFakeMarathon());
    const live = new LiveCluster({ mesos: { api: "state", bases: [master.url] }, marathon: { bases: [marathon.url] }, config });
    const seen: { snapshot: ClusterSnapshot; trigger: ReadTrigger }[] = [];
    const errors: string[] = [];
    const controller = new AbortController();
    const done = watchLiveCluster({
      cluster: live,
      eventBases: [marathon.url],
      pollIntervalMs: 60_000,
      previous: () => ({}),
      now: () => new Date(NOW),
      onSnapshot: (snapshot, trigger) => void seen.push({ snapshot, trigger }),
      onError: (error) => void errors.push(error.message),
      backoff: new Backoff({ initialMs: 20, maxMs: 40 }),
      signal: controller.signal,
    });
    await until(() => marathon.streams === 1 && seen.length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    const before = seen.length;

    // A task appears: Mesos knows it, and Marathon announces it.
    const frameworks = master.state.frameworks as { name: string; tasks: Record<string, unknown>[] }[];
    const marathonFw = frameworks.find((f) => f.name === "marathon")!;
    master.state = {
      ...master.state,
      frameworks: frameworks.map((f) => (f === marathonFw ? { ...f, tasks: [...f.tasks, { ...f.tasks[0]!, id: "newapp.1", name: "newapp" }] } : f)),
    };
    marathon.emit("status_update_event", { taskId: "newapp.1", taskStatus: "TASK_RUNNING" });
    await until(() => seen.some((s) => s.snapshot.tasks.some((t) => t.name === "newapp")));
    const latest = seen.at(-1)!;
    expect(latest.trigger.reason).toBe("event");
    expect(latest.trigger.detail).toBe("status_update_event");
    expect(seen.length).toBe(before + 1);

    master.behaviour = "malformed";
    marathon.emit("status_update_event", {});
    await until(() => errors.length >= 1);
    master.behaviour = "ok";
    await until(() => seen.at(-1)!.trigger.reason === "retry");
    controller.abort();
    await done;
    expect(errors[0]).toContain("not valid JSON");
    expect(seen[0]!.trigger.reason).toBe("start");
  });
});
