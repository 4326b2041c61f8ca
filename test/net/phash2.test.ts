import { describe, expect, it } from "vitest";
import { phash2 } from "../../lib/net/phash2.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("phash2 (Erlang erlang:phash2/2 over a binary)", () => {
  // Vectors computed with Erlang/OTP (specs/overlay_l4lb.md §4.5); they cover the empty binary,
  // every tail length class and a full 12-byte block with and without a tail.
  it.each([
    ["", 147926629],
    ["a", 1589197455],
    ["foo.bar", 1166686807],
    ["app.marathon", 246131777],
    ["abcdefghijkl", 686521495],
    ["abcdefghijklm", 3501102500],
    ["overlay-vip.hello-world", 1750522510],
  ])("phash2(%j, 2^32) = %i", (input, expected) => {
    expect(phash2(bytes(input), 2 ** 32)).toBe(expected);
  });

  it("reduces into the range", () => {
    expect(phash2(bytes("foo.bar"), 254)).toBe(37);
    expect(phash2(bytes("baz.qux"), 254)).toBe(39);
    expect(phash2(bytes("anything"), 1)).toBe(0);
  });

  it.each([0, -1, 1.5, 2 ** 32 + 1])("rejects range %d", (range) => {
    expect(() => phash2(bytes("x"), range)).toThrow(RangeError);
  });
});
