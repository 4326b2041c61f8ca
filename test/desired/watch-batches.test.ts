import { describe, expect, it } from "vitest";
import { WatchLineReader, WatchStreamError, watchEvents } from "../../lib/desired/watch-batches.ts";
import { bookmarkLine, commitLine, deleteLine, resetLine, upsertLine } from "../../lib/desired/watch-lines.ts";

const H = "a".repeat(64);

describe("WatchLineReader", () => {
  it("hands a batch over only at its commit, the last write of a key winning", () => {
    const reader = new WatchLineReader();
    const text = upsertLine(4, "dns/a", '{"x":1}') + deleteLine(4, "dns/b") + upsertLine(5, "dns/b", "[2]") + deleteLine(5, "dns/a") + commitLine(5, H);
    // Byte by byte: nothing comes out before the commit's newline.
    const events = [...text].flatMap((char, i) => {
      const out = reader.push(char);
      if (i < text.length - 1) expect(out).toEqual([]);
      return out;
    });
    expect(events).toEqual([{ type: "batch", batch: { generation: 5, hash: H, reset: false, upserts: new Map([["dns/b", [2]]]), deletes: new Set(["dns/a"]) } }]);
  });

  it("marks a relist and passes bookmarks between batches", () => {
    const reader = new WatchLineReader();
    const events = reader.push(resetLine(3) + upsertLine(3, "k", "1") + commitLine(3, H) + bookmarkLine(3, H));
    expect(events.map((e) => (e.type === "batch" ? `batch ${e.batch.generation} reset=${e.batch.reset}` : `bookmark ${e.generation}`))).toEqual(["batch 3 reset=true", "bookmark 3"]);
  });

  it("drops a batch the stream was cut in the middle of, and says how many lines it held", () => {
    const reader = new WatchLineReader();
    expect(reader.push(resetLine(3) + upsertLine(3, "k1", "1") + upsertLine(3, "k2", "2") + '{"type":"upsert","gen')).toEqual([]);
    expect(reader.pendingLines).toBe(3);
  });

  it.each([
    ["not JSON", "{nope\n", /watch line 1 is not JSON/],
    ["an unknown type", '{"type":"patch","generation":1}\n', /watch line 1 is not a watch line \(type: /],
    ["a commit with a short hash", '{"type":"commit","generation":1,"hash":"abc"}\n', /watch line 1 is not a watch line \(hash: 64 lowercase hex digits\)/],
    ["an upsert without a value", '{"type":"upsert","generation":1,"key":"k"}\n', /watch line 1 is not a watch line \(value: a value is required\)/],
    ["a generation that is not a number", '{"type":"reset","generation":"1"}\n', /watch line 1 is not a watch line \(generation: /],
    ["generations running backwards", upsertLine(5, "k", "1") + upsertLine(4, "k", "1"), /watch line 2: generation 4 after 5/],
    ["a bookmark inside a batch", upsertLine(5, "k", "1") + bookmarkLine(5, H), /watch line 2: a bookmark inside a batch/],
    ["a reset inside a batch", upsertLine(5, "k", "1") + resetLine(5), /watch line 2: a reset inside a batch/],
  ])("refuses %s with the line number", (_what, text, message) => {
    const reader = new WatchLineReader();
    expect(() => reader.push(text)).toThrow(WatchStreamError);
    expect(() => new WatchLineReader().push(text)).toThrow(message);
  });

  it("reads a response body split anywhere, multi-byte characters included", async () => {
    const text = resetLine(1) + upsertLine(1, "dns/records/task/ü", '"ß→✓"') + commitLine(1, H);
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.subarray(i, i + 7));
        controller.close();
      },
    });
    const events = [];
    for await (const event of watchEvents(body)) events.push(event);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "batch", batch: { upserts: new Map([["dns/records/task/ü", "ß→✓"]]) } });
  });
});
