/**
 * @module
 * Releasing allocations: DC/OS never freed an agent's slices by itself (a gone agent leaked
 * them, dcos-mesos-modules#115) and offered `POST /overlay-master/agents/delete` instead. Here
 * the previous allocations name the IPs to release (`previous.overlay.release`). One deliberate
 * difference: a node still in the snapshot is not released. Its containers still use the
 * slice; DC/OS freed it anyway and the next node to register got the same addresses.
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import type { NodeAllocation } from "../../lib/desired/overlay-schema.ts";
import { parseIpValue } from "../../lib/net/cidr.ts";
import { compareStrings } from "../../lib/net/compare.ts";

/**
 * The previous nodes that stay allocated, sorted by IP, one per IP.
 * @example keptAllocations(previous.nodes, ["10.0.0.12"], new Set(["10.0.0.11"])).kept.map((n) => n.ip) // ["10.0.0.11"]
 */
export function keptAllocations(
  previous: readonly NodeAllocation[],
  release: readonly string[],
  present: ReadonlySet<string>,
): { kept: NodeAllocation[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const toRelease = new Set(release);
  const byIp = new Map<string, NodeAllocation>();
  for (const node of previous) {
    const ip = node.ip;
    if (byIp.has(ip)) {
      diagnostics.push({
        level: "error",
        code: "overlay.allocation-invalid",
        subject: `node:${ip}`,
        message: "the previous allocations list this node twice; the first entry is kept",
      });
      continue;
    }
    byIp.set(ip, node);
  }
  for (const ip of [...toRelease].sort()) {
    const node = byIp.get(ip);
    if (node === undefined) {
      diagnostics.push({ level: "warning", code: "overlay.release-unknown", subject: `node:${ip}`, message: "asked to release a node that holds no overlay allocation" });
    } else if (present.has(ip)) {
      diagnostics.push({
        level: "warning",
        code: "overlay.release-refused",
        subject: `node:${ip}`,
        message: "not released: the node is still in the snapshot and its containers use its slices; remove it from the cluster first",
      });
    } else {
      byIp.delete(ip);
      const slices = Object.entries(node.overlays)
        .sort(([a], [b]) => compareStrings(a, b))
        .flatMap(([name, s]) => [s.subnet, s.subnet6].filter((x) => x !== undefined).map((x) => `${name} ${x}`));
      diagnostics.push({
        level: "info",
        code: "overlay.released",
        subject: `node:${ip}`,
        message: `released VTEP ${[node.vtep.ip, node.vtep.ip6].filter((x) => x !== undefined).join(", ")}${slices.length ? ` and ${slices.join(", ")}` : ""}`,
      });
    }
  }
  // The schema admits only strict dotted quads, so equal text is equal address.
  const kept = [...byIp.values()]
    .map((node) => ({ node, value: parseIpValue(node.ip)!.value }))
    .sort((a, b) => (a.value < b.value ? -1 : 1))
    .map((entry) => entry.node);
  return { kept, diagnostics };
}
