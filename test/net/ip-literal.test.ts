import { describe, expect, it } from "vitest";
import { isDottedQuad, parseIp } from "../../lib/net/ip-literal.ts";

describe("parseIp", () => {
  it.each([
    ["10.0.0.1", "10.0.0.1", 4],
    ["0.0.0.0", "0.0.0.0", 4],
    ["255.255.255.255", "255.255.255.255", 4],
    ["2001:db8::1", "2001:db8::1", 6],
    ["FD01:B:0:0:0:1:8000:2", "fd01:b::1:8000:2", 6],
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1", 6],
    ["::1", "::1", 6],
    ["::ffff:1.2.3.4", "1.2.3.4", 4],
  ])("reads %s as %s (IPv%i)", (text, address, family) => {
    expect(parseIp(text)).toEqual({ address, family });
  });

  it.each(["", "localhost", "1.2.3", "127.1", "256.0.0.1", "010.0.0.1", "0x7f.0.0.1", "1.2.3.4.5", "1.2.3.", ".1.2.3", "fe80::1%eth0", "2001:db8::g", "[2001:db8::1]", " 1.2.3.4"])(
    "rejects %j",
    (text) => {
      expect(parseIp(text)).toBeUndefined();
    },
  );

  it("checks dotted quads strictly", () => {
    expect(isDottedQuad("1.2.3.4")).toBe(true);
    expect(isDottedQuad("1.2.3.04")).toBe(false);
    expect(isDottedQuad("1..3.4")).toBe(false);
  });
});
