/**
 * @module
 * The append-only change log of the file store: one line per generation,
 * `<sha256 of the JSON> <JSON of the StoredChange>\n`, appended and fdatasynced before the write
 * is acknowledged, so a PATCH costs the bytes it changes. Reading it back stops at the first
 * line that is cut short (no newline: the crash came mid-write, so it was never acknowledged),
 * fails its checksum or schema, or breaks the generation sequence; the file is truncated there
 * and the reason is reported, so a damaged tail is dropped once instead of failing every start.
 */
import { open, truncate, type FileHandle } from "node:fs/promises";
import { sha256Hex } from "../net/digest.ts";
import { inputIssues } from "../snapshot/issues.ts";
import { readLines, type FileLine } from "./ndjson-file.ts";
import type { StoredChange } from "./snapshot-store.ts";
import { StoredChangeSchema } from "./stored-schemas.ts";

/** What replaying a log found. */
export interface LogReplay {
  /** Entries applied (those above the base generation, in order). */
  applied: number;
  /** The log's size once any damaged tail is cut off. */
  bytes: number;
  /** Why a tail was dropped, for the operator's log; empty when the log was whole. */
  problems: string[];
}

/**
 * Applies every entry above `baseGeneration` to `apply`, in order, and truncates a damaged tail.
 * @example const replay = await replayChangeLog(path, 41, (change) => record = applyStoredChange(record, cluster, change));
 */
export async function replayChangeLog(path: string, baseGeneration: number, apply: (change: StoredChange) => void): Promise<LogReplay> {
  const lines = readLines(path);
  let expected = baseGeneration + 1;
  let good = 0;
  let applied = 0;
  for (let next = await lines.next(); ; next = await lines.next()) {
    if (next.done === true) {
      if (next.value.partialBytes === 0) return { applied, bytes: good, problems: [] };
      await truncate(path, good);
      return { applied, bytes: good, problems: [dropped(path, good, `its last ${next.value.partialBytes} bytes end without a newline (a write cut short, never acknowledged)`, expected - 1)] };
    }
    const line = next.value;
    const parsed = parseEntry(line);
    const problem = typeof parsed === "string" ? parsed : parsed.generation > expected ? `holds generation ${parsed.generation} where ${expected} was next` : undefined;
    if (problem !== undefined) {
      await truncate(path, good);
      return { applied, bytes: good, problems: [dropped(path, good, `line ${line.number} ${problem}`, expected - 1)] };
    }
    const change = parsed as StoredChange;
    if (change.generation === expected) {
      apply(change);
      applied += 1;
      expected += 1;
    }
    good = line.end;
  }
}

/**
 * The log open for appending.
 * @example const log = await ChangeLogFile.open(path, replay.bytes); await log.append(write);
 */
export class ChangeLogFile {
  readonly #handle: FileHandle;
  #bytes: number;

  private constructor(handle: FileHandle, bytes: number) {
    this.#handle = handle;
    this.#bytes = bytes;
  }

  static async open(path: string, bytes: number): Promise<ChangeLogFile> {
    return new ChangeLogFile(await open(path, "a", 0o644), bytes);
  }

  /** Bytes in the log. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Appends one generation and waits until it is on disk. */
  async append(change: StoredChange): Promise<void> {
    const line = logLine(change);
    await this.#handle.appendFile(line, "utf8");
    await this.#handle.datasync();
    this.#bytes += Buffer.byteLength(line);
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}

/**
 * One log line.
 * @example logLine(change) // "9f2c... {\"allocations\":...}\n"
 */
export function logLine(change: StoredChange): string {
  const json = JSON.stringify(change);
  return `${sha256Hex(json)} ${json}\n`;
}

function parseEntry(line: FileLine): StoredChange | string {
  const space = line.text.indexOf(" ");
  const json = line.text.slice(space + 1);
  if (space !== 64 || sha256Hex(json) !== line.text.slice(0, 64)) return "fails its checksum";
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return `is not JSON (${(error as Error).message})`;
  }
  const result = StoredChangeSchema.safeParse(value);
  if (!result.success) {
    const first = inputIssues(result.error)[0];
    return `is not a stored change (${first?.path || "(entry)"}: ${first?.message})`;
  }
  return result.data as StoredChange;
}

function dropped(path: string, byte: number, why: string, generation: number): string {
  return `${path}: from byte ${byte}, ${why}; dropped (the file is cut there), the cluster resumes at generation ${generation}`;
}
