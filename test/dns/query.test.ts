import { describe, expect, it } from "vitest";
import { parseQuery } from "../../lib/dns/wire/query.ts";
import { RCODE } from "../../lib/dns/wire/constants.ts";
import { nameKey } from "../../lib/dns/wire/names.ts";
import { queryBytes } from "../support/dns-messages.ts";

/** A header: id 0x1234, the given flags and counts. */
function header(flags: number, qd: number, an = 0, ns = 0, ar = 0): number[] {
  return [0x12, 0x34, flags >> 8, flags & 0xff, 0, qd, 0, an, 0, ns, 0, ar];
}
const QUESTION = [3, ...Buffer.from("web"), 5, ...Buffer.from("mesos"), 0, 0, 1, 0, 1];
const OPT = [0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0];
const bytes = (...parts: number[][]) => Buffer.from(parts.flat());

describe("parseQuery", () => {
  it("reads the question as a lowercase key, whatever the case asked", () => {
    const query = parseQuery(queryBytes("Web.MESOS", "AAAA"))!;
    expect(query.error).toBeUndefined();
    expect(query.key).toBe(nameKey("web.mesos"));
    expect(query.qtype).toBe(28);
    expect(query.qclass).toBe(1);
    expect(query.questionEnd).toBe(12 + 11 + 4);
    expect(query.edns).toBeUndefined();
  });

  it("reads EDNS: payload size (at least 512), version and DO", () => {
    expect(parseQuery(queryBytes("a.mesos", "A", { udpSize: 4096, dnssecOk: true }))!.edns).toEqual({ udpSize: 4096, version: 0, dnssecOk: true });
    expect(parseQuery(queryBytes("a.mesos", "A", { udpSize: 100 }))!.edns).toEqual({ udpSize: 512, version: 0, dnssecOk: false });
    expect(parseQuery(queryBytes("a.mesos", "A", { udpSize: 1232, ednsVersion: 1 }))!.edns?.version).toBe(1);
  });

  it("does not answer what cannot be answered: a short packet or a response", () => {
    expect(parseQuery(Buffer.alloc(11))).toBeUndefined();
    expect(parseQuery(Buffer.alloc(0))).toBeUndefined();
    expect(parseQuery(bytes(header(0x8000, 1), QUESTION))).toBeUndefined();
  });

  // Each row: what is wrong, the packet, the rcode, whether the question is echoed.
  const malformed: Array<[string, Buffer, number, boolean]> = [
    ["no question", bytes(header(0x0100, 0)), RCODE.FORMERR, false],
    ["two questions", bytes(header(0x0100, 2), QUESTION, QUESTION), RCODE.FORMERR, false],
    ["a header alone claiming a question", bytes(header(0x0100, 1)), RCODE.FORMERR, false],
    ["a label running past the end", bytes(header(0x0100, 1), [10, 97, 98]), RCODE.FORMERR, false],
    ["a name with no terminating zero", bytes(header(0x0100, 1), [3, 97, 98, 99]), RCODE.FORMERR, false],
    ["a pointer loop in the question (points at itself)", bytes(header(0x0100, 1), [0xc0, 12, 0, 1, 0, 1]), RCODE.FORMERR, false],
    ["a pointer to a later label", bytes(header(0x0100, 1), [1, 97, 0xc0, 20, 0, 1, 0, 1, 1, 98, 0]), RCODE.FORMERR, false],
    ["a reserved label type (0x40)", bytes(header(0x0100, 1), [0x41, 97, 0, 0, 1, 0, 1]), RCODE.FORMERR, false],
    ["a name longer than 255 bytes", bytes(header(0x0100, 1), ...Array.from({ length: 5 }, () => [63, ...Buffer.alloc(63, 97)]), [0, 0, 1, 0, 1]), RCODE.FORMERR, false],
    ["a question without its type and class", bytes(header(0x0100, 1), [1, 97, 0, 0]), RCODE.FORMERR, false],
    ["an answer count larger than the packet", bytes(header(0x0100, 1, 5), QUESTION), RCODE.FORMERR, true],
    ["an additional count larger than the packet", bytes(header(0x0100, 1, 0, 0, 3), QUESTION, OPT), RCODE.FORMERR, true],
    ["two OPT records", bytes(header(0x0100, 1, 0, 0, 2), QUESTION, OPT, OPT), RCODE.FORMERR, true],
    ["an OPT record owned by a name", bytes(header(0x0100, 1, 0, 0, 1), QUESTION, [1, 97, 0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0]), RCODE.FORMERR, true],
    ["an RDATA length past the end", bytes(header(0x0100, 1, 0, 0, 1), QUESTION, [0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 9]), RCODE.FORMERR, true],
    ["an unknown opcode (NOTIFY)", bytes(header(0x2000, 1), QUESTION), RCODE.NOTIMP, true],
    ["an UPDATE", bytes(header(0x2800, 1), QUESTION), RCODE.NOTIMP, true],
    ["an unknown opcode without a question", bytes(header(0x7800, 0)), RCODE.NOTIMP, false],
  ];
  it.each(malformed)("answers %s with its rcode", (_what, packet, rcode, echoed) => {
    const query = parseQuery(packet)!;
    expect(query).toBeDefined();
    expect(query.id).toBe(0x1234);
    expect(query.error).toBe(rcode);
    expect(query.questionEnd > 0).toBe(echoed);
  });

  it("steps over records it has no use for, compressed owners included, without following pointers", () => {
    // An additional record whose owner points at itself: a follower would loop; a skipper steps over it.
    const record = [0xc0, 12 + QUESTION.length, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1];
    const query = parseQuery(bytes(header(0x0100, 1, 1, 0, 1), QUESTION, record, OPT))!;
    expect(query.error).toBeUndefined();
    expect(query.edns?.udpSize).toBe(4096);
  });

  it("ignores bytes after the last record", () => {
    expect(parseQuery(bytes(header(0x0100, 1), QUESTION, [1, 2, 3]))!.error).toBeUndefined();
  });
});
