/**
 * `wayfinder serve` as an operator runs it: the real bin, a real socket, a snapshot file, and
 * SIGTERM at the end (which must exit 0 after a graceful close).
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DesiredState } from "../../lib/desired/schema.ts";
import { SNAPSHOT_INPUT } from "../http/helpers.ts";
import { startServe, stopProcess, type ServerProcess } from "./server-process.ts";

describe("wayfinder serve (Node)", () => {
  let server: ServerProcess | undefined;
  let base = "";

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), "wayfinder-serve-e2e-"));
    const snapshot = join(dir, "snapshot.json");
    await writeFile(snapshot, JSON.stringify(SNAPSHOT_INPUT));
    ({ server, base } = await startServe(["--snapshot", snapshot, "--body-limit", "65536"], { WAYFINDER_TOKEN: "" }));
  });

  afterAll(async () => {
    await stopProcess(server);
  });

  it("answers POST /v1/reconcile with a DesiredState and its ETag", async () => {
    const res = await fetch(`${base}/v1/reconcile`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(SNAPSHOT_INPUT),
    });
    expect(res.status).toBe(200);
    const desired = DesiredState.parse(await res.json());
    expect(desired.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(res.headers.get("etag")).toBe(`"${desired.hash}"`);
  });

  it("serves the snapshot's node view and answers 304 to If-None-Match", async () => {
    const first = await fetch(`${base}/v1/desired/nodes/S1`);
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(((await first.json()) as { node: string }).node).toBe("S1");

    const again = await fetch(`${base}/v1/desired/nodes/S1`, { headers: { "If-None-Match": etag as string } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
  });

  it("answers 413 to a chunked body over --body-limit", async () => {
    const big = new TextEncoder().encode(JSON.stringify({ ...SNAPSHOT_INPUT, padding: "x".repeat(100_000) }));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < big.length; i += 8192) controller.enqueue(big.subarray(i, i + 8192));
        controller.close();
      },
    });
    const init = { method: "POST", headers: { "Content-Type": "application/json" }, body, duplex: "half" };
    const res = await fetch(`${base}/v1/reconcile`, init as RequestInit);
    expect(res.status).toBe(413);
  });

  it("exits 0 on SIGTERM", async () => {
    const code = await stopProcess(server);
    expect(code).toBe(0);
    expect(server?.output()).toMatch(/SIGTERM, finishing in-flight requests/);
  });
});
