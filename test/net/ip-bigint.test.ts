import { describe, expect, it } from "vitest";
import { bigIntToIp, ipSortKey, ipToBigInt } from "../../lib/net/ip-bigint.ts";
import { compareStrings } from "../../lib/net/compare.ts";

describe("ip-bigint", () => {
  it.each([
    ["11.0.0.1", 4, 184549377n],
    ["0.0.0.0", 4, 0n],
    ["255.255.255.255", 4, 4294967295n],
    ["fd01:c::1", 6, (0xfd01000cn << 96n) + 1n],
  ] as const)("%s round-trips through %d-bit integers", (ip, family, value) => {
    expect(ipToBigInt(ip)).toBe(value);
    expect(bigIntToIp(value, family)).toBe(ip);
  });

  it("prints IPv6 in RFC 5952 form", () => {
    expect(bigIntToIp(ipToBigInt("fd01:c:0:0:6d6d:9c64:fd19:f251"), 6)).toBe("fd01:c::6d6d:9c64:fd19:f251");
  });

  it("sorts numerically, IPv4 before IPv6", () => {
    const ips = ["fd01::1", "10.0.0.1", "9.255.0.1", "11.0.0.0", "::1", "9.0.0.10", "9.0.0.9"];
    const expected = ["9.0.0.9", "9.0.0.10", "9.255.0.1", "10.0.0.1", "11.0.0.0", "::1", "fd01::1"];
    expect([...ips].sort((a, b) => compareStrings(ipSortKey(a), ipSortKey(b)))).toEqual(expected);
  });
});
