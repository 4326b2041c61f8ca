import { describe, expect, it } from "vitest";
import { createApp } from "../../lib/http/app.ts";
import { safeNext, sessionValue } from "../../lib/http/ui/session.ts";
import { MemorySnapshotStore } from "../../lib/store/snapshot-store.ts";
import { SNAPSHOT_INPUT } from "./helpers.ts";

const TOKEN = "s3cret";

async function guarded() {
  const app = createApp({ token: TOKEN, store: new MemorySnapshotStore() });
  const put = await app.request("/v1/clusters/test/snapshot", { method: "PUT", headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(SNAPSHOT_INPUT) });
  expect(put.status).toBe(200);
  return app;
}

function login(app: ReturnType<typeof createApp>, token: string, next = "/ui/nodes?cluster=test") {
  return app.request("/ui/login", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ token, next }).toString() });
}

describe("dashboard login", () => {
  it("sends a browser without the token to the login page, with the way back", async () => {
    const app = await guarded();
    const res = await app.request("/ui/nodes?cluster=test");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/ui/login?next=%2Fui%2Fnodes%3Fcluster%3Dtest");
    const form = await app.request("/ui/login?next=%2Fui%2Fnodes%3Fcluster%3Dtest");
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('<input type="hidden" name="next" value="/ui/nodes?cluster=test"/>');
    expect((await app.request("/ui/assets/dashboard.css")).status).toBe(200);
  });

  it("keeps the token as an HttpOnly, SameSite=Strict cookie holding its HMAC, which opens the pages", async () => {
    const app = await guarded();
    const res = await login(app, TOKEN);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/ui/nodes?cluster=test");
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toBe(`wayfinder_session=${sessionValue(TOKEN)}; Path=/ui; HttpOnly; SameSite=Strict`);
    expect(cookie).not.toContain(TOKEN);
    const page = await app.request("/ui/nodes?cluster=test", { headers: { Cookie: cookie.split(";")[0]! } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form action="/ui/logout" method="post">');
    // Still not a key to the API.
    expect((await app.request("/v1/clusters/test/nodes", { headers: { Cookie: cookie.split(";")[0]! } })).status).toBe(401);
  });

  it("marks the cookie Secure behind https", async () => {
    const app = await guarded();
    const res = await app.request("https://cp.example/ui/login", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: `token=${TOKEN}` });
    expect(res.headers.get("set-cookie")).toMatch(/; Secure$/);
  });

  it("accepts the bearer header instead, and refuses a wrong token or a forged cookie", async () => {
    const app = await guarded();
    expect((await app.request("/ui/", { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    const wrong = await login(app, "guess");
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    expect(await wrong.text()).toContain("That is not the token.");
    for (const cookie of [`wayfinder_session=${sessionValue("guess")}`, "wayfinder_session=zz", `wayfinder_session=${TOKEN}`]) {
      expect((await app.request("/ui/", { headers: { Cookie: cookie } })).status, cookie).toBe(303);
    }
    expect((await app.request("/ui/events?cluster=test")).status).toBe(401);
  });

  it("logs out by clearing the cookie", async () => {
    const app = await guarded();
    const res = await app.request("/ui/logout", { method: "POST" });
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toBe("wayfinder_session=; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=0");
  });

  it.each([
    ["/ui/vips?cluster=x", "/ui/vips?cluster=x"],
    ["//evil.example/", "/ui/"],
    ["https://evil.example/ui/", "/ui/"],
    ["/ui/\\evil", "/ui/"],
    [undefined, "/ui/"],
  ])("goes back only to a dashboard page: %s → %s", (next, safe) => {
    expect(safeNext(next)).toBe(safe);
  });
});

describe("live updates", () => {
  it("streams a change event when a node reports, and another when a snapshot is stored", async () => {
    const app = createApp({ store: new MemorySnapshotStore() });
    const put = () => app.request("/v1/clusters/test/snapshot", { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(SNAPSHOT_INPUT) });
    await put();
    const controller = new AbortController();
    const res = await app.request("/ui/events?cluster=test", { signal: controller.signal });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += decoder.decode((await reader.read()).value);
    };
    await until(/event: hello/);
    const status = { appliedHash: null, appliedGeneration: null, desiredHash: null, ok: true, syncedAt: "2026-01-01T00:00:00Z", durationMs: 1, appliers: [], counters: { syncs: 1, failures: 0, consecutiveFailures: 0 } };
    await app.request("/v1/clusters/test/nodes/S1/status", { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(status) });
    await until(/event: change\ndata: \{"kind":"node","agentId":"S1"\}/);
    await put();
    await until(/event: change\ndata: \{"kind":"snapshot","generation":2\}/);
    controller.abort();
    await reader.cancel();
    expect((await app.request("/ui/events?cluster=nope")).status).toBe(404);
  });
});
