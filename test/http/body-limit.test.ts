import { describe, expect, it } from "vitest";
import { createApp, DEFAULT_BODY_LIMIT } from "../../lib/http/app.ts";
import { SNAPSHOT_INPUT, postJson } from "./helpers.ts";

const LIMIT = 1024;
const app = createApp({ bodyLimit: LIMIT });
const big = JSON.stringify({ ...SNAPSHOT_INPUT, padding: "x".repeat(LIMIT) });

/** A body sent as a stream: no Content-Length, the way a chunked upload arrives. */
function chunked(text: string, chunkSize = 100): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, (offset += chunkSize)));
    },
  });
}

function postStream(text: string): Promise<Response> {
  const init = { method: "POST", headers: { "Content-Type": "application/json" }, body: chunked(text), duplex: "half" };
  return Promise.resolve(app.request("/v1/reconcile", init as RequestInit));
}

describe("request body limit", () => {
  it("defaults to 32 MiB", () => {
    expect(DEFAULT_BODY_LIMIT).toBe(32 * 1024 * 1024);
  });

  it("answers 413 with a JSON error when Content-Length is over the limit", async () => {
    const res = await postJson(app, "/v1/reconcile", big, { "Content-Length": String(big.length) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toMatch(/limit of 1024 bytes/);
  });

  it("answers 413 for a streamed body without Content-Length once it passes the limit", async () => {
    const res = await postStream(big);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toMatch(/larger than the limit/);
  });

  it("accepts a streamed body under the limit", async () => {
    const small = JSON.stringify(SNAPSHOT_INPUT);
    expect(small.length).toBeLessThan(LIMIT);
    const res = await postStream(small);
    expect(res.status).toBe(200);
  });

  it("rejects a limit that is not a positive whole number", () => {
    expect(() => createApp({ bodyLimit: 0 })).toThrow(/bodyLimit/);
    expect(() => createApp({ bodyLimit: 1.5 })).toThrow(/bodyLimit/);
  });
});
