/**
 * @module
 * Shared inputs for the HTTP tests: the smallest snapshot that exercises a node view, a JSON
 * POST through `app.request()`, and an app with one cluster stored for the dashboard's pages.
 */
import type { Hono } from "hono";
import { expect } from "vitest";
import { createApp } from "../../lib/http/app.ts";
import { MemorySnapshotStore } from "../../lib/store/snapshot-store.ts";
import { ClusterSnapshot, type ClusterSnapshotInput } from "../../lib/snapshot/schema.ts";

/** Two agents, one framework, one running task. */
export const SNAPSHOT_INPUT = {
  cluster: { name: "test" },
  now: "2026-01-01T00:00:00Z",
  leader: "master@10.0.0.1:5050",
  masters: ["10.0.0.1:5050"],
  agents: [
    { id: "S1", hostname: "agent-1", ips: ["10.0.1.1"] },
    { id: "S2", hostname: "agent-2", ips: ["10.0.1.2"] },
  ],
  frameworks: [{ id: "F1", name: "marathon", ips: ["10.0.0.1"] }],
  tasks: [
    { id: "web.1", name: "web", frameworkId: "F1", agentId: "S1", state: "TASK_RUNNING", ports: [{ begin: 31000, end: 31000 }] },
  ],
} satisfies ClusterSnapshotInput;

export const SNAPSHOT = ClusterSnapshot.parse(SNAPSHOT_INPUT);

export function postJson(app: Hono, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

export const HASH = /^[0-9a-f]{64}$/;

/** An app with a memory store holding `snapshot` (JSON text) as cluster `name`. */
export async function withCluster(name: string, snapshot: string): Promise<ReturnType<typeof createApp>> {
  const app = createApp({ store: new MemorySnapshotStore() });
  const put = await app.request(`/v1/clusters/${name}/snapshot`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: snapshot });
  expect(put.status).toBe(200);
  return app;
}

/** A dashboard page: status, HTML and headers. */
export async function page(app: Hono, path: string): Promise<{ status: number; html: string; headers: Headers }> {
  const res = await app.request(path);
  return { status: res.status, html: await res.text(), headers: res.headers };
}
