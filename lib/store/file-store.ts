/**
 * @module
 * Clusters in a directory (Node: `wayfinder serve --store DIR`), one folder per cluster:
 *
 * - `DIR/<cluster>/snapshot.ndjson`: the cluster at some generation, one object per line
 *   (`snapshot-file.ts`), replaced crash-safely;
 * - `DIR/<cluster>/changes.ndjson`: every generation since, one checksummed line each, appended
 *   and fdatasynced before the write is acknowledged (`change-log-file.ts`).
 *
 * - `DIR/<cluster>/nodes/`: each node's latest status report, one file per node
 *   (`file-node-statuses.ts`).
 *
 * A write costs what it changes. When the log outgrows the snapshot file (and a floor of
 * {@link COMPACT_MIN_BYTES}), the cluster is compacted: a new snapshot file, then an empty log,
 * so the work of rewriting the cluster is paid at most once per its own size of changes. On
 * start each cluster is read back and its log replayed; a damaged log tail is cut off and
 * reported, a damaged snapshot file makes that cluster unavailable (reported, left on disk for
 * the operator) while the others serve. A `DIR/<cluster>.json` of the earlier one-file layout
 * is migrated on start.
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { syncDirectory } from "../executor/files/durable-write.ts";
import { inputIssues } from "../snapshot/issues.ts";
import { ClusterSnapshot } from "../snapshot/schema.ts";
import { ChangeLogFile, replayChangeLog } from "./change-log-file.ts";
import { KeyedSnapshot } from "./keyed-snapshot.ts";
import { readSnapshotFile, writeSnapshotFile } from "./snapshot-file.ts";
import { FileNodeStatuses } from "./file-node-statuses.ts";
import type { StoredNodeStatus } from "./node-status.ts";
import { compareStrings } from "../net/compare.ts";
import { applyStoredChange, checkNextGeneration, isClusterName, type SnapshotStore, type StoredChange, type StoredCluster } from "./snapshot-store.ts";

/** The log is compacted once it is larger than the snapshot file and than this. */
export const COMPACT_MIN_BYTES = 4 * 1024 * 1024;

const SNAPSHOT_FILE = "snapshot.ndjson";
const LOG_FILE = "changes.ndjson";

/** The one-file layout of earlier versions: `DIR/<cluster>.json`. */
const LegacyFile = z.object({
  apiVersion: z.literal("wayfinder/v1"),
  kind: z.literal("StoredSnapshot"),
  cluster: z.string(),
  generation: z.number().int().positive(),
  storedAt: z.string(),
  snapshot: ClusterSnapshot,
});

export interface FileStoreOptions {
  /** See {@link COMPACT_MIN_BYTES}. */
  compactMinBytes?: number;
  /** Where a failed background compaction is reported (the writes themselves still succeed). */
  onProblem?: (line: string) => void;
}

interface OpenCluster {
  record: StoredCluster;
  log: ChangeLogFile;
  snapshotBytes: number;
  /** A compaction under way: the next write waits for it. */
  compacting: Promise<void> | undefined;
}

/**
 * @example
 * const { store, problems } = await FileSnapshotStore.open("/var/lib/wayfinder/snapshots");
 * for (const p of problems) log(p);
 */
export class FileSnapshotStore implements SnapshotStore {
  readonly #dir: string;
  readonly #clusters: Map<string, OpenCluster>;
  readonly #compactMin: number;
  readonly #onProblem: (line: string) => void;
  readonly #statuses: FileNodeStatuses;

  private constructor(dir: string, clusters: Map<string, OpenCluster>, statuses: FileNodeStatuses, options: FileStoreOptions) {
    this.#dir = dir;
    this.#statuses = statuses;
    this.#clusters = clusters;
    this.#compactMin = options.compactMinBytes ?? COMPACT_MIN_BYTES;
    this.#onProblem = options.onProblem ?? (() => {});
  }

