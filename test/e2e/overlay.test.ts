/**
 * The overlay end to end, with the real kernel and the real CNI plugins: three "agent"
 * namespaces on a shared underlay bridge (itself in a namespace of its own), each running the
 * executor (overlay + cni appliers) on its node view; container namespaces attached with
 * Debian's `bridge` + `host-local` (+ `portmap`) using the conflists the executor installed;
 * then ping and TCP between containers on different agents over VXLAN, IPv4 and IPv6, and
 * TCP to a host outside the overlay through the masquerade rule.
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { reconcile } from "../../functions/reconcile.ts";
import { nodeView } from "../../functions/node-view.ts";
import { applyDesired } from "../../lib/executor/apply-desired.ts";
import { createOverlayApplier } from "../../lib/executor/overlay/applier.ts";
import { createCniApplier } from "../../lib/executor/cni/applier.ts";
import type { DesiredState } from "../../lib/desired/schema.ts";
import type { OverlayAllocations } from "../../lib/desired/overlay-schema.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { describeWithTools } from "../support/tools.ts";
import { cniAdd, cniAddMesosDelegate } from "../support/cni-exec.ts";
import { createNetns, deleteNetns, inNs, pings, sh, startEchoServer, tcpEcho, uniqueNetnsPrefix } from "./support/netns.ts";

const prefix = uniqueNetnsPrefix();
const created: string[] = [];
const servers: ChildProcess[] = [];
/** Made in beforeAll, so a skipped suite leaves nothing behind. */
const work = join(tmpdir(), `wayfinder-overlay-e2e-${prefix}`);

/** The agents: namespace, underlay IP (TEST-NET-1: it exists only inside these namespaces). */
const AGENTS = [
  { id: "a1", ip: "192.0.2.11" },
  { id: "a2", ip: "192.0.2.12" },
  { id: "a3", ip: "192.0.2.13" },
  { id: "a4", ip: "192.0.2.14" },
].map((a) => ({ ...a, netns: `${prefix}${a.id}`, cniDir: join(work, a.id, "net.d"), stateDir: join(work, a.id, "state") }));
type Agent = (typeof AGENTS)[number];
/** A host on the underlay that is not in the overlay: where masqueraded traffic goes. */
const OUTSIDE = { netns: `${prefix}x`, ip: "192.0.2.100" };
const agent = (id: string) => AGENTS.find((a) => a.id === id)!;

const DCOS = { name: "dcos", subnet: "9.0.0.0/8", prefix: 24 };
const DCOS6 = { name: "dcos6", subnet6: "fd01:b::/64", prefix6: 80 };

function snapshot(ids: string[], overlays: object[], previous?: OverlayAllocations & { release?: string[] }) {
  return ClusterSnapshot.parse({
    cluster: { name: "e2e" },
    now: "2026-01-01T00:00:00Z",
    agents: ids.map((id) => ({ id, hostname: id, ips: [agent(id).ip] })),
    config: { overlay: { overlays, cni: { dataDir: join(work, "cni-data") } } },
    ...(previous && { previous: { overlay: previous } }),
  });
}

/** Runs agent `a`'s executor on its node view; every applier must succeed. */
async function execute(desired: DesiredState, a: Agent) {
  const report = await applyDesired(nodeView(desired, a.id), [createOverlayApplier({ netns: a.netns }), createCniApplier({ stateDir: a.stateDir, dir: a.cniDir })]);
  expect(report.appliers.filter((r) => r.status === "failed")).toEqual([]);
  return report;
}

/** A container namespace attached to `network` on agent `a` with the installed conflist; its IPs. */
async function container(a: Agent, name: string, network: string): Promise<string[]> {
  const netns = `${prefix}${name}`;
  createNetns(created, netns);
  const conflist = readFileSync(join(a.cniDir, `${network}.conflist`), "utf8");
  const result = await cniAdd(conflist, { hostNetns: a.netns, containerNetns: netns, containerId: `${prefix}-${name}` });
  return (result.ips ?? []).map((ip) => ip.address.split("/")[0]!);
}

const routesVia = (a: Agent) => sh(["ip", "-n", a.netns, "route", "show", "dev", "vtep1024"]) + sh(["ip", "-n", a.netns, "route", "show", "table", "42"]);
const fdbOf = (a: Agent) => sh(["bridge", "-n", a.netns, "fdb", "show", "dev", "vtep1024"]);

