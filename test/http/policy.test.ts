import { describe, expect, it } from "vitest";
import { createApp } from "../../lib/http/app.ts";
import { MemorySnapshotStore } from "../../lib/store/snapshot-store.ts";
import { IP, tenants } from "../functions/policy/tenants.ts";

const TOKEN = "t0ken";
const auth = { Authorization: `Bearer ${TOKEN}` };
const snapshot = { ...tenants(), cluster: { name: "shop" } };

async function appWithCluster() {
  const app = createApp({ token: TOKEN, store: new MemorySnapshotStore() });
  const put = await app.request("/v1/clusters/shop/snapshot", { method: "PUT", headers: { ...auth, "Content-Type": "application/json" }, body: JSON.stringify(snapshot) });
  expect(put.status).toBe(200);
  return app;
}

describe("policy routes", () => {
  it("explains one connection as the CLI does: verdict, by, tier, pairs", async () => {
    const app = await appWithCluster();
    const res = await app.request(`/v1/clusters/shop/policy/explain?from=/shop/web&to=/bank/db&port=tcp/5433`, { headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ verdict: "deny", by: "network:blue", tier: "network", pairs: [{ from: IP.web1, to: IP.db }, { from: IP.web2, to: IP.db }] });
  });

  it("serves the matrix, and what a candidate snapshot would open or close without storing it", async () => {
    const app = await appWithCluster();
    const matrix = (await (await app.request(`/v1/clusters/shop/policy/matrix?port=tcp/9000`, { headers: auth })).json()) as { cells: Array<{ from: string; to: string; verdict: string }> };
    expect(matrix.cells.find((c) => c.from === "/bank/db" && c.to === "/shop/web")).toMatchObject({ verdict: "deny" });
    const candidate = { ...snapshot, config: { ...snapshot.config, policy: { ...snapshot.config.policy!, default: "allow" } } };
    const res = await app.request(`/v1/clusters/shop/policy/matrix?port=tcp/9000`, { method: "POST", headers: { ...auth, "Content-Type": "application/json" }, body: JSON.stringify(candidate) });
    const { changes } = (await res.json()) as { changes: Array<{ from: string; to: string; before: string; after: string }> };
    expect(changes).toContainEqual(expect.objectContaining({ from: "/bank/db", to: "/shop/web", before: "deny", after: "allow" }));
    const stored = await (await app.request(`/v1/clusters/shop/policy/explain?from=/bank/db&to=/shop/web&port=tcp/9000`, { headers: auth })).json();
    expect(stored).toMatchObject({ verdict: "deny" });
  });

  it("answers from the newest generation once the cluster's snapshot is written again", async () => {
    const app = await appWithCluster();
    const ask = async () => (await (await app.request(`/v1/clusters/shop/policy/explain?from=/bank/db&to=/shop/web&port=tcp/9000`, { headers: auth })).json()) as { verdict: string };
    expect(await ask()).toMatchObject({ verdict: "deny" });
    const opened = { ...snapshot, config: { ...snapshot.config, policy: { ...snapshot.config.policy!, default: "allow" } } };
    const put = await app.request("/v1/clusters/shop/snapshot", { method: "PUT", headers: { ...auth, "Content-Type": "application/json" }, body: JSON.stringify(opened) });
    expect(put.status).toBe(200);
    expect(await ask()).toMatchObject({ verdict: "allow" });
  });

  it.each([
    ["/v1/clusters/shop/policy/explain?from=/shop/web&port=tcp/80", 400, "to"],
    ["/v1/clusters/shop/policy/explain?from=/shop/web&to=/bank/db&port=icmp/1", 400, "port"],
    ["/v1/clusters/shop/policy/matrix?port=tcp/0", 400, "port"],
    ["/v1/clusters/shop/policy/explain?from=/nope&to=/bank/db&port=tcp/80", 404, undefined],
    ["/v1/clusters/other/policy/matrix", 404, undefined],
  ])("answers %s with %i", async (path, status, issue) => {
    const app = await appWithCluster();
    const res = await app.request(path, { headers: auth });
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: string; issues?: Array<{ path: string }> };
    expect(body.error).toBeTruthy();
    if (issue !== undefined) expect(body.issues?.map((i) => i.path)).toContain(issue);
  });

  it("stays behind the bearer token", async () => {
    const app = await appWithCluster();
    expect((await app.request(`/v1/clusters/shop/policy/matrix`)).status).toBe(401);
  });
});
