/**
 * @module
 * Reads a keyed store (`store-format.ts`): the snapshot of the current epoch, then every
 * committed batch of its journal, handed to a sink as they are read (a 100k-task DNS store is
 * never held as text). Damage is reported, never fatal: a snapshot cut short or unreadable is
 * abandoned for the epoch before it, when one is still on disk; a journal is read up to its
 * last good commit, and what follows (a batch a crash cut short, a damaged line) is named and
 * left out. The reader never writes: the store's writer truncates what it finds damaged.
 */
import { open, readdir, readFile } from "node:fs/promises";
import { fileLines } from "./line-reader.ts";
import {
  CurrentFile,
  currentFile,
  JournalHeader,
  JournalLine,
  parseLine,
  SnapshotEnd,
  SnapshotHeader,
  StoreDamagedError,
  StoreEntry,
  storeFiles,
  type StoreBatch,
  type StoreVersion,
} from "./store-format.ts";

/** Where a store's contents go while it is read. */
export interface StoreSink {
  /** One key of the snapshot. */
  entry(entry: StoreEntry): void;
  /** One committed batch of the journal, after the snapshot. */
  batch(batch: StoreBatch): void;
}

/** What was read. */
export interface StoreRead<Sink> {
  sink: Sink;
  epoch: number;
  /** The generation and hash the store holds once its journal is applied. */
  version: StoreVersion;
  /** Offset just past the journal's last commit: where a follower goes on, and where a writer truncates to. */
  journalEnd: number;
  /** Bytes in the journal after `journalEnd` (a batch that never completed, or damage). */
  journalTail: number;
  /** Damage found and left out, each naming its file; for the operator's log. */
  problems: string[];
}

/**
 * Reads the newest readable epoch of the store `prefix` in `dir` into a fresh sink (one per
 * epoch tried); undefined when the store has never been written.
 * @example const read = await readStore(dir, "zones", () => new IndexSink());
 */
export async function readStore<Sink extends StoreSink>(dir: string, prefix: string, makeSink: () => Sink): Promise<StoreRead<Sink> | undefined> {
  const problems: string[] = [];
  const epochs = await epochsOnDisk(dir, prefix, problems);
  for (const epoch of epochs) {
    const sink = makeSink();
    const files = storeFiles(dir, prefix, epoch);
    let version: StoreVersion;
    try {
      version = await readSnapshot(files.snapshot, sink);
    } catch (error) {
      problems.push(`${(error as Error).message}; ${epochs.length > 1 && epoch !== epochs.at(-1) ? "trying the epoch before it" : "no older epoch to fall back on"}`);
      continue;
    }
    const journal = await readJournal(files.journal, version, { start: 0 }, sink, problems);
    return { sink, epoch, version: journal.version, journalEnd: journal.end, journalTail: journal.tail, problems };
  }
  if (epochs.length > 0) throw new StoreDamagedError(`${dir}/${prefix}: no epoch of the store is readable: ${problems.join("; ")}`);
  return undefined;
}

/**
 * The epochs worth trying, newest first: the one `.current` names and those before it still on
 * disk (a writer keeps the previous epoch until the next one is safely written).
 */
