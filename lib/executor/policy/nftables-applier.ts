/**
 * @module
 * The policy applier, on the L4 VIP applier's pattern (kube-proxy's nftables proxier): one pass
 * builds the node's table, one nft transaction applies it (a partial one through a long-lived
 * nft, `nft-batches.ts`), and a record of what was installed makes the next sync partial: a
 * task that comes or goes moves set and map elements; a rule that changes refills the chains
 * it is in; nothing else is touched. The
 * first sync, and any after a failure, replaces the table whole (still one transaction, so the
 * new table is complete before it sees a packet): a partial sync that fails falls back to a full
 * one in the same apply, and `forceFullSync()` forgets the record. Before trusting its record,
 * every sync (the agent's periodic resync included, on both of its paths) asks the canary
 * (`policy-canary.ts`) whether the table was flushed or deleted behind its back; if it was, the
 * plan replaces it whole and names the damage in `repairs`, which the agent logs as an error and
 * counts. A full sync is verified by the same check, never by a listing.
 *
 * Same-node containers on one Linux bridge are switched, not routed: the table sits at the IP
 * layer, so bridged IPv4/IPv6 must be handed to the IP hooks by br_netfilter
 * (`net.bridge.bridge-nf-call-iptables` and `-ip6tables`, per network namespace on current
 * kernels). A full sync turns both on, loading the module if the keys are missing, and fails
 * rather than program a policy that same-bridge traffic would bypass.
 */
import type { DesiredState } from "../../desired/schema.ts";
import type { PolicyMembership, PolicySet } from "../../desired/policy-schema.ts";
import { PolicyKeys } from "../../../functions/keyed/policy-pieces.ts";
import { policyCounters, POLICY_FAMILY, POLICY_TABLE, type CounterMeaning } from "../../render/policy-names.ts";
import { policyChanges, policyDelta, renderPolicyTable } from "../../render/policy-nftables.ts";
import { policyTable, type PolicyTable } from "../../render/policy-table.ts";
import type { Applier, Plan } from "../applier.ts";
import { runApplier } from "../apply-desired.ts";
import type { ChangeApplier } from "../keyed-applier.ts";
import { MEMBER_PREFIX, membershipDelta, membershipRecord, type MembershipRecord } from "./membership-changes.ts";
import { commandRunner, type CommandRunner } from "../run-command.ts";
import { nftProcesses, nftSessions, type NftBatches } from "../nft-batches.ts";
import { policyDamage } from "./policy-canary.ts";

const TABLE_KEY = `table ${POLICY_FAMILY} ${POLICY_TABLE}`;
const BRIDGE_SYSCTLS = ["net.bridge.bridge-nf-call-iptables", "net.bridge.bridge-nf-call-ip6tables"] as const;

/** What the applier knows is installed. `known: false`: nothing, so the next sync is full. */
export interface PolicyInstalled {
  known: boolean;
  /** The table last applied; undefined when none is (known), or nothing is remembered. */
  table?: PolicyTable;
  /** Why the record was dropped: the canary found the table damaged behind the applier's back. */
  damage?: string;
}

export interface PolicyPlan extends Plan<string> {
  /** Replace the table whole, change only what differs, or remove it. */
  readonly mode: "full" | "partial" | "remove";
  /** The `nft -f` transaction ("" for nothing). */
  readonly batch: string;
  /** The table after the plan; undefined when it removes the table. */
  readonly table?: PolicyTable;
  /** What the counters of `table` count, for metrics. */
  readonly counters: ReadonlyMap<string, CounterMeaning>;
}

/** What the last apply did, for reports and benchmarks. */
export interface PolicySyncRecord {
  mode: PolicyPlan["mode"];
  batchBytes: number;
  /** Why a partial sync became a full one, when it did. */
  fallback?: string;
  /** On the delta path: the sets a partial sync of membership changes rebuilt. */
  sets?: string[];
}

/** One counter's reading with what it counts. */
export interface PolicyCounterReading extends CounterMeaning {
  counter: string;
  packets: number;
  bytes: number;
}

export interface PolicyApplier extends Applier<PolicyInstalled, string>, ChangeApplier {
  readonly lastSync: PolicySyncRecord | undefined;
  /** Forgets what was installed: the next sync replaces the table (a periodic resync). */
  forceFullSync(): void;
  /** The installed table's counters, with what each counts (empty when none is installed). */
  readCounters(): Promise<PolicyCounterReading[]>;
  /** Ends the long-lived nft process (an idle one never keeps the process alive). */
  close(): Promise<void>;
}

