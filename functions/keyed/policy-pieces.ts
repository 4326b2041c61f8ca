/**
 * @module
 * The network policy as keyed objects (docs/delta-path.md §1): what the config decides
 * (`policy/settings`, the sets it fills), the outside identity, each app tier, each identity,
 * each task's and each node's set membership, and each node's part in that node's scope. A
 * task that comes or goes changes its membership and its node's part, never an object that
 * lists the cluster. The section is put back together from them where a whole view is
 * assembled; a node's view keeps what its sources use (`policyNodeView`).
 */
import { keySegment } from "../../lib/desired/object-keys.ts";
import type { AppTier, NodePolicy, PolicyIdentity, PolicyMembership, PolicyOutside, PolicySection, PolicySet, PolicySettings } from "../../lib/desired/policy-schema.ts";
import { normalizeElements } from "../../lib/desired/policy-elements.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import type { PolicyPieceKind, PolicySink } from "../policy/index.ts";
import { Part, setDiagnostics } from "./diagnostic-objects.ts";
import type { KeyedObjects } from "./object-store.ts";

/** The keys of the policy's objects. */
export const PolicyKeys = {
  settings: "policy/settings",
  outside: "policy/outside",
  app: (appId: string) => `policy/app/${keySegment(appId)}`,
  set: (key: string) => `policy/set/${keySegment(key)}`,
  identity: (key: string) => `policy/identity/${keySegment(key)}`,
  taskMember: (taskId: string) => `policy/member/task/${keySegment(taskId)}`,
  nodeMember: (node: string) => `policy/member/node/${keySegment(node)}`,
  node: (node: string) => `node/${keySegment(node)}/policy`,
  appPrefix: "policy/app/",
  setPrefix: "policy/set/",
  identityPrefix: "policy/identity/",
  memberPrefix: "policy/member/",
} as const;

const KEY_OF: Record<PolicyPieceKind, (id: string) => string> = {
  settings: () => PolicyKeys.settings,
  outside: () => PolicyKeys.outside,
  app: PolicyKeys.app,
  set: PolicyKeys.set,
  identity: PolicyKeys.identity,
  task: PolicyKeys.taskMember,
  "node-member": PolicyKeys.nodeMember,
  node: PolicyKeys.node,
};

/**
 * Where the policy model writes: its pieces under their keys, its diagnostics as the policy's.
 * @example policyModelOf(input)?.flush(policySink(objects))
 */
export function policySink(objects: KeyedObjects): PolicySink {
  return {
    piece: (kind, id, value) => objects.set(KEY_OF[kind](id), value),
    diagnostics: (subject, list) => setDiagnostics(objects, Part.policy, subject, list),
  };
}

/** The policy's objects of one view, by kind (`policy` absent: no policy). */
export interface PolicyParts {
  settings?: PolicySettings;
  outside?: PolicyOutside;
  apps: AppTier[];
  sets: Array<[string, PolicySet]>;
  memberships: PolicyMembership[];
  identities: Array<[string, PolicyIdentity]>;
  nodes: Array<[string, NodePolicy]>;
}

/**
 * The section from its pieces, every map sorted by key as the whole policy always was: a set's
 * elements are its own and its members', normalised together.
 * @example policySectionOf(parts).sets.known?.kind // "hosts"
 */
export function policySectionOf(parts: PolicyParts & { settings: PolicySettings; outside: PolicyOutside }): PolicySection {
  const added = new Map<string, string[]>();
  for (const membership of parts.memberships) {
    for (const [key, elements] of Object.entries(membership)) {
      const list = added.get(key);
      if (list === undefined) added.set(key, [...elements]);
      else list.push(...elements);
    }
  }
  const sets = parts.sets.map(([key, set]): [string, PolicySet] => {
    const more = added.get(key);
    return [key, more === undefined ? set : { ...set, elements: normalizeElements([...set.elements, ...more]) }];
  });
  const sorted = <T>(entries: ReadonlyArray<[string, T]>) => Object.fromEntries([...entries].sort(([a], [b]) => compareStrings(a, b)));
  const { default: baseline, logDrops, rules, networks } = parts.settings;
  return {
    default: baseline,
    logDrops,
    rules,
    outside: parts.outside.identity,
    networks,
    apps: [...parts.apps].sort((a, b) => compareStrings(a.appId, b.appId)),
    sets: sorted(sets),
    identities: sorted(parts.identities),
    nodes: sorted(parts.nodes),
  };
}