  /** Opens (creating) `dir` and loads every cluster in it; `problems` says what was skipped or cut and why. */
  static async open(dir: string, options: FileStoreOptions = {}): Promise<{ store: FileSnapshotStore; problems: string[] }> {
    await mkdir(dir, { recursive: true });
    const clusters = new Map<string, OpenCluster>();
    const problems: string[] = [];
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      if (name.endsWith(".json") && isClusterName(name.slice(0, -5)) && !names.includes(name.slice(0, -5))) problems.push(...(await migrateLegacy(dir, name.slice(0, -5))));
    }
    for (const name of (await readdir(dir)).sort()) {
      if (!isClusterName(name) || !(await stat(join(dir, name))).isDirectory()) continue;
      const read = await readSnapshotFile(join(dir, name, SNAPSHOT_FILE), name);
      if (read === undefined) continue;
      if ("problem" in read) {
        problems.push(`${read.problem}; cluster '${name}' skipped`);
        continue;
      }
      let record = read.record;
      const logPath = join(dir, name, LOG_FILE);
      const replay = await replayChangeLog(logPath, record.generation, (change) => (record = applyStoredChange(record, name, change)));
      problems.push(...replay.problems);
      clusters.set(name, { record, log: await ChangeLogFile.open(logPath, replay.bytes), snapshotBytes: read.bytes, compacting: undefined });
    }
    const nodes = await FileNodeStatuses.open(dir, isClusterName);
    return { store: new FileSnapshotStore(dir, clusters, nodes.statuses, options), problems: [...problems, ...nodes.problems] };
  }

  async clusters(): Promise<string[]> {
    return [...this.#clusters.keys()].sort(compareStrings);
  }

  nodeStatuses(cluster: string): Promise<ReadonlyMap<string, StoredNodeStatus>> {
    return this.#statuses.nodeStatuses(cluster);
  }

  putNodeStatus(cluster: string, status: StoredNodeStatus): Promise<void> {
    return this.#statuses.putNodeStatus(cluster, status);
  }

  async get(cluster: string): Promise<StoredCluster | undefined> {
    return this.#clusters.get(cluster)?.record;
  }

  async commit(cluster: string, write: StoredChange): Promise<StoredCluster> {
    if (!isClusterName(cluster)) throw new Error(`'${cluster}' is not a valid cluster name`);
    const open = this.#clusters.get(cluster);
    await open?.compacting;
    checkNextGeneration(cluster, open?.record, write);
    if (open === undefined) return this.#create(cluster, write);
    await open.log.append(write);
    applyStoredChange(open.record, cluster, write);
    if (open.log.bytes > Math.max(this.#compactMin, open.snapshotBytes)) {
      open.compacting = this.#compact(cluster, open).catch((error: Error) => this.#onProblem(`wayfinder store: compacting '${cluster}' failed (${error.message}); its change log keeps growing until a later write compacts it`)).finally(() => (open.compacting = undefined));
    }
    return open.record;
  }

  /** Closes the logs (tests, shutdown). */
  async close(): Promise<void> {
    for (const open of this.#clusters.values()) {
      await open.compacting;
      await open.log.close();
    }
  }

  async #create(cluster: string, write: StoredChange): Promise<StoredCluster> {
    const folder = join(this.#dir, cluster);
    await mkdir(folder, { recursive: true });
    const record = applyStoredChange(undefined, cluster, write);
    const snapshotBytes = await writeSnapshotFile(join(folder, SNAPSHOT_FILE), record);
    await rm(join(folder, LOG_FILE), { force: true });
    this.#clusters.set(cluster, { record, log: await ChangeLogFile.open(join(folder, LOG_FILE), 0), snapshotBytes, compacting: undefined });
    return record;
  }

  /** A new snapshot file at the current generation, then an empty log (entries at or below it are skipped on replay if a crash comes between). */
  async #compact(cluster: string, open: OpenCluster): Promise<void> {
    const folder = join(this.#dir, cluster);
    open.snapshotBytes = await writeSnapshotFile(join(folder, SNAPSHOT_FILE), open.record);
    const temp = join(folder, `.${LOG_FILE}.tmp`);
    await writeFile(temp, "");
    await open.log.close();
    await rename(temp, join(folder, LOG_FILE));
    await syncDirectory(folder);
    open.log = await ChangeLogFile.open(join(folder, LOG_FILE), 0);
  }
}

/** Rewrites `DIR/<cluster>.json` as `DIR/<cluster>/` and removes it; problems when it cannot be used. */
async function migrateLegacy(dir: string, cluster: string): Promise<string[]> {
  const path = join(dir, `${cluster}.json`);
  let parsed: z.ZodSafeParseResult<z.infer<typeof LegacyFile>>;
  try {
    parsed = LegacyFile.safeParse(JSON.parse(await readFile(path, "utf8")));
  } catch (error) {
    return [`${path}: not valid JSON (${(error as Error).message}); skipped`];
  }
  if (!parsed.success) {
    const first = inputIssues(parsed.error).slice(0, 3).map((i) => `${i.path || "(document)"}: ${i.message}`);
    return [`${path}: not a stored snapshot (${first.join("; ")}); skipped`];
  }
  if (parsed.data.cluster !== cluster) return [`${path}: holds cluster '${parsed.data.cluster}', not '${cluster}'; skipped`];
  const { generation, storedAt, snapshot } = parsed.data;
  await mkdir(join(dir, cluster), { recursive: true });
  await writeSnapshotFile(join(dir, cluster, SNAPSHOT_FILE), { cluster, generation, storedAt, snapshot: KeyedSnapshot.from(snapshot), allocations: new Map() });
  await rm(path);
  await syncDirectory(dir);
  return [`${path}: migrated to ${join(dir, cluster)}/ (generation ${generation})`];
}
