/**
 * The overlay applier's pure parts: parsing what iproute2 prints (recorded output of
 * iproute2 6.1 on this kernel), planning, and the batches a plan becomes. The kernel itself is
 * driven in test/e2e/overlay.test.ts.
 */
import { describe, expect, it } from "vitest";
import { reconcile } from "../../functions/reconcile.ts";
import { nodeView } from "../../functions/node-view.ts";
import { overlayBatches } from "../../lib/executor/overlay/apply.ts";
import { parseFdb, parseNatTable, parseNeighbours, parseRoutes, parseRules, parseVtep, type InstalledDataplane } from "../../lib/executor/overlay/observe.ts";
import { planDataplane, wantedEntries } from "../../lib/executor/overlay/plan.ts";
import { createOverlayApplier } from "../../lib/executor/overlay/applier.ts";
import type { OverlayNode } from "../../lib/desired/overlay-schema.ts";
import type { Plan } from "../../lib/executor/applier.ts";
import { cluster, type ClusterSpec } from "../functions/overlay/helpers.ts";

const spec: ClusterSpec = { masters: ["10.0.0.1"], agents: [["a1", "10.0.0.11"], ["a2", "10.0.0.12"], ["a3", "10.0.0.13"]] };
const desired = reconcile(cluster(spec));
const a1 = nodeView(desired, "a1").overlay.nodes["a1"]!;

/** What the kernel holds after a1's node view was applied: the wanted entries, read back. */
function installedFrom(node: OverlayNode): InstalledDataplane {
  const entries = wantedEntries(node);
  entries.delete("link vtep1024");
  return { link: { kind: "vxlan", vni: 1024, port: 64000, mac: node.vtep.mac, mtu: 1500, up: true }, entries };
}

const keys = (plan: Plan<string>) => ({ adds: [...plan.adds.keys()], changes: [...plan.changes.keys()], deletes: plan.deletes });

