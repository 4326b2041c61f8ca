import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { Watcher, type WatchFrame } from "../../../lib/http/watch/watcher.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const frame = (text: string, flush = true): WatchFrame => ({ chunks: [bytes(text)], flush });

async function readAll(stream: ReadableStream<Uint8Array>, onChunk: () => void): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    parts.push(chunk);
    onChunk();
  }
  return Buffer.concat(parts);
}

describe.each([false, true])("Watcher (gzip %s)", (gzip) => {
  it("sends the relist first, then the changes that waited behind it, then later ones, in order", async () => {
    const relist = [frame("r1\n", false), frame("r2\n", false), frame("r3\n")].values();
    let closed = 0;
    const watcher = new Watcher({ node: "S1", gzip, maxQueuedBytes: 1 << 20, relist, onClose: () => (closed += 1) });
    watcher.send(frame("a\n"));
    watcher.send(frame("b\n"));
    let sent = false;
    const body = await readAll(watcher.stream, () => {
      if (sent) return;
      sent = true;
      watcher.send(frame("c\n"));
      setTimeout(() => {
        watcher.send(frame("d\n"));
        watcher.end();
      }, 20);
    });
    const text = (gzip ? gunzipSync(body) : body).toString();
    expect(text).toBe("r1\nr2\nr3\na\nb\nc\nd\n");
    expect(closed).toBe(1);
  });

  it("cuts itself once more than its bound waits, and reports it closed once", async () => {
    let closed = 0;
    const watcher = new Watcher({ node: "S1", gzip, maxQueuedBytes: 100, relist: [frame("r\n")].values(), onClose: () => (closed += 1) });
    for (let i = 0; i < 10; i++) watcher.send(frame(`${"x".repeat(20)}\n`));
    await expect(readAll(watcher.stream, () => {})).rejects.toThrow("watch stream cut: more than 100 bytes waiting for a slow client");
    watcher.end();
    expect(closed).toBe(1);
  });
});
