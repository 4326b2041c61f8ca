import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { addTerm, EMPTY_SUM, entryTerm, objectHash, stateHash, subtractTerm, sumHex } from "../../lib/net/multiset-hash.ts";

const sha = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

describe("the multiset state hash", () => {
  it("sums sha256(key \\n objectHash) as 256-bit integers mod 2^256", () => {
    const a = ["dns/zone/mesos", objectHash('{"a":1}')] as const;
    const b = ["node/S1/overlay", objectHash("[]")] as const;
    const expected = (BigInt(`0x${sha(`${a[0]}\n${a[1]}`)}`) + BigInt(`0x${sha(`${b[0]}\n${b[1]}`)}`)) % (1n << 256n);
    expect(stateHash([a, b])).toBe(expected.toString(16).padStart(64, "0"));
    expect(objectHash('{"a":1}')).toBe(sha('{"a":1}'));
  });

  it("does not depend on order, and subtracting a term undoes adding it", () => {
    const entries = Array.from({ length: 20 }, (_, i) => [`k/${i}`, objectHash(String(i))] as const);
    expect(stateHash(entries)).toBe(stateHash([...entries].reverse()));
    let sum = EMPTY_SUM;
    for (const [key, hash] of entries) sum = addTerm(sum, entryTerm(key, hash));
    sum = subtractTerm(sum, entryTerm(entries[3]![0], entries[3]![1]));
    expect(sumHex(sum)).toBe(stateHash(entries.filter((_, i) => i !== 3)));
  });

  it("wraps at 2^256 both ways and writes 64 hex digits", () => {
    const max = (1n << 256n) - 1n;
    expect(addTerm(max, 2n)).toBe(1n);
    expect(subtractTerm(1n, 2n)).toBe(max);
    expect(sumHex(EMPTY_SUM)).toBe("0".repeat(64));
    expect(stateHash([["x", "y"]])).not.toBe(stateHash([["x", "z"]]));
  });
});
