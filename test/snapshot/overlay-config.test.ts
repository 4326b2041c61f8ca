import { describe, expect, it } from "vitest";
import { parseConfigYaml } from "../../lib/snapshot/config-file.ts";
import { Config } from "../../lib/snapshot/config.ts";
import { InputError } from "../../lib/snapshot/issues.ts";

function issues(yaml: string): Array<{ path: string; message: string }> {
  try {
    parseConfigYaml(yaml, "wayfinder.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).issues;
  }
  throw new Error("accepted");
}

const overlays = (...lines: string[]) => ["overlay:", "  overlays:", ...lines.map((l) => `    ${l}`)].join("\n");

describe("overlay config", () => {
  it("has DC/OS's defaults", () => {
    const { overlay } = Config.parse({});
    expect(overlay).toMatchObject({
      vtep_subnet: "44.128.0.0/20",
      vtep_subnet6: "fd01:a::/64",
      vtep_mac_oui: "70:B3:D5:00:00:00",
      mtu: 1420,
      overlays: [
        { name: "dcos", subnet: "9.0.0.0/8", prefix: 24, enabled: true },
        { name: "dcos6", subnet6: "fd01:b::/64", prefix6: 80, enabled: true },
      ],
      cni: { dir: "/opt/mesosphere/etc/dcos/network/cni", dataDir: "/var/run/dcos/cni/networks", portmap: true, bandwidth: false, firewall: false },
    });
    expect(overlay.vtep_mtu).toBeUndefined();
  });

  it("accepts a full valid section", () => {
    const config = parseConfigYaml(
      [
        "overlay:",
        "  vtep_subnet: 44.128.0.0/16",
        "  vtep_subnet6: null",
        "  vtep_mtu: 9000",
        "  mtu: 8950",
        "  overlays:",
        "    - { name: blue_1, subnet: 10.64.0.0/12, prefix: 26, enabled: false }",
        "  cni: { dir: /etc/cni/net.d, bandwidth: { ingressRate: 1000000, ingressBurst: 100000 }, firewall: { ingressPolicy: same-bridge } }",
      ].join("\n"),
      "wayfinder.yaml",
    );
    expect(config.overlay.vtep_subnet6).toBeNull();
    expect(config.overlay.overlays).toEqual([{ name: "blue_1", subnet: "10.64.0.0/12", prefix: 26, enabled: false }]);
    expect(config.overlay.cni.bandwidth).toEqual({ ingressRate: 1000000, ingressBurst: 100000 });
  });

  it.each([
    [overlays("- { name: abcdefghijklmn, subnet: 9.0.0.0/8, prefix: 24 }"), "overlay.overlays[0].name", "at most 13 characters"],
    [overlays("- { name: Bridge, subnet: 9.0.0.0/8, prefix: 24 }"), "overlay.overlays[0].name", "reserved"],
    [overlays("- { name: 'a b', subnet: 9.0.0.0/8, prefix: 24 }"), "overlay.overlays[0].name", "letters, digits"],
    [overlays("- { name: '../x', subnet: 9.0.0.0/8, prefix: 24 }"), "overlay.overlays[0].name", "letters, digits"],
    [overlays("- { name: x, subnet: 9.0.0.1/8, prefix: 24 }"), "overlay.overlays[0].subnet", "host bits set after /8"],
    [overlays("- { name: x, subnet: fd01::/64, prefix: 24 }"), "overlay.overlays[0].subnet", "not an IPv4 prefix"],
    [overlays("- { name: x, subnet6: 9.0.0.0/8, prefix6: 80 }"), "overlay.overlays[0].subnet6", "not an IPv6 prefix"],
    [overlays("- { name: x, subnet: 9.0.0.0/8 }"), "overlay.overlays[0].prefix", "subnet needs prefix"],
    [overlays("- { name: x, subnet: 9.0.0.0/8, prefix: 8 }"), "overlay.overlays[0].prefix", "longer than subnet's /8"],
    [overlays("- { name: x, subnet: 9.0.0.0/8, prefix: 31 }"), "overlay.overlays[0].prefix", "at most 30"],
    [overlays("- { name: x, subnet6: fd01:b::/64, prefix6: 127 }"), "overlay.overlays[0].prefix6", "at most 126"],
    [overlays("- { name: x, prefix: 24 }"), "overlay.overlays[0]", "needs a subnet, a subnet6 or both"],
    [overlays("- { name: x, subnet: 9.0.0.0/8, prefix: 24, mtu: 1 }"), "overlay.overlays[0].mtu", "unknown key"],
    [overlays("- { name: x, subnet: 9.0.0.0/8, prefix: 24 }", "- { name: x, subnet: 10.0.0.0/8, prefix: 24 }"), "overlay.overlays[1].name", "already defined at overlays[0]"],
    [overlays("- { name: x, subnet: 9.0.0.0/8, prefix: 24 }", "- { name: y, subnet: 9.128.0.0/9, prefix: 24 }"), "overlay.overlays[1].subnet", "overlaps overlay 'x' subnet"],
    [overlays("- { name: x, subnet: 44.0.0.0/8, prefix: 24 }"), "overlay.overlays[0].subnet", "overlaps vtep_subnet"],
    ["overlay:\n  vtep_subnet6: null\n", "overlay.overlays[1].subnet6", "needs vtep_subnet6"],
    ["overlay:\n  vtep_subnet: 44.0.0.0/7\n", "overlay.vtep_subnet", "/8 to /30"],
    ["overlay:\n  vtep_subnet: 44.128.0.0/31\n", "overlay.vtep_subnet", "/8 to /30"],
    ["overlay:\n  vtep_mac_oui: '71:B3:D5:00:00:00'\n", "overlay.vtep_mac_oui", "multicast"],
    ["overlay:\n  vtep_mac_oui: '70:B3:D5:00:00:01'\n", "overlay.vtep_mac_oui", "xx:xx:xx:00:00:00"],
    ["overlay:\n  mtu: 500\n", "overlay.mtu", "552"],
    ["overlay:\n  cni:\n    dir: etc/cni\n", "overlay.cni.dir", "absolute path"],
    ["overlay:\n  cni:\n    dataDir: /var/../etc\n", "overlay.cni.dataDir", "'..'"],
    ["overlay:\n  cni:\n    bandwidth: { ingressRate: 10 }\n", "overlay.cni.bandwidth", "ingressRate and ingressBurst go together"],
    ["overlay:\n  cni:\n    firewall: { backend: nft }\n", "overlay.cni.firewall", ""],
  ])("rejects %j at %s", (yaml, path, message) => {
    const found = issues(yaml);
    expect(found.map((i) => i.path)).toContain(path);
    expect(found.find((i) => i.path === path)!.message).toContain(message);
  });

  it("names the line of the offending value", () => {
    const found = issues(overlays("- name: dcos", "  subnet: 9.0.0.0/8", "  prefix: 40"));
    expect(found).toEqual([{ path: "overlay.overlays[0].prefix", message: expect.stringMatching(/at most 30.*\(line 5\)$/) }]);
  });
});