export interface PolicyApplierOptions {
  netns?: string;
  run?: CommandRunner;
  /** Where batches go; default: a long-lived nft session in `netns`, or `nft -f -` through `run` when a runner is given. */
  nft?: NftBatches;
}

/**
 * @example
 * const policy = createPolicyApplier({ netns: "wf1a" });
 * await applyDesired(nodeView(desired, "a1"), [policy]);
 */
export function createPolicyApplier(options: PolicyApplierOptions = {}): PolicyApplier {
  const run = options.run ?? commandRunner({ netns: options.netns });
  const nft = options.nft ?? (options.run === undefined ? nftSessions(run, { netns: options.netns }) : nftProcesses(run));
  let installed: { table?: PolicyTable; counters: ReadonlyMap<string, CounterMeaning> } | undefined;
  let lastSync: PolicySyncRecord | undefined;
  /** On the delta path: what turns membership changes into element changes (set by a full sync). */
  let members: MembershipRecord | undefined;

  const applier: PolicyApplier = {
    name: "policy",
    get lastSync() {
      return lastSync;
    },
    forceFullSync() {
      installed = undefined;
      members = undefined;
    },
    close: () => nft.close(),
    async observe() {
      if (installed === undefined) return { known: false };
      if (installed.table === undefined) return { known: true };
      const damage = await policyDamage(nft);
      if (damage === undefined) return { known: true, table: installed.table };
      installed = undefined;
      return { known: false, damage };
    },
    plan: planPolicy,
    async apply(plan) {
      if (!isPolicyPlan(plan)) throw new Error("the policy applier can only apply a plan it made");
      const before = installed;
      installed = undefined;
      try {
        await carryOut(run, nft, plan);
        lastSync = { mode: plan.mode, batchBytes: plan.batch.length };
      } catch (error) {
        if (plan.mode !== "partial" || before === undefined) throw error;
        // The table is not what the record says: replace it whole.
        const full = { ...plan, mode: "full" as const, batch: renderPolicyTable(plan.table!) };
        await carryOut(run, nft, full);
        lastSync = { mode: "full", batchBytes: full.batch.length, fallback: (error as Error).message };
      }
      installed = { ...(plan.table === undefined ? {} : { table: plan.table }), counters: plan.counters };
    },
    async verify(desired) {
      // A partial sync is one atomic transaction after a canary check; its exit status is the evidence.
      if (lastSync?.mode === "partial") return [];
      const wanted = ownPolicy(desired) !== undefined;
      const drift = wanted ? await policyDamage(nft) : (await tablePresent(run)) ? `${TABLE_KEY} is still there` : undefined;
      if (drift === undefined) return [];
      installed = undefined;
      return [drift];
    },
    async readCounters() {
      if (installed?.table === undefined) return [];
      const text = await run(["nft", "-j", "list", "counters", "table", POLICY_FAMILY, POLICY_TABLE]);
      const meanings = installed.counters;
      const out: PolicyCounterReading[] = [];
      for (const item of (JSON.parse(text) as { nftables?: Array<{ counter?: { name: string; packets: number; bytes: number } }> }).nftables ?? []) {
        const c = item.counter;
        const meaning = c && meanings.get(c.name);
        if (c && meaning) out.push({ counter: c.name, packets: c.packets, bytes: c.bytes, ...meaning });
      }
      return out;
    },
    // kube-proxy's partial sync for what moves most: tasks coming and going change only set
    // memberships, applied as element changes of the sets they name; anything else, or no
    // record, or damage the canary finds, is a full sync against the whole view.
    async applyChanges(changes) {
      const table = installed?.table;
      const record = members;
      members = undefined;
      if (record === undefined || table === undefined || installed === undefined) return undefined;
      if ((await policyDamage(nft)) !== undefined) return undefined;
      const delta = membershipDelta(record, table, changes);
      if ("refused" in delta) return undefined;
      if (delta.batch === "") {
        members = record;
        return { name: "policy", status: "unchanged" };
      }
      const counters = installed.counters;
      installed = undefined;
      await nft.apply(delta.batch);
      installed = { table: delta.table, counters };
      members = record;
      lastSync = { mode: "partial", batchBytes: delta.batch.length, sets: delta.sets };
      return { name: "policy", status: "applied", plan: { adds: [], changes: delta.sets.map((key) => `set ${key}`), deletes: [] } };
    },
    async syncAll(view) {
      members = undefined;
      const desired = view.desired();
      const result = await runApplier(desired, applier, false);
      if (result.status !== "failed" && installed?.table !== undefined && desired.policy !== undefined) {
        const own = (key: string) => view.value<PolicySet>(PolicyKeys.set(key))?.elements ?? [];
        members = membershipRecord(desired.policy, own, view.valuesUnder<PolicyMembership>(MEMBER_PREFIX));
      }
      return result;
    },
  };
  return applier;
}

