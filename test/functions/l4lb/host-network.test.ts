/**
 * Host-network tasks that report no `network_infos` (Mesos before 1.0, the Docker
 * containerizer): the dcos-net fixtures with those fields taken out, as such an agent sends them.
 */
import { describe, expect, it } from "vitest";
import { l4lbServices } from "../../../functions/l4lb/index.ts";
import type { L4Service } from "../../../lib/desired/schema.ts";
import { fromOperatorState } from "../../../lib/snapshot/adapters/operator-state.ts";
import { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import { operatorPayload, operatorSnapshot } from "../../support/upstream-fixtures.ts";

/** The fixture with every status's `container_status.network_infos` removed, then `edit` applied to each task. */
function withoutNetworkInfos(name: string, edit: (task: Record<string, any>) => void = () => {}): ClusterSnapshot {
  const payload = structuredClone(operatorPayload(name)) as any;
  const state = payload.get_state ?? payload;
  for (const task of [...(state.get_tasks.tasks ?? []), ...(state.get_tasks.launched_tasks ?? [])]) {
    for (const status of task.statuses) delete status.container_status?.network_infos;
    edit(task);
  }
  return ClusterSnapshot.parse({ cluster: { name }, now: "2026-01-01T00:00:00Z", ...fromOperatorState(payload, { source: `${name}.json` }) });
}

function table(services: readonly L4Service[]): string[] {
  return services.map((s) => `${s.vip.protocol} ${s.vip.ip}:${s.vip.port} → ${s.backends.map((b) => `${b.ip}:${b.port}/w${b.weight}`).join(" ")}`);
}

describe("VIP backends of host-network tasks without network_infos", () => {
  it.each(["tcp-and-udp", "vip-labels"])("%s: the agent's address stands in, the same table as with network_infos", (name) => {
    const result = l4lbServices(withoutNetworkInfos(name));
    expect(result.diagnostics.filter((d) => d.code === "l4lb.no-backend-address")).toEqual([]);
    expect(table(result.services)).toEqual(table(l4lbServices(operatorSnapshot(name)).services));
    expect(result.services.length).toBeGreaterThan(0);
  });

  it("a Docker task on the bridge network still has no address for its container port", () => {
    const result = l4lbServices(withoutNetworkInfos("tcp-and-udp", (task) => (task.container.docker.network = "BRIDGE")));
    expect(result.services).toEqual([]);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["l4lb.no-backend-address", "l4lb.no-backend-address"]);
  });

  it("a task whose status names a network without an address keeps the warning", () => {
    const result = l4lbServices(
      withoutNetworkInfos("tcp-and-udp", (task) => {
        for (const status of task.statuses) status.container_status.network_infos = [{ name: "dcos", ip_addresses: [] }];
      }),
    );
    expect(result.services).toEqual([]);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["l4lb.no-backend-address", "l4lb.no-backend-address"]);
  });

  it("a task whose reported address does not parse keeps the warning: a broken status, not a host task", () => {
    const result = l4lbServices(
      withoutNetworkInfos("tcp-and-udp", (task) => {
        for (const status of task.statuses) status.container_status.network_infos = [{ ip_addresses: [{ ip_address: "172.17.0.300" }] }];
      }),
    );
    expect(result.services).toEqual([]);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["l4lb.no-backend-address", "l4lb.no-backend-address"]);
  });

  it("an agent without a parseable address gives no stand-in, and the warning stays", () => {
    const snapshot = withoutNetworkInfos("tcp-and-udp");
    const result = l4lbServices({ ...snapshot, agents: snapshot.agents.map((a) => ({ ...a, ips: ["agent-1.example"] })) });
    expect(result.services).toEqual([]);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["l4lb.no-backend-address", "l4lb.no-backend-address"]);
  });
});
