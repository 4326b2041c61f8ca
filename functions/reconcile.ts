/**
 * @module
 * The one entry point of the pure core: ClusterSnapshot → DesiredState. Each artifact has its
 * own reconciler; this file only composes them, in the order their data flows (named VIPs are
 * allocated before DNS, because their names land in the `l4lb.thisdcos.directory` zone).
 */
import type { ClusterSnapshot } from "../lib/snapshot/schema.ts";
import type { DesiredState, Diagnostic, UnhashedDesiredState } from "../lib/desired/schema.ts";
import { canonicalJson } from "../lib/net/canonical-json.ts";
import { sha256Hex } from "../lib/net/digest.ts";
import { dnsZones } from "./dns-zones/index.ts";
import { haproxyGroups } from "./haproxy/index.ts";

/**
 * Computes the desired state of the whole cluster.
 * @example
 * const desired = reconcile(ClusterSnapshot.parse(json));
 * desired.dns.zones.map((z) => z.origin); // ["dcos.thisdcos.directory", "mesos", ...]
 */
export function reconcile(snapshot: ClusterSnapshot): DesiredState {
  const dns = dnsZones(snapshot, { l4lbServices: [] });
  const l7 = haproxyGroups(snapshot);
  return withHash({
    apiVersion: "wayfinder/v1",
    dns: { zones: dns.zones },
    l4lb: { services: [] },
    haproxy: { groups: l7.groups, allocations: l7.allocations },
    overlay: { allocations: {}, nodes: {} },
    diagnostics: sortDiagnostics([...dns.diagnostics, ...l7.diagnostics]),
  });
}

/**
 * Adds the content hash: sha256 of the canonical JSON of everything but the hash.
 * @example withHash(state).hash // "9f86d081..."
 */
export function withHash(state: UnhashedDesiredState): DesiredState {
  const { apiVersion, dns, l4lb, haproxy, overlay, diagnostics, ...rest } = state;
  const body = { apiVersion, dns, l4lb, haproxy, overlay, diagnostics, ...rest };
  return { apiVersion, hash: sha256Hex(canonicalJson(body)), dns, l4lb, haproxy, overlay, diagnostics, ...rest };
}

/** Diagnostics in a fixed order (subject, code, message) so output never depends on input order. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return list.sort(
    (a, b) => cmp(a.subject, b.subject) || cmp(a.code, b.code) || cmp(a.message, b.message) || cmp(a.level, b.level),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
