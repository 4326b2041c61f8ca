/**
 * @module
 * Snapshots in a directory, one `<cluster>.json` each (Node: `wayfinder serve --store DIR`),
 * and each node's latest status under `<cluster>.nodes/` (`file-node-statuses.ts`).
 * Every write goes through a temporary file, fsync and rename, so a crash leaves the old file
 * or the new one; the memory copy changes only after the file did. On start every file is
 * read and validated again: one that fails is reported and skipped (and left on disk for the
 * operator to look at), the others serve.
 */
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { canonicalJson } from "../net/canonical-json.ts";
import { writeFileDurably } from "../executor/files/durable-write.ts";
import { inputIssues } from "../snapshot/issues.ts";
import { ClusterSnapshot } from "../snapshot/schema.ts";
import { isClusterName, nextRecord, type SnapshotStore, type StoredSnapshot } from "./snapshot-store.ts";
import { FileNodeStatuses } from "./file-node-statuses.ts";
import type { StoredNodeStatus } from "./node-status.ts";
import { compareStrings } from "../net/compare.ts";

const StoredFile = z.object({
  apiVersion: z.literal("wayfinder/v1"),
  kind: z.literal("StoredSnapshot"),
  cluster: z.string(),
  generation: z.number().int().positive(),
  storedAt: z.string(),
  snapshot: ClusterSnapshot,
});

/**
 * @example
 * const { store, problems } = await FileSnapshotStore.open("/var/lib/wayfinder/snapshots");
 * for (const p of problems) log(p);
 */
export class FileSnapshotStore implements SnapshotStore {
  readonly #dir: string;
  readonly #records: Map<string, StoredSnapshot>;
  readonly #statuses: FileNodeStatuses;

  private constructor(dir: string, records: Map<string, StoredSnapshot>, statuses: FileNodeStatuses) {
    this.#dir = dir;
    this.#records = records;
    this.#statuses = statuses;
  }

  /** Opens (creating) `dir` and loads every stored snapshot; `problems` names each file skipped and why. */
  static async open(dir: string): Promise<{ store: FileSnapshotStore; problems: string[] }> {
    await mkdir(dir, { recursive: true });
    const records = new Map<string, StoredSnapshot>();
    const problems: string[] = [];
    for (const name of (await readdir(dir)).sort()) {
      if (!name.endsWith(".json")) continue;
      const path = join(dir, name);
      const cluster = name.slice(0, -".json".length);
      if (!isClusterName(cluster)) continue;
      let parsed: z.ZodSafeParseResult<z.infer<typeof StoredFile>>;
      try {
        parsed = StoredFile.safeParse(JSON.parse(await readFile(path, "utf8")));
      } catch (error) {
        problems.push(`${path}: not valid JSON (${(error as Error).message}); skipped`);
        continue;
      }
      if (!parsed.success) {
        const first = inputIssues(parsed.error).slice(0, 3).map((i) => `${i.path || "(document)"}: ${i.message}`);
        problems.push(`${path}: not a stored snapshot (${first.join("; ")}); skipped`);
        continue;
      }
      if (parsed.data.cluster !== cluster) {
        problems.push(`${path}: holds cluster '${parsed.data.cluster}', not '${cluster}'; skipped`);
        continue;
      }
      const { generation, storedAt, snapshot } = parsed.data;
      records.set(cluster, { cluster, generation, storedAt, snapshot });
    }
    const nodes = await FileNodeStatuses.open(dir, isClusterName);
    return { store: new FileSnapshotStore(dir, records, nodes.statuses), problems: [...problems, ...nodes.problems] };
  }

  async clusters(): Promise<string[]> {
    return [...this.#records.keys()].sort(compareStrings);
  }

  nodeStatuses(cluster: string): Promise<ReadonlyMap<string, StoredNodeStatus>> {
    return this.#statuses.nodeStatuses(cluster);
  }

  putNodeStatus(cluster: string, status: StoredNodeStatus): Promise<void> {
    return this.#statuses.putNodeStatus(cluster, status);
  }

  async get(cluster: string): Promise<StoredSnapshot | undefined> {
    return this.#records.get(cluster);
  }

  async put(cluster: string, snapshot: ClusterSnapshot, storedAt: string): Promise<StoredSnapshot> {
    if (!isClusterName(cluster)) throw new Error(`'${cluster}' is not a valid cluster name`);
    const record = nextRecord(this.#records.get(cluster), cluster, snapshot, storedAt);
    await writeFileDurably(join(this.#dir, `${cluster}.json`), canonicalJson({ apiVersion: "wayfinder/v1", kind: "StoredSnapshot", ...record }));
    this.#records.set(cluster, record);
    return record;
  }
}
