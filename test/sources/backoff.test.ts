import { describe, expect, it } from "vitest";
import { Backoff } from "../../lib/sources/backoff.ts";

describe("Backoff", () => {
  it("doubles up to the cap with half of each delay jittered, and starts over after reset", () => {
    const low = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0 });
    expect([1, 2, 3, 4, 5].map(() => low.next())).toEqual([50, 100, 200, 400, 500]);
    const high = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5].map(() => high.next())).toEqual([100, 200, 400, 800, 1000]);
    expect(high.failures).toBe(5);
    high.reset();
    expect(high.next()).toBe(100);
  });

  it("rejects settings that would never wait or never grow", () => {
    expect(() => new Backoff({ initialMs: 0 })).toThrow(RangeError);
    expect(() => new Backoff({ initialMs: 10, maxMs: 5 })).toThrow(RangeError);
  });
});