describeWithTools(["ip", "bridge", "nft", "ping", "sysctl", "/usr/lib/cni/bridge", "/usr/lib/cni/host-local", "/usr/lib/cni/portmap"], { root: true })(
  "overlay e2e: VXLAN between agent namespaces, real CNI plugins",
  () => {
    const state: { desired?: DesiredState; ips: Record<string, string[]> } = { ips: {} };

    beforeAll(() => {
      mkdirSync(work);
      const underlay = `${prefix}u`;
      createNetns(created, underlay, OUTSIDE.netns, ...AGENTS.map((a) => a.netns));
      sh(["ip", "-n", underlay, "link", "add", "br0", "type", "bridge"]);
      sh(["ip", "-n", underlay, "link", "set", "br0", "up"]);
      [...AGENTS, OUTSIDE].forEach((a, i) => {
        sh(["ip", "link", "add", "eth0", "netns", a.netns, "type", "veth", "peer", "name", `p${i}`, "netns", underlay]);
        sh(["ip", "-n", underlay, "link", "set", `p${i}`, "master", "br0", "up"]);
        sh(["ip", "-n", a.netns, "addr", "add", `${a.ip}/24`, "dev", "eth0"]);
        sh(["ip", "-n", a.netns, "link", "set", "eth0", "up"]);
      });
    });

    afterAll(() => {
      try {
        for (const server of servers) server.kill();
      } finally {
        deleteNetns(created);
        rmSync(work, { recursive: true, force: true });
      }
    });

    it("each agent's executor installs its node view, and a second run changes nothing", async () => {
      state.desired = reconcile(snapshot(["a1", "a2", "a3"], [DCOS]));
      for (const id of ["a1", "a2", "a3"]) {
        const report = await execute(state.desired, agent(id));
        expect(report.appliers.map((r) => r.status)).toEqual(["applied", "applied"]);
      }
      for (const id of ["a1", "a2", "a3"]) {
        expect((await execute(state.desired, agent(id))).appliers.map((r) => r.status)).toEqual(["unchanged", "unchanged"]);
      }
      const link = JSON.parse(sh(["ip", "-n", agent("a1").netns, "-json", "-details", "link", "show", "vtep1024"]))[0];
      expect(link.linkinfo.info_data).toMatchObject({ id: 1024, port: 64000 });
      expect(link.address).toBe("70:b3:d5:80:00:01");
      expect(sh(["ip", "-n", agent("a1").netns, "rule", "show"])).toContain("from 9.0.0.0/8 lookup 42");
    });

    it("containers on different agents reach each other over VXLAN: ping and TCP (IPv4)", async () => {
      for (const id of ["a1", "a2", "a3"]) state.ips[id] = await container(agent(id), `c${id}`, "dcos");
      expect(state.ips["a1"]).toEqual(["9.0.0.2"]);
      expect(state.ips["a2"]).toEqual(["9.0.1.2"]);
      expect(state.ips["a3"]).toEqual(["9.0.2.2"]);
      expect(await pings(`${prefix}ca1`, "9.0.1.2")).toBe(true);
      expect(await pings(`${prefix}ca1`, "9.0.2.2")).toBe(true);
      expect(await pings(`${prefix}ca3`, "9.0.0.2")).toBe(true);
      const server = await startEchoServer(`${prefix}ca2`, "9.0.1.2");
      servers.push(server.process);
      // The server sees the container's own address: IP-per-container, no NAT between overlays.
      expect(tcpEcho(`${prefix}ca1`, "9.0.1.2", server.port, "over-vxlan")).toBe("echo over-vxlan from 9.0.0.2");
      // Overlay-sourced traffic to another agent's underlay IP takes table 42, through the tunnel.
      expect(inNs(agent("a1").netns, ["ip", "route", "get", "192.0.2.12", "from", "9.0.0.2", "iif", "m-dcos"])).toContain("via 44.128.0.2 dev vtep1024 table 42");
      expect(inNs(agent("a1").netns, ["ip", "route", "get", "192.0.2.12"])).toContain("dev eth0");
    });

    it("DC/OS's dcos.conf for Mesos containers attaches through the same bridge and slice", async () => {
      const netns = `${prefix}ma2`;
      createNetns(created, netns);
      const conf = readFileSync(join(agent("a2").cniDir, "dcos.conf"), "utf8");
      const result = await cniAddMesosDelegate(conf, { hostNetns: agent("a2").netns, containerNetns: netns, containerId: `${prefix}-ma2` });
      expect(result.ip4?.ip).toBe("9.0.1.3/25");
      expect(await pings(`${prefix}ca1`, "9.0.1.3")).toBe(true);
    });

    let outsidePort = 0;
    it("masquerades what a container sends outside the overlay, to the agent's underlay address", async () => {
      const server = await startEchoServer(OUTSIDE.netns, OUTSIDE.ip);
      servers.push(server.process);
      outsidePort = server.port;
      expect(tcpEcho(`${prefix}ca1`, OUTSIDE.ip, server.port, "out")).toBe(`echo out from ${agent("a1").ip}`);
      expect(sh(["ip", "netns", "exec", agent("a1").netns, "nft", "list", "table", "inet", "wayfinder_overlay"])).toContain("elements = { 9.0.0.0/8 }");
    });

    it.each(["flush", "delete"])("repairs its masquerade table after `nft %s table` by someone else, on the next run", async (verb) => {
      sh(["ip", "netns", "exec", agent("a1").netns, "nft", verb, "table", "inet", "wayfinder_overlay"]);
      // The fault is real: unmasqueraded, the outside host cannot answer a container address.
      expect(() => tcpEcho(`${prefix}ca1`, OUTSIDE.ip, outsidePort, "out")).toThrow();
      const report = await execute(state.desired!, agent("a1"));
      expect(report.appliers.map((r) => r.status)).toEqual(["applied", "unchanged"]);
      expect(tcpEcho(`${prefix}ca1`, OUTSIDE.ip, outsidePort, "out")).toBe(`echo out from ${agent("a1").ip}`);
    });

    it("enabling dcos6 in the config makes IPv6 usable on every agent with no manual step", async () => {
      const before = state.desired!.overlay.allocations;
      state.desired = reconcile(snapshot(["a1", "a2", "a3"], [DCOS, DCOS6], before));
      for (const id of ["a1", "a2", "a3"]) await execute(state.desired, agent(id));
      for (const a of state.desired.overlay.allocations.nodes) expect(a.overlays.dcos).toEqual(before.nodes.find((b) => b.ip === a.ip)!.overlays.dcos);
      const v6a1 = await container(agent("a1"), "v6a1", "dcos6");
      const v6a2 = await container(agent("a2"), "v6a2", "dcos6");
      expect(v6a1).toEqual(["fd01:b::2"]);
      expect(v6a2).toEqual(["fd01:b::1:0:0:2"]);
      expect(await pings(`${prefix}v6a1`, v6a2[0]!, 10)).toBe(true);
      const server = await startEchoServer(`${prefix}v6a2`, v6a2[0]!);
      servers.push(server.process);
      expect(tcpEcho(`${prefix}v6a1`, v6a2[0]!, server.port, "v6")).toBe(`echo v6 from ${v6a1[0]}`);
    });

    it("an agent removed from the snapshot disappears from the others' routes", async () => {
      state.desired = reconcile(snapshot(["a1", "a2"], [DCOS, DCOS6], state.desired!.overlay.allocations));
      for (const id of ["a1", "a2"]) {
        const report = await execute(state.desired, agent(id));
        expect(report.appliers[0]).toMatchObject({ status: "applied", plan: { adds: [], changes: [] } });
      }
      for (const id of ["a1", "a2"]) {
        expect(routesVia(agent(id))).not.toMatch(/9\.0\.2\.0\/24|192\.0\.2\.13|fd01:b:0:0:2::/);
        expect(fdbOf(agent(id))).not.toContain("70:b3:d5:80:00:03");
      }
      expect(await pings(`${prefix}ca1`, "9.0.2.2", 2)).toBe(false);
    });

    it("the same agent re-added gets its old subnet back, and its container is reachable again", async () => {
      state.desired = reconcile(snapshot(["a1", "a2", "a3"], [DCOS, DCOS6], state.desired!.overlay.allocations));
      expect(state.desired.overlay.nodes["a3"]!.overlays.map((o) => o.subnet ?? o.subnet6)).toEqual(["9.0.2.0/24", "fd01:b:0:0:2::/80"]);
      for (const id of ["a1", "a2", "a3"]) await execute(state.desired, agent(id));
      expect(await pings(`${prefix}ca1`, "9.0.2.2")).toBe(true);
    });

    it("a released agent's VTEP IP and MAC go to a new agent, and the others replace their entries in place", async () => {
      const released = reconcile(snapshot(["a1", "a2", "a4"], [DCOS, DCOS6], { ...state.desired!.overlay.allocations, release: ["192.0.2.13"] }));
      expect(released.overlay.nodes["a4"]!.vtep).toMatchObject({ ip: "44.128.0.3/20", mac: "70:b3:d5:80:00:03" });
      const report = await execute(released, agent("a1"));
      expect(report.appliers[0]).toMatchObject({ plan: { adds: ["route 42 192.0.2.14/32"], changes: ["fdb 70:b3:d5:80:00:03"], deletes: ["route 42 192.0.2.13/32"] } });
      await execute(released, agent("a4"));
      expect(fdbOf(agent("a1"))).toContain("70:b3:d5:80:00:03 dst 192.0.2.14 self permanent");
      // a4 gets a3's slice; host-local hands out .3 because this test's agents share one lease
      // directory and a3's container still holds .2.
      expect(await container(agent("a4"), "ca4", "dcos")).toEqual(["9.0.2.3"]);
      expect(await pings(`${prefix}ca1`, "9.0.2.3")).toBe(true);
    });

    it("a node with no overlay left removes its VTEP and rules", async () => {
      const none = reconcile(snapshot(["a1", "a2", "a4"], []));
      const report = await execute(none, agent("a2"));
      expect(report.appliers.map((r) => r.status)).toEqual(["applied", "applied"]);
      expect(sh(["ip", "-n", agent("a2").netns, "link", "show"])).not.toContain("vtep1024");
      expect(sh(["ip", "-n", agent("a2").netns, "rule", "show"])).not.toContain("lookup 42");
      expect(inNs(agent("a2").netns, ["nft", "list", "tables"])).not.toContain("wayfinder_overlay");
    });
  },
);
