/**
 * @module
 * The policy tests' cluster: two private agents and a public one; a shop (web, api) on the
 * `dcos` overlay, a bank (db) on the isolated `blue` overlay, a host-network probe, and a
 * rogue task on `blue` that blue's attach ACL refuses. Rules cover every tier and corner.
 */
import { policySnapshot, type PolicyClusterSpec } from "../../support/policy-cluster.ts";

export const IP = {
  a1: "10.0.0.11",
  a2: "10.0.0.12",
  edge: "10.0.0.21",
  web1: "9.0.0.2",
  web2: "9.0.1.2",
  api: "9.0.1.3",
  db: "10.200.0.2",
  rogue: "10.200.1.5",
} as const;

export const TENANTS: PolicyClusterSpec = {
  agents: [
    { id: "a1", ip: IP.a1 },
    { id: "a2", ip: IP.a2 },
    { id: "e1", ip: IP.edge, public: true },
  ],
  tasks: [
    { id: "shop_web.1", app: "/shop/web", agent: "a1", network: "dcos", ip: IP.web1 },
    { id: "shop_web.2", app: "/shop/web", agent: "a2", network: "dcos", ip: IP.web2 },
    { id: "shop_api.1", app: "/shop/api", agent: "a2", network: "dcos", ip: IP.api },
    { id: "bank_db.1", app: "/bank/db", agent: "a1", network: "blue", ip: IP.db },
    { id: "tools_probe.1", app: "/tools/probe", agent: "a1", ports: [7000] },
    { id: "shop_rogue.1", app: "/shop/rogue", agent: "a2", network: "blue", ip: IP.rogue },
  ],
  apps: { "/shop/api": { WAYFINDER_POLICY_ALLOW_FROM_8080: "/shop/web" } },
  overlay: {
    overlays: [
      { name: "dcos", subnet: "9.0.0.0/8", prefix: 24 },
      { name: "blue", subnet: "10.200.0.0/16", prefix: 24 },
    ],
  },
  policy: {
    networks: { blue: { isolation: "isolated", allowFrom: ["edge"], attach: [{ action: "allow", apps: ["/bank/**"] }, { action: "deny" }] } },
    rules: [
      { name: "no-metadata", priority: 1, action: "deny", to: { ipBlocks: [{ cidr: "169.254.169.254/32" }] } },
      { name: "web-api-pass", priority: 5, action: "pass", from: { apps: ["/shop/web"] }, to: { apps: ["/shop/api"] } },
      { name: "web-to-db", priority: 20, action: "allow", from: { apps: ["/shop/web"] }, to: { apps: ["/bank/db"] }, ports: [{ protocol: "tcp", port: 5432 }] },
      { name: "web-api-9090", priority: 30, action: "deny", from: { apps: ["/shop/web"] }, to: { apps: ["/shop/api"] }, ports: [{ protocol: "tcp", port: 9090 }] },
      { name: "b-allow", priority: 40, action: "allow", to: { apps: ["/shop/web"] }, ports: [{ protocol: "tcp", port: 80 }] },
      { name: "a-deny", priority: 40, action: "deny", to: { apps: ["/shop/web"] }, ports: [{ protocol: "tcp", port: 80 }] },
      { name: "db-range", priority: 50, action: "allow", from: { apps: ["/bank/db"] }, to: { apps: ["/shop/web"] }, ports: [{ protocol: "tcp", port: 8000, endPort: 8100 }] },
      { name: "dcos-to-probe", priority: 60, action: "allow", from: { networks: ["dcos"] }, to: { apps: ["/tools/probe"] } },
      { name: "office", priority: 70, action: "allow", from: { ipBlocks: [{ cidr: "203.0.113.0/24", except: ["203.0.113.128/25"] }] }, to: { apps: ["/shop/web"] } },
    ],
    default: "deny",
  },
};

/** The snapshot of TENANTS, with whatever changes a test makes. */
export function tenants(change: (spec: PolicyClusterSpec) => PolicyClusterSpec = (s) => s) {
  return policySnapshot(change(structuredClone(TENANTS)));
}
