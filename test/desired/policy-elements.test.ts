import { describe, expect, it } from "vitest";
import { seededRandom } from "../support/seeded-random.ts";
import { elementIndex, elementsAfter, normalizeElements, parseElement } from "../../lib/desired/policy-elements.ts";
import { parseIpValue } from "../../lib/net/cidr.ts";

describe("policy set elements", () => {
  it.each([
    ["9.0.0.2", "9.0.0.2"],
    ["10.0.0.0/8", "10.0.0.0/8"],
    ["10.0.0.0-10.0.0.255", "10.0.0.0/24"],
    ["10.0.0.1-10.0.0.5", "10.0.0.1-10.0.0.5"],
    ["10.0.1.11 31000-31001", "10.0.1.11 31000-31001"],
    ["10.0.1.11 80-80", "10.0.1.11 80"],
    ["fd01:b::/64", "fd01:b::/64"],
    ["fd01:b::2 53", "fd01:b::2 53"],
  ])("reads and writes %s as %s", (text, canonical) => {
    expect(normalizeElements([text])).toEqual([canonical]);
  });

  it.each(["10.0.0.1/8", "10.0.0.5-10.0.0.1", "10.0.0.1 70000", "10.0.0.1 90-80", "nope", "10.0.0.1 80 tcp", "10.0.0.1-fd00::1"])("refuses %j", (text) => {
    expect(parseElement(text)).toBeUndefined();
    expect(() => normalizeElements([text])).toThrow(/not a policy set element/);
  });

  it("merges what overlaps, so nftables accepts the set, and keeps what merely touches apart", () => {
    expect(normalizeElements(["10.1.0.0/16", "10.0.0.0/8", "11.0.0.1", "11.0.0.2", "9.0.0.2"])).toEqual(["9.0.0.2", "10.0.0.0/8", "11.0.0.1", "11.0.0.2"]);
  });

  it("drops a port range inside a whole address of the same set, and merges port ranges of one address", () => {
    expect(normalizeElements(["10.0.0.11 80", "10.0.0.0/24", "10.0.1.11 80-90", "10.0.1.11 85-100", "10.0.1.11 200"])).toEqual([
      "10.0.0.0/24",
      "10.0.1.11 80-100",
      "10.0.1.11 200",
    ]);
  });

  it("drops a port range only when one whole range of its family holds its address, among many", () => {
    const whole = ["9.0.0.2", "10.0.0.0/24", "10.0.2.0-10.0.2.9", "fd01:b::/64", "fd01:c::1"];
    const ported = ["9.0.0.1 80", "9.0.0.2 80", "9.0.0.3 80", "10.0.0.255 53", "10.0.1.0 53", "10.0.2.9 1-2", "10.0.2.10 1-2", "fd01:b::9 443", "fd01:c::1 443", "fd01:c::2 443", "0.0.0.0 7"];
    expect(normalizeElements([...ported, ...whole])).toEqual([
      "0.0.0.0 7",
      "9.0.0.1 80",
      "9.0.0.2",
      "9.0.0.3 80",
      "10.0.0.0/24",
      "10.0.1.0 53",
      "10.0.2.0-10.0.2.9",
      "10.0.2.10 1-2",
      "fd01:b::/64",
      "fd01:c::1",
      "fd01:c::2 443",
    ]);
  });

  it("keeps the families apart, IPv4 first", () => {
    expect(normalizeElements(["fd01:b::2", "9.0.0.2", "::/0", "0.0.0.0/0"])).toEqual(["0.0.0.0/0", "::/0"]);
  });

  it("answers membership by address and port", () => {
    const index = elementIndex(["10.0.0.0/8", "192.0.2.1 80-81", "fd01:b::/64"]);
    expect(index.has("10.9.9.9", 1)).toBe(true);
    expect(index.has("10.9.9.9")).toBe(true);
    expect(index.has("192.0.2.1", 81)).toBe(true);
    expect(index.has("192.0.2.1", 82)).toBe(false);
    expect(index.has("192.0.2.1")).toBe(false);
    expect(index.has("fd01:b::9", 5)).toBe(true);
    expect(index.has("11.0.0.1", 80)).toBe(false);
  });

  describe("elementsAfter, a normalised set moved without normalising it", () => {
    const none = () => false;
    it("inserts and removes lone addresses in order, as normalising would", () => {
      const set = ["9.0.0.2", "9.0.0.9", "10.0.0.0/8", "fd01:a::2"];
      const after = elementsAfter(set, ["9.0.0.9"], ["9.0.0.5", "9.1.0.1", "fd01:a::1"], none);
      expect(after).toEqual(normalizeElements(["9.0.0.2", "9.0.0.5", "9.1.0.1", "10.0.0.0/8", "fd01:a::1", "fd01:a::2"]));
      expect(set).toHaveLength(4);
    });
    it("leaves a block as it is when an address inside it comes or goes (another element holds it)", () => {
      expect(elementsAfter(["9.0.0.2", "10.0.0.0/8"], ["10.1.2.3"], ["10.0.0.0", "10.255.255.255"], none)).toEqual(["9.0.0.2", "10.0.0.0/8"]);
      expect(normalizeElements(["9.0.0.2", "10.0.0.0/8", "10.0.0.0", "10.255.255.255"])).toEqual(["9.0.0.2", "10.0.0.0/8"]);
    });
    it.each([
      ["an address with ports held on it", ["10.0.0.11 7000"], [], ["10.0.0.11"], none],
      ["a block", ["9.0.0.2"], [], ["9.0.0.0/24"], none],
      ["an element with ports", ["9.0.0.2"], [], ["10.0.0.11 80"], none],
      ["an address that hid ports on it", ["10.0.0.11"], ["10.0.0.11"], [], (a: string) => a === "10.0.0.11"],
      ["an address the set does not show", ["9.0.0.2"], ["9.0.0.3"], [], none],
    ])("leaves %s to normalising", (_what, set, removed, added, portedAt) => {
      expect(elementsAfter(set, removed, added, portedAt)).toBeUndefined();
    });
  });

  it("elementsAfter agrees with normalising whenever it answers, over random sets and changes", () => {
    const random = seededRandom(7);
    const pick = () => {
      const r = random();
      const a = Math.floor(random() * 24);
      return r < 0.7 ? `9.0.0.${a}` : r < 0.8 ? `9.0.0.${a & ~3}/30` : r < 0.9 ? `9.0.0.${a} ${7000 + Math.floor(random() * 3)}` : `fd01::${a}`;
    };
    let answered = 0;
    for (let round = 0; round < 400; round++) {
      const counts = new Map<string, number>();
      for (let i = 0; i < 12; i++) counts.set(normalizeElements([pick()])[0]!, 1);
      const before = normalizeElements(counts.keys());
      const removed = [...counts.keys()].filter(() => random() < 0.2);
      for (const text of removed) counts.delete(text);
      const added = [...new Set(Array.from({ length: 3 }, () => normalizeElements([pick()])[0]!))].filter((t) => !counts.has(t));
      for (const text of added) counts.set(text, 1);
      const portedAt = (address: string) => [...counts.keys()].some((t) => t.startsWith(`${address} `));
      const after = elementsAfter(before, removed, added, portedAt);
      if (after === undefined) continue;
      answered++;
      expect(after, `from ${before.join(",")} removing ${removed.join(",")} adding ${added.join(",")}`).toEqual(normalizeElements(counts.keys()));
    }
    expect(answered).toBeGreaterThan(100);
  });

  it("answers membership of unnormalized sets as a scan would (overlaps, ported ranges, both families, parsed addresses)", () => {
    const texts = ["10.0.0.0/16", "10.0.128.0/17", "10.0.1.0-10.0.2.255", "10.1.0.0/24 443", "10.1.0.7 80", "10.1.0.7 8000-8100", "::/0 53", "fd01::/16", "fd00::1"];
    const index = elementIndex(texts);
    const ranges = texts.map((t) => parseElement(t)!);
    const scan = (address: string, port?: number) => {
      const ip = parseIpValue(address)!;
      return ranges.some((r) => r.family === ip.family && r.lo <= ip.value && ip.value <= r.hi && (port === undefined ? r.portLo === 0 && r.portHi === 65535 : r.portLo <= port && port <= r.portHi));
    };
    const addresses = ["10.0.0.0", "10.0.255.255", "10.0.200.1", "10.1.0.0", "10.1.0.7", "10.1.0.8", "10.2.0.0", "9.255.255.255", "fd00::1", "fd00::2", "fd01:ffff::1", "2001:db8::1"];
    for (const address of addresses) {
      for (const port of [undefined, 53, 80, 443, 8050, 8101]) {
        expect(index.has(address, port), `${address} ${port}`).toBe(scan(address, port));
        expect(index.has(parseIpValue(address)!, port), `${address} ${port} parsed`).toBe(scan(address, port));
      }
    }
    expect(index.has("not-an-ip", 80)).toBe(false);
  });
});
