/**
 * @module
 * Reading a query off the wire. Only what answering needs is parsed: the header, the one
 * question (its name as a lowercase key, see `names.ts`), and the EDNS OPT record. Every
 * length and count is checked against the packet, so truncated headers, counts larger than
 * the packet and label pointer loops are FORMERR, never an exception or a stall
 * (RFC 8906 §3.1). This runs on every query, so it reads bytes in place and makes one string.
 */
import { CLASSIC_UDP_SIZE, FLAG, HEADER_SIZE, OPCODE_QUERY, RCODE, TYPE } from "./constants.ts";
import { MAX_LABEL, MAX_NAME } from "./names.ts";

/** The client's EDNS(0) OPT record (RFC 6891 §6.1). */
export interface Edns {
  /** The requestor's UDP payload size, raised to 512 when smaller (RFC 6891 §6.2.5). */
  udpSize: number;
  version: number;
  /** DNSSEC OK; copied into the reply's OPT (RFC 3225 §3). */
  dnssecOk: boolean;
}

/** A query as read; `error` is set when it gets an error rcode instead of an answer. */
export interface Query {
  id: number;
  /** The header's flag word as received. */
  flags: number;
  /** The question's name as a lowercase key (`""` when the question could not be read). */
  key: string;
  qtype: number;
  qclass: number;
  /** Offset just past the question (type and class included), or 0 when it could not be read. */
  questionEnd: number;
  edns: Edns | undefined;
  /** FORMERR or NOTIMP for a query that cannot be answered as asked. */
  error: number | undefined;
}

/**
 * Parses a query. `undefined` means "do not answer": shorter than a header, or a response
 * (QR set), which must never be answered (it could start a loop between two servers).
 * @example parseQuery(bytes) // { id, key: "\x03web\x05mesos\x00", qtype: 1, error: undefined, ... }
 */
export function parseQuery(msg: Buffer): Query | undefined {
  if (msg.length < HEADER_SIZE) return undefined;
  const id = (msg[0]! << 8) | msg[1]!;
  const flags = (msg[2]! << 8) | msg[3]!;
  if ((flags & FLAG.QR) !== 0) return undefined;
  const opcode = (flags >> 11) & 0xf;

  const qdcount = (msg[4]! << 8) | msg[5]!;
  if (qdcount !== 1) return failed(id, flags, opcode === OPCODE_QUERY ? RCODE.FORMERR : RCODE.NOTIMP, 0, undefined);

  const nameEnd = questionNameEnd(msg);
  if (nameEnd < 0 || nameEnd + 4 > msg.length) return failed(id, flags, RCODE.FORMERR, 0, undefined);
  const questionEnd = nameEnd + 4;
  const qtype = (msg[nameEnd]! << 8) | msg[nameEnd + 1]!;
  const qclass = (msg[nameEnd + 2]! << 8) | msg[nameEnd + 3]!;

  // Answer and authority records have no business in a query, but RFC 8906 asks for an
  // answer rather than an error where the query can be understood: step over them.
  let offset = questionEnd;
  const skipped = ((msg[6]! << 8) | msg[7]!) + ((msg[8]! << 8) | msg[9]!);
  for (let i = 0; i < skipped && offset >= 0; i++) offset = skipRecord(msg, offset);
  if (offset < 0) return failed(id, flags, RCODE.FORMERR, questionEnd, undefined);

  let edns: Edns | undefined;
  const arcount = (msg[10]! << 8) | msg[11]!;
  for (let i = 0; i < arcount; i++) {
    if (offset + 11 <= msg.length && msg[offset] === 0 && ((msg[offset + 1]! << 8) | msg[offset + 2]!) === TYPE.OPT) {
      // RFC 6891 §6.1.1: more than one OPT is FORMERR.
      if (edns !== undefined) return failed(id, flags, RCODE.FORMERR, questionEnd, undefined);
      const size = (msg[offset + 3]! << 8) | msg[offset + 4]!;
      edns = { udpSize: Math.max(size, CLASSIC_UDP_SIZE), version: msg[offset + 6]!, dnssecOk: (msg[offset + 7]! & 0x80) !== 0 };
    } else if (isOptWithName(msg, offset)) {
      // An OPT whose owner is not the root is malformed (RFC 6891 §6.1.2).
      return failed(id, flags, RCODE.FORMERR, questionEnd, undefined);
    }
    offset = skipRecord(msg, offset);
    if (offset < 0) return failed(id, flags, RCODE.FORMERR, questionEnd, undefined);
  }

  if (opcode !== OPCODE_QUERY) return failed(id, flags, RCODE.NOTIMP, questionEnd, edns);
  return { id, flags, key: questionKey(msg, nameEnd), qtype, qclass, questionEnd, edns, error: undefined };
}