describe("parsing iproute2's JSON", () => {
  const links = [
    { ifname: "lo", flags: ["LOOPBACK"], mtu: 65536, address: "00:00:00:00:00:00", addr_info: [] },
    {
      ifname: "vtep1024",
      flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"],
      mtu: 1500,
      address: "70:b3:d5:80:00:02",
      linkinfo: { info_kind: "vxlan", info_data: { id: 1024, port: 64000, learning: true, ageing: 300 } },
      addr_info: [
        { family: "inet", local: "44.128.0.2", prefixlen: 20, scope: "global" },
        { family: "inet6", local: "fd01:a::2", prefixlen: 64, scope: "global", nodad: true },
        { family: "inet6", local: "fe80::72b3:d5ff:fe80:2", prefixlen: 64, scope: "link" },
      ],
    },
  ];

  it("finds the VTEP and its global addresses", () => {
    expect(parseVtep(links)).toEqual({
      link: { kind: "vxlan", vni: 1024, port: 64000, mac: "70:b3:d5:80:00:02", mtu: 1500, up: true },
      addresses: [["addr 44.128.0.2/20", ""], ["addr fd01:a::2/64", ""]],
    });
    expect(parseVtep([links[0]])).toEqual({ addresses: [] });
    expect(parseVtep([{ ifname: "vtep1024", flags: [], mtu: 1500, address: "aa:bb:cc:dd:ee:ff", linkinfo: { info_kind: "dummy" } }]).link).toMatchObject({ kind: "dummy", up: false });
  });

  it("keeps permanent neighbours and FDB entries only", () => {
    expect(
      parseNeighbours([
        { dst: "44.128.0.3", lladdr: "70:b3:d5:80:00:03", state: ["PERMANENT"] },
        { dst: "fd01:a::3", lladdr: "70:b3:d5:80:00:03", state: ["PERMANENT"] },
        { dst: "44.128.0.9", lladdr: "70:b3:d5:80:00:09", state: ["STALE"] },
      ]),
    ).toEqual([
      ["neigh 44.128.0.3", "70:b3:d5:80:00:03"],
      ["neigh fd01:a::3", "70:b3:d5:80:00:03"],
    ]);
    expect(
      parseFdb([
        { mac: "70:b3:d5:80:00:03", dst: "10.0.0.12", flags: ["self"], state: "permanent" },
        { mac: "52:54:00:12:34:56", dst: "10.0.0.77", flags: ["self"], state: "" },
      ]),
    ).toEqual([["fdb 70:b3:d5:80:00:03", "10.0.0.12"]]);
  });

  it("keeps gateway routes of the main table and table 42, with host routes as /32", () => {
    expect(
      parseRoutes([
        { dst: "10.0.0.12", gateway: "44.128.0.3", table: "42", flags: [] },
        { dst: "9.0.2.0/24", gateway: "44.128.0.3", flags: [] },
        { dst: "44.128.0.0/20", protocol: "kernel", scope: "link", prefsrc: "44.128.0.2", flags: [] },
        { type: "local", dst: "44.128.0.2", table: "local", protocol: "kernel", scope: "host", flags: [] },
        { dst: "9.9.9.0/24", gateway: "44.128.0.9", table: "100", flags: [] },
        { dst: "fd01:b:0:0:2::/80", gateway: "fd01:a::3", metric: 1024, flags: [], pref: "medium" },
      ]),
    ).toEqual([
      ["route 42 10.0.0.12/32", "44.128.0.3"],
      ["route 254 9.0.2.0/24", "44.128.0.3"],
      ["route 254 fd01:b:0:0:2::/80", "fd01:a::3"],
    ]);
  });

  it("keeps the rules that look up table 42", () => {
    expect(
      parseRules([
        { priority: 0, src: "all", table: "local" },
        { priority: 32765, src: "9.0.0.0", srclen: 8, table: "42" },
        { priority: 32765, src: "10.1.0.0", srclen: 16, table: "100" },
        { priority: 32766, src: "all", table: "main" },
      ]),
    ).toEqual([["rule 9.0.0.0/8", ""]]);
  });

  const natTable = (rules: unknown[][]) => ({
    nftables: [
      { metainfo: { version: "1.0.6", json_schema_version: 1 } },
      { table: { family: "inet", name: "wayfinder_overlay", handle: 1 } },
      { set: { family: "inet", name: "overlay4", table: "wayfinder_overlay", type: "ipv4_addr", flags: ["interval"], elem: [{ prefix: { addr: "9.0.0.0", len: 8 } }, { prefix: { addr: "10.128.0.0", len: 10 } }] } },
      { set: { family: "inet", name: "overlay6", table: "wayfinder_overlay", type: "ipv6_addr", flags: ["interval"], elem: [{ prefix: { addr: "fd01:b::", len: 64 } }] } },
      { chain: { family: "inet", table: "wayfinder_overlay", name: "postrouting", type: "nat", hook: "postrouting", prio: 100, policy: "accept" } },
      ...rules.map((expr, i) => ({ rule: { family: "inet", table: "wayfinder_overlay", chain: "postrouting", handle: 4 + i, expr } })),
    ],
  });
  const masquerade = (family: string, set: string) => [
    { match: { op: "==", left: { payload: { protocol: family, field: "saddr" } }, right: set } },
    { match: { op: "!=", left: { payload: { protocol: family, field: "daddr" } }, right: set } },
    { masquerade: null },
  ];

  it("reads the masquerade table's sets, and flags rules that are not ours", () => {
    expect(parseNatTable(natTable([masquerade("ip", "@overlay4"), masquerade("ip6", "@overlay6")]))).toBe("ip=10.128.0.0/10,9.0.0.0/8;ip6=fd01:b::/64");
    expect(parseNatTable(natTable([masquerade("ip", "@overlay4")]))).toBe("unexpected");
    expect(parseNatTable(natTable([masquerade("ip", "@overlay4"), [{ accept: null }]]))).toBe("unexpected");
  });

  it("reads nothing from output that is not a list", () => {
    expect(parseRules({ error: "x" })).toEqual([]);
    expect(parseVtep(null)).toEqual({ addresses: [] });
  });
});

