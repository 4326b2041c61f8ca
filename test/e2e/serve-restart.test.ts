/**
 * `wayfinder serve --store DIR` restarted under its watchers: generations survive, an agent
 * that had applied the newest generation resumes with a bookmark (nothing to relist), one that
 * was behind gets 410 once and relists, and a log tail damaged by the crash is cut off with a
 * message instead of failing the start.
 */
import { appendFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SNAPSHOT_INPUT } from "../http/helpers.ts";
import { EventReader, FollowedView } from "../http/cluster-requests.ts";
import { startServe, stopProcess, type ServerProcess } from "./server-process.ts";

const task = (id: string) => ({ ...SNAPSHOT_INPUT.tasks[0], id, name: id.split(".")[0]! });

describe("wayfinder serve --store, restarted under its watchers", () => {
  const running: ServerProcess[] = [];
  afterAll(async () => {
    for (const server of running) await stopProcess(server);
  });

  it("keeps its generations, resumes an agent that was current, and makes one that was behind relist once", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wayfinder-restart-e2e-"));
    let { server, base } = await startServe(["--store", dir], { WAYFINDER_TOKEN: "" });
    running.push(server);
    const cluster = () => `${base}/v1/clusters/test`;
    const write = async (method: "PUT" | "PATCH", body: unknown) => {
      const res = await fetch(`${cluster()}/snapshot`, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      expect(res.status).toBe(200);
      return (await res.json()) as { generation: number; hash: string };
    };
    const viewEtag = async (node: string) => (await fetch(`${cluster()}/desired/nodes/${node}`)).headers.get("etag")!.slice(1, -1);

    await write("PUT", SNAPSHOT_INPUT);
    await write("PATCH", { baseGeneration: 1, upsert: { tasks: [task("api.1")] } });
    // S2 applies generation 2, then goes away.
    const s2 = new FollowedView();
    const s2Stream = new EventReader((await fetch(`${cluster()}/desired/nodes/S2?watch=true`)).body!);
    s2.apply(await s2Stream.batch());
    await s2Stream.close();
    // S1 follows to generation 3.
    const s1 = new FollowedView();
    const s1Stream = new EventReader((await fetch(`${cluster()}/desired/nodes/S1?watch=true`, { headers: { "Accept-Encoding": "gzip" } })).body!);
    s1.apply(await s1Stream.batch());
    const before = await write("PATCH", { baseGeneration: 2, upsert: { tasks: [task("api.2")] }, delete: { tasks: ["web.1"] } });
    s1.apply(await s1Stream.batch());
    expect([s1.generation, s2.generation]).toEqual([3, 2]);

    // SIGTERM ends the watches cleanly and exits 0 at once, watches or not.
    const stopping = Date.now();
    expect(await stopProcess(server)).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(5000);
    ({ server, base } = await startServe(["--store", dir], { WAYFINDER_TOKEN: "" }));
    running.push(server);

    expect((await fetch(`${cluster()}/snapshot`)).headers.get("x-wayfinder-generation")).toBe("3");
    expect((await fetch(`${cluster()}/desired`)).headers.get("etag")).toBe(`"${before.hash}"`);

    const resumed = new EventReader((await fetch(`${cluster()}/desired/nodes/S1?watch=true&since=3`)).body!);
    expect(await resumed.next()).toEqual({ type: "bookmark", generation: 3, hash: s1.hash });

    const gone = await fetch(`${cluster()}/desired/nodes/S2?watch=true&since=2`);
    expect(gone.status).toBe(410);
    expect(((await gone.json()) as { generation: number }).generation).toBe(3);
    const relist = new EventReader((await fetch(`${cluster()}/desired/nodes/S2?watch=true`)).body!);
    s2.apply(await relist.batch());
    expect(s2.hash).toBe(await viewEtag("S2"));

    const after = await write("PATCH", { baseGeneration: 3, delete: { tasks: ["api.1"] } });
    expect(after.generation).toBe(4);
    s1.apply(await resumed.batch());
    s2.apply(await relist.batch());
    expect([s1.generation, s2.generation]).toEqual([4, 4]);
    expect(s1.hash).toBe(await viewEtag("S1"));
    expect(s2.hash).toBe(await viewEtag("S2"));
    await resumed.close();
    await relist.close();

    // A crash that cut the last log line short: the line is dropped with a message, the rest serves.
    expect(await stopProcess(server)).toBe(0);
    await appendFile(join(dir, "test", "changes.ndjson"), '9f00 {"generation":5,"storedAt"');
    ({ server, base } = await startServe(["--store", dir], { WAYFINDER_TOKEN: "" }));
    running.push(server);
    expect(server.output()).toMatch(/changes\.ndjson: from byte \d+, its last \d+ bytes end without a newline \(a write cut short, never acknowledged\); dropped .*resumes at generation 4/);
    expect((await fetch(`${cluster()}/snapshot`)).headers.get("x-wayfinder-generation")).toBe("4");
    expect((await write("PATCH", { baseGeneration: 4, upsert: { tasks: [task("api.3")] } })).generation).toBe(5);
  });
});
