/**
 * @module
 * The compacted snapshot of the file store, one object per line, so it is written and read
 * back in chunks rather than as one string the size of the cluster:
 *
 * ```
 * {"apiVersion":"wayfinder/v1","kind":"StoredCluster","cluster":..,"generation":..,"storedAt":..,"fields":{..},"counts":{..}}
 * {"tasks":{..task..}}            one line per task, app, agent and framework
 * {"allocation":["key","json"]}   one line per allocation object of the derived state
 * {"end":true}
 * ```
 * Written to a temporary file, fsynced and renamed over the old one, so a crash leaves one or
 * the other. Every line is validated again on reading.
 */
import { open, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { syncDirectory } from "../executor/files/durable-write.ts";
import { inputIssues } from "../snapshot/issues.ts";
import { MarathonApp } from "../snapshot/marathon.ts";
import { Agent, Framework, Task } from "../snapshot/schema.ts";
import { CHANGE_LISTS, type ChangeList } from "../snapshot/snapshot-change.ts";
import { KeyedSnapshot } from "./keyed-snapshot.ts";
import { readLines } from "./ndjson-file.ts";
import type { StoredCluster } from "./snapshot-store.ts";
import { ClusterFieldsSchema } from "./stored-schemas.ts";

const Counts = z.object({ tasks: z.number().int(), apps: z.number().int(), agents: z.number().int(), frameworks: z.number().int(), allocations: z.number().int() });

const Header = z.object({
  apiVersion: z.literal("wayfinder/v1"),
  kind: z.literal("StoredCluster"),
  cluster: z.string(),
  generation: z.number().int().nonnegative(),
  storedAt: z.string(),
  fields: ClusterFieldsSchema,
  counts: Counts,
});

const OBJECT_SCHEMAS = { tasks: Task, apps: MarathonApp, agents: Agent, frameworks: Framework } as const;

/** Lines per write call: large enough for few syscalls, small enough to never build the whole file in memory. */
const LINES_PER_WRITE = 2048;

/**
 * Writes `record` crash-safely to `path`; resolves with the file's size in bytes.
 * @example const bytes = await writeSnapshotFile("/var/lib/wayfinder/prod/snapshot.ndjson", record);
 */
export async function writeSnapshotFile(path: string, record: StoredCluster): Promise<number> {
  const temp = join(dirname(path), `.${basename(path)}.tmp`);
  const handle = await open(temp, "w", 0o644);
  let bytes = 0;
  try {
    const counts = { ...record.snapshot.counts(), allocations: record.allocations.size };
    let batch: string[] = [JSON.stringify({ apiVersion: "wayfinder/v1", kind: "StoredCluster", cluster: record.cluster, generation: record.generation, storedAt: record.storedAt, fields: record.snapshot.fields, counts })];
    const flush = async () => {
      const text = `${batch.join("\n")}\n`;
      batch = [];
      bytes += Buffer.byteLength(text);
      await handle.write(text);
    };
    for (const line of objectLines(record)) {
      batch.push(line);
      if (batch.length >= LINES_PER_WRITE) await flush();
    }
    batch.push('{"end":true}');
    await flush();
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temp, path);
  await syncDirectory(dirname(path));
  return bytes;
}

/** A snapshot file read back: the record and the file's size, or why it cannot be used. */
export type SnapshotFileRead = { record: StoredCluster; bytes: number } | { problem: string } | undefined;

/**
 * Reads the snapshot file of `cluster`; undefined when there is none.
 * @example const read = await readSnapshotFile(path, "prod");
 */
export async function readSnapshotFile(path: string, cluster: string): Promise<SnapshotFileRead> {
  const lines = readLines(path);
  const first = await lines.next();
  if (first.done === true) return first.value.partialBytes === 0 ? undefined : { problem: `${path}: cut short before its first line ends` };
  const header = parseLine(Header, first.value.text);
  if (typeof header === "string") return { problem: `${path}: line 1 is not a stored cluster header (${header})` };
  if (header.cluster !== cluster) return { problem: `${path}: holds cluster '${header.cluster}', not '${cluster}'` };
  const snapshot = KeyedSnapshot.from({ ...header.fields, tasks: [], marathonApps: [], agents: [], frameworks: [] });
  const allocations = new Map<string, string>();
  let ended = false;
  for (let next = await lines.next(); next.done !== true; next = await lines.next()) {
    const { text, number } = next.value;
    if (ended) return { problem: `${path}: line ${number} follows the end line` };
    const problem = readObjectLine(text, snapshot, allocations);
    if (problem === "end") ended = true;
    else if (problem !== undefined) return { problem: `${path}: line ${number} ${problem}` };
  }
  const counts = { ...snapshot.counts(), allocations: allocations.size };
  if (!ended || CHANGE_LISTS.some((kind) => counts[kind] !== header.counts[kind]) || counts.allocations !== header.counts.allocations) {
    return { problem: `${path}: incomplete (holds ${JSON.stringify(counts)}, its header promises ${JSON.stringify(header.counts)})` };
  }
  const { size } = await stat(path);
  return { record: { cluster, generation: header.generation, storedAt: header.storedAt, snapshot, allocations }, bytes: size };
}

function* objectLines(record: StoredCluster): Generator<string> {
  for (const kind of CHANGE_LISTS) for (const object of record.snapshot.objects[kind].values()) yield JSON.stringify({ [kind]: object });
  for (const entry of record.allocations) yield JSON.stringify({ allocation: entry });
}

/** Adds one object line to `snapshot` or `allocations`; "end" at the end line; otherwise what is wrong. */
function readObjectLine(text: string, snapshot: KeyedSnapshot, allocations: Map<string, string>): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `is not JSON (${(error as Error).message})`;
  }
  if (typeof value !== "object" || value === null) return "is not an object line";
  const entries = Object.entries(value);
  const [name, body] = entries[0] ?? [];
  if (entries.length !== 1 || name === undefined) return "is not an object line";
  if (name === "end") return "end";
  if (name === "allocation") {
    const pair = z.tuple([z.string(), z.string()]).safeParse(body);
    if (!pair.success) return "is not an allocation line";
    allocations.set(pair.data[0], pair.data[1]);
    return undefined;
  }
  if (!(CHANGE_LISTS as readonly string[]).includes(name)) return `names no kind of object ('${name}')`;
  const kind = name as ChangeList;
  const parsed = OBJECT_SCHEMAS[kind].safeParse(body);
  if (!parsed.success) {
    const issue = inputIssues(parsed.error)[0];
    return `is not a valid ${kind} object (${issue?.path || "(object)"}: ${issue?.message})`;
  }
  (snapshot.objects[kind] as Map<string, { id: string }>).set(parsed.data.id, parsed.data);
  return undefined;
}

function parseLine<S extends z.ZodType>(schema: S, text: string): z.infer<S> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = inputIssues(result.error)[0];
  return `${issue?.path || "(line)"}: ${issue?.message}`;
}
