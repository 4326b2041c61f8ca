/**
 * @module
 * Where `plan`, `render` and `diff` get their input: a snapshot file, a DesiredState file, or
 * (with no argument) the embedded demo cluster.
 */
import { fileURLToPath } from "node:url";
import { ClusterSnapshot } from "../snapshot/schema.ts";
import { DesiredState } from "../desired/schema.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { readJson, validate } from "./files.ts";
import type { CliIo } from "./io.ts";

/** The demo cluster shipped with the package (`state-fixtures/demo/snapshot.json`). */
export const DEMO_SNAPSHOT_PATH = fileURLToPath(new URL("../../state-fixtures/demo/snapshot.json", import.meta.url));

export interface LoadedInput {
  /** Present when the input was a snapshot (absent for a DesiredState file). */
  snapshot?: ClusterSnapshot;
  desired: DesiredState;
  source: string;
}

/**
 * Reads a snapshot and reconciles it; the demo cluster when `path` is undefined.
 * @example (await loadSnapshot(undefined, io)).snapshot.cluster.name // "demo"
 */
export async function loadSnapshot(path: string | undefined, io: CliIo): Promise<Required<LoadedInput>> {
  const file = path ?? DEMO_SNAPSHOT_PATH;
  const snapshot = validate(ClusterSnapshot, await readJson(file, io), path ?? "demo snapshot");
  return { snapshot, desired: reconcile(snapshot), source: path ?? "demo" };
}

/**
 * Reads either a snapshot (reconciled here) or an already computed DesiredState.
 * @example (await loadSnapshotOrDesired("desired.json", io)).desired.hash
 */
export async function loadSnapshotOrDesired(path: string, io: CliIo): Promise<LoadedInput> {
  const document = await readJson(path, io);
  if (isDesiredState(document)) return { desired: validate(DesiredState, document, path), source: path };
  const snapshot = validate(ClusterSnapshot, document, path);
  return { snapshot, desired: reconcile(snapshot), source: path };
}

function isDesiredState(document: unknown): boolean {
  return typeof document === "object" && document !== null && "hash" in document && "dns" in document && !("cluster" in document);
}
