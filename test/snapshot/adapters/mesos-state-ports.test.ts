import { describe, expect, it } from "vitest";
import { parsePortRanges } from "../../../lib/snapshot/adapters/mesos-state-ports.ts";

describe("parsePortRanges", () => {
  // specs/dns.md §6.1 item 3.
  it("reads Mesos ranges text", () => {
    expect(parsePortRanges("[31000-31002, 31005-31005]")).toEqual([
      { begin: 31000, end: 31002 },
      { begin: 31005, end: 31005 },
    ]);
  });

  it.each(["[]", "", "  ", "[ ]"])("reads %j as no ports", (text) => {
    expect(parsePortRanges(text)).toEqual([]);
  });

  it("accepts a lone port and loose spacing", () => {
    expect(parsePortRanges(" [ 80 ,8080 - 8081 ] ")).toEqual([
      { begin: 80, end: 80 },
      { begin: 8080, end: 8081 },
    ]);
  });

  it("keeps reversed or out-of-range ranges for the consumer to judge", () => {
    expect(parsePortRanges("[31002-31001, 0-70000]")).toEqual([
      { begin: 31002, end: 31001 },
      { begin: 0, end: 70000 },
    ]);
  });

  it.each(["31000", "[31000-]", "[a-b]", "[31000-31001,]", "[31000-31001", "31000-31001]", "[1-2-3]", "[-5]", "{80}"])("rejects %j", (text) => {
    expect(parsePortRanges(text)).toBeUndefined();
  });
});
