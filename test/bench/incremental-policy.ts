/**
 * @module
 * `bench:incremental`'s policy case: the synthetic cluster with a network policy (an attach
 * ACL that quarantines one framework's overlay tasks, an isolated overlay, admin rules with
 * app, label, network and address-block selectors, app-tier labels on every seventh app), and
 * the peer: the policy derived whole, which is what the incremental reconciler did after each
 * change before the policy model took tasks one at a time.
 */
import { admitTasks } from "../../functions/admission/index.ts";
import { policySink } from "../../functions/keyed/policy-pieces.ts";
import { KeyedObjects } from "../../functions/keyed/object-store.ts";
import { policyModelOf } from "../../functions/policy/index.ts";
import type { OverlayNode } from "../../lib/desired/overlay-schema.ts";
import { keyScope } from "../../lib/desired/object-keys.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";

const POLICY = {
  networks: { dcos: { attach: [{ action: "deny", frameworks: ["hello-world"] }, { action: "allow" }], isolation: "isolated", allowFrom: ["host"] } },
  rules: [
    { name: "no-metadata", priority: 1, action: "deny", to: { ipBlocks: [{ cidr: "169.254.169.254/32" }] } },
    { name: "to-app-0", priority: 10, action: "allow", from: { apps: ["/app-1*"] }, to: { apps: ["/app-0"] }, ports: [{ protocol: "tcp", port: 8080 }] },
    { name: "external-deny", priority: 20, action: "deny", from: { labels: { HAPROXY_GROUP: "external" } }, to: { apps: ["/app-2*"] }, log: true },
    { name: "overlay-pass", priority: 30, action: "pass", from: { networks: ["dcos"] }, to: { networks: ["host"] } },
    { name: "office", priority: 40, action: "allow", from: { ipBlocks: [{ cidr: "203.0.113.0/24", except: ["203.0.113.128/25"] }] }, to: { apps: ["/app-3*"] } },
  ],
  default: "allow",
} as const;

/**
 * The snapshot with the policy config and app-tier labels on every seventh app.
 * @example withPolicy(snapshot).config.policy?.rules.length // 5
 */
export function withPolicy(snapshot: ClusterSnapshot): ClusterSnapshot {
  const marathonApps = snapshot.marathonApps.map((app, i) =>
    i % 7 === 0 ? { ...app, labels: { ...app.labels, WAYFINDER_POLICY_ALLOW_FROM_8080: `/app-${i + 1}, label:HAPROXY_GROUP=external`, WAYFINDER_POLICY_ALLOW_FROM_53_UDP: "10.0.0.0/8" } } : app,
  );
  return ClusterSnapshot.parse({ ...snapshot, marathonApps, config: { ...snapshot.config, policy: POLICY } });
}

/**
 * The overlay's node entries as `objects` hold them (what the policy reads of the overlay).
 * @example overlayEntries(reconciler.objects)["S1"]?.ip // "10.0.0.2"
 */
export function overlayEntries(objects: KeyedObjects): Record<string, OverlayNode> {
  const out: Record<string, OverlayNode> = {};
  for (const [key] of objects.entries()) {
    const scope = keyScope(key);
    if (scope.scope === "node" && key.endsWith("/overlay")) out[scope.node] = objects.value<OverlayNode>(key)!;
  }
  return out;
}

/**
 * The peer: the whole policy of `snapshot` (admission, every task and node, every piece written
 * to a fresh store); returns how many objects it wrote.
 * @example wholePolicy(snapshot, overlayEntries(objects)) // 30412
 */
export function wholePolicy(snapshot: ClusterSnapshot, overlayNodes: Readonly<Record<string, OverlayNode>>): number {
  const admission = admitTasks(snapshot);
  const quarantined = new Set(admission.quarantined.map((q) => q.taskId));
  const objects = new KeyedObjects();
  policyModelOf({ snapshot: admission.snapshot, quarantined: snapshot.tasks.filter((t) => quarantined.has(t.id)), overlayNodes })!.flush(policySink(objects));
  return objects.size;
}
