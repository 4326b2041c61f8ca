/**
 * @module
 * Encoding planned records (`authoritative.ts`) to wire bytes that can be copied into any
 * reply to the same question. Names are compressed only against the question, which always
 * sits at offset 12 and has the same length whatever the case it was asked in, so the bytes
 * stay valid for every copy, and names under the question echo the client's case
 * (0x20-randomising resolvers check that). SRV targets are never compressed (RFC 2782);
 * CNAME, NS and SOA names may be (RFC 3597 §4).
 */
import ipaddr from "ipaddr.js";
import type { PlannedRecord } from "../authoritative.ts";
import { CLASS, HEADER_SIZE } from "./constants.ts";

/** Where each label-suffix of the question's name starts in the message. */
export type QuestionSuffixes = ReadonlyMap<string, number>;

/**
 * @example questionSuffixes(nameKey("a.mesos")!) // Map { key("a.mesos") → 12, key("mesos") → 14 }
 */
export function questionSuffixes(questionKey: string): QuestionSuffixes {
  const suffixes = new Map<string, number>();
  for (let pos = 0; questionKey.charCodeAt(pos) !== 0; pos += 1 + questionKey.charCodeAt(pos)) {
    suffixes.set(questionKey.slice(pos), HEADER_SIZE + pos);
  }
  return suffixes;
}

/** A growable byte buffer for building records off the hot path. */
export class ByteWriter {
  #buf = Buffer.allocUnsafe(256);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  u8(value: number): void {
    this.#reserve(1);
    this.#buf[this.#length++] = value;
  }

  u16(value: number): void {
    this.#reserve(2);
    this.#buf.writeUInt16BE(value, this.#length);
    this.#length += 2;
  }

  u32(value: number): void {
    this.#reserve(4);
    this.#buf.writeUInt32BE(value >>> 0, this.#length);
    this.#length += 4;
  }

  bytes(data: Uint8Array | readonly number[]): void {
    this.#reserve(data.length);
    for (let i = 0; i < data.length; i++) this.#buf[this.#length++] = data[i]!;
  }

  latin1(text: string): void {
    this.#reserve(text.length);
    this.#length += this.#buf.write(text, this.#length, "latin1");
  }

  patchU16(offset: number, value: number): void {
    this.#buf.writeUInt16BE(value, offset);
  }

  /** A copy of what was written. */
  toBuffer(): Buffer {
    return Buffer.from(this.#buf.subarray(0, this.#length));
  }

  #reserve(size: number): void {
    if (this.#length + size <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#length + size));
    this.#buf.copy(next, 0, 0, this.#length);
    this.#buf = next;
  }
}

/**
 * Writes a name, replacing its longest suffix shared with the question by a pointer.
 * @example writeName(writer, nameKey("mesos")!, questionSuffixes(nameKey("a.mesos")!), true) // writes C0 0E
 */
export function writeName(writer: ByteWriter, key: string, suffixes: QuestionSuffixes, compress: boolean): void {
  if (compress) {
    for (let pos = 0; key.charCodeAt(pos) !== 0; pos += 1 + key.charCodeAt(pos)) {
      const offset = suffixes.get(key.slice(pos));
      if (offset === undefined) continue;
      writer.latin1(key.slice(0, pos));
      writer.u16(0xc000 | offset);
      return;
    }
  }
  writer.latin1(key);
}

/**
 * Appends one resource record (class IN).
 * @example writeRecord(writer, { owner, type: TYPE.A, ttl: 5, data: { kind: "a", address: "10.0.0.1" } }, suffixes)
 */
export function writeRecord(writer: ByteWriter, record: PlannedRecord, suffixes: QuestionSuffixes): void {
  writeName(writer, record.owner, suffixes, true);
  writer.u16(record.type);
  writer.u16(CLASS.IN);
  writer.u32(record.ttl);
  const lengthAt = writer.length;
  writer.u16(0);
  const start = writer.length;
  const data = record.data;
  switch (data.kind) {
    case "a":
    case "aaaa":
      writer.bytes(ipaddr.parse(data.address).toByteArray());
      break;
    case "name":
      writeName(writer, data.key, suffixes, true);
      break;
    case "srv":
      writer.u16(data.priority);
      writer.u16(data.weight);
      writer.u16(data.port);
      writeName(writer, data.key, suffixes, false);
      break;
    case "soa":
      writeName(writer, data.mname, suffixes, true);
      writeName(writer, data.rname, suffixes, true);
      writer.u32(data.soa.serial);
      writer.u32(data.soa.refresh);
      writer.u32(data.soa.retry);
      writer.u32(data.soa.expire);
      writer.u32(data.soa.minimum);
      break;
  }
  writer.patchU16(lengthAt, writer.length - start);
}
