import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeyTable, keyHash } from "../../../lib/dns/index/key-table.ts";

describe("KeyTable", () => {
  it("finds exactly what a Map would, through inserts and removals that collide and wrap", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 300 })), { maxLength: 3000 }), (steps) => {
        const keys: string[] = [];
        const hashes: number[] = [];
        // A weak hash (few values) makes long probe runs and wrap-arounds the common case.
        const hashOf = (key: string) => keyHash(key) & 0x3f00ff;
        const table = new KeyTable((id) => keys[id]!, (id) => hashes[id]!);
        const model = new Map<string, number>();
        for (const [add, n] of steps) {
          const key = `k${n}`;
          if (add && !model.has(key)) {
            const id = keys.length;
            keys.push(key);
            hashes.push(hashOf(key));
            table.insert(id, hashOf(key));
            model.set(key, id);
          } else if (!add && model.has(key)) {
            table.remove(model.get(key)!, hashOf(key));
            model.delete(key);
          }
        }
        expect(table.size).toBe(model.size);
        for (let n = 0; n <= 300; n++) expect(table.find(`k${n}`, hashOf(`k${n}`))).toBe(model.get(`k${n}`));
      }),
      { numRuns: 100 },
    );
  });
});
