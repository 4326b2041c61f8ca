/**
 * @module
 * `bench:incremental`'s agent-side policy case: one node's keyed view (the agent's `NodeView`
 * and its reader) over the reconciler's objects, and its policy applier on a fake nft. Each
 * change the reconciler makes is applied to the view, then measured twice on the same state:
 * ours, the applier's `applyChanges` (membership changes as element changes of the sets they
 * name); the peer, what the policy applier cost on the delta path before it took changes: the
 * whole view assembled (`desired()`, every set from every membership) and the whole table
 * planned and diffed against the installed one.
 */
import type { KeyedObjects } from "../../functions/keyed/object-store.ts";
import { keepsWithoutDns } from "../../lib/agent/delta-agent.ts";
import { NodeView } from "../../lib/agent/view/node-view.ts";
import { NodeViewReader } from "../../lib/agent/view/view-reader.ts";
import type { ChangedKey } from "../../lib/executor/keyed-applier.ts";
import type { NftBatches } from "../../lib/executor/nft-batches.ts";
import { createPolicyApplier, planPolicy, type PolicyApplier } from "../../lib/executor/policy/nftables-applier.ts";
import { keyScope } from "../../lib/desired/object-keys.ts";

/** The keyed changes a reconciler change made (its `apply` result). */
export interface ObjectChangeList {
  upserts: ReadonlyArray<{ key: string; json: string; hash: string }>;
  deletes: readonly string[];
}

/** One change's figures: ours and the peer's CPU time, and whether ours stayed partial. */
export interface AgentPolicyStep {
  oursMs: number;
  peerMs: number;
  partial: boolean;
  batchBytes: number;
}

/** A kernel that accepts every batch and answers the canary as an intact table does. */
const fakeNft: NftBatches = {
  apply: async () => {},
  check: async (batch) => {
    throw new Error(batch.trim().split("\n").map((cmd, i) => `/dev/stdin:${i + 1}:36-47: Error: Could not process rule: Device or resource busy\n${cmd}\n   ^^^`).join("\n"));
  },
  close: async () => {},
};

/**
 * The node's view and applier after a full sync of `objects`; `step` applies one change.
 * @example const agent = await policyAgent(reconciler.objects, "S1"); (await agent.step(result)).oursMs
 */
export async function policyAgent(objects: KeyedObjects, node: string): Promise<{ step(changes: ObjectChangeList): Promise<AgentPolicyStep>; applier: PolicyApplier }> {
  // What the agent keeps when `wayfinder dns` holds the zones (the default).
  const view = new NodeView(keepsWithoutDns);
  const mine = (key: string) => {
    const scope = keyScope(key);
    return scope.scope === "cluster" || (scope.scope === "node" && scope.node === node);
  };
  const upserts = [...objects.entries()].filter(([key]) => mine(key)).map(([key, stored]) => ({ key, hash: stored.hash, value: JSON.parse(stored.json) as unknown }));
  view.apply({ upserts, deletes: [] }, 1);
  const reader = new NodeViewReader(view, node);
  const run = async (argv: readonly string[]) => (argv[0] === "sysctl" && argv[1] === "-n" ? "1\n1\n" : "");
  const applier = createPolicyApplier({ run, nft: fakeNft });
  const first = await applier.syncAll(reader);
  if (first.status === "failed") throw new Error(`the first full sync failed: ${first.error}`);
  const takes = (key: string) => key.startsWith("policy/") || key === `node/${node}/policy`;
  let generation = 1;

  return {
    applier,
    async step(change) {
      const ups = change.upserts.filter((u) => mine(u.key)).map((u) => ({ key: u.key, hash: u.hash, value: JSON.parse(u.json) as unknown }));
      const dels = change.deletes.filter(mine);
      view.apply({ upserts: ups, deletes: dels }, ++generation);
      const changed = new Map<string, ChangedKey>(ups.filter((u) => takes(u.key)).map((u) => [u.key, { hash: u.hash, json: JSON.stringify(u.value), value: u.value }]));
      const keyChanges = { upserts: changed, deletes: new Set(dels.filter(takes)), complete: false };
      // The peer first, against the table installed before this change (what it would diff against).
      const observed = await applier.observe();
      const peerMs = cpuMs(() => void planPolicy(reader.desired(), observed));
      const start = process.cpuUsage();
      let result = await applier.applyChanges(keyChanges, reader);
      const used = process.cpuUsage(start);
      const partial = result !== undefined;
      if (result === undefined) result = await applier.syncAll(reader);
      return { oursMs: (used.user + used.system) / 1000, peerMs, partial, batchBytes: result.status === "applied" ? (applier.lastSync?.batchBytes ?? 0) : 0 };
    },
  };
}

function cpuMs(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}
