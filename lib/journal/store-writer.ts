/**
 * @module
 * Writes a keyed store (`store-format.ts`): `append` adds one committed batch to the journal
 * (one write, one fdatasync: it costs the batch's bytes), `replace` starts a new epoch from a
 * whole set of entries (a relist), and compaction folds the journal into a new snapshot once
 * it has grown to a quarter of the snapshot. Compaction streams the old snapshot (only the
 * journal's keys are held in memory) and runs beside the appends: batches appended meanwhile
 * are copied into the new journal before the new epoch is switched on by renaming
 * `.current`, so a reader following the old journal finds them again in the new one. The
 * epoch before the current one stays on disk, for readers that find the current one damaged.
 */
import { open, readFile, rename, rm, stat, type FileHandle } from "node:fs/promises";
import { writeFileDurably } from "../executor/files/durable-write.ts";
import { fileLines } from "./line-reader.ts";
import { readJournal, type StoreSink } from "./store-reader.ts";
import {
  CurrentFile,
  commitLine,
  currentFile,
  deleteLine,
  entryLine,
  journalHeaderLine,
  parseLine,
  SnapshotEnd,
  SnapshotHeader,
  snapshotEndLine,
  snapshotHeaderLine,
  StoreDamagedError,
  storeFiles,
  upsertLine,
  type StoreBatch,
  type StoreVersion,
} from "./store-format.ts";

/** One key to write: its hash, and its value as JSON unless the store keeps only the hash. */
export interface WriteEntry {
  key: string;
  hash: string;
  valueJson?: string;
}

/** A batch to append: the generation it commits, the keys set and removed. */
export interface WriteBatch {
  version: StoreVersion;
  upserts: readonly WriteEntry[];
  deletes: readonly string[];
}

export interface StoreWriterOptions {
  /** Compact once the journal exceeds this share of the snapshot. Default 0.25. */
  compactRatio?: number;
  /** ... and at least this many bytes. Default 4 MiB. */
  compactMinBytes?: number;
}

/**
 * @example
 * const { writer, problems } = await KeyedStoreWriter.open("/var/lib/wayfinder/dns", "zones");
 * if (writer.version === undefined) await writer.replace(entries, version);
 * else await writer.append(batch);
 */
export class KeyedStoreWriter {
  #epoch = -1;
  #version: StoreVersion | undefined;
  #journal: FileHandle | undefined;
  #journalBytes = 0;
  #snapshotBytes = 0;
  /** Appends and epoch switches run one at a time. */
  #lock: Promise<unknown> = Promise.resolve();
  #compacting: Promise<void> | undefined;
  readonly #options: Required<StoreWriterOptions>;

  private constructor(
    readonly dir: string,
    readonly prefix: string,
    options: StoreWriterOptions,
  ) {
    this.#options = { compactRatio: 0.25, compactMinBytes: 4 << 20, ...options };
  }

  /**
   * Opens the store for writing. A journal tail that never committed is cut off; a store whose
   * current epoch is damaged is reported and left without a version: the next write must be a
   * `replace`.
   */
  static async open(dir: string, prefix: string, options: StoreWriterOptions = {}): Promise<{ writer: KeyedStoreWriter; problems: string[] }> {
    const writer = new KeyedStoreWriter(dir, prefix, options);
    const problems: string[] = [];
    try {
      await writer.#resume(problems);
    } catch (error) {
      if (!(error instanceof StoreDamagedError)) throw error;
      problems.push(`${error.message}; the store is written afresh at the next full sync`);
      await writer.#closeJournal();
      writer.#version = undefined;
    }
    return { writer, problems };
  }

  /** The generation the store holds; undefined when it holds none (never written, or damaged). */
  get version(): StoreVersion | undefined {
    return this.#version;
  }

