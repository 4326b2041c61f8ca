/**
 * The nftables L4 applier against the real kernel, in namespaces this test creates: a "node"
 * namespace that owns the VIP rules and routes between a client namespace and two backend
 * namespaces running HTTP and UDP echo servers. Traffic goes through the VIP only.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DesiredState, L4Service } from "../../lib/desired/schema.ts";
import { applyDesired } from "../../lib/executor/apply-desired.ts";
import { createNftablesApplier, type NftablesApplier } from "../../lib/executor/l4lb/nftables-applier.ts";
import { describeWithTools } from "../support/tools.ts";
import { inNs, NetnsLab, waitForLine } from "./support/netns.ts";
import { desiredWith } from "../support/desired.ts";

const ECHO = fileURLToPath(new URL("./support/echo-server.mjs", import.meta.url));
const CLIENT = fileURLToPath(new URL("./support/vip-client.mjs", import.meta.url));

const VIP = "11.0.0.1";
const VIP6 = "fd01:c::1";
const B1 = { v4: "10.90.2.2", v6: "fd00:90:2::2" };
const B2 = { v4: "10.90.3.2", v6: "fd00:90:3::2" };
const HTTP = 8080;
const UDP = 5353;

function svc(ip: string, port: number, protocol: "tcp" | "udp", backends: Array<[string, number, number]>): L4Service {
  return { vip: { ip, port, protocol }, scheduler: "wlc", backends: backends.map(([b, p, weight]) => ({ ip: b, port: p, weight, taskId: `${b}:${p}` })) };
}

function desired(services: L4Service[]): DesiredState {
  return desiredWith({ l4lb: { services } });
}

describeWithTools(["ip", "nft", "nsenter", "conntrack"], { root: true })("nftables VIPs in network namespaces", () => {
  const lab = new NetnsLab();
  let node = "";
  let client = "";
  let applier: NftablesApplier;

  const counts = (mode: "http" | "udp", host: string, port: number, n: number): Record<string, number> =>
    JSON.parse(inNs(client, [process.execPath, CLIENT, mode, host, String(port), String(n)]));

  async function sync(services: L4Service[]) {
    const report = await applyDesired(desired(services), [applier]);
    expect(report.ok, JSON.stringify(report)).toBe(true);
    return report;
  }

  beforeAll(async () => {
    try {
      node = lab.add("n");
      client = lab.add("c");
      const b1 = lab.add("b1");
      const b2 = lab.add("b2");
      lab.link(node, "c0", client, ["10.90.1.1/24", "fd00:90:1::1/64"], ["10.90.1.2/24", "fd00:90:1::2/64"]);
      lab.link(node, "b1", b1, ["10.90.2.1/24", "fd00:90:2::1/64"], [`${B1.v4}/24`, `${B1.v6}/64`]);
      lab.link(node, "b2", b2, ["10.90.3.1/24", "fd00:90:3::1/64"], [`${B2.v4}/24`, `${B2.v6}/64`]);
      inNs(node, ["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
      inNs(node, ["sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"]);
      for (const [ns, gw, gw6] of [[client, "10.90.1.1", "fd00:90:1::1"], [b1, "10.90.2.1", "fd00:90:2::1"], [b2, "10.90.3.1", "fd00:90:3::1"]] as const) {
        inNs(ns, ["ip", "route", "add", "default", "via", gw]);
        inNs(ns, ["ip", "-6", "route", "add", "default", "via", gw6]);
      }
      const servers = [lab.spawn(b1, [process.execPath, ECHO, "b1", String(HTTP), String(UDP)]), lab.spawn(b2, [process.execPath, ECHO, "b2", String(HTTP), String(UDP)])];
      await Promise.all(servers.map((s) => waitForLine(s, /^ready/)));
      applier = createNftablesApplier({ netns: node });
    } catch (error) {
      lab.teardown();
      throw error;
    }
  });
  afterAll(async () => {
    await applier?.close();
    lab.teardown();
  });

  // Tolerance: 200 draws at p = 3/4 have a standard deviation of about 6.1; ±25 is four of them.
  const WEIGHT_TOLERANCE = 25;

  it("spreads 200 new TCP connections 3:1 by weight, all answered", async () => {
    const report = await sync([svc(VIP, 80, "tcp", [[B1.v4, HTTP, 3], [B2.v4, HTTP, 1]]), svc(VIP, 53, "udp", [[B1.v4, UDP, 3], [B2.v4, UDP, 1]])]);
    expect(applier.lastSync?.full).toBe(true);
    expect(report.appliers[0]).toMatchObject({ status: "applied" });
    const seen = counts("http", VIP, 80, 200);
    expect((seen.b1 ?? 0) + (seen.b2 ?? 0)).toBe(200);
    expect(Math.abs((seen.b1 ?? 0) - 150)).toBeLessThanOrEqual(WEIGHT_TOLERANCE);
  });

  it("masquerades VIP traffic: the backend sees the node, not the client (as IPVS MASQ did)", () => {
    const peer = JSON.parse(inNs(client, [process.execPath, CLIENT, "peer", VIP, "80"])) as string;
    expect(["10.90.2.1", "10.90.3.1"]).toContain(peer);
  });

  it("spreads 200 UDP flows 3:1 by weight, all answered", () => {
    const seen = counts("udp", VIP, 53, 200);
    expect((seen.b1 ?? 0) + (seen.b2 ?? 0)).toBe(200);
    expect(Math.abs((seen.b1 ?? 0) - 150)).toBeLessThanOrEqual(WEIGHT_TOLERANCE);
  });

  it("reaches the VIP from the node itself (nat output hook and the route on lo)", () => {
    const seen = JSON.parse(inNs(node, [process.execPath, CLIENT, "http", VIP, "80", "20"])) as Record<string, number>;
    expect((seen.b1 ?? 0) + (seen.b2 ?? 0)).toBe(20);
  });

  it("gives a weight-0 backend no new connections, while its open connection keeps working", async () => {
    const held = lab.spawn(client, [process.execPath, CLIENT, "hold", VIP, "80", "b2"]);
    expect(await waitForLine(held, /^(held|never)/)).toBe("held b2");

    await sync([svc(VIP, 80, "tcp", [[B1.v4, HTTP, 1], [B2.v4, HTTP, 0]]), svc(VIP, 53, "udp", [[B1.v4, UDP, 3], [B2.v4, UDP, 1]])]);
    expect(applier.lastSync).toMatchObject({ full: false });
    expect(counts("http", VIP, 80, 100)).toEqual({ b1: 100 });

    const answer = waitForLine(held, /^answer/);
    held.stdin!.write("again\n");
    expect(await answer).toBe("answer b2");
  });

  it("drops a backend removed from the desired state after the next sync, and the rest keep answering", async () => {
    // A UDP flow pinned to b2 by conntrack (same source port every time) must move once b2 is gone.
    const from = (src: number) => JSON.parse(inNs(client, [process.execPath, CLIENT, "udpfrom", VIP, "53", String(src)])) as string;
    let pinned = 0;
    for (let src = 40000; src < 40100 && pinned === 0; src++) if (from(src) === "b2") pinned = src;
    expect(pinned).toBeGreaterThan(0);
    expect(from(pinned)).toBe("b2");
    await sync([svc(VIP, 80, "tcp", [[B1.v4, HTTP, 1]]), svc(VIP, 53, "udp", [[B1.v4, UDP, 1]])]);
    expect(applier.lastSync).toMatchObject({ full: false });
    expect(counts("http", VIP, 80, 50)).toEqual({ b1: 50 });
    expect(counts("udp", VIP, 53, 50)).toEqual({ b1: 50 });
    expect(from(pinned)).toBe("b1");
  });

  it("keeps VIP traffic from a host-port DNAT on the same port (dcos-net#138)", () => {
    // What Docker or the CNI port mapper install for a container on host port 80: DNAT of any
    // local destination, at the usual nat priority.
    const hijack = `table ip hostports {\n\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\t\tfib daddr type local tcp dport 80 dnat to ${B2.v4}:${HTTP}\n\t}\n}\n`;
    inNs(node, ["nft", "-f", "-"], hijack);
    try {
      expect(counts("http", VIP, 80, 20)).toEqual({ b1: 20 });
      // The hijack is real: it takes the node's own address on port 80.
      expect(JSON.parse(inNs(client, [process.execPath, CLIENT, "http", "10.90.1.1", "80", "1"]))).toEqual({ b2: 1 });
    } finally {
      inNs(node, ["nft", "delete", "table", "ip", "hostports"]);
    }
  });

  it("refuses new connections to a VIP whose backends all drain, and removes a deleted VIP", async () => {
    await sync([svc(VIP, 80, "tcp", [[B1.v4, HTTP, 0]])]);
    expect(counts("http", VIP, 80, 3)).toEqual({ "error:ECONNREFUSED": 3 });
    expect(inNs(node, ["ip", "route", "show", "table", "local", "proto", "247"])).toContain(VIP);
    await sync([]);
    expect(inNs(node, ["ip", "route", "show", "table", "local", "proto", "247"])).toBe("");
  });

  it("serves an IPv6 VIP through the ip6 table", async () => {
    await sync([svc(VIP6, 80, "tcp", [[B1.v6, HTTP, 1], [B2.v6, HTTP, 1]])]);
    const seen = counts("http", VIP6, 80, 40);
    expect((seen.b1 ?? 0) + (seen.b2 ?? 0)).toBe(40);
    expect(seen.b1).toBeGreaterThan(0);
    expect(seen.b2).toBeGreaterThan(0);
  });

  it.each([
    ["nft flush table", ["flush", "table"], "was flushed (its rules are gone)"],
    ["nft delete table", ["delete", "table"], "is missing"],
  ])("repairs its tables after `%s` by someone else on the next sync, with nothing changed in the desired state", async (_what, verb, damage) => {
    const services = [svc(VIP6, 80, "tcp", [[B1.v6, HTTP, 1], [B2.v6, HTTP, 1]])];
    for (const family of ["ip", "ip6"]) inNs(node, ["nft", ...verb, family, "wayfinder_l4lb"]);
    // The fault is real: the VIP no longer answers.
    expect(counts("http", VIP6, 80, 2)).not.toHaveProperty("b1");
    const report = await sync(services);
    expect(report.appliers[0]).toMatchObject({ status: "applied", plan: { repairs: [expect.stringContaining(`table ip6 wayfinder_l4lb ${damage}`)] } });
    expect(applier.lastSync).toMatchObject({ full: true });
    const seen = counts("http", VIP6, 80, 20);
    expect((seen.b1 ?? 0) + (seen.b2 ?? 0)).toBe(20);
  });

  it("repairs a flushed rule set (both tables gone) on the next change", async () => {
    inNs(node, ["nft", "flush", "ruleset"]);
    await sync([svc(VIP6, 80, "tcp", [[B1.v6, HTTP, 1]])]);
    expect(applier.lastSync).toMatchObject({ full: true, fallback: expect.stringContaining("is missing") });
    expect(counts("http", VIP6, 80, 10)).toEqual({ b1: 10 });
  });

  it("replaces the tables whole on a forced full sync (a periodic resync)", async () => {
    applier.forceFullSync();
    await sync([svc(VIP6, 80, "tcp", [[B1.v6, HTTP, 1], [B2.v6, HTTP, 1]])]);
    expect(applier.lastSync).toMatchObject({ full: true });
    expect(applier.lastSync?.fallback).toBeUndefined();
    const seen = counts("http", VIP6, 80, 20);
    expect((seen.b1 ?? 0) + (seen.b2 ?? 0)).toBe(20);
  });
});
