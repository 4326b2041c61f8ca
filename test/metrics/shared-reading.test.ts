import { describe, expect, it } from "vitest";
import { sharedReading } from "../../lib/metrics/shared-reading.ts";

describe("a reading shared by scrapes", () => {
  it("hands concurrent callers one read's value, and reuses it until it is maxAgeMs old", async () => {
    let clock = 100;
    let reads = 0;
    const read = sharedReading(async () => ++reads, { maxAgeMs: 1_000, now: () => clock });
    expect(await Promise.all([read(), read(), read()])).toEqual([1, 1, 1]);
    clock += 999;
    expect(await read()).toBe(1);
    clock += 1;
    expect(await read()).toBe(2);
    expect(reads).toBe(2);
  });

  it("hands a failure to the callers that waited for it, and keeps nothing of it", async () => {
    let fail = true;
    let reads = 0;
    const read = sharedReading(async () => {
      reads++;
      if (fail) throw new Error("nft: Operation not permitted");
      return "ok";
    }, { maxAgeMs: 60_000 });
    const waited = await Promise.allSettled([read(), read()]);
    expect(waited.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(reads).toBe(1);
    fail = false;
    expect(await read()).toBe("ok");
    expect(reads).toBe(2);
  });
});