describe("planning", () => {
  it("creates everything on an empty node", () => {
    const plan = planDataplane(a1, { entries: new Map() });
    expect(plan.adds.get("link vtep1024")).toBe("address 70:b3:d5:80:00:02 type vxlan id 1024 dstport 64000");
    expect(plan.adds.get("neigh 44.128.0.3")).toBe("70:b3:d5:80:00:03");
    expect(plan.adds.get("fdb 70:b3:d5:80:00:03")).toBe("10.0.0.12");
    expect(plan.adds.get("route 42 10.0.0.12/32")).toBe("44.128.0.3");
    expect(plan.adds.get("nat wayfinder_overlay")).toBe("ip=9.0.0.0/8;ip6=fd01:b::/64");
    expect(plan.adds.size).toBe(24);
    expect([plan.changes.size, plan.deletes.length]).toEqual([0, 0]);
  });

  it("has nothing to do when the node matches", () => {
    expect(keys(planDataplane(a1, installedFrom(a1)))).toEqual({ adds: [], changes: [], deletes: [] });
  });

  it("deletes what pointed at a node that left", () => {
    const without = reconcile(cluster({ ...spec, agents: spec.agents!.slice(0, 2), previous: desired.overlay.allocations }));
    const plan = planDataplane(nodeView(without, "a1").overlay.nodes["a1"], installedFrom(a1));
    expect(keys(plan)).toEqual({
      adds: [],
      changes: [],
      deletes: ["fdb 70:b3:d5:80:00:04", "neigh 44.128.0.4", "neigh fd01:a::4", "route 254 9.0.3.0/24", "route 254 fd01:b:0:0:3::/80", "route 42 10.0.0.13/32"],
    });
  });

  it("replaces in place when a released node's VTEP IP and MAC go to a new node", () => {
    const reused = reconcile(cluster({ ...spec, agents: [["a1", "10.0.0.11"], ["a3", "10.0.0.13"], ["a4", "10.0.0.14"]], previous: { ...desired.overlay.allocations, release: ["10.0.0.12"] } }));
    const plan = planDataplane(nodeView(reused, "a1").overlay.nodes["a1"], installedFrom(a1));
    // Same VTEP IP, same MAC, same slice: only the underlay address moves.
    expect(keys(plan)).toEqual({ adds: ["route 42 10.0.0.14/32"], changes: ["fdb 70:b3:d5:80:00:03"], deletes: ["route 42 10.0.0.12/32"] });
    expect(plan.changes.get("fdb 70:b3:d5:80:00:03")).toBe("10.0.0.14");
  });

  it("recreates a VTEP with other VXLAN parameters and puts everything back on it", () => {
    const installed = installedFrom(a1);
    const plan = planDataplane(a1, { ...installed, link: { ...installed.link!, port: 4789 } });
    expect(keys(plan).changes).toEqual(["link vtep1024"]);
    // Everything but the link, the rule and the nat table, which do not live on the device.
    expect(plan.adds.size).toBe(21);
    expect(plan.deletes).toEqual([]);
  });

  it("compares the MTU only when the desired state sets one", () => {
    const installed = { ...installedFrom(a1), link: { ...installedFrom(a1).link!, mtu: 9000 } };
    expect(planDataplane(a1, installed).changes.size).toBe(0);
    expect(keys(planDataplane({ ...a1, vtep: { ...a1.vtep, mtu: 1450 } }, installed)).changes).toEqual(["link vtep1024"]);
  });

  it("sets a VTEP that is down up again, without recreating it", () => {
    const installed = installedFrom(a1);
    installed.entries.delete("up vtep1024");
    expect(keys(planDataplane(a1, installed))).toEqual({ adds: ["up vtep1024"], changes: [], deletes: [] });
  });

  it("tears down with the device and the rules only (the kernel drops what was on the device)", () => {
    expect(keys(planDataplane(undefined, installedFrom(a1)))).toEqual({ adds: [], changes: [], deletes: ["link vtep1024", "nat wayfinder_overlay", "rule 9.0.0.0/8"] });
  });

  it("refuses a node entry without a data plane (a cluster-wide state would delete every route)", () => {
    expect(() => planDataplane(desired.overlay.nodes["a1"], installedFrom(a1))).toThrow(/node view/);
    const applier = createOverlayApplier({ run: async () => "[]" });
    expect(() => applier.plan(desired, { entries: new Map() })).toThrow(/needs a node view/);
  });
});

