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
import { dnsForwarding } from "./dns-forwarding.ts";
import { haproxyGroups } from "./haproxy/index.ts";
import { l4lbServices } from "./l4lb/index.ts";
import { overlayState } from "./overlay/index.ts";
import { admitTasks } from "./admission/index.ts";
import { policyState } from "./policy/index.ts";
import { compareStrings } from "../lib/net/compare.ts";
import type { Provenance } from "../lib/desired/provenance.ts";

export interface ReconcileOptions {
  /** Told where each piece came from while it is built (`explain`); the output is the same without. */
  provenance?: Provenance;
}

/**
 * Computes the desired state of the whole cluster.
 * @example
 * const desired = reconcile(ClusterSnapshot.parse(json));
 * desired.dns.zones.map((z) => z.origin); // ["dcos.thisdcos.directory", "mesos", ...]
 */
export function reconcile(input: ClusterSnapshot, options: ReconcileOptions = {}): DesiredState {
  const { provenance } = options;
  // One answer to "which tasks may be on their networks", read by every artifact below.
  const admission = admitTasks(input, provenance);
  const snapshot = admission.snapshot;
  const l4lb = l4lbServices(snapshot, provenance);
  const dns = dnsZones(snapshot, { l4lbServices: l4lb.services, ...(provenance === undefined ? {} : { provenance }) });
  const forwarding = dnsForwarding(snapshot);
  const { diagnostics: overlayDiagnostics, ...overlay } = overlayState(snapshot, provenance);
  const l7 = haproxyGroups(snapshot, provenance);
  const quarantined = new Set(admission.quarantined.map((q) => q.taskId));
  const policy = policyState({ snapshot, quarantined: input.tasks.filter((t) => quarantined.has(t.id)), overlayNodes: overlay.nodes });
  return withHash({
    apiVersion: "wayfinder/v1",
    dns: { zones: dns.zones, forwarding: forwarding.forwarding, aliases: dns.aliases },
    l4lb: { services: l4lb.services, namedVips: l4lb.namedVips },
    haproxy: { groups: l7.groups, allocations: l7.allocations },
    overlay,
    ...(policy.policy === undefined ? {} : { policy: policy.policy }),
    diagnostics: sortDiagnostics([
      ...admission.diagnostics,
      ...l4lb.diagnostics,
      ...dns.diagnostics,
      ...forwarding.diagnostics,
      ...l7.diagnostics,
      ...overlayDiagnostics,
      ...policy.diagnostics,
    ]),
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
    (a, b) => compareStrings(a.subject, b.subject) || compareStrings(a.code, b.code) || compareStrings(a.message, b.message) || compareStrings(a.level, b.level),
  );
}
