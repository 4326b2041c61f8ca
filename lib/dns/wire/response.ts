/**
 * @module
 * Building replies on the hot path: a compiled answer copied behind the client's own header
 * and question (so the question is echoed byte for byte, case included), the EDNS OPT record
 * when the client sent one, and truncation to the client's limit. Error replies (FORMERR,
 * NOTIMP, REFUSED, SERVFAIL, BADVERS) are built here too.
 */
import type { CompiledAnswer, EncodedSection } from "../compiled-answer.ts";
import { FLAG, HEADER_SIZE, TYPE } from "./constants.ts";
import type { Query } from "./query.ts";

/** The OPT record of a reply: root owner, type, class (our UDP size), TTL word, empty RDATA. */
const OPT_SIZE = 11;

/** What every reply of a server carries. */
export interface ReplyOptions {
  /** The UDP payload size we advertise in our OPT record. */
  udpSize: number;
  /** RA: recursion (forwarding) is available. */
  recursionAvailable: boolean;
}

/**
 * A reply for a compiled local answer. Over the limit, the additional section is cut first
 * (records that do not fit are just left out, RFC 2181 §9), then the answers, keeping the
 * longest prefix of whole records, with TC set.
 * `limit` is the client's: its UDP payload size (512 without EDNS), or 65535 over TCP.
 * @example socket.send(answerReply(msg, query, compiled, 512, options), port, address)
 */
export function answerReply(msg: Buffer, query: Query, answer: CompiledAnswer, limit: number, options: ReplyOptions): Buffer {
  const { questionEnd, edns } = query;
  const rotation = answer.ringCount > 1 ? answer.turn++ % answer.ringCount : 0;
  const ring = answer.ring;
  const ringStart = ring.offsets[rotation]!;
  const ringLength = ring.offsets[rotation + answer.ringCount]! - ringStart;
  const opt = edns === undefined ? 0 : OPT_SIZE;
  const fixed = questionEnd + opt;
  const answers = answer.chain.bytes.length + ringLength;
  const authority = answer.authority.bytes.length;
  const additional = answer.additional.bytes.length;

  let answerCount = answer.chain.count + answer.ringCount;
  let answerBytes = answers;
  let authorityCount = answer.authority.count;
  let authorityBytes = authority;
  let additionalCount = answer.additional.count;
  let additionalBytes = additional;
  let truncated = false;
  if (fixed + answers + authority + additional > limit) {
    additionalCount = fitting(answer.additional, 0, answer.additional.count, limit - fixed - answers - authority);
    additionalBytes = answer.additional.offsets[additionalCount]!;
    if (fixed + answers + authority > limit) {
      truncated = true;
      authorityCount = 0;
      authorityBytes = 0;
      const room = limit - fixed;
      const chainCount = fitting(answer.chain, 0, answer.chain.count, room);
      const chainBytes = answer.chain.offsets[chainCount]!;
      const ringCount = chainCount < answer.chain.count ? 0 : fitting(ring, rotation, answer.ringCount, room - chainBytes);
      answerCount = chainCount + ringCount;
      answerBytes = chainBytes + ring.offsets[rotation + ringCount]! - ringStart;
    }
  }

  const out = Buffer.allocUnsafe(fixed + answerBytes + authorityBytes + additionalBytes);
  let flags = FLAG.QR | FLAG.AA | (query.flags & (FLAG.RD | FLAG.CD)) | answer.rcode;
  if (options.recursionAvailable) flags |= FLAG.RA;
  if (truncated) flags |= FLAG.TC;
  out[0] = msg[0]!;
  out[1] = msg[1]!;
  out.writeUInt16BE(flags, 2);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(answerCount, 6);
  out.writeUInt16BE(authorityCount, 8);
  out.writeUInt16BE(additionalCount + (opt > 0 ? 1 : 0), 10);
  // The question is a few dozen bytes: a loop beats making a subarray view to copy from.
  for (let i = HEADER_SIZE; i < questionEnd; i++) out[i] = msg[i]!;
  // TypedArray#set, not Buffer#copy, for the rest: it skips Buffer's argument checks, which
  // showed in profiles.
  let offset = questionEnd;
  const chainBytes = Math.min(answer.chain.bytes.length, answerBytes);
  if (chainBytes > 0) out.set(answer.chain.bytes.subarray(0, chainBytes), offset);
  offset += chainBytes;
  out.set(ring.bytes.subarray(ringStart, ringStart + answerBytes - chainBytes), offset);
  offset += answerBytes - chainBytes;
  if (authorityBytes > 0) out.set(answer.authority.bytes.subarray(0, authorityBytes), offset);
  offset += authorityBytes;
  if (additionalBytes > 0) out.set(answer.additional.bytes.subarray(0, additionalBytes), offset);
  offset += additionalBytes;
  if (opt > 0) writeOpt(out, offset, options.udpSize, 0, edns!.dnssecOk);
  return out;
}

/** How many records of `section`, from record `first`, fit in `room` bytes (at most `max`). */
function fitting(section: EncodedSection, first: number, max: number, room: number): number {
  const start = section.offsets[first]!;
  let count = 0;
  while (count < max && section.offsets[first + count + 1]! - start <= room) count++;
  return count;
}

/**
 * A reply with no records and `rcode`. The question is echoed when it was read. Extended
 * rcodes (BADVERS) go in the OPT record.
 * @example errorReply(msg, query, RCODE.REFUSED, options)
 */
export function errorReply(msg: Buffer, query: Query, rcode: number, options: ReplyOptions): Buffer {
  const { questionEnd, edns } = query;
  const question = questionEnd === 0 ? 0 : questionEnd - HEADER_SIZE;
  const opt = edns === undefined ? 0 : OPT_SIZE;
  const out = Buffer.alloc(HEADER_SIZE + question + opt);
  out[0] = msg[0]!;
  out[1] = msg[1]!;
  // Opcode, RD and CD are echoed; unknown flag bits (Z, AD) never are (RFC 8906 §3.1.3).
  let flags = FLAG.QR | (query.flags & (0x7800 | FLAG.RD | FLAG.CD)) | (rcode & 0xf);
  if (options.recursionAvailable) flags |= FLAG.RA;
  out.writeUInt16BE(flags, 2);
  out.writeUInt16BE(question > 0 ? 1 : 0, 4);
  out.writeUInt16BE(opt > 0 ? 1 : 0, 10);
  if (question > 0) msg.copy(out, HEADER_SIZE, HEADER_SIZE, questionEnd);
  if (opt > 0) writeOpt(out, HEADER_SIZE + question, options.udpSize, rcode >> 4, edns!.dnssecOk);
  return out;
}

/** RFC 6891 §6.1.3: extended rcode (upper 8 bits), version 0, DO copied (RFC 3225). */
function writeOpt(out: Buffer, offset: number, udpSize: number, extendedRcode: number, dnssecOk: boolean): void {
  out[offset] = 0;
  out.writeUInt16BE(TYPE.OPT, offset + 1);
  out.writeUInt16BE(udpSize, offset + 3);
  out[offset + 5] = extendedRcode;
  out[offset + 6] = 0;
  out.writeUInt16BE(dnssecOk ? 0x8000 : 0, offset + 7);
  out.writeUInt16BE(0, offset + 9);
}
