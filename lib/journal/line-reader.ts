/**
 * @module
 * Complete lines of a file from a byte offset on, read in chunks: what the journal reader and
 * the DNS server's tail share. A line counts only once its newline is there; the bytes after
 * the last newline are a line still being written (or cut short by a crash) and are left for
 * the next read, whose offset is where they start.
 */
import type { FileHandle } from "node:fs/promises";

const CHUNK = 1 << 16;

/** One complete line and the offset just past its newline. */
export interface FileLine {
  text: string;
  end: number;
}

/**
 * Yields every complete line from `start`; returns the offset after the last one and how many
 * bytes follow it without a newline.
 * @example for await (const line of fileLines(handle, 0)) console.log(line.text);
 */
export async function* fileLines(handle: FileHandle, start: number): AsyncGenerator<FileLine, { end: number; partialBytes: number }> {
  let carry: Buffer = Buffer.alloc(0);
  let offset = start;
  let carryStart = start;
  const buffer = Buffer.allocUnsafe(CHUNK);
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, CHUNK, offset);
    if (bytesRead === 0) break;
    offset += bytesRead;
    const data = carry.length === 0 ? buffer.subarray(0, bytesRead) : Buffer.concat([carry, buffer.subarray(0, bytesRead)]);
    let from = 0;
    for (let newline = data.indexOf(10, from); newline >= 0; newline = data.indexOf(10, from)) {
      carryStart += newline - from + 1;
      yield { text: data.toString("utf8", from, newline), end: carryStart };
      from = newline + 1;
    }
    carry = Buffer.from(data.subarray(from));
  }
  return { end: carryStart, partialBytes: carry.length };
}
