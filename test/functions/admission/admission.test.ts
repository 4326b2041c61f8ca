import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { admitTasks } from "../../../functions/admission/index.ts";
import { reconcile } from "../../../functions/reconcile.ts";
import { canonicalJson } from "../../../lib/net/canonical-json.ts";
import { Config, type ConfigInput } from "../../../lib/snapshot/config.ts";
import { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import { withAppIds } from "../../../lib/snapshot/task-apps.ts";

const DEMO = ClusterSnapshot.parse(JSON.parse(readFileSync("state-fixtures/demo/snapshot.json", "utf8")));
const DB = "db.8b9c0d1e-cccc-11ef-9c1b-0242ac110002";
const HELLO = "hello-0-server__3a4b5c6d-1111-11ef-9c1b-0242ac110002";

function demo(policy: ConfigInput["policy"]): ClusterSnapshot {
  const snapshot = { ...DEMO, config: Config.parse({ ...DEMO.config, policy }) };
  return { ...snapshot, tasks: withAppIds(snapshot.tasks, snapshot.frameworks, snapshot.marathonApps) };
}

/** The ACL: only /shop apps on dcos. */
const SHOP_ONLY = { networks: { dcos: { attach: [{ action: "allow" as const, apps: ["/shop/**"] }, { action: "deny" as const }] } } };

describe("admitTasks", () => {
  it("quarantines each task its network's ACL refuses, naming the network and the entry", () => {
    const admission = admitTasks(demo(SHOP_ONLY));
    expect(admission.quarantined).toEqual([
      { taskId: DB, network: "dcos", entry: 1 },
      { taskId: HELLO, network: "dcos", entry: 1 },
    ]);
    const [db] = admission.diagnostics;
    expect(db).toMatchObject({ level: "error", code: "policy.attach-denied", subject: `task:${DB}` });
    expect(db!.message).toContain("network 'dcos'");
    expect(db!.message).toContain("policy.networks.dcos.attach[1]");
    expect(db!.message).toContain("app /db");
    expect(admission.snapshot.tasks.map((t) => t.id)).not.toContain(DB);
    expect(admission.snapshot.marathonApps.find((a) => a.id === "/db")!.tasks).toEqual([]);
  });

  it("lets the first matching entry decide, and admits what no entry matches", () => {
    const first = admitTasks(demo({ networks: { dcos: { attach: [{ action: "allow", apps: ["/db"] }, { action: "deny", apps: ["/db", "/shop/**"] }] } } }));
    expect(first.quarantined).toEqual([]);
    const none = admitTasks(demo({ networks: { dcos: { attach: [{ action: "deny", apps: ["/other"] }] } } }));
    expect(none.quarantined).toEqual([]);
  });

  it("matches roles, principals and frameworks, and a condition on a fact the task lacks never matches", () => {
    const snapshot = demo({
      networks: {
        host: { attach: [{ action: "deny", frameworks: ["metronome"] }, { action: "deny", principals: ["nobody-has-this"] }] },
        dcos: { attach: [{ action: "deny", roles: ["hello-*"] }, { action: "deny", apps: ["/**"], frameworks: ["hello-world"] }] },
      },
    });
    const framework = (name: string) => snapshot.frameworks.find((f) => f.name === name)!.id;
    const tasks = snapshot.tasks.map((t) => (t.frameworkId === framework("hello-world") ? { ...t, role: "hello-world-role" } : t));
    const admission = admitTasks({ ...snapshot, tasks });
    expect(admission.quarantined.map((q) => [q.taskId.split(/[._]/)[0], q.network, q.entry])).toEqual([
      ["backup", "host", 0],
      ["hello-0-server", "dcos", 0],
    ]);
  });

  it("leaves finished tasks alone: they hold no network", () => {
    const admission = admitTasks(demo({ networks: { host: { attach: [{ action: "deny", frameworks: ["metronome"] }] } } }));
    expect(admission.quarantined.map((q) => q.taskId)).toEqual(["backup_nightly.5c6d7e8f-3333-11ef-9c1b-0242ac110002"]);
  });

  it("returns the very snapshot when no network has an attach ACL", () => {
    const snapshot = demo({ networks: { dcos: { isolation: "isolated" } } });
    expect(admitTasks(snapshot).snapshot).toBe(snapshot);
  });
});

describe("a quarantined task in every artifact", () => {
  const open = reconcile(demo(undefined));
  const closed = reconcile(demo(SHOP_ONLY));
  const dbAddress = "9.0.2.2";

  it("has DNS names, a VIP backend and an HAProxy server while admitted (the check below can fail)", () => {
    expect(canonicalJson(open.dns)).toContain(dbAddress);
    expect(open.l4lb.services.some((s) => s.backends.some((b) => b.taskId === DB))).toBe(true);
    expect(open.haproxy.groups["internal"]!.config).toContain(`${dbAddress}:5432`);
  });

  it("has none of them once quarantined, and the reason is a diagnostic", () => {
    expect(canonicalJson(closed.dns)).not.toContain(dbAddress);
    expect(canonicalJson(closed.dns)).not.toContain("db.marathon");
    expect(closed.l4lb.services.some((s) => s.backends.some((b) => b.taskId === DB))).toBe(false);
    expect(closed.haproxy.groups["internal"]!.config).not.toContain(dbAddress);
    expect(closed.diagnostics.filter((d) => d.code === "policy.attach-denied").map((d) => d.subject)).toEqual([`task:${DB}`, `task:${HELLO}`]);
  });

  it("keeps every other task's artifacts as they were", () => {
    expect(closed.haproxy.groups["external"]).toEqual(open.haproxy.groups["external"]);
    expect(canonicalJson(closed.dns)).toContain("web.marathon");
  });
});
