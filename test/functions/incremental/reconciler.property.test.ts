import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { desiredStateOf, nodeViewOf } from "../../../functions/keyed/assemble.ts";
import { deriveObjects } from "../../../functions/keyed/derive.ts";
import type { KeyedObjects } from "../../../functions/keyed/object-store.ts";
import { IncrementalReconciler } from "../../../functions/incremental/reconciler.ts";
import { reconcile } from "../../../functions/reconcile.ts";
import { applySnapshotChange } from "../../../lib/snapshot/snapshot-change.ts";
import type { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import { bareSnapshot, changeOf, changeSteps, START } from "./cluster-arbitraries.ts";

function contents(objects: KeyedObjects): Map<string, string> {
  return new Map([...objects.entries()].map(([key, stored]) => [key, stored.json]));
}

/** The keys that differ between two object sets, for a readable failure. */
function differences(actual: Map<string, string>, expected: Map<string, string>): string[] {
  const keys = new Set([...actual.keys(), ...expected.keys()]);
  return [...keys].filter((key) => actual.get(key) !== expected.get(key)).map((key) => `${key}\n  got      ${actual.get(key)}\n  expected ${expected.get(key)}`);
}

/** Previous named-VIP entries that contend: two names on one address, an address outside the range, one kept through grace. */
const dirtyNamedVips = fc.subarray([
  { name: "app.marathon", ip: "11.0.0.1" },
  { name: "b.marathon", ip: "11.0.0.1" },
  { name: "c.marathon", ip: "11.0.0.9" },
  { name: "d.marathon", ip: "11.0.0.2", lastSeen: new Date(START - 300_000).toISOString() },
  { name: "e.marathon", ip: "fd01:c::1" },
  { name: "app.marathon", ip: "fd01:c::1" },
]);

/** A first snapshot with `previous` from another cluster's reconcile (allocations that do not fit, named VIPs kept through grace). */
const startingSnapshot = fc
  .tuple(bareSnapshot, fc.option(bareSnapshot, { nil: undefined }), fc.constantFrom<string[]>([], ["10.0.0.2"], ["10.0.0.3", "10.0.0.7"]), dirtyNamedVips)
  .map(([snapshot, other, release, dirty]): ClusterSnapshot => {
    if (other === undefined) return { ...snapshot, previous: { l4lb: { namedVips: dirty } } };
    const before = reconcile({ ...other, config: snapshot.config });
    return {
      ...snapshot,
      previous: {
        overlay: { ...before.overlay.allocations, release },
        l4lb: { namedVips: [...dirty, ...(before.l4lb.namedVips ?? []).map((v, i) => (i % 2 === 0 ? v : { ...v, lastSeen: new Date(START - 300_000).toISOString() }))] },
        haproxy: before.haproxy.allocations,
      },
    };
  });

describe("the incremental reconciler", () => {
  it("after every change equals the whole derivation of the changed snapshot, byte for byte", () => {
    fc.assert(
      fc.property(startingSnapshot, fc.array(changeSteps, { minLength: 20, maxLength: 25 }), (first, steps) => {
        const reconciler = IncrementalReconciler.fromSnapshot(first);
        let snapshot = first;
        let now = START;
        expect(contents(reconciler.objects)).toEqual(contents(deriveObjects(first)));
        for (const step of steps) {
          now += step.seconds * 1000;
          const change = changeOf(snapshot, step, now);
          const before = contents(reconciler.objects);
          const previous = reconciler.allocations();
          snapshot = applySnapshotChange(snapshot, change, previous);
          const result = reconciler.apply(change);
          const whole = deriveObjects(snapshot);
          const actual = contents(reconciler.objects);
          const expected = contents(whole);
          expect(differences(actual, expected)).toEqual([]);
          expect(result.hash).toBe(whole.hash());
          // The change reports exactly the keys that differ from before it.
          const changed = new Set([...result.upserts.map((u) => u.key), ...result.deletes]);
          const differing = new Set([...new Set([...before.keys(), ...actual.keys()])].filter((key) => before.get(key) !== actual.get(key)));
          expect(changed).toEqual(differing);
          for (const upsert of result.upserts) expect(upsert.json).toBe(actual.get(upsert.key));
        }
        // The views and the snapshot it holds agree with a whole reconcile of the last snapshot.
        expect(desiredStateOf(reconciler.objects)).toEqual(reconcile(snapshot));
        const whole = deriveObjects(snapshot);
        for (const node of [...snapshot.agents.map((a) => a.id), "S1", "master@10.0.0.9"]) {
          expect(nodeViewOf(reconciler.objects, node)).toEqual(nodeViewOf(whole, node));
        }
        expect(contents(deriveObjects(reconciler.snapshot()))).toEqual(contents(reconciler.objects));
      }),
      { numRuns: Number(process.env.WAYFINDER_PROPERTY_RUNS ?? 300) },
    );
  }, 600_000);
});
