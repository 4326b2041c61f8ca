/**
 * @module
 * An answer encoded once and copied into every reply to the same (name, type): the lab notes
 * measured that per-query encoding, not the socket, is what loses against unbound. Each
 * section is a byte block plus the offsets of its records, so a reply is a few copies, the
 * rotation is a window into the RRset written twice in a row, and truncation cuts at a
 * record boundary.
 */
import type { AnswerPlan, PlannedRecord } from "./authoritative.ts";
import { ByteWriter, questionSuffixes, writeRecord, type QuestionSuffixes } from "./wire/record-encoder.ts";

/** Encoded records and where each one starts; `offsets` has one more entry, the end. */
export interface EncodedSection {
  bytes: Buffer;
  offsets: Uint32Array;
  count: number;
}

export interface CompiledAnswer {
  rcode: number;
  chain: EncodedSection;
  /** The RRset encoded twice back to back: rotation `r` is the window starting at record `r`. */
  ring: EncodedSection;
  /** Records in one copy of the RRset. */
  ringCount: number;
  authority: EncodedSection;
  additional: EncodedSection;
  /** Bumped on every reply; picks the rotation (dcos-dns's round_robin policy). */
  turn: number;
}

/**
 * @example const compiled = compileAnswer(question, planAnswer(index, question, TYPE.A, undefined));
 */
export function compileAnswer(questionKey: string, plan: AnswerPlan): CompiledAnswer {
  const suffixes = questionSuffixes(questionKey);
  return {
    rcode: plan.rcode,
    chain: encodeSection(plan.chain, suffixes),
    ring: encodeSection([...plan.rrset, ...plan.rrset], suffixes),
    ringCount: plan.rrset.length,
    authority: encodeSection(plan.authority, suffixes),
    additional: encodeSection(plan.additional, suffixes),
    turn: 0,
  };
}

function encodeSection(records: readonly PlannedRecord[], suffixes: QuestionSuffixes): EncodedSection {
  const writer = new ByteWriter();
  const offsets = new Uint32Array(records.length + 1);
  records.forEach((record, i) => {
    offsets[i] = writer.length;
    writeRecord(writer, record, suffixes);
  });
  offsets[records.length] = writer.length;
  return { bytes: writer.toBuffer(), offsets, count: records.length };
}
