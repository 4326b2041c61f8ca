import { describe, expect, it } from "vitest";
import { tunesHeap } from "../../lib/runtime/heap-tuning.ts";

describe("heap tuning", () => {
  it("grows the young generation for commands that reconcile, not for the on-node daemons that hold a state", () => {
    expect(["plan", "render", "serve", "snapshot", "source", undefined].map(tunesHeap)).toEqual([true, true, true, true, true, true]);
    expect(["dns", "agent"].map(tunesHeap)).toEqual([false, false]);
  });
});