describe("batches", () => {
  it("makes before it breaks: device, IPv6 switch, FDB, addresses, neighbours, routes, rules, then deletions", () => {
    const without = reconcile(cluster({ ...spec, agents: [["a1", "10.0.0.11"], ["a2", "10.0.0.12"], ["a4", "10.0.0.14"]], previous: desired.overlay.allocations }));
    const installed = installedFrom(a1);
    installed.entries.delete("addr fd01:a::2/64");
    const batches = overlayBatches(planDataplane(nodeView(without, "a1").overlay.nodes["a1"], installed));
    expect(batches).toEqual([
      { argv: ["sysctl", "-q", "-w", "net.ipv6.conf.vtep1024.disable_ipv6=0"], lines: [] },
      { argv: ["bridge", "-batch", "-"], lines: ["fdb replace 70:b3:d5:80:00:05 dev vtep1024 dst 10.0.0.14 self permanent"] },
      {
        argv: ["ip", "-batch", "-"],
        lines: [
          "addr replace fd01:a::2/64 dev vtep1024 nodad",
          "neigh replace 44.128.0.5 lladdr 70:b3:d5:80:00:05 dev vtep1024 nud permanent",
          "neigh replace fd01:a::5 lladdr 70:b3:d5:80:00:05 dev vtep1024 nud permanent",
          "route replace 9.0.4.0/24 via 44.128.0.5 dev vtep1024 table 254 proto boot",
          "route replace fd01:b:0:0:4::/80 via fd01:a::5 dev vtep1024 table 254 proto boot",
          "route replace 10.0.0.14/32 via 44.128.0.5 dev vtep1024 table 42 proto boot",
          "route del 9.0.3.0/24 dev vtep1024 table 254",
          "route del fd01:b:0:0:3::/80 dev vtep1024 table 254",
          "route del 10.0.0.13/32 dev vtep1024 table 42",
          "neigh del 44.128.0.4 dev vtep1024",
          "neigh del fd01:a::4 dev vtep1024",
        ],
      },
      { argv: ["bridge", "-batch", "-"], lines: ["fdb del 70:b3:d5:80:00:04 dev vtep1024 self"] },
    ]);
  });

  it("creates the device with its MAC and brings it up first; recreates it by deleting it first", () => {
    const [first] = overlayBatches(planDataplane(a1, { entries: new Map() }));
    expect(first).toEqual({ argv: ["ip", "-batch", "-"], lines: ["link add vtep1024 address 70:b3:d5:80:00:02 type vxlan id 1024 dstport 64000", "link set dev vtep1024 up"] });
    const installed = installedFrom(a1);
    const [recreate] = overlayBatches(planDataplane(a1, { ...installed, link: { ...installed.link!, vni: 1 } }));
    expect(recreate!.lines).toEqual(["link del vtep1024", "link add vtep1024 address 70:b3:d5:80:00:02 type vxlan id 1024 dstport 64000", "link set dev vtep1024 up"]);
  });

  it("removes the device last on a teardown", () => {
    expect(overlayBatches(planDataplane(undefined, installedFrom(a1)))).toEqual([
      { argv: ["ip", "-batch", "-"], lines: ["rule del from 9.0.0.0/8 lookup 42"] },
      { argv: ["nft", "-f", "-"], lines: ["delete table inet wayfinder_overlay"] },
      { argv: ["ip", "-batch", "-"], lines: ["link del vtep1024"] },
    ]);
  });

  it("refuses a value that would add words or commands to a batch", () => {
    const plan: Plan<string> = { applier: "overlay", adds: new Map([["neigh 44.128.0.3", "70:b3:d5:80:00:03\nlink del eth0"]]), changes: new Map(), deletes: [] };
    expect(() => overlayBatches(plan)).toThrow(/refusing to run/);
    const spaced: Plan<string> = { applier: "overlay", adds: new Map([["fdb 70:b3:d5:80:00:03", "10.0.0.1 master"]]), changes: new Map(), deletes: [] };
    expect(() => overlayBatches(spaced)).toThrow(/refusing to run/);
    const badLink: Plan<string> = { applier: "overlay", adds: new Map([["link vtep1024", "address 70:b3:d5:80:00:02 type vxlan id 1024 dstport 64000 dev eth0"]]), changes: new Map(), deletes: [] };
    expect(() => overlayBatches(badLink)).toThrow(/refusing to run/);
    const badDelete: Plan<string> = { applier: "overlay", adds: new Map(), changes: new Map(), deletes: ["route 254 9.0.0.0/8 dev eth0"] };
    expect(() => overlayBatches(badDelete)).toThrow(/refusing to run/);
  });

  it("replaces the masquerade table in one nft transaction", () => {
    const installed = installedFrom(a1);
    installed.entries.set("nat wayfinder_overlay", "unexpected");
    expect(overlayBatches(planDataplane(a1, installed))).toEqual([
      {
        argv: ["nft", "-f", "-"],
        lines: [
          [
            "table inet wayfinder_overlay {}",
            "delete table inet wayfinder_overlay",
            "table inet wayfinder_overlay {",
            "  set overlay4 { type ipv4_addr; flags interval; elements = { 9.0.0.0/8 } }",
            "  set overlay6 { type ipv6_addr; flags interval; elements = { fd01:b::/64 } }",
            "  chain postrouting {",
            "    type nat hook postrouting priority srcnat; policy accept;",
            "    ip saddr @overlay4 ip daddr != @overlay4 masquerade",
            "    ip6 saddr @overlay6 ip6 daddr != @overlay6 masquerade",
            "  }",
            "}",
          ].join("\n"),
        ],
      },
    ]);
    const bad: Plan<string> = { applier: "overlay", adds: new Map([["nat wayfinder_overlay", "ip=9.0.0.0/8 } accept;ip6="]]), changes: new Map(), deletes: [] };
    expect(() => overlayBatches(bad)).toThrow(/refusing to run/);
  });

  it("runs nothing for an empty plan", () => {
    expect(overlayBatches({ applier: "overlay", adds: new Map(), changes: new Map(), deletes: [] })).toEqual([]);
  });
});

describe("the applier with a recording runner", () => {
  it("runs observe's reads and apply's batches through the runner, in order", async () => {
    const calls: Array<{ argv: readonly string[]; input?: string }> = [];
    const applier = createOverlayApplier({
      run: async (argv, input) => {
        calls.push({ argv, ...(input !== undefined && { input }) });
        return "[]";
      },
    });
    const view = nodeView(desired, "a1");
    const plan = applier.plan(view, await applier.observe());
    expect(calls.map((c) => c.argv.join(" "))).toEqual(["ip -json -details address show", "ip -json rule show", "nft -json list tables inet"]);
    calls.length = 0;
    await applier.apply(plan);
    expect(calls.map((c) => c.argv[0])).toEqual(["ip", "sysctl", "bridge", "ip", "nft"]);
    expect(calls[3]!.input!.split("\n").filter(Boolean)).toHaveLength(18);
  });
});
