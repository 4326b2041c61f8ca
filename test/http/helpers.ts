/**
 * @module
 * Shared inputs for the HTTP tests: the smallest snapshot that exercises a node view, and a
 * JSON POST through `app.request()`.
 */
import type { Hono } from "hono";
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