async function epochsOnDisk(dir: string, prefix: string, problems: string[]): Promise<number[]> {
  let current: number | undefined;
  const pointer = currentFile(dir, prefix);
  try {
    current = parseLine(CurrentFile, await readFile(pointer, "utf8"), pointer, 1).epoch;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    problems.push(`${(error as Error).message}: reading the epochs found on disk instead`);
  }
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(\\d+)\\.snapshot$`);
  const names = await readdir(dir).catch(() => [] as string[]);
  const found = names.flatMap((name) => {
    const match = pattern.exec(name);
    return match === null ? [] : [Number(match[1])];
  });
  return found.filter((epoch) => current === undefined || epoch <= current).sort((a, b) => b - a);
}

async function readSnapshot(path: string, sink: StoreSink): Promise<StoreVersion> {
  const handle = await open(path, "r").catch((error: NodeJS.ErrnoException) => {
    throw new StoreDamagedError(`${path}: cannot open (${error.code ?? error.message})`);
  });
  try {
    const lines = fileLines(handle, 0);
    let number = 0;
    let version: StoreVersion | undefined;
    let count = 0;
    for (let next = await lines.next(); !next.done; next = await lines.next()) {
      number++;
      const text = next.value.text;
      if (version === undefined) {
        const header = parseLine(SnapshotHeader, text, path, number);
        version = { generation: header.generation, hash: header.hash };
        continue;
      }
      if (text.startsWith('{"end"')) {
        const end = parseLine(SnapshotEnd, text, path, number);
        if (end.count !== count) throw new StoreDamagedError(`${path}: the end line counts ${end.count} keys, the file holds ${count}`);
        return version;
      }
      sink.entry(parseLine(StoreEntry, text, path, number));
      count++;
    }
    throw new StoreDamagedError(`${path}: cut short after line ${number} (no end line): truncated`);
  } finally {
    await handle.close();
  }
}

/**
 * Applies the journal's committed batches from `range.start` (0: the header is read and
 * checked against the snapshot's version) up to `range.until` (default: the end of the file).
 * Returns where the last commit ends and what it committed.
 * @example await readJournal(path, version, { start: 0 }, sink, problems)
 */
export async function readJournal(
  path: string,
  base: StoreVersion,
  range: { start: number; until?: number },
  sink: StoreSink,
  problems: string[],
): Promise<{ version: StoreVersion; end: number; tail: number }> {
  const { start, until = Number.POSITIVE_INFINITY } = range;
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") problems.push(`${path}: cannot open (${(error as NodeJS.ErrnoException).code}); serving the snapshot alone`);
    return { version: base, end: start, tail: 0 };
  }
  try {
    const size = (await handle.stat()).size;
    const follower = new JournalFollower(path, base, start === 0);
    const lines = fileLines(handle, start);
    let next = await lines.next();
    for (; !next.done && next.value.end <= until; next = await lines.next()) {
      try {
        follower.take(next.value.text, next.value.end, sink);
      } catch (error) {
        problems.push(`${(error as Error).message}; the journal is read up to its last good commit`);
        break;
      }
    }
    const end = follower.end || start;
    if (next.done === true && size > end) problems.push(`${path}: ends with ${size - end} bytes after its last commit (a batch cut short, ${follower.pendingLines} complete lines); left out`);
    return { version: follower.version, end, tail: size - end };
  } finally {
    await handle.close();
  }
}

/**
 * Takes journal lines one at a time and hands over each batch at its commit: the reader at
 * start-up and the DNS server's tail share it.
 * @example const follower = new JournalFollower(path, version, true); follower.take(line, end, sink);
 */
export class JournalFollower {
  #line = 0;
  #needsHeader: boolean;
  #open: StoreBatch | undefined;
  /** Offset just past the last commit taken (0 before any). */
  end = 0;

  constructor(
    private readonly path: string,
    /** The version the journal extends, then the last one committed. */
    public version: StoreVersion,
    expectHeader: boolean,
  ) {
    this.#needsHeader = expectHeader;
  }

  get pendingLines(): number {
    return this.#open === undefined ? 0 : this.#open.upserts.length + this.#open.deletes.length;
  }

  /** One complete line ending at byte `end`; throws a `StoreDamagedError` naming the line. */
  take(text: string, end: number, sink: StoreSink): void {
    this.#line++;
    if (this.#needsHeader) {
      const header = parseLine(JournalHeader, text, this.path, this.#line);
      if (header.generation !== this.version.generation || header.hash !== this.version.hash) {
        throw new StoreDamagedError(`${this.path}: extends generation ${header.generation}, not the snapshot's ${this.version.generation}`);
      }
      this.#needsHeader = false;
      this.end = end;
      return;
    }
    const line = parseLine(JournalLine, text, this.path, this.#line);
    const batch = (this.#open ??= { generation: 0, hash: "", upserts: [], deletes: [] });
    if (line.type === "upsert") batch.upserts.push({ key: line.key, hash: line.hash, ...(line.value === undefined ? {} : { value: line.value }) });
    else if (line.type === "delete") batch.deletes.push(line.key);
    else {
      if (line.generation < this.version.generation) throw new StoreDamagedError(`${this.path}: line ${this.#line} commits generation ${line.generation} after ${this.version.generation}`);
      batch.generation = line.generation;
      batch.hash = line.hash;
      this.#open = undefined;
      this.version = { generation: line.generation, hash: line.hash };
      this.end = end;
      sink.batch(batch);
    }
  }
}