  /** Appends one batch and makes it durable; returns the bytes written. */
  append(batch: WriteBatch): Promise<number> {
    return this.#locked(async () => {
      if (this.#journal === undefined || this.#version === undefined) throw new Error(`${this.dir}/${this.prefix}: the store holds no generation to append to; write it whole first`);
      let text = "";
      for (const entry of batch.upserts) text += upsertLine(entry.key, entry.hash, entry.valueJson);
      for (const key of batch.deletes) text += deleteLine(key);
      text += commitLine(batch.version);
      const bytes = Buffer.byteLength(text);
      await this.#journal.write(text, this.#journalBytes);
      await this.#journal.datasync();
      this.#journalBytes += bytes;
      this.#version = batch.version;
      this.#maybeCompact();
      return bytes;
    });
  }

  /** Starts a new epoch holding exactly `entries` at `version`. */
  replace(entries: Iterable<WriteEntry>, version: StoreVersion): Promise<void> {
    return this.#locked(async () => {
      const epoch = this.#epoch + 1;
      const files = storeFiles(this.dir, this.prefix, epoch);
      const snapshot = await open(files.snapshot, "w", 0o644);
      let bytes = 0;
      try {
        let count = 0;
        let chunk = snapshotHeaderLine(version);
        for (const entry of entries) {
          chunk += entryLine(entry.key, entry.hash, entry.valueJson);
          count++;
          if (chunk.length > 1 << 20) {
            bytes += (await snapshot.write(chunk)).bytesWritten;
            chunk = "";
          }
        }
        bytes += (await snapshot.write(chunk + snapshotEndLine(count))).bytesWritten;
        await snapshot.sync();
      } finally {
        await snapshot.close();
      }
      await this.#switchTo(epoch, version, bytes, "");
    });
  }

  /** Waits for a compaction in progress (tests, shutdown). */
  async settled(): Promise<void> {
    await this.#lock;
    await this.#compacting;
  }

  async close(): Promise<void> {
    await this.settled();
    await this.#closeJournal();
  }

  async #resume(problems: string[]): Promise<void> {
    const pointer = currentFile(this.dir, this.prefix);
    let text: string;
    try {
      text = await readFile(pointer, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw new StoreDamagedError(`${pointer}: cannot read (${(error as NodeJS.ErrnoException).code})`);
    }
    this.#epoch = parseLine(CurrentFile, text, pointer, 1).epoch;
    const files = storeFiles(this.dir, this.prefix, this.#epoch);
    const base = await snapshotVersion(files.snapshot);
    this.#snapshotBytes = (await stat(files.snapshot)).size;
    const journal = await readJournal(files.journal, base, { start: 0 }, IGNORE, problems);
    this.#journal = await open(files.journal, "a+");
    if (journal.end === 0) {
      // No journal, or not even its header: start it again.
      await this.#journal.truncate(0);
      const header = journalHeaderLine(base);
      await this.#journal.write(header, 0);
      this.#journalBytes = Buffer.byteLength(header);
    } else {
      if (journal.tail > 0) await this.#journal.truncate(journal.end);
      this.#journalBytes = journal.end;
    }
    await this.#journal.datasync();
    this.#version = journal.version;
  }

  #maybeCompact(): void {
    if (this.#compacting !== undefined) return;
    if (this.#journalBytes < Math.max(this.#options.compactMinBytes, this.#snapshotBytes * this.#options.compactRatio)) return;
    this.#compacting = this.#compact().finally(() => (this.#compacting = undefined));
    // A failed compaction leaves the current epoch as it was; appends go on.
    this.#compacting.catch(() => {});
  }

  /** Folds the journal up to now into a new snapshot, off the append path. */
  async #compact(): Promise<void> {
    const epoch = this.#epoch;
    const foldEnd = this.#journalBytes;
    const foldVersion = this.#version!;
    const files = storeFiles(this.dir, this.prefix, epoch);
    const next = storeFiles(this.dir, this.prefix, epoch + 1);
    const changed = new Map<string, WriteEntry | null>();
    const base = await snapshotVersion(files.snapshot);
    await readJournal(files.journal, base, { start: 0, until: foldEnd }, {
      entry: () => {},
      batch: (batch: StoreBatch) => {
        for (const u of batch.upserts) changed.set(u.key, { key: u.key, hash: u.hash, ...(u.value === undefined ? {} : { valueJson: JSON.stringify(u.value) }) });
        for (const key of batch.deletes) changed.set(key, null);
      },
    }, []).then((read) => {
      if (read.end < foldEnd) throw new Error(`${files.journal}: shorter than written`);
    });
    const staged = `${next.snapshot}.tmp`;
    const bytes = await foldSnapshot(files.snapshot, staged, foldVersion, changed);
    await this.#locked(async () => {
      // A `replace` took over meanwhile: this fold is of an epoch no longer current.
      if (this.#epoch !== epoch) return rm(staged, { force: true });
      await rename(staged, next.snapshot);
      // Batches appended while folding go into the new journal as they are.
      const tail = Buffer.alloc(this.#journalBytes - foldEnd);
      if (tail.length > 0) await this.#journal!.read(tail, 0, tail.length, foldEnd);
      await this.#switchTo(epoch + 1, foldVersion, bytes, tail.toString("utf8"), this.#version);
    });
  }

  /** Writes the new epoch's journal, points `.current` at it and drops the epoch before the previous one. */
  async #switchTo(epoch: number, base: StoreVersion, snapshotBytes: number, carried: string, version: StoreVersion = base): Promise<void> {
    const files = storeFiles(this.dir, this.prefix, epoch);
    const journal = await open(files.journal, "w+", 0o644);
    const text = journalHeaderLine(base) + carried;
    await journal.write(text, 0);
    await journal.sync();
    await writeFileDurably(currentFile(this.dir, this.prefix), `${JSON.stringify({ epoch })}\n`);
    await this.#closeJournal();
    this.#journal = journal;
    this.#journalBytes = Buffer.byteLength(text);
    this.#snapshotBytes = snapshotBytes;
    this.#epoch = epoch;
    this.#version = version;
    for (let old = epoch - 2; old >= 0; old--) {
      const stale = storeFiles(this.dir, this.prefix, old);
      const gone = await stat(stale.snapshot).then(() => false, () => true);
      await rm(stale.snapshot, { force: true });
      await rm(stale.journal, { force: true });
      if (gone) break;
    }
  }

  async #closeJournal(): Promise<void> {
    const journal = this.#journal;
    this.#journal = undefined;
    await journal?.close();
  }

  #locked<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(work, work);
    this.#lock = run.catch(() => {});
    return run;
  }
}

