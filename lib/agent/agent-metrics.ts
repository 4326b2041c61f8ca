/**
 * @module
 * The agent's metrics, named after kube-proxy's (`sync_proxy_rules_duration_seconds`,
 * `..._last_timestamp_seconds`, `..._sync_failures_total`) so the same dashboards and alerts
 * carry over: how long syncs take, when the last good one was, what each applier changed,
 * what failed, which desired state the node runs and how far behind a change it is.
 */
import { Counter, ExternalCounter, Gauge, Histogram, Registry } from "../metrics/registry.ts";

/** Keys per batch: one task change is a handful, a relist of 100k tasks ~130k. */
const KEY_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144];

/** Seconds; kube-proxy's sync-duration buckets, finer at the bottom for sub-second convergence. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * @example const metrics = agentMetrics(); metrics.syncs.inc({ result: "applied" }); metrics.registry.render();
 */
export function agentMetrics() {
  const registry = new Registry();
  const add = registry.add.bind(registry);
  return {
    registry,
    syncDuration: add(new Histogram("wayfinder_agent_sync_duration_seconds", "Time of one sync (every applier's observe, plan, apply, verify)", DURATION_BUCKETS)),
    syncs: add(new Counter("wayfinder_agent_syncs_total", "Sync runs by result: applied, unchanged or failed", ["result"])),
    lastSync: add(new Gauge("wayfinder_agent_last_sync_timestamp_seconds", "When the last sync that left the node fully on its desired state ended")),
    lastAttempt: add(new Gauge("wayfinder_agent_last_attempt_timestamp_seconds", "When the last sync ended, whatever its result")),
    consecutiveFailures: add(new Gauge("wayfinder_agent_consecutive_failures", "Failed syncs since the last good one (0 when healthy)")),
    changes: add(new Counter("wayfinder_agent_applier_changes_total", "Keys an applier added, changed or deleted (op)", ["applier", "op"])),
    applierFailures: add(new Counter("wayfinder_agent_applier_failures_total", "Applier failures by applier and stage (observe, plan, apply, verify)", ["applier", "stage"])),
    repairs: add(new Counter("wayfinder_agent_applier_repairs_total", "Damage an applier found behind the agent's back (a flushed or deleted nftables table, an unreadable record) and replaced what it holds for, by applier", ["applier"])),
    applierHeld: add(new Counter("wayfinder_agent_applier_held_total", "Times an applier was held back because one it requires failed", ["applier"])),
    desired: add(new Gauge("wayfinder_agent_desired_info", "The hash of the newest valid desired state received (value 1)", ["hash"])),
    applied: add(new Gauge("wayfinder_agent_applied_info", "The hash of the desired state the node fully runs (value 1)", ["hash"])),
    sourceErrors: add(new Counter("wayfinder_agent_source_errors_total", "Desired states not obtained: kind=fetch (unreachable, timeout) or invalid (failed validation)", ["kind"])),
    sourceEvents: add(new Counter("wayfinder_agent_source_events_total", "Marathon events that asked for a read, by type", ["type"])),
    streamDisconnects: add(new Counter("wayfinder_agent_event_stream_disconnects_total", "Event-stream disconnects, kind=silent (idle timeout) or other", ["kind"])),
    statusReports: add(new Counter("wayfinder_agent_status_reports_total", "Status reports sent to the control plane, by result: ok or failed", ["result"])),
    convergence: add(new Histogram("wayfinder_agent_convergence_seconds", "From the event that asked for a read (or the batch received) to the node running the result", DURATION_BUCKETS)),
    // The delta path (watch): what arrives, what each applier does with it, what is persisted.
    applyDuration: add(new Histogram("wayfinder_agent_applier_duration_seconds", "Time one applier took on one run, by applier and mode (partial: the changed keys; full: the whole view)", DURATION_BUCKETS, ["applier", "mode"])),
    fullSyncs: add(new Counter("wayfinder_agent_applier_full_syncs_total", "Full syncs an applier fell back to instead of a partial one, by reason", ["applier", "reason"])),
    batchKeys: add(new Histogram("wayfinder_agent_watch_batch_keys", "Keys a committed watch batch changed in the view", KEY_BUCKETS)),
    watchBatches: add(new Counter("wayfinder_agent_watch_batches_total", "Watch batches committed, by kind (change or relist)", ["kind"])),
    watchBytes: add(new Counter("wayfinder_agent_watch_bytes_total", "Bytes of watch stream received (after decompression)")),
    watchRelists: add(new Counter("wayfinder_agent_watch_relists_total", "Relists by reason (start, gone, mismatch, protocol, values)", ["reason"])),
    persistedBytes: add(new Counter("wayfinder_agent_view_persisted_bytes_total", "Bytes appended to the persisted view")),
    appliedGeneration: add(new Gauge("wayfinder_agent_applied_generation", "The generation of the view every applier last took")),
    policyPackets: add(
      new ExternalCounter(
        "wayfinder_policy_packets_total",
        "Packets the node's policy table decided, by tier, what decided (a rule's name, network:<name>, app:<id>, default) and verdict: first packets of new connections, and every packet of a quarantined task",
        ["tier", "by", "verdict"],
      ),
    ),
  };
}

export type AgentMetrics = ReturnType<typeof agentMetrics>;
