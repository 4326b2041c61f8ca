/**
 * @module
 * Reads a file of newline-terminated lines in chunks, with the byte offset where each line
 * ends, so a reader can stop at a damaged line and truncate the file there. A last line with no
 * newline is reported as such: it is a write a crash cut short.
 */
import { createReadStream } from "node:fs";

/** One line and the byte offset just past its newline. */
export interface FileLine {
  text: string;
  /** Offset of the byte after this line's `\n`. */
  end: number;
  /** 1-based. */
  number: number;
}

/** What follows the last complete line, if anything. */
export interface FileTail {
  /** Offset just past the last complete line. */
  end: number;
  /** Bytes after it (a line with no newline), 0 when the file ends cleanly. */
  partialBytes: number;
}

/**
 * Yields each complete line; returns the tail. A missing file reads as empty.
 * @example
 * const lines = readLines("changes.ndjson");
 * for (let next = await lines.next(); !next.done; next = await lines.next()) use(next.value);
 */
export async function* readLines(path: string): AsyncGenerator<FileLine, FileTail> {
  let carry = Buffer.alloc(0);
  let offset = 0;
  let number = 0;
  try {
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      let data = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
      let start = 0;
      for (let newline = data.indexOf(10, start); newline >= 0; newline = data.indexOf(10, start)) {
        offset += newline - start + 1;
        number += 1;
        yield { text: data.toString("utf8", start, newline), end: offset, number };
        start = newline + 1;
      }
      data = data.subarray(start);
      carry = Buffer.from(data);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  return { end: offset, partialBytes: carry.length };
}
