import { describe, expect, it } from "vitest";
import { MarathonApi } from "../../lib/sources/marathon-api.ts";
import { watchMarathonEvents, type MarathonEvent } from "../../lib/sources/marathon-events.ts";
import { Backoff } from "../../lib/sources/backoff.ts";
import { startFakeMarathon, startServer, trackServers, deadUrl, until } from "../support/fake-cluster.ts";

const { track } = trackServers();

describe("MarathonApi", () => {
  it("keeps updating when the first Marathon URL is down, and sticks to the one that answered (marathon-lb#535)", async () => {
    const marathon = await track(startFakeMarathon());
    const api = new MarathonApi([await deadUrl(), marathon.url]);
    const apps = await api.apps();
    expect(apps.map((a) => a.id)).toEqual(["/pywebserver"]);
    await api.apps();
    expect(marathon.requests).toEqual(["GET /v2/apps?embed=apps.tasks", "GET /v2/apps?embed=apps.tasks"]);
  });

  it("moves past a Marathon whose answer is not an app list, naming the path of the problem", async () => {
    const wrong = await track(startFakeMarathon());
    wrong.apps = { apps: [{ id: 7 }] };
    const error = (await new MarathonApi([wrong.url]).apps().catch((e: unknown) => e)) as Error;
    expect(error.message).toContain("apps[0].id");
    const good = await track(startFakeMarathon());
    expect(await new MarathonApi([wrong.url, good.url]).apps()).toHaveLength(1);
  });
});

describe("watchMarathonEvents", () => {
  const fast = () => new Backoff({ initialMs: 20, maxMs: 50 });

  it("passes wanted events on, skips the rest, and reports a connect to resynchronise", async () => {
    const marathon = await track(startFakeMarathon());
    const events: MarathonEvent[] = [];
    const connects: string[] = [];
    const controller = new AbortController();
    const done = watchMarathonEvents({ bases: [marathon.url], onEvent: (e) => events.push(e), onConnect: (u) => connects.push(u), signal: controller.signal, backoff: fast() });
    await until(() => marathon.streams === 1);
    marathon.emit("deployment_info", {});
    marathon.emit("status_update_event", { taskId: "web.1", taskStatus: "TASK_RUNNING" });
    await until(() => events.length === 1);
    controller.abort();
    await done;
    expect(events[0]!.eventType).toBe("status_update_event");
    expect(events[0]!.data.taskId).toBe("web.1");
    expect(connects).toHaveLength(1);
    expect(marathon.requests[0]).toBe("GET /v2/events?plan-format=light&event_type=status_update_event&event_type=health_status_changed_event&event_type=api_post_event");
  });

  it("detects a stream that stays open but goes silent, and reconnects (marathon-lb#238)", async () => {
    const marathon = await track(startFakeMarathon({ keepaliveMs: 50 }));
    const disconnects: string[] = [];
    const controller = new AbortController();
    const done = watchMarathonEvents({
      bases: [marathon.url],
      idleTimeoutMs: 400,
      onEvent: () => {},
      onDisconnect: (_u, reason) => disconnects.push(reason),
      signal: controller.signal,
      backoff: fast(),
    });
    await until(() => marathon.streams === 1);
    // Keepalives alone keep a stream alive past the idle timeout.
    await new Promise((r) => setTimeout(r, 700));
    expect(disconnects).toEqual([]);
    marathon.silence();
    await until(() => marathon.connections === 2);
    controller.abort();
    await done;
    expect(disconnects[0]).toBe("silent for 400 ms");
  });

  it("rotates to the next Marathon when one refuses the stream or ends it", async () => {
    const refusing = await track(startFakeMarathon());
    refusing.refuseStreams = true;
    const good = await track(startFakeMarathon());
    const reasons: string[] = [];
    const connects: string[] = [];
    const controller = new AbortController();
    const done = watchMarathonEvents({
      bases: [refusing.url, good.url],
      onEvent: () => {},
      onConnect: (u) => connects.push(u),
      onDisconnect: (_u, reason) => reasons.push(reason),
      signal: controller.signal,
      backoff: fast(),
    });
    await until(() => good.streams === 1);
    good.endStreams();
    await until(() => connects.length === 2);
    controller.abort();
    await done;
    expect(reasons.slice(0, 3)).toEqual(["HTTP 503", "the server closed the stream", "HTTP 503"]);
    expect(connects.every((u) => u.startsWith(good.url))).toBe(true);
  });

  it("reports an event whose data is not JSON and keeps the stream", async () => {
    const server = await track(
      startServer((_req, res) => {
        res.writeHead(200, { "Content-Type": "text/event-stream" });
        res.write('event: status_update_event\ndata: {not json\n\nevent: status_update_event\ndata: {"eventType":"status_update_event"}\n\n');
      }),
    );
    const invalid: string[] = [];
    const events: MarathonEvent[] = [];
    const controller = new AbortController();
    const done = watchMarathonEvents({ bases: [server.url], onEvent: (e) => events.push(e), onInvalid: (_u, r) => invalid.push(r), signal: controller.signal, backoff: fast() });
    await until(() => events.length === 1);
    controller.abort();
    await done;
    expect(invalid).toEqual(["event 'status_update_event' has data that is not a JSON object: {not json"]);
  });
});
