import { describe, expect, it } from "vitest";
import { KeyedObjects } from "../../../functions/keyed/object-store.ts";
import { objectHash, stateHash } from "../../../lib/net/multiset-hash.ts";

describe("KeyedObjects", () => {
  it("keeps the state hash of its objects, whole and per node, as objects come and go", () => {
    const objects = new KeyedObjects();
    objects.set("dns/zone/mesos", { b: 1, a: 2 });
    objects.set("node/S1/overlay", { ip: "10.0.0.1" });
    objects.set("node/S2/overlay", { ip: "10.0.0.2" });
    objects.set("control/diag/x/y", [1]);
    objects.delete("node/S2/overlay");
    const all = [...objects.entries()].map(([key, stored]) => [key, stored.hash] as const);
    expect(objects.hash()).toBe(stateHash(all));
    expect(objects.nodeHash("S1")).toBe(stateHash(all.filter(([key]) => key === "dns/zone/mesos" || key === "node/S1/overlay")));
    expect(objects.nodeHash("S2")).toBe(stateHash([["dns/zone/mesos", objectHash('{"a":2,"b":1}')]]));
    expect(objects.get("dns/zone/mesos")?.json).toBe('{"a":2,"b":1}');
  });

  it("reports each changed key once, with its last value, and no key that ended where it started", () => {
    const objects = new KeyedObjects();
    objects.set("a", 1);
    objects.set("b", 1);
    objects.takeChanges();
    objects.set("a", 2);
    objects.set("a", 3);
    objects.set("b", 2);
    objects.set("b", 1);
    objects.set("c", 1);
    objects.delete("c");
    objects.set("d", [1]);
    objects.set("b", undefined);
    const changes = objects.takeChanges();
    expect(changes.upserts.map((u) => [u.key, u.json])).toEqual([
      ["a", "3"],
      ["d", "[1]"],
    ]);
    expect(changes.deletes).toEqual(["b"]);
    expect([...changes.before].map(([key, before]) => [key, before?.json])).toEqual([
      ["a", "1"],
      ["b", "1"],
      ["d", undefined],
    ]);
    expect(objects.takeChanges()).toEqual({ upserts: [], deletes: [], before: new Map() });
  });

  it("gives back values as set, or parsed from their JSON", () => {
    const kept = new KeyedObjects({ keepValues: true });
    const value = { list: [1, 2] };
    kept.set("k", value);
    expect(kept.value("k")).toBe(value);
    const compact = new KeyedObjects();
    compact.set("k", value);
    expect(compact.value("k")).toEqual(value);
    expect(compact.value("missing")).toBeUndefined();
  });
});