const IGNORE: StoreSink = { entry: () => {}, batch: () => {} };

/** A snapshot's version, after checking that it ends with its end line (it was not cut short). */
async function snapshotVersion(path: string): Promise<StoreVersion> {
  const handle = await open(path, "r").catch((error: NodeJS.ErrnoException) => {
    throw new StoreDamagedError(`${path}: cannot open (${error.code ?? error.message})`);
  });
  try {
    const size = (await handle.stat()).size;
    const head = Buffer.alloc(Math.min(size, 4096));
    await handle.read(head, 0, head.length, 0);
    const firstLine = head.toString("utf8").split("\n")[0]!;
    const header = parseLine(SnapshotHeader, firstLine, path, 1);
    const tail = Buffer.alloc(Math.min(size, 256));
    await handle.read(tail, 0, tail.length, size - tail.length);
    const lines = tail.toString("utf8").split("\n");
    if (lines.at(-1) !== "" || lines.length < 2) throw new StoreDamagedError(`${path}: cut short (no end line): truncated`);
    parseLine(SnapshotEnd, lines.at(-2)!, path, 0);
    return { generation: header.generation, hash: header.hash };
  } finally {
    await handle.close();
  }
}

/** Streams `from` into `to` with `changed` applied; returns the bytes written. */
async function foldSnapshot(from: string, to: string, version: StoreVersion, changed: Map<string, WriteEntry | null>): Promise<number> {
  const input = await open(from, "r");
  const output = await open(to, "w", 0o644);
  try {
    let chunk = snapshotHeaderLine(version);
    let bytes = 0;
    let count = 0;
    const flush = async (force: boolean) => {
      if (!force && chunk.length < 1 << 20) return;
      bytes += (await output.write(chunk)).bytesWritten;
      chunk = "";
    };
    const lines = fileLines(input, 0);
    let first = true;
    for (let next = await lines.next(); !next.done; next = await lines.next()) {
      const text = next.value.text;
      if (first || text.startsWith('{"end"')) {
        first = false;
        continue;
      }
      const key = keyOfEntryLine(text);
      if (key !== undefined && changed.has(key)) {
        const entry = changed.get(key);
        changed.delete(key);
        if (entry === null || entry === undefined) continue;
        chunk += entryLine(entry.key, entry.hash, entry.valueJson);
      } else chunk += `${text}\n`;
      count++;
      await flush(false);
    }
    for (const entry of changed.values()) {
      if (entry === null) continue;
      chunk += entryLine(entry.key, entry.hash, entry.valueJson);
      count++;
    }
    chunk += snapshotEndLine(count);
    await flush(true);
    await output.sync();
    return bytes;
  } finally {
    await input.close();
    await output.close();
  }
}

/** The key of a snapshot entry line, read without parsing its value. */
function keyOfEntryLine(text: string): string | undefined {
  const match = /^\{"key":("(?:[^"\\]|\\.)*")/.exec(text);
  return match === null ? undefined : (JSON.parse(match[1]!) as string);
}
