import { describe, expect, it } from "vitest";
import { splitJsonValues } from "../../../lib/snapshot/adapters/json-stream.ts";
import { InputError } from "../../../lib/snapshot/issues.ts";
import { upstreamText } from "../../support/upstream-fixtures.ts";

describe("splitJsonValues", () => {
  it.each([
    ["hello-overlay", 14],
    ["hello-world", 13],
    ["operator-api", 38],
    ["pod-tasks", 8],
    ["recovered-agents", 9],
    ["tcp-and-udp", 1],
    ["unhealthy", 1],
  ])("splits %s.json into %i events", (name, count) => {
    const values = splitJsonValues(upstreamText(`dcos-net/${name}.json`), name);
    expect(values).toHaveLength(count);
    expect((values[0] as { type: string }).type).toMatch(/^(SUBSCRIBED|GET_STATE)$/);
  });

  it("accepts values back to back, one a line, and RecordIO length prefixes", () => {
    const a = { type: "SUBSCRIBED", s: "}{\"]" };
    const b = { type: "HEARTBEAT" };
    const expected = [a, b];
    expect(splitJsonValues(`${JSON.stringify(a)}${JSON.stringify(b)}`, "x")).toEqual(expected);
    expect(splitJsonValues(`\n${JSON.stringify(a)}\r\n${JSON.stringify(b)}\n\n`, "x")).toEqual(expected);
    const framed = [a, b].map((e) => `${Buffer.byteLength(JSON.stringify(e))}\n${JSON.stringify(e)}`).join("");
    expect(splitJsonValues(framed, "x")).toEqual(expected);
    expect(splitJsonValues("[1,2] 3 \"s\" null", "x")).toEqual([[1, 2], 3, "s", null]);
    expect(splitJsonValues("  ", "x")).toEqual([]);
  });

  it.each([
    ['{"type":"SUBSCRIBED"}\n{"type": }', "events[1]", "line 2, column 1"],
    ['{"a":1}\n{"b":[1,2}', "events[1]", "line 2, column 1"],
    ['{"a":"never closed', "events[0]", "unterminated"],
    ['{"a":1}\n\n  nope', "events[1]", "line 3, column 3"],
  ])("reports %j at %s", (text, path, fragment) => {
    try {
      splitJsonValues(text, "stream.json");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      const issue = (error as InputError).issues[0]!;
      expect(issue.path).toBe(path);
      expect(issue.message).toContain(fragment);
      expect((error as InputError).message).toMatch(/^stream\.json: events\[\d\]: not valid JSON/);
    }
  });
});
