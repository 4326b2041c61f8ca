import { describe, expect, it } from "vitest";
import { createApp } from "../../lib/http/app.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { nodeViewOf } from "../../functions/keyed/assemble.ts";
import { deriveObjects } from "../../functions/keyed/derive.ts";
import { canonicalJson } from "../../lib/net/canonical-json.ts";
import { DesiredState } from "../../lib/desired/schema.ts";
import { HASH, SNAPSHOT, SNAPSHOT_INPUT, postJson } from "./helpers.ts";

const app = createApp();

describe("POST /v1/reconcile", () => {
  it("answers the snapshot's desired state as canonical JSON with its hash as ETag", async () => {
    const res = await postJson(app, "/v1/reconcile", SNAPSHOT_INPUT);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const text = await res.text();
    const expected = reconcile(SNAPSHOT);
    expect(text).toBe(canonicalJson(expected));
    const body = DesiredState.parse(JSON.parse(text));
    expect(body.apiVersion).toBe("wayfinder/v1");
    expect(body.hash).toMatch(HASH);
    expect(res.headers.get("etag")).toBe(`"${body.hash}"`);
  });

  it("accepts +json media types and charset parameters", async () => {
    const res = await postJson(app, "/v1/reconcile", SNAPSHOT_INPUT, { "Content-Type": "application/vnd.wayfinder+json; charset=utf-8" });
    expect(res.status).toBe(200);
  });

  it("rejects a malformed snapshot with 400 and the JSON path of every issue", async () => {
    const bad = { ...SNAPSHOT_INPUT, now: "yesterday", agents: [{ id: "", hostname: 7 }] };
    const res = await postJson(app, "/v1/reconcile", bad);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; issues: { path: string; message: string }[] };
    expect(body.error).toMatch(/not a valid ClusterSnapshot/);
    const paths = body.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["now", "agents[0].id", "agents[0].hostname"]));
    for (const issue of body.issues) expect(issue.message).not.toBe("");
  });

  it("rejects a body that is not JSON with 400 and says so", async () => {
    const res = await postJson(app, "/v1/reconcile", "{\"cluster\":");
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; issues: unknown[] };
    expect(body.error).toMatch(/not valid JSON/);
    expect(body.issues).toHaveLength(1);
  });

  it("rejects an empty body with 400", async () => {
    const res = await postJson(app, "/v1/reconcile", "");
    expect(res.status).toBe(400);
  });

  it.each([
    ["text/plain", { "Content-Type": "text/plain" }],
    ["a form", { "Content-Type": "application/x-www-form-urlencoded" }],
  ])("rejects %s with 415 naming the expected content type", async (_name, headers) => {
    const res = await postJson(app, "/v1/reconcile", SNAPSHOT_INPUT, headers);
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: string }).error).toMatch(/application\/json/);
  });

  it("rejects a body without content type with 415", async () => {
    const res = await app.request("/v1/reconcile", { method: "POST", body: new Blob([JSON.stringify(SNAPSHOT_INPUT)]) });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: string }).error).toMatch(/no content type/);
  });
});

describe("POST /v1/reconcile/nodes/:agentId", () => {
  it("answers the node view of a known agent, with the view's hash as ETag", async () => {
    const res = await postJson(app, "/v1/reconcile/nodes/S2", SNAPSHOT_INPUT);
    expect(res.status).toBe(200);
    const body = DesiredState.parse(await res.json());
    expect(body).toEqual(nodeViewOf(deriveObjects(SNAPSHOT), "S2"));
    expect(body.node).toBe("S2");
    expect(res.headers.get("etag")).toBe(`"${body.hash}"`);
    expect(body.hash).not.toBe(reconcile(SNAPSHOT).hash);
  });

  it("answers 404 with a JSON error for an agent the snapshot does not list", async () => {
    const res = await postJson(app, "/v1/reconcile/nodes/S9", SNAPSHOT_INPUT);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/agent 'S9' is not in the snapshot/) });
  });

  it("decodes percent-encoded agent ids", async () => {
    const input = { ...SNAPSHOT_INPUT, agents: [{ id: "a b/c", hostname: "x" }] };
    const res = await postJson(app, `/v1/reconcile/nodes/${encodeURIComponent("a b/c")}`, input);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { node: string }).node).toBe("a b/c");
  });

  it("validates the body before looking at the agent", async () => {
    const res = await postJson(app, "/v1/reconcile/nodes/S1", { cluster: {} });
    expect(res.status).toBe(400);
  });
});
