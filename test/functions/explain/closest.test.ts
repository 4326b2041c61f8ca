import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { closestMatches, editDistanceWithin } from "../../../functions/explain/closest.ts";

/** The textbook dynamic programme, unbounded: the reference the banded one must agree with. */
function levenshtein(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1), row[j]! + 1, next[j - 1]! + 1);
    row = next;
  }
  return row[b.length]!;
}

describe("editDistanceWithin", () => {
  it("agrees with the full Levenshtein distance whenever it is within the bound", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "b", "c", ".", "-"), maxLength: 12 });
    fc.assert(
      fc.property(text, text, fc.integer({ min: 0, max: 5 }), (a, b, max) => {
        const full = levenshtein(a, b);
        expect(editDistanceWithin(a, b, max)).toBe(full <= max ? full : undefined);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("closestMatches", () => {
  it("ranks typos by distance, then names containing the query, and stops at the limit", () => {
    const candidates = ["web.marathon.mesos", "db.marathon.mesos", "wbe.marathon.mesos", "webapp.marathon.mesos", "cache.marathon.mesos"];
    expect(closestMatches("web.marathon.mesos", candidates, 2)).toEqual(["web.marathon.mesos", "db.marathon.mesos"]);
    expect(closestMatches("webb.marathon.mesos", candidates)).toEqual(["web.marathon.mesos", "wbe.marathon.mesos", "db.marathon.mesos", "webapp.marathon.mesos"]);
    expect(closestMatches("cache", candidates)).toEqual(["cache.marathon.mesos"]);
    expect(closestMatches("zzzzzzzz", candidates)).toEqual([]);
  });

  it("ignores case and lists a candidate once", () => {
    expect(closestMatches("WEB.1", ["web.1", "web.1", "Web.2"])).toEqual(["web.1", "Web.2"]);
  });
});
