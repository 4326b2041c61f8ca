/**
 * @module
 * RecordIO, the framing of the Mesos operator API's streaming answers (`SUBSCRIBE`): each record
 * is its length in bytes as decimal digits, a newline, then that many bytes of JSON. Lengths
 * count bytes, not characters, so records are cut from the raw bytes before any decoding.
 * Incremental and pure: feed chunks, get whole records.
 */
import { StreamFormatError } from "./event-stream.ts";

/** Larger records are refused: a corrupt length must not make the reader buffer without end. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/**
 * @example
 * const reader = new RecordIoReader();
 * reader.push(new TextEncoder().encode('20\n{"type":"HEARTBEAT"}')) // [{ type: "HEARTBEAT" }]
 */
export class RecordIoReader {
  #buffer: Uint8Array = new Uint8Array(0);
  readonly #text = new TextDecoder("utf-8", { fatal: true });

  /** Parses `bytes` and returns the JSON records they completed; throws `StreamFormatError` on a bad frame. */
  push(bytes: Uint8Array): unknown[] {
    this.#buffer = concat(this.#buffer, bytes);
    const records: unknown[] = [];
    for (;;) {
      const newline = this.#buffer.indexOf(10);
      if (newline < 0) {
        if (this.#buffer.length > 20) throw new StreamFormatError(`RecordIO: no record length in the first ${this.#buffer.length} bytes`);
        return records;
      }
      const digits = new TextDecoder().decode(this.#buffer.subarray(0, newline)).trim();
      const length = /^\d{1,10}$/.test(digits) ? Number(digits) : Number.NaN;
      if (!(length <= MAX_RECORD_BYTES)) throw new StreamFormatError(`RecordIO: '${digits.slice(0, 20)}' is not a record length up to ${MAX_RECORD_BYTES}`);
      const end = newline + 1 + length;
      if (this.#buffer.length < end) return records;
      const body = this.#buffer.subarray(newline + 1, end);
      this.#buffer = this.#buffer.slice(end);
      let record: unknown;
      try {
        record = JSON.parse(this.#text.decode(body));
      } catch (error) {
        throw new StreamFormatError(`RecordIO: a ${length}-byte record is not JSON: ${(error as Error).message}`);
      }
      records.push(record);
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
