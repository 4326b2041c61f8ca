import { describe, expect, it } from "vitest";
import { namedVipAddresses, type VipRange } from "../../../functions/l4lb/named-vip-addresses.ts";

const DCOS_V4: VipRange = { family: 4, min: "11.0.0.0", max: "11.255.255.255" };
const DCOS_V6: VipRange = { family: 6, min: "fd01:c::", max: "fd01:c::ffff:ffff:ffff:ffff" };
/** dcos-l4lb's test build range. */
const TEST_V4: VipRange = { family: 4, min: "11.0.0.0", max: "11.0.0.254" };

function allocate(range: VipRange, names: string[], previous: Record<string, string> = {}, reserved: string[] = []) {
  return namedVipAddresses({ range, names, previous: new Map(Object.entries(previous)), reserved: new Set(reserved) });
}

describe("named VIP home addresses (DC/OS compatible)", () => {
  it.each([
    ["app.marathon", "11.171.172.79"],
    ["foobar.marathon", "11.216.117.52"],
    ["abc.marathon", "11.159.183.112"],
    ["overlay-vip.hello-world", "11.86.218.246"],
    ["api.hello-world.marathon", "11.46.7.19"],
    ["web.marathon", "11.225.36.193"],
    ["mygroupmyapp.marathon", "11.198.144.68"],
  ])("%s → %s in the default IPv4 range", (name, ip) => {
    expect(allocate(DCOS_V4, [name]).addresses.get(name)).toBe(ip);
  });

  it.each([
    ["qux.ipv6", "fd01:c::6d6d:9c64:fd19:f251"],
    ["app.marathon", "fd01:c::1afd:4e0d:f38c:ed11"],
    ["web.marathon", "fd01:c::cb8:74fe:906b:dee"],
  ])("%s → %s in the default IPv6 range", (name, ip) => {
    expect(allocate(DCOS_V6, [name]).addresses.get(name)).toBe(ip);
  });

  it("matches dcos-l4lb's lookup_vips test in the test range", () => {
    const { addresses } = allocate(TEST_V4, ["foo.bar", "baz.qux"]);
    expect(addresses.get("foo.bar")).toBe("11.0.0.37");
    expect(addresses.get("baz.qux")).toBe("11.0.0.39");
  });
});

describe("collisions and stability", () => {
  it("resolves a collision by name order, whatever order names arrive in", () => {
    for (const names of [["foo.bar", "merp.marathon"], ["merp.marathon", "foo.bar"]]) {
      const { addresses } = allocate(TEST_V4, names);
      expect(addresses.get("foo.bar")).toBe("11.0.0.37");
      expect(addresses.get("merp.marathon")).toBe("11.0.0.38");
    }
  });

  it("keeps a previous address when the VIP it collided with goes away", () => {
    const { addresses } = allocate(TEST_V4, ["merp.marathon"], { "merp.marathon": "11.0.0.38" });
    expect(addresses.get("merp.marathon")).toBe("11.0.0.38");
  });

  it("never moves an existing VIP for a new one that hashes onto it", () => {
    // merp.marathon first held its home .37; foo.bar arrives later and must probe instead.
    const { addresses, diagnostics } = allocate(TEST_V4, ["foo.bar", "merp.marathon"], { "merp.marathon": "11.0.0.37" });
    expect(addresses.get("merp.marathon")).toBe("11.0.0.37");
    expect(addresses.get("foo.bar")).toBe("11.0.0.38");
    expect(diagnostics).toEqual([]);
  });

  it("wraps from max to min when probing", () => {
    const range: VipRange = { family: 4, min: "10.1.0.0", max: "10.1.0.3" };
    const home = allocate(range, ["a"]).addresses.get("a")!;
    const rest = ["10.1.0.0", "10.1.0.1", "10.1.0.2", "10.1.0.3"].filter((ip) => ip !== home);
    const { addresses } = allocate(range, ["a"], {}, rest.slice(0, 2));
    expect(addresses.get("a")).toBe(home);
    const taken = ["10.1.0.0", "10.1.0.1", "10.1.0.2", "10.1.0.3"].filter((ip) => ip !== rest[2]);
    expect(allocate(range, ["a"], {}, taken).addresses.get("a")).toBe(rest[2]);
  });

  it("does not hand out an address an IP VIP uses", () => {
    const { addresses } = allocate(DCOS_V4, ["app.marathon"], {}, ["11.171.172.79"]);
    expect(addresses.get("app.marathon")).toBe("11.171.172.80");
  });

  it("reallocates, with a warning, a previous address outside the range", () => {
    const { addresses, diagnostics } = allocate(TEST_V4, ["foo.bar"], { "foo.bar": "12.0.0.1" });
    expect(addresses.get("foo.bar")).toBe("11.0.0.37");
    expect(diagnostics).toEqual([expect.objectContaining({ level: "warning", code: "l4lb.named-vip-moved", subject: "vip:foo.bar" })]);
  });

  it("gives the later name a new address when two previous entries claim one address", () => {
    const { addresses, diagnostics } = allocate(TEST_V4, ["a.x", "b.x"], { "a.x": "11.0.0.5", "b.x": "11.0.0.5" });
    expect(addresses.get("a.x")).toBe("11.0.0.5");
    expect(addresses.get("b.x")).not.toBe("11.0.0.5");
    expect(diagnostics.map((d) => d.subject)).toEqual(["vip:b.x"]);
  });

  it("reports an exhausted range and still places the names that fit", () => {
    const range: VipRange = { family: 4, min: "10.1.0.0", max: "10.1.0.1" };
    const { addresses, diagnostics } = allocate(range, ["a", "b", "c"]);
    expect([...addresses.keys()]).toEqual(["a", "b"]);
    expect(diagnostics).toEqual([expect.objectContaining({ level: "error", code: "l4lb.out-of-addresses", subject: "vip:c" })]);
  });

  it("handles a one-address range", () => {
    expect(allocate({ family: 6, min: "fd01:c::1", max: "fd01:c::1" }, ["x"]).addresses.get("x")).toBe("fd01:c::1");
  });
});
