/**
 * @module
 * The files of a keyed store (`<prefix>.current`, `<prefix>.<epoch>.snapshot`,
 * `<prefix>.<epoch>.journal`), one JSON object per line: the agent persists its view in one and
 * hands the DNS server its zones in another. A snapshot is every key at one generation,
 * closed by an `end` line that counts them (a snapshot without it was cut short); a journal
 * holds the batches since, each closed by its `commit` (lines after the last commit are a
 * batch that never completed). A batch costs its own lines; the snapshot is rewritten only
 * when the journal has grown to a fair share of it (compaction).
 *
 * | file | line | fields |
 * |---|---|---|
 * | `.current` | (the whole file) | `{"epoch":E}` |
 * | snapshot | header | `{"kind":"KeyedSnapshot","apiVersion":"wayfinder/v1","generation":G,"hash":H}` |
 * | snapshot | entry | `{"key":K,"hash":h,"value":V}` (`value` absent: the store keeps only the hash) |
 * | snapshot | end | `{"end":true,"count":N}` |
 * | journal | header | `{"kind":"KeyedJournal","apiVersion":"wayfinder/v1","generation":G,"hash":H}`: the snapshot it extends |
 * | journal | upsert | `{"type":"upsert","key":K,"hash":h,"value":V}` |
 * | journal | delete | `{"type":"delete","key":K}` |
 * | journal | commit | `{"type":"commit","generation":G,"hash":H}` |
 */
import { z } from "zod";

const Generation = z.number().int().nonnegative();
const Hash = z.string().min(1);
const Key = z.string().min(1);

export const CurrentFile = z.object({ epoch: z.number().int().nonnegative() });
export const SnapshotHeader = z.object({ kind: z.literal("KeyedSnapshot"), apiVersion: z.literal("wayfinder/v1"), generation: Generation, hash: Hash });
export const SnapshotEnd = z.object({ end: z.literal(true), count: z.number().int().nonnegative() });
export const JournalHeader = z.object({ kind: z.literal("KeyedJournal"), apiVersion: z.literal("wayfinder/v1"), generation: Generation, hash: Hash });
export const StoreEntry = z.object({ key: Key, hash: Hash, value: z.unknown().optional() });
export const JournalLine = z.discriminatedUnion("type", [
  z.object({ type: z.literal("upsert"), key: Key, hash: Hash, value: z.unknown().optional() }),
  z.object({ type: z.literal("delete"), key: Key }),
  z.object({ type: z.literal("commit"), generation: Generation, hash: Hash }),
]);

/** One key as a store holds it; `value` absent when the store keeps only hashes for it. */
export type StoreEntry = z.infer<typeof StoreEntry>;

/** One committed batch of a journal. */
export interface StoreBatch {
  generation: number;
  hash: string;
  upserts: StoreEntry[];
  deletes: string[];
}

/** The generation a store holds and its hash. */
export interface StoreVersion {
  generation: number;
  hash: string;
}

/**
 * The file names of a store's epoch.
 * @example storeFiles("/var/lib/wayfinder/dns", "zones", 3).journal // "/var/lib/wayfinder/dns/zones.3.journal"
 */
export function storeFiles(dir: string, prefix: string, epoch: number): { snapshot: string; journal: string } {
  return { snapshot: `${dir}/${prefix}.${epoch}.snapshot`, journal: `${dir}/${prefix}.${epoch}.journal` };
}

/** @example currentFile("/var/lib/wayfinder/dns", "zones") // "/var/lib/wayfinder/dns/zones.current" */
export function currentFile(dir: string, prefix: string): string {
  return `${dir}/${prefix}.current`;
}

/**
 * An entry's line, around a value already in JSON (so it is never serialised twice).
 * @example entryLine("dns/aliases", "4f53…", "[]") // '{"key":"dns/aliases","hash":"4f53…","value":[]}\n'
 */
export function entryLine(key: string, hash: string, valueJson: string | undefined): string {
  return `{"key":${JSON.stringify(key)},"hash":${JSON.stringify(hash)}${valueJson === undefined ? "" : `,"value":${valueJson}`}}\n`;
}

/** @example upsertLine("dns/aliases", "4f53…", "[]") // '{"type":"upsert","key":"dns/aliases","hash":"4f53…","value":[]}\n' */
export function upsertLine(key: string, hash: string, valueJson: string | undefined): string {
  return `{"type":"upsert","key":${JSON.stringify(key)},"hash":${JSON.stringify(hash)}${valueJson === undefined ? "" : `,"value":${valueJson}`}}\n`;
}

/** @example deleteLine("dns/aliases") // '{"type":"delete","key":"dns/aliases"}\n' */
export function deleteLine(key: string): string {
  return `{"type":"delete","key":${JSON.stringify(key)}}\n`;
}

/** @example commitLine({ generation: 7, hash: "ab…" }) // '{"type":"commit","generation":7,"hash":"ab…"}\n' */
export function commitLine(version: StoreVersion): string {
  return `{"type":"commit","generation":${version.generation},"hash":${JSON.stringify(version.hash)}}\n`;
}

/** @example snapshotHeaderLine({ generation: 7, hash: "ab…" }) */
export function snapshotHeaderLine(version: StoreVersion): string {
  return `${JSON.stringify({ kind: "KeyedSnapshot", apiVersion: "wayfinder/v1", generation: version.generation, hash: version.hash })}\n`;
}

/** @example journalHeaderLine({ generation: 7, hash: "ab…" }) */
export function journalHeaderLine(version: StoreVersion): string {
  return `${JSON.stringify({ kind: "KeyedJournal", apiVersion: "wayfinder/v1", generation: version.generation, hash: version.hash })}\n`;
}

/** @example snapshotEndLine(3) // '{"end":true,"count":3}\n' */
export function snapshotEndLine(count: number): string {
  return `{"end":true,"count":${count}}\n`;
}

/** A store file that cannot be read as one; the message names the file and the line. */
export class StoreDamagedError extends Error {
  override readonly name = "StoreDamagedError";
}

/**
 * One line parsed with `schema`, or a `StoreDamagedError` naming the file and line number.
 * @example parseLine(JournalLine, text, "zones.3.journal", 12)
 */
export function parseLine<S extends z.ZodType>(schema: S, text: string, file: string, line: number): z.infer<S> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new StoreDamagedError(`${file}: line ${line} is not JSON (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(document);
  if (!parsed.success) throw new StoreDamagedError(`${file}: line ${line} is not what it should be (${parsed.error.issues.map((i) => `${i.path.join(".") || "(line)"}: ${i.message}`).join("; ")})`);
  return parsed.data;
}
