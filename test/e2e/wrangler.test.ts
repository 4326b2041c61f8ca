/**
 * The Workers build of the API, run by `wrangler dev` (local workerd, no network needed; it
 * warns that it cannot fetch `Request.cf`, which is harmless).
 */
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DesiredState } from "../../lib/desired/schema.ts";
import { SNAPSHOT_INPUT } from "../http/helpers.ts";
import { E2E_REQUIRED, freePort, startProcess, stopProcess, toolAvailable, waitForReady, type ServerProcess } from "./server-process.ts";

const WRANGLER = resolve("node_modules/.bin/wrangler");
const available = toolAvailable(WRANGLER);
const TOKEN = "secret";

describe.skipIf(!available && !E2E_REQUIRED)("wrangler dev (Workers entry)", () => {
  let server: ServerProcess | undefined;
  let base = "";

  beforeAll(async () => {
    if (!available) throw new Error(`WAYFINDER_E2E=required but wrangler is not installed at ${WRANGLER} (run npm ci)`);
    const [port, inspectorPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${port}`;
    server = startProcess(
      WRANGLER,
      ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort), "--var", `WAYFINDER_TOKEN:${TOKEN}`, "--show-interactive-dev-session=false"],
      { WRANGLER_SEND_METRICS: "false" },
    );
    await waitForReady(server, `${base}/healthz`);
  });

  afterAll(async () => {
    await stopProcess(server);
  });

  const post = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify(SNAPSHOT_INPUT),
    });

  it("answers POST /v1/reconcile with a DesiredState", async () => {
    const res = await post("/v1/reconcile", { Authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    const desired = DesiredState.parse(await res.json());
    expect(desired.apiVersion).toBe("wayfinder/v1");
    expect(desired.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(res.headers.get("etag")).toBe(`"${desired.hash}"`);
  });

  it("answers 401 without the token from the WAYFINDER_TOKEN binding", async () => {
    const res = await post("/v1/reconcile");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(((await res.json()) as { error: string }).error).toMatch(/bearer token/);
  });

  it("answers 400 with issue paths for a malformed snapshot", async () => {
    const res = await fetch(`${base}/v1/reconcile`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ cluster: {}, now: "x" }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { issues: { path: string }[] };
    expect(body.issues.map((i) => i.path)).toEqual(expect.arrayContaining(["cluster.name", "now"]));
  });

  it("stores a cluster's snapshot in its Durable Object and long-polls the node view there", async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const put = (tasks: unknown[]) =>
      fetch(`${base}/v1/clusters/test/snapshot`, {
        method: "PUT",
        headers: { "Content-Type": "application/json", ...auth },
        body: JSON.stringify({ ...SNAPSHOT_INPUT, tasks }),
      });
    expect((await put(SNAPSHOT_INPUT.tasks)).status).toBe(200);
    const first = await fetch(`${base}/v1/clusters/test/desired/nodes/S1`, { headers: auth });
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag")!;
    expect(DesiredState.parse(await first.json()).node).toBe("S1");
    const poll = fetch(`${base}/v1/clusters/test/desired/nodes/S1?wait=20`, { headers: { ...auth, "If-None-Match": etag } });
    await new Promise((r) => setTimeout(r, 300));
    expect((await put([...SNAPSHOT_INPUT.tasks, { ...SNAPSHOT_INPUT.tasks[0], id: "api.1", name: "api" }])).status).toBe(200);
    const changed = await poll;
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    const bad = await fetch(`${base}/v1/clusters/test/snapshot`, { method: "PUT", headers: { "Content-Type": "application/json", ...auth }, body: "{}" });
    expect(bad.status).toBe(400);
    expect((await fetch(`${base}/v1/clusters/test/desired/nodes/S1`, { headers: { ...auth, "If-None-Match": changed.headers.get("etag")! } })).status).toBe(304);
  });

  it("serves the OpenAPI document", async () => {
    const res = await fetch(`${base}/openapi.json`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { openapi: string }).openapi).toBe("3.1.0");
  });
});