/**
 * The plan from what is installed to the node view's policy. Pure.
 * @example planPolicy(nodeView(desired, "a1"), { known: false }).mode // "full"
 */
export function planPolicy(desired: DesiredState, observed: PolicyInstalled): PolicyPlan {
  const policy = ownPolicy(desired);
  if (policy === undefined) {
    // No policy for this node: remove ours, if it is there or might be.
    const nothing = observed.known && observed.table === undefined;
    return { applier: "policy", adds: new Map(), changes: new Map(), deletes: nothing ? [] : [TABLE_KEY], mode: "remove", batch: "", counters: new Map() };
  }
  const table = policyTable(policy, desired.node!);
  const counters = policyCounters(policy);
  if (observed.known && observed.table !== undefined) {
    const { adds, changes, deletes } = policyChanges(observed.table, table);
    const batch = policyDelta(observed.table, table);
    return { applier: "policy", adds: new Map(adds.map((k) => [k, "add"])), changes: new Map(changes.map((k) => [k, "change"])), deletes, mode: "partial", batch, table, counters };
  }
  const adds = observed.known ? new Map([[TABLE_KEY, "full sync"]]) : new Map<string, string>();
  const changes = adds.size > 0 ? new Map<string, string>() : new Map([[TABLE_KEY, observed.damage === undefined ? "full sync" : `full sync: ${observed.damage}`]]);
  const repairs = observed.damage === undefined ? {} : { repairs: [observed.damage] };
  return { applier: "policy", adds, changes, deletes: [], mode: "full", batch: renderPolicyTable(table), table, counters, ...repairs };
}

function ownPolicy(desired: DesiredState) {
  if (desired.policy === undefined) return undefined;
  if (desired.node === undefined) throw new Error("the policy applier needs a node view (nodeView(desired, node)), not the cluster's desired state");
  return desired.policy.nodes[desired.node] === undefined ? undefined : desired.policy;
}

async function carryOut(run: CommandRunner, nft: NftBatches, plan: PolicyPlan): Promise<void> {
  if (plan.mode === "remove") {
    if (plan.deletes.length > 0 && (await tablePresent(run))) await run(["nft", "delete", "table", POLICY_FAMILY, POLICY_TABLE]);
    return;
  }
  if (plan.mode === "full") await bridgedTrafficToIpHooks(run);
  if (plan.batch !== "") await nft.apply(plan.batch);
}

/** br_netfilter on, so traffic between two containers of one bridge meets the table too. */
async function bridgedTrafficToIpHooks(run: CommandRunner): Promise<void> {
  const read = async () => {
    try {
      return await run(["sysctl", "-n", ...BRIDGE_SYSCTLS]);
    } catch {
      return undefined;
    }
  };
  let values = await read();
  if (values === undefined) {
    await run(["modprobe", "br_netfilter"]).catch(() => undefined);
    values = await read();
  }
  if (values === undefined) {
    throw new Error("br_netfilter is not available (no net.bridge.bridge-nf-call-iptables): containers on one bridge would reach each other unchecked, so no policy is applied; load the module (modprobe br_netfilter)");
  }
  if (values.split(/\s+/).filter(Boolean).some((v) => v !== "1")) await run(["sysctl", "-q", "-w", ...BRIDGE_SYSCTLS.map((k) => `${k}=1`)]);
}

async function tablePresent(run: CommandRunner): Promise<boolean> {
  const text = await run(["nft", "list", "tables", POLICY_FAMILY]);
  return text.split("\n").some((line) => line.trim() === `table ${POLICY_FAMILY} ${POLICY_TABLE}`);
}

function isPolicyPlan(plan: Plan<string>): plan is PolicyPlan {
  return "mode" in plan && "batch" in plan;
}
