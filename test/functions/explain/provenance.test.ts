import { describe, expect, it } from "vitest";
import { reconcile } from "../../../functions/reconcile.ts";
import { ProvenanceLedger } from "../../../functions/explain/ledger.ts";
import { canonicalJson } from "../../../lib/net/canonical-json.ts";
import { goldenFixtures, readSnapshot } from "../../golden/fixtures.ts";
import { tenants } from "../policy/tenants.ts";

/** The goldens, and a cluster with a network policy whose attach ACL quarantines a task. */
const fixtures = [...goldenFixtures().map((f) => [f.name, readSnapshot(f.snapshotPath)] as const), ["tenants (policy, shop_rogue.1 quarantined)", tenants()] as const];

describe("provenance", () => {
  it.each(fixtures)("%s: reporting provenance changes no byte of the desired state", (_name, snapshot) => {
    const plain = canonicalJson(reconcile(snapshot));
    expect(canonicalJson(reconcile(snapshot, { provenance: new ProvenanceLedger() }))).toBe(plain);
  });

  it("the policy fixture does quarantine a task and program a policy (so the byte check above covers both)", () => {
    const desired = reconcile(tenants());
    expect(desired.policy?.rules.length).toBeGreaterThan(0);
    expect(desired.diagnostics.filter((d) => d.code === "policy.attach-denied").map((d) => d.subject)).toEqual(["task:shop_rogue.1"]);
  });

  it("says a quarantined task is in no artifact because its network's attach ACL refused it, naming the entry", () => {
    const ledger = new ProvenanceLedger();
    reconcile(tenants(), { provenance: ledger });
    expect(ledger.skipsOf("task:shop_rogue.1")).toEqual([{ artifact: "admission", reason: "quarantined: network blue refused by ACL entry policy.networks.blue.attach[1]" }]);
    expect(ledger.recordsOf("task:shop_rogue.1")).toEqual([]);
    expect(ledger.overlayAddressesOf("task:shop_rogue.1")).toEqual([]);
    expect(ledger.skipsOf("task:bank_db.1").filter((s) => s.artifact === "admission")).toEqual([]);
  });

  it.each(fixtures)("%s: every record of every zone has an owner", (_name, snapshot) => {
    const ledger = new ProvenanceLedger();
    const desired = reconcile(snapshot, { provenance: ledger });
    const owned = new Set<string>();
    ledger.forEachRecord((_owner, name, type, data) => owned.add(`${name} ${type} ${JSON.stringify(data)}`));
    const orphans = desired.dns.zones.flatMap((zone) => zone.records.map((r) => `${r.name} ${r.type} ${JSON.stringify(r.data)}`).filter((key) => !owned.has(key)));
    expect(orphans).toEqual([]);
    expect(owned.size).toBeGreaterThan(0);
  });

  it("says why a task that is not running has no records, VIP backends or overlay address", () => {
    const snapshot = readSnapshot("state-fixtures/demo/snapshot.json");
    const ledger = new ProvenanceLedger();
    reconcile(snapshot, { provenance: ledger });
    const skips = ledger.skipsOf("task:backup_nightly.6d7e8f9a-4444-11ef-9c1b-0242ac110002");
    expect([...new Set(skips.map((s) => s.artifact))].sort()).toEqual(["dns", "l4lb", "overlay"]);
    expect(skips.find((s) => s.artifact === "dns")?.reason).toMatch(/^TASK_FINISHED: only TASK_RUNNING tasks get/);
    expect(ledger.recordsOf("task:backup_nightly.6d7e8f9a-4444-11ef-9c1b-0242ac110002")).toEqual([]);
  });
});
