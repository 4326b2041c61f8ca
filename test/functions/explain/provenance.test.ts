import { describe, expect, it } from "vitest";
import { reconcile } from "../../../functions/reconcile.ts";
import { ProvenanceLedger } from "../../../functions/explain/ledger.ts";
import { canonicalJson } from "../../../lib/net/canonical-json.ts";
import { goldenFixtures, readSnapshot } from "../../golden/fixtures.ts";

const fixtures = goldenFixtures().map((f) => [f.name, readSnapshot(f.snapshotPath)] as const);

describe("provenance", () => {
  it.each(fixtures)("%s: reporting provenance changes no byte of the desired state", (_name, snapshot) => {
    const plain = canonicalJson(reconcile(snapshot));
    expect(canonicalJson(reconcile(snapshot, { provenance: new ProvenanceLedger() }))).toBe(plain);
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
