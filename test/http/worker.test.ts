import { describe, expect, it } from "vitest";
import worker, { SnapshotStoreObject } from "../../lib/http/worker.ts";
import { FakeStorage } from "../support/fake-durable-storage.ts";
import { appOptionsFromEnv, parseBodyLimit } from "../../lib/http/env.ts";
import { SNAPSHOT_INPUT } from "./helpers.ts";

const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} };

function post(env: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  const request = new Request("http://worker/v1/reconcile", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(SNAPSHOT_INPUT),
  });
  return worker.fetch(request, env, ctx);
}

describe("Workers entry", () => {
  it("serves the app with no bindings", async () => {
    expect((await post({})).status).toBe(200);
  });

  it("reads WAYFINDER_TOKEN from the bindings", async () => {
    expect((await post({ WAYFINDER_TOKEN: "s" })).status).toBe(401);
    expect((await post({ WAYFINDER_TOKEN: "s" }, { Authorization: "Bearer s" })).status).toBe(200);
  });

  it("reads WAYFINDER_BODY_LIMIT from the bindings", async () => {
    expect((await post({ WAYFINDER_BODY_LIMIT: "16" })).status).toBe(413);
  });

  it("answers a JSON 500 naming a bad binding", async () => {
    const res = await post({ WAYFINDER_BODY_LIMIT: "lots" });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).toMatch(/WAYFINDER_BODY_LIMIT/);
  });
});

describe("appOptionsFromEnv", () => {
  it("maps the variables to app options", () => {
    expect(appOptionsFromEnv({ WAYFINDER_TOKEN: "t", WAYFINDER_BODY_LIMIT: "2048", OTHER: "x" })).toEqual({ token: "t", bodyLimit: 2048 });
    expect(appOptionsFromEnv({ WAYFINDER_TOKEN: "", WAYFINDER_BODY_LIMIT: "" })).toEqual({ token: undefined, bodyLimit: undefined });
  });

  it.each(["0", "-1", "1.5", "1MiB", "1e6", " 5"])("rejects the body limit %j", (text) => {
    expect(() => parseBodyLimit(text, "--body-limit")).toThrow(/--body-limit must be a positive whole number/);
  });
});

describe("Workers entry with the SNAPSHOTS Durable Object binding", () => {
  /** A namespace that builds one object per name on first use, over fake storage. */
  function namespace() {
    const objects = new Map<string, SnapshotStoreObject>();
    const created: string[] = [];
    const env = { WAYFINDER_TOKEN: "s" };
    const ns = {
      idFromName: (name: string) => name,
      get: (id: unknown) => {
        const name = id as string;
        let object = objects.get(name);
        if (object === undefined) {
          created.push(name);
          objects.set(name, (object = new SnapshotStoreObject({ storage: new FakeStorage() }, env)));
        }
        return object;
      },
    };
    return { env: { ...env, SNAPSHOTS: ns }, created };
  }

  const request = (path: string, init: RequestInit = {}) => new Request(`http://worker${path}`, init);
  const putInit = (headers: Record<string, string>) => ({
    method: "PUT",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(SNAPSHOT_INPUT),
  });

  it("forwards a cluster's store routes to that cluster's object, which serves the same app", async () => {
    const { env, created } = namespace();
    const auth = { Authorization: "Bearer s" };
    expect((await worker.fetch(request("/v1/clusters/test/snapshot", putInit(auth)), env, ctx)).status).toBe(200);
    const view = await worker.fetch(request("/v1/clusters/test/desired/nodes/S1", { headers: auth }), env, ctx);
    expect(view.status).toBe(200);
    expect(view.headers.get("etag")).toMatch(/^"[0-9a-f]{64}"$/);
    expect((await worker.fetch(request("/v1/clusters/other/desired", { headers: auth }), env, ctx)).status).toBe(404);
    expect(created).toEqual(["test", "other"]);
  });

  it("answers 401 without waking an object, and 400 for a name that is not a cluster name", async () => {
    const { env, created } = namespace();
    expect((await worker.fetch(request("/v1/clusters/test/snapshot", putInit({})), env, ctx)).status).toBe(401);
    expect((await worker.fetch(request("/v1/clusters/..%2Fx/desired", { headers: { Authorization: "Bearer s" } }), env, ctx)).status).toBe(400);
    expect(created).toEqual([]);
  });

  it("serves a cluster's dashboard pages and node reports from its object, and asks for the cluster otherwise", async () => {
    const { env, created } = namespace();
    const auth = { Authorization: "Bearer s" };
    expect((await worker.fetch(request("/v1/clusters/test/snapshot", putInit(auth)), env, ctx)).status).toBe(200);
    const status = { appliedHash: null, appliedGeneration: null, desiredHash: null, ok: true, syncedAt: "2026-01-01T00:00:00Z", durationMs: 1, appliers: [], counters: { syncs: 1, failures: 0, consecutiveFailures: 0 } };
    const report = await worker.fetch(request("/v1/clusters/test/nodes/S1/status", { method: "PUT", headers: { ...auth, "Content-Type": "application/json" }, body: JSON.stringify(status) }), env, ctx);
    expect(report.status).toBe(200);
    const nodes = await worker.fetch(request("/ui/nodes?cluster=test", { headers: auth }), env, ctx);
    expect(nodes.status).toBe(200);
    expect(await nodes.text()).toContain("agent-1");
    // A browser without the token is sent to the login page, and wakes no object.
    const anonymous = await worker.fetch(request("/ui/nodes?cluster=never"), env, ctx);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe("/ui/login?next=%2Fui%2Fnodes%3Fcluster%3Dnever");
    const choose = await worker.fetch(request("/ui/", { headers: auth }), env, ctx);
    expect(await choose.text()).toContain('<input type="text" name="cluster" placeholder="cluster name" required=""');
    expect((await worker.fetch(request("/ui/assets/dashboard.js"), env, ctx)).status).toBe(200);
    expect(created).toEqual(["test"]);
  });
});
