import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Explanation } from "../../functions/explain/schema.ts";
import { createApp } from "../../lib/http/app.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { MemorySnapshotStore } from "../../lib/store/snapshot-store.ts";
import { tenants } from "../functions/policy/tenants.ts";

const DEMO = readFileSync("state-fixtures/demo/snapshot.json", "utf8");
const WEB = "web.0f1e2d3c-aaaa-11ef-9c1b-0242ac110002";

async function json(res: Response | Promise<Response>): Promise<{ status: number; body: any }> {
  const r = await res;
  return { status: r.status, body: await r.json() };
}

describe("GET /v1/explain (the server's snapshot)", () => {
  const app = createApp({ snapshot: ClusterSnapshot.parse(JSON.parse(DEMO)) });

  it("explains each subject, keeping slashes and colons of the query", async () => {
    for (const [path, kind] of [
      [`/v1/explain/task/${WEB}`, "task"],
      ["/v1/explain/app/backend/api", "app"],
      ["/v1/explain/vip/11.225.36.193:80/tcp", "vip"],
      ["/v1/explain/vip/%5Bfd01:c::72df:351e:c788:bd6b%5D:6379", "vip"],
      ["/v1/explain/name/_web._tcp.marathon.mesos", "name"],
    ] as const) {
      const { status, body } = await json(app.request(path));
      expect(status, path).toBe(200);
      expect(Explanation.parse(body).kind, path).toBe(kind);
    }
  });

  it("answers an unknown subject with 404, the error body and the closest matches", async () => {
    const { status, body } = await json(app.request("/v1/explain/name/web.marathn.mesos"));
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: "zone mesos holds no record at 'web.marathn.mesos'", kind: "not-found", subject: "name" });
    expect(body.closest[0]).toBe("web.marathon.mesos");
  });

  it.each([
    ["/v1/explain/pod/x", 400, "'pod' is not something to explain (one of name, vip, task, app)"],
    ["/v1/explain/app/web?limit=ten", 400, "limit must be a whole number from 0 to 1000 (got 'ten')"],
    ["/v1/explain/app/web?limit=1001", 400, "limit must be a whole number from 0 to 1000 (got '1001')"],
    ["/v1/explain/app/web?port=tcp/80&port=http", 400, "port must be PROTO/PORT (tcp, udp or sctp; 1-65535), e.g. tcp/5432 (got 'http')"],
    ["/v1/explain/task/x?port=tcp/0", 400, "port must be PROTO/PORT (tcp, udp or sctp; 1-65535), e.g. tcp/5432 (got 'tcp/0')"],
    ["/v1/explain/task", 404, "no route for GET /v1/explain/task"],
  ])("%s → %i", async (path, status, error) => {
    const res = await json(app.request(path));
    expect(res.status).toBe(status);
    expect(res.body.error).toBe(error);
  });
});

describe("GET /v1/clusters/:cluster/explain (the store)", () => {
  it("explains the stored generation behind the token, and says when nothing is stored", async () => {
    const app = createApp({ token: "t", store: new MemorySnapshotStore() });
    const auth = { Authorization: "Bearer t" };
    expect((await app.request(`/v1/clusters/demo/explain/task/${WEB}`)).status).toBe(401);
    const none = await json(app.request(`/v1/clusters/demo/explain/task/${WEB}`, { headers: auth }));
    expect(none).toMatchObject({ status: 404, body: { error: "no snapshot stored for cluster 'demo' (PUT /v1/clusters/demo/snapshot first)" } });
    const put = await app.request("/v1/clusters/demo/snapshot", { method: "PUT", headers: { ...auth, "Content-Type": "application/json" }, body: DEMO });
    expect(put.status).toBe(200);
    const task = await json(app.request(`/v1/clusters/demo/explain/task/${WEB}`, { headers: auth }));
    expect(task.status).toBe(200);
    expect(task.body.haproxy.servers[0]).toMatchObject({ group: "external", server: "slot1" });
    expect((await app.request("/v1/clusters/bad%20name/explain/task/x", { headers: auth })).status).toBe(400);
  });

  it("lists a task's policy decisions on the ports asked, from the stored policy", async () => {
    const app = createApp({ store: new MemorySnapshotStore() });
    const put = await app.request("/v1/clusters/shop/snapshot", { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ...tenants(), cluster: { name: "shop" } }) });
    expect(put.status).toBe(200);
    const { status, body } = await json(app.request("/v1/clusters/shop/explain/task/bank_db.1?port=tcp/5432"));
    expect(status).toBe(200);
    expect(body.policy.ports).toEqual([{ protocol: "tcp", port: 5432 }]);
    expect(body.policy.inbound[0]).toEqual({ protocol: "tcp", port: 5432, verdict: "allow", tier: "admin", by: "web-to-db", peers: ["/shop/web"], total: 1 });
    const rogue = await json(app.request("/v1/clusters/shop/explain/task/shop_rogue.1"));
    expect(rogue.body.policy.reasons).toEqual([{ message: "quarantined: network blue refused by ACL entry policy.networks.blue.attach[1]" }]);
  });
});
