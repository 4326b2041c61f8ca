/**
 * @module
 * Node status reports in files (Node: `wayfinder serve --store DIR`): one file per node under
 * `DIR/<cluster>/nodes/`, beside the cluster's snapshot and change log, so a report rewrites one small file, never one holding every node.
 * Each write goes through a temporary file and a rename, one at a time per node. On start
 * every file is read and validated; one that fails is reported and skipped (and left on disk).
 */
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { canonicalJson } from "../net/canonical-json.ts";
import { sha256Hex } from "../net/digest.ts";
import { writeFileDurably } from "../executor/files/durable-write.ts";
import { inputIssues } from "../snapshot/issues.ts";
import { compareStrings } from "../net/compare.ts";
import { StoredNodeStatus, type NodeStatusStore } from "./node-status.ts";

const StatusFile = z.object({ apiVersion: z.literal("wayfinder/v1"), kind: z.literal("NodeStatus"), cluster: z.string(), status: StoredNodeStatus });

const NODES_DIR = "nodes";

/**
 * @example
 * const { statuses, problems } = await FileNodeStatuses.open("/var/lib/wayfinder/snapshots");
 */
export class FileNodeStatuses implements NodeStatusStore {
  readonly #dir: string;
  readonly #clusters: Map<string, Map<string, StoredNodeStatus>>;
  /** The write in flight per file, so two reports of one node never share a temporary file. */
  readonly #writing = new Map<string, Promise<void>>();

  private constructor(dir: string, clusters: Map<string, Map<string, StoredNodeStatus>>) {
    this.#dir = dir;
    this.#clusters = clusters;
  }

  /** Loads every `<cluster>/nodes/` directory of `dir`; `problems` names each file skipped and why. */
  static async open(dir: string, isCluster: (name: string) => boolean): Promise<{ statuses: FileNodeStatuses; problems: string[] }> {
    const clusters = new Map<string, Map<string, StoredNodeStatus>>();
    const problems: string[] = [];
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => compareStrings(a.name, b.name))) {
      const cluster = entry.name;
      if (!entry.isDirectory() || !isCluster(cluster)) continue;
      const nodes = new Map<string, StoredNodeStatus>();
      let files: string[];
      try {
        files = (await readdir(join(dir, cluster, NODES_DIR))).sort(compareStrings);
      } catch {
        continue;
      }
      for (const name of files) {
        if (!name.endsWith(".json")) continue;
        const path = join(dir, cluster, NODES_DIR, name);
        const problem = await readStatus(path, cluster, nodes);
        if (problem !== undefined) problems.push(`${path}: ${problem}; skipped`);
      }
      clusters.set(cluster, nodes);
    }
    return { statuses: new FileNodeStatuses(dir, clusters), problems };
  }

  async nodeStatuses(cluster: string): Promise<ReadonlyMap<string, StoredNodeStatus>> {
    return this.#clusters.get(cluster) ?? new Map();
  }

  async putNodeStatus(cluster: string, status: StoredNodeStatus): Promise<void> {
    const dir = join(this.#dir, cluster, NODES_DIR);
    const path = join(dir, fileName(status.agentId));
    const previous = this.#writing.get(path) ?? Promise.resolve();
    const write = previous.catch(() => {}).then(async () => {
      await mkdir(dir, { recursive: true });
      await writeFileDurably(path, canonicalJson({ apiVersion: "wayfinder/v1", kind: "NodeStatus", cluster, status }));
    });
    this.#writing.set(path, write);
    try {
      await write;
    } finally {
      if (this.#writing.get(path) === write) this.#writing.delete(path);
    }
    let nodes = this.#clusters.get(cluster);
    if (nodes === undefined) this.#clusters.set(cluster, (nodes = new Map()));
    nodes.set(status.agentId, status);
  }
}

async function readStatus(path: string, cluster: string, into: Map<string, StoredNodeStatus>): Promise<string | undefined> {
  let parsed: z.ZodSafeParseResult<z.infer<typeof StatusFile>>;
  try {
    parsed = StatusFile.safeParse(JSON.parse(await readFile(path, "utf8")));
  } catch (error) {
    return `not valid JSON (${(error as Error).message})`;
  }
  if (!parsed.success) return `not a node status (${inputIssues(parsed.error).slice(0, 3).map((i) => `${i.path || "(document)"}: ${i.message}`).join("; ")})`;
  if (parsed.data.cluster !== cluster) return `holds cluster '${parsed.data.cluster}', not '${cluster}'`;
  into.set(parsed.data.status.agentId, parsed.data.status);
  return undefined;
}

/**
 * A file name for any agent id: percent-encoded (no `/`, no `.` so never `..`), or its
 * sha256 when that would be too long for a file system.
 * @example fileName("7c1f-S0") // "7c1f-S0.json"
 */
export function fileName(agentId: string): string {
  const encoded = encodeURIComponent(agentId).replaceAll(".", "%2E");
  return `${encoded.length > 200 ? sha256Hex(agentId) : encoded}.json`;
}
