/**
 * @module
 * The upstream payloads copied into `state-fixtures/upstream/` (dcos-net operator-API captures,
 * the mesos-dns AXFR, marathon-lb apps), read the way `wayfinder snapshot` reads them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { splitJsonValues } from "../../lib/snapshot/adapters/json-stream.ts";
import { fromOperatorState, type MesosPart, type OperatorStateOptions } from "../../lib/snapshot/adapters/operator-state.ts";
import { ClusterSnapshot, type ClusterSnapshotInput } from "../../lib/snapshot/schema.ts";

export const UPSTREAM_DIR = "state-fixtures/upstream";

/** @example upstreamText("dcos-net/unhealthy.json") */
export function upstreamText(path: string): string {
  return readFileSync(join(UPSTREAM_DIR, path), "utf8");
}

/** A dcos-net payload as the operator adapter takes it: one response, or the array of events. */
export function operatorPayload(name: string): unknown {
  const values = splitJsonValues(upstreamText(`dcos-net/${name}.json`), `${name}.json`);
  return values.length === 1 ? values[0] : values;
}

/** @example operatorFixture("tcp-and-udp").tasks[0].name // "app" */
export function operatorFixture(name: string, options: Partial<OperatorStateOptions> = {}): MesosPart {
  return fromOperatorState(operatorPayload(name), { source: `${name}.json`, ...options });
}

/** A validated snapshot around one dcos-net fixture. */
export function operatorSnapshot(
  name: string,
  options: Partial<OperatorStateOptions> = {},
  extra: Partial<ClusterSnapshotInput> = {},
): ClusterSnapshot {
  return ClusterSnapshot.parse({
    cluster: { name },
    now: "2026-01-01T00:00:00Z",
    ...operatorFixture(name, options),
    ...extra,
  });
}
