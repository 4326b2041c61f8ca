/**
 * @module
 * The demo cluster as the dashboard tests and screenshots store it: `state-fixtures/demo` with
 * each task's Marathon app (as `wayfinder snapshot` derives it) and a network policy an
 * operator might write for it: the tiers allowed in order (edge → web, agents → api, api → db,
 * and api → cache by the cache's own label), `dcos` isolated, the default deny, and an attach ACL
 * that keeps the hello-world framework's tasks off `dcos` (one is quarantined).
 */
import { readFileSync } from "node:fs";
import { Config } from "../../../lib/snapshot/config.ts";
import { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import { withAppIds } from "../../../lib/snapshot/task-apps.ts";

export const DEMO_POLICY = {
  default: "deny",
  networks: {
    dcos: {
      isolation: "isolated",
      allowFrom: ["host", "bridge"],
      attach: [
        { action: "allow", frameworks: ["marathon"] },
        { action: "deny", frameworks: ["hello-world"] },
      ],
    },
  },
  rules: [
    { name: "no-metadata", priority: 1, action: "deny", to: { ipBlocks: [{ cidr: "169.254.169.254/32" }] } },
    { name: "edge-to-web", priority: 10, action: "allow", from: { networks: ["edge"] }, to: { apps: ["/web"] } },
    // /web runs on the agents' network: it sends as its agent, so the rule names the network.
    { name: "agents-to-api", priority: 20, action: "allow", from: { networks: ["host"] }, to: { apps: ["/backend/api"] }, ports: [{ protocol: "tcp", port: 31500, endPort: 31502 }] },
    { name: "api-to-db", priority: 30, action: "allow", from: { apps: ["/backend/api"] }, to: { apps: ["/db"] }, ports: [{ protocol: "tcp", port: 5432 }] },
    { name: "logs-to-syslog", priority: 40, action: "allow", to: { apps: ["/syslog"] }, ports: [{ protocol: "tcp", port: 31514 }] },
    { name: "metrics-scrape", priority: 50, action: "allow", from: { apps: ["/metrics"] }, ports: [{ protocol: "tcp", port: 9100 }] },
  ],
} as const;

/**
 * @example await put(`/v1/clusters/demo/snapshot`, demoWithPolicy())
 */
export function demoWithPolicy(): ClusterSnapshot {
  const demo = ClusterSnapshot.parse(JSON.parse(readFileSync("state-fixtures/demo/snapshot.json", "utf8")));
  const marathonApps = demo.marathonApps.map((app) => (app.id === "/cache" ? { ...app, labels: { ...app.labels, WAYFINDER_POLICY_ALLOW_FROM_6379: "/backend/api" } } : app));
  return {
    ...demo,
    marathonApps,
    tasks: withAppIds(demo.tasks, demo.frameworks, marathonApps),
    config: Config.parse({ ...demo.config, policy: DEMO_POLICY }),
  };
}
