import { describe, expect, it } from "vitest";
import { collectGarbage } from "../../lib/runtime/collect-garbage.ts";

describe("collectGarbage", () => {
  it("frees what nothing refers to any more, without a gc global left behind", async () => {
    let held: object | undefined = { values: Array.from({ length: 1000 }, (_, i) => ({ i })) };
    const ref = new WeakRef(held);
    held = undefined;
    // A WeakRef holds its target until the job that made it ends.
    await new Promise((r) => setTimeout(r, 0));
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
    expect("gc" in globalThis).toBe(false);
  });
});
