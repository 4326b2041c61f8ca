import { appendFile, mkdtemp, readdir, readFile, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { storeFiles, type StoreBatch, type StoreEntry } from "../../lib/journal/store-format.ts";
import { readStore, type StoreSink } from "../../lib/journal/store-reader.ts";
import { KeyedStoreWriter, type WriteBatch } from "../../lib/journal/store-writer.ts";

/** Folds what a store hands over into key → value, as a follower would. */
class MapSink implements StoreSink {
  readonly values = new Map<string, unknown>();
  readonly batches: number[] = [];
  entry(entry: StoreEntry): void {
    this.values.set(entry.key, entry.value ?? `#${entry.hash}`);
  }
  batch(batch: StoreBatch): void {
    this.batches.push(batch.generation);
    for (const u of batch.upserts) this.values.set(u.key, u.value ?? `#${u.hash}`);
    for (const key of batch.deletes) this.values.delete(key);
  }
}

const dir = () => mkdtemp(join(tmpdir(), "wf-store-"));
const entry = (key: string, value: unknown) => ({ key, hash: `h-${JSON.stringify(value)}`, valueJson: JSON.stringify(value) });
const batch = (generation: number, upserts: Array<[string, unknown]>, deletes: string[] = []): WriteBatch => ({
  version: { generation, hash: `g${generation}` },
  upserts: upserts.map(([k, v]) => entry(k, v)),
  deletes,
});
const read = async (path: string) => {
  const result = await readStore(path, "view", () => new MapSink());
  return { values: Object.fromEntries(result?.sink.values ?? []), version: result?.version, problems: result?.problems ?? [], batches: result?.sink.batches };
};

describe("keyed store", () => {
  it("reads back a snapshot and the batches appended after it, hashes-only keys included", async () => {
    const path = await dir();
    const { writer } = await KeyedStoreWriter.open(path, "view");
    expect(writer.version).toBeUndefined();
    await writer.replace([entry("a", 1), { key: "dns/x", hash: "abc" }], { generation: 3, hash: "g3" });
    expect(await writer.append(batch(4, [["b", { x: "é" }]], ["a"]))).toBeGreaterThan(0);
    await writer.append(batch(5, [["a", 2]]));
    await writer.close();
    expect(await read(path)).toEqual({ values: { "dns/x": "#abc", b: { x: "é" }, a: 2 }, version: { generation: 5, hash: "g5" }, problems: [], batches: [4, 5] });
    expect(await readStore(await dir(), "view", () => new MapSink())).toBeUndefined();
  });

  it("leaves out a batch a crash cut short, names it, and appends after the last commit", async () => {
    const path = await dir();
    const { writer } = await KeyedStoreWriter.open(path, "view");
    await writer.replace([entry("a", 1)], { generation: 1, hash: "g1" });
    await writer.append(batch(2, [["b", 2]]));
    await writer.close();
    const journal = storeFiles(path, "view", 0).journal;
    await appendFile(journal, '{"type":"upsert","key":"c","hash":"h","value":3}\n{"type":"upsert","key":"d","ha');
    const cut = await read(path);
    expect(cut.values).toEqual({ a: 1, b: 2 });
    expect(cut.problems).toEqual([expect.stringMatching(/^.*view\.0\.journal: ends with \d+ bytes after its last commit \(a batch cut short, 1 complete lines\); left out$/)]);

    const reopened = await KeyedStoreWriter.open(path, "view");
    expect(reopened.writer.version).toEqual({ generation: 2, hash: "g2" });
    await reopened.writer.append(batch(3, [["e", 5]]));
    await reopened.writer.close();
    expect(await read(path)).toMatchObject({ values: { a: 1, b: 2, e: 5 }, version: { generation: 3 }, problems: [] });
  });

  it("reads a journal with a damaged line up to the last commit before it, naming the file and line", async () => {
    const path = await dir();
    const { writer } = await KeyedStoreWriter.open(path, "view");
    await writer.replace([], { generation: 1, hash: "g1" });
    await writer.append(batch(2, [["a", 1]]));
    await writer.append(batch(3, [["b", 2]]));
    await writer.close();
    const journal = storeFiles(path, "view", 0).journal;
    const lines = (await readFile(journal, "utf8")).split("\n");
    lines[3] = '{"type":"upsert","key":"b",garbage';
    await writeFile(journal, lines.join("\n"));
    const damaged = await read(path);
    expect(damaged.values).toEqual({ a: 1 });
    expect(damaged.problems[0]).toMatch(/view\.0\.journal: line 4 is not JSON .*; the journal is read up to its last good commit/);
  });

  it("falls back to the epoch before a truncated snapshot, and a writer starts afresh over it", async () => {
    const path = await dir();
    const { writer } = await KeyedStoreWriter.open(path, "view");
    await writer.replace([entry("a", "old")], { generation: 1, hash: "g1" });
    await writer.replace([entry("a", "new"), entry("b", "new")], { generation: 2, hash: "g2" });
    await writer.close();
    const snapshot = storeFiles(path, "view", 1).snapshot;
    await truncate(snapshot, (await stat(snapshot)).size - 10);
    const fallen = await read(path);
    expect(fallen.values).toEqual({ a: "old" });
    expect(fallen.problems).toEqual([`${snapshot}: cut short after line 3 (no end line): truncated; trying the epoch before it`]);

    const reopened = await KeyedStoreWriter.open(path, "view");
    expect(reopened.writer.version).toBeUndefined();
    expect(reopened.problems[0]).toContain(`${snapshot}: cut short (no end line): truncated; the store is written afresh at the next full sync`);
    await expect(reopened.writer.append(batch(3, []))).rejects.toThrow(/holds no generation to append to/);
    await reopened.writer.replace([entry("c", 1)], { generation: 3, hash: "g3" });
    await reopened.writer.close();
    expect(await read(path)).toMatchObject({ values: { c: 1 }, problems: [] });
  });

  it("throws, naming the file, when no epoch is readable", async () => {
    const path = await dir();
    const { writer } = await KeyedStoreWriter.open(path, "view");
    await writer.replace([entry("a", 1)], { generation: 1, hash: "g1" });
    await writer.close();
    await writeFile(storeFiles(path, "view", 0).snapshot, "");
    await expect(readStore(path, "view", () => new MapSink())).rejects.toThrow(/view\.0\.snapshot: cut short after line 0/);
  });

  it("compacts a grown journal into a new epoch beside the appends, keeping every batch and the epoch before", async () => {
    const path = await dir();
    const { writer } = await KeyedStoreWriter.open(path, "view", { compactMinBytes: 200, compactRatio: 0.5 });
    await writer.replace([entry("keep", 0)], { generation: 0, hash: "g0" });
    const expected: Record<string, unknown> = { keep: 0 };
    for (let g = 1; g <= 60; g++) {
      const key = `k${g % 7}`;
      if (g % 5 === 0) {
        await writer.append(batch(g, [], [key]));
        delete expected[key];
      } else {
        await writer.append(batch(g, [[key, g]]));
        expected[key] = g;
      }
    }
    await writer.close();
    const files = (await readdir(path)).filter((f) => f.endsWith(".snapshot")).sort();
    expect(files.length).toBe(2);
    expect(files).not.toContain("view.0.snapshot");
    expect(await read(path)).toMatchObject({ values: expected, version: { generation: 60 }, problems: [] });
    const again = await KeyedStoreWriter.open(path, "view");
    expect(again.writer.version).toEqual({ generation: 60, hash: "g60" });
    await again.writer.close();
  });
});
