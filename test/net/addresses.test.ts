import { describe, expect, it } from "vitest";
import { networkContains, networkText, parseNetwork } from "../../lib/net/networks.ts";
import { formatUpstream, parseUpstream } from "../../lib/net/upstream-address.ts";

describe("parseUpstream (dcos-net parse_ipv4_address_with_port)", () => {
  it.each([
    ["127.0.0.1:9000", { ip: "127.0.0.1", port: 9000 }],
    ["1.1.1.1", { ip: "1.1.1.1", port: 53 }],
    ["[2001:DB8::1]:5353", { ip: "2001:db8::1", port: 5353 }],
    ["2001:db8::1", { ip: "2001:db8::1", port: 53 }],
  ])("%s", (text, expected) => {
    expect(parseUpstream(text)).toEqual(expected);
  });

  it("uses the default port given", () => {
    expect(parseUpstream("8.8.8.8", 12345)).toEqual({ ip: "8.8.8.8", port: 12345 });
  });

  it.each(["dns.example", "1.1.1.1:0", "1.1.1.1:70000", "010.0.0.1", "", "[::1]", "1.2.3"])("rejects %j", (text) => {
    expect(parseUpstream(text)).toBeUndefined();
  });

  it("formats IPv6 with brackets", () => {
    expect(formatUpstream({ ip: "::1", port: 53 })).toBe("[::1]:53");
    expect(formatUpstream({ ip: "10.0.0.1", port: 53 })).toBe("10.0.0.1:53");
  });
});

describe("networks (parseNetwork, networkText, networkContains)", () => {
  it("normalises blocks, a bare IP being one address", () => {
    expect(networkText("10.1.2.3/8")).toBe("10.0.0.0/8");
    expect(networkText("::1")).toBe("::1/128");
    expect(networkText("FD01:B::5/64")).toBe("fd01:b::/64");
    expect(networkText("10.0.0.1")).toBe("10.0.0.1/32");
  });

  it.each(["10.0.0.0/33", "::/129", "10.1/8", "10.0.0.0/", "10.0.0.0/x", "fe80::1%eth0/64", "host/24", "010.0.0.0/8"])("rejects %j", (text) => {
    expect(parseNetwork(text)).toBeUndefined();
  });

  it("matches addresses of the same family, IPv4-mapped IPv6 as IPv4", () => {
    const blocks = ["127.0.0.0/8", "fd01:b::/64"].map((t) => parseNetwork(t)!);
    expect(networkContains(blocks, "127.0.0.2")).toBe(true);
    expect(networkContains(blocks, "::ffff:127.0.0.1")).toBe(true);
    expect(networkContains(blocks, "fd01:b::9")).toBe(true);
    expect(networkContains(blocks, "10.0.0.1")).toBe(false);
    expect(networkContains(blocks, "::1")).toBe(false);
    expect(networkContains(blocks, "garbage")).toBe(false);
  });
});