function failed(id: number, flags: number, rcode: number, questionEnd: number, edns: Edns | undefined): Query {
  return { id, flags, key: "", qtype: 0, qclass: 0, questionEnd, edns, error: rcode };
}

/**
 * End offset of the question's name, or -1. A pointer is refused outright: nothing precedes
 * the question for it to point at, so a compressed question name is malformed (and refusing
 * pointers here makes a pointer loop impossible).
 */
function questionNameEnd(msg: Buffer): number {
  let offset = HEADER_SIZE;
  while (offset < msg.length) {
    const length = msg[offset]!;
    if (length === 0) return offset - HEADER_SIZE + 1 > MAX_NAME ? -1 : offset + 1;
    if (length > MAX_LABEL) return -1; // a pointer (0xC0) or a reserved label type (0x40, 0x80)
    offset += 1 + length;
  }
  return -1;
}

/** The question name as a key: the wire bytes, ASCII-lowercased, as a latin1 string. */
function questionKey(msg: Buffer, nameEnd: number): string {
  let upper = false;
  for (let i = HEADER_SIZE; i < nameEnd; i++) {
    const c = msg[i]!;
    if (c >= 65 && c <= 90) {
      upper = true;
      break;
    }
  }
  if (!upper) return msg.toString("latin1", HEADER_SIZE, nameEnd);
  const lower = Buffer.from(msg.subarray(HEADER_SIZE, nameEnd));
  for (let i = 0; i < lower.length; i++) {
    const c = lower[i]!;
    // Length bytes are at most 63, below 'A', so only label content is folded.
    if (c >= 65 && c <= 90) lower[i] = c + 32;
  }
  return lower.toString("latin1");
}

/** True when the record at `offset` is an OPT whose owner is not the root. */
function isOptWithName(msg: Buffer, offset: number): boolean {
  const end = skipName(msg, offset);
  return end >= 0 && end + 2 <= msg.length && ((msg[end]! << 8) | msg[end + 1]!) === TYPE.OPT;
}

/** Offset just past the resource record at `offset`, or -1 when it runs past the packet. */
function skipRecord(msg: Buffer, offset: number): number {
  const end = skipName(msg, offset);
  if (end < 0 || end + 10 > msg.length) return -1;
  const rdlength = (msg[end + 8]! << 8) | msg[end + 9]!;
  const next = end + 10 + rdlength;
  return next > msg.length ? -1 : next;
}

/**
 * Offset just past a name that may end in a compression pointer. The pointer is not followed
 * (nothing here needs the name), so a pointer loop cannot make this spin.
 */
function skipName(msg: Buffer, offset: number): number {
  let length = 0;
  while (offset < msg.length) {
    const byte = msg[offset]!;
    if (byte === 0) return offset + 1;
    if ((byte & 0xc0) === 0xc0) return offset + 2 <= msg.length ? offset + 2 : -1;
    if (byte > MAX_LABEL) return -1;
    length += 1 + byte;
    if (length > MAX_NAME) return -1;
    offset += 1 + byte;
  }
  return -1;
}
