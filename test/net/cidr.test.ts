import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  blockCount,
  blockIndex,
  canonicalIp,
  formatCidr,
  formatIp,
  isNetworkAddress,
  nthBlock,
  overlaps,
  parseCidr,
  parseIpValue,
  splitInHalves,
} from "../../lib/net/cidr.ts";

const cidr = (text: string) => parseCidr(text)!;

describe("parseIpValue / formatIp", () => {
  it.each([
    ["10.0.0.1", "10.0.0.1"],
    ["0.0.0.0", "0.0.0.0"],
    ["255.255.255.255", "255.255.255.255"],
    ["::", "::"],
    ["::1", "::1"],
    ["FD01:B:0:0:1:0:0:0", "fd01:b:0:0:1::"],
    ["fd01:b::2:8000:0:2", "fd01:b::2:8000:0:2"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"],
    ["::ffff:1.2.3.4", "::ffff:1.2.3.4"],
    ["64:ff9b::10.0.0.1", "64:ff9b::a00:1"],
  ])("%s prints as %s (RFC 5952)", (text, printed) => {
    expect(formatIp(parseIpValue(text)!)).toBe(printed);
  });

  it.each(["10.1", "010.0.0.1", "10.0.0.256", "10.0.0.1.", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "g::", "fe80::1%eth0", "1.2.3.4::", "", " 10.0.0.1"])(
    "rejects %j",
    (text) => {
      expect(parseIpValue(text)).toBeUndefined();
    },
  );

  it("round-trips every IPv6 value through text", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (value) => {
        expect(parseIpValue(formatIp({ family: 6, value }))).toEqual({ family: 6, value });
      }),
    );
  });

  it("round-trips every IPv4 value through text", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), (value) => {
        expect(parseIpValue(formatIp({ family: 4, value }))).toEqual({ family: 4, value });
      }),
    );
  });
});

describe("prefixes", () => {
  it("parses with the length, keeps the written address and masks the base", () => {
    expect(parseCidr("9.0.0.1/8")).toEqual({ family: 4, base: 0x09000000n, length: 8, address: 0x09000001n });
    expect(isNetworkAddress("9.0.0.1/8")).toBe(false);
    expect(isNetworkAddress("9.0.0.0/8")).toBe(true);
  });

  it.each(["9.0.0.0", "9.0.0.0/33", "::/129", "9.0.0.0/08", "9.0.0.0/", "x/8"])("rejects %j", (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it("cuts exact blocks, also past 256 IPv6 slices and for lengths that are not multiples of 8", () => {
    const dcos6 = cidr("fd01:b::/64");
    expect(formatCidr(nthBlock(dcos6, 80, 256n))).toBe("fd01:b:0:0:100::/80");
    // DC/OS's byte-wise successor stopped carrying here (spec §2.6 item 1).
    expect(formatCidr(nthBlock(dcos6, 80, 511n))).toBe("fd01:b:0:0:1ff::/80");
    expect(formatCidr(nthBlock(dcos6, 77, 3n))).toBe("fd01:b:0:0:18::/77");
    expect(blockCount(cidr("9.0.0.0/8"), 24)).toBe(65536n);
    expect(formatCidr(nthBlock(cidr("9.0.0.0/8"), 24, 65535n))).toBe("9.255.255.0/24");
  });

  it("finds a block's index, and only for aligned blocks inside", () => {
    const dcos = cidr("9.0.0.0/8");
    expect(blockIndex(dcos, cidr("9.0.2.0/24"))).toBe(2n);
    expect(blockIndex(dcos, cidr("9.0.2.1/24"))).toBeUndefined();
    expect(blockIndex(dcos, cidr("10.0.2.0/24"))).toBeUndefined();
    expect(blockIndex(dcos, cidr("fd01::/24"))).toBeUndefined();
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 16n) - 1n }), (i) => {
        expect(blockIndex(cidr("fd01:b::/64"), nthBlock(cidr("fd01:b::/64"), 80, i))).toBe(i);
      }),
    );
  });

  it("splits a slice into the m- and d- halves", () => {
    expect(splitInHalves(cidr("9.0.1.0/24")).map(formatCidr)).toEqual(["9.0.1.0/25", "9.0.1.128/25"]);
    expect(splitInHalves(cidr("fd01:b::2:0:0:0/80")).map(formatCidr)).toEqual(["fd01:b:0:0:2::/81", "fd01:b::2:8000:0:0/81"]);
  });

  it("detects overlaps within a family only", () => {
    expect(overlaps(cidr("9.0.0.0/8"), cidr("9.4.0.0/16"))).toBe(true);
    expect(overlaps(cidr("9.4.0.0/16"), cidr("9.0.0.0/8"))).toBe(true);
    expect(overlaps(cidr("9.0.0.0/8"), cidr("10.0.0.0/8"))).toBe(false);
    expect(overlaps(cidr("::/0"), cidr("0.0.0.0/0"))).toBe(false);
  });

  it("canonicalises what iproute2 prints (host routes without a length)", () => {
    expect(canonicalIp("10.0.0.12", true)).toBe("10.0.0.12/32");
    expect(canonicalIp("fd01:b::1:0:0:0/80")).toBe("fd01:b:0:0:1::/80");
    expect(canonicalIp("nope")).toBeUndefined();
  });
});
