/**
 * @module
 * Small clusters for the overlay tests: masters and agents by IP, the overlay config, and the
 * previous allocations, as a validated ClusterSnapshot.
 */
import { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import type { OverlayAllocations } from "../../../lib/desired/overlay-schema.ts";
import { canonicalIp } from "../../../lib/net/cidr.ts";
import { overlayState } from "../../../functions/overlay/index.ts";

export interface ClusterSpec {
  masters?: string[];
  /** `[agentId, ip]` */
  agents?: Array<[string, string]>;
  overlay?: Record<string, unknown>;
  previous?: Partial<OverlayAllocations> & { release?: string[] };
}

export function cluster(spec: ClusterSpec): ClusterSnapshot {
  return ClusterSnapshot.parse({
    cluster: { name: "test" },
    now: "2026-01-01T00:00:00Z",
    masters: (spec.masters ?? []).map((ip) => `${ip}:5050`),
    agents: (spec.agents ?? []).map(([id, ip]) => ({ id, hostname: `${id}.test`, ips: [ip] })),
    config: { overlay: spec.overlay ?? {} },
    ...(spec.previous && { previous: { overlay: spec.previous } }),
  });
}

/** Runs the reconciler, then the next run with its allocations as `previous`. */
export function rerun(spec: ClusterSpec, before: ReturnType<typeof overlayState>, release?: string[]) {
  return overlayState(cluster({ ...spec, previous: { ...before.allocations, ...(release && { release }) } }));
}

/** The allocation of the node with this underlay IP. */
export function nodeAt(state: ReturnType<typeof overlayState>, ip: string) {
  return state.allocations.nodes.find((n) => n.ip === ip);
}

/** The spec writes IPv6 as `fd01:b::1:0:0:0/80`; we print RFC 5952 (`fd01:b:0:0:1::/80`). */
export const c = (text: string): string => canonicalIp(text)!;
