import { describe, expect, it } from "vitest";
import { createApp } from "../../lib/http/app.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { nodeViewOf } from "../../functions/keyed/assemble.ts";
import { deriveObjects } from "../../functions/keyed/derive.ts";
import { ifNoneMatchHits } from "../../lib/http/desired-response.ts";
import { SNAPSHOT } from "./helpers.ts";

const app = createApp({ snapshot: SNAPSHOT });
const desired = reconcile(SNAPSHOT);

describe("GET /v1/desired", () => {
  it("serves the configured snapshot's desired state with its ETag", async () => {
    const res = await app.request("/v1/desired");
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe(`"${desired.hash}"`);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(await res.json()).toEqual(desired);
  });

  it("answers 304 without a body when If-None-Match carries the current ETag", async () => {
    const res = await app.request("/v1/desired", { headers: { "If-None-Match": `"${desired.hash}"` } });
    expect(res.status).toBe(304);
    expect(res.headers.get("etag")).toBe(`"${desired.hash}"`);
    expect(await res.text()).toBe("");
  });

  it("answers 200 when If-None-Match carries an old ETag", async () => {
    const res = await app.request("/v1/desired", { headers: { "If-None-Match": `"${"0".repeat(64)}"` } });
    expect(res.status).toBe(200);
  });

  it("serves a node view with its own ETag, and 304 for it", async () => {
    const view = nodeViewOf(deriveObjects(SNAPSHOT), "S1");
    const res = await app.request("/v1/desired/nodes/S1");
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe(`"${view.hash}"`);
    expect(await res.json()).toEqual(view);
    const again = await app.request("/v1/desired/nodes/S1", { headers: { "If-None-Match": `"${view.hash}"` } });
    expect(again.status).toBe(304);
    const other = await app.request("/v1/desired/nodes/S2", { headers: { "If-None-Match": `"${view.hash}"` } });
    expect(other.status).toBe(200);
  });

  it("answers 404 for an agent the snapshot does not list", async () => {
    const res = await app.request("/v1/desired/nodes/S9");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/S9/);
  });

  it("does not exist when the app has no snapshot", async () => {
    const res = await createApp().request("/v1/desired");
    expect(res.status).toBe(404);
  });

  it("requires the token when one is configured", async () => {
    const guarded = createApp({ snapshot: SNAPSHOT, token: "t" });
    expect((await guarded.request("/v1/desired")).status).toBe(401);
    expect((await guarded.request("/v1/desired", { headers: { Authorization: "Bearer t" } })).status).toBe(200);
  });
});

describe("ifNoneMatchHits", () => {
  it.each([
    [undefined, false],
    ['"a"', true],
    ['W/"a"', true],
    ['"b", "a"', true],
    ["*", true],
    ['"b"', false],
    ["a", false],
  ])("%s → %s", (header, hit) => {
    expect(ifNoneMatchHits(header, '"a"')).toBe(hit);
  });
});
