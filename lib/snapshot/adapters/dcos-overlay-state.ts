/**
 * @module
 * DC/OS's overlay master state (`GET /overlay-master/state`, the record in its replicated log)
 * as wayfinder's previous overlay allocations: the migration path that keeps every node's VTEP
 * and slices, so running containers keep their addresses when wayfinder takes over. Field
 * names are the protobuf's (`overlay.proto`, spec §2.1); DC/OS's IPv6 text
 * (`fd01:b::1:0:0:0/80`) is made canonical. Pure.
 */
import { z } from "zod";
import { PreviousOverlay } from "../../desired/overlay-schema.ts";
import { canonicalIp } from "../../net/cidr.ts";
import { InputError, inputIssues } from "../issues.ts";

const Vxlan = z.looseObject({ vtep_ip: z.string(), vtep_mac: z.string(), vtep_ip6: z.string().optional() });

const OverlayInfo = z.looseObject({
  name: z.string(),
  subnet: z.string().optional(),
  prefix: z.number().int().optional(),
  subnet6: z.string().optional(),
  prefix6: z.number().int().optional(),
});

export const DcosOverlayMasterState = z.looseObject({
  network: z.looseObject({ vtep_subnet: z.string(), vtep_subnet6: z.string().optional(), overlays: z.array(OverlayInfo).default([]) }),
  agents: z
    .array(
      z.looseObject({
        ip: z.string(),
        overlays: z
          .array(z.looseObject({ info: OverlayInfo, subnet: z.string().optional(), subnet6: z.string().optional(), backend: z.looseObject({ vxlan: Vxlan }) }))
          .default([]),
      }),
    )
    .default([]),
});

/**
 * True for a document shaped like the overlay master's state (and not a wayfinder document).
 * @example isDcosOverlayMasterState({ network: {...}, agents: [...] }) // true
 */
export function isDcosOverlayMasterState(document: Record<string, unknown>): boolean {
  return document.apiVersion === undefined && "network" in document && "agents" in document;
}

/**
 * @example
 * allocationsFromDcosOverlayState(JSON.parse(await readFile("overlay-master-state.json", "utf8")), "state.json").nodes[0]
 * // { ip: "10.0.0.1", vtep: { ip: "44.128.0.1", ip6: "fd01:a::1", mac: "70:b3:d5:80:00:01" }, overlays: { dcos: { subnet: "9.0.0.0/24" } } }
 */
export function allocationsFromDcosOverlayState(document: unknown, source: string): PreviousOverlay {
  const parsed = DcosOverlayMasterState.safeParse(document);
  if (!parsed.success) throw new InputError(source, inputIssues(parsed.error));
  const { network, agents } = parsed.data;
  const text = (value: string | undefined) => (value === undefined ? undefined : (canonicalIp(value) ?? value));
  const address = (value: string | undefined) => text(value?.split("/")[0]);
  // An agent with no overlay has no VTEP on record (every overlay repeats the node's VTEP).
  const withOverlays = agents.filter((agent) => agent.overlays.length > 0);
  const allocations = {
    vtep: { subnet: text(network.vtep_subnet), subnet6: text(network.vtep_subnet6) },
    overlays: Object.fromEntries(
      network.overlays.map((o) => [o.name, { subnet: text(o.subnet), prefix: o.prefix, subnet6: text(o.subnet6), prefix6: o.prefix6 }]),
    ),
    nodes: withOverlays.map((agent) => {
        const vxlan = agent.overlays[0]!.backend.vxlan;
        return {
          ip: agent.ip,
          vtep: { ip: address(vxlan.vtep_ip), ip6: address(vxlan.vtep_ip6), mac: vxlan.vtep_mac.toLowerCase() },
          overlays: Object.fromEntries(agent.overlays.map((o) => [o.info.name, { subnet: text(o.subnet), subnet6: text(o.subnet6) }])),
        };
      }),
  };
  // JSON drops the absent (undefined) members before the strict schema sees them.
  const checked = PreviousOverlay.safeParse(JSON.parse(JSON.stringify(allocations)));
  if (checked.success) return checked.data;
  // Name the agent in DC/OS's document, not the index in our converted list.
  const issues = inputIssues(checked.error).map(({ path, message }) => {
    const match = /^nodes\[(\d+)\](.*)$/.exec(path);
    if (match === null) return { path: `network (${path})`, message };
    const agent = withOverlays[Number(match[1])]!;
    return { path: `agents[${agents.indexOf(agent)}]`, message: `${agent.ip}: ${match[2]!.replace(/^\./, "")}: ${message}` };
  });
  throw new InputError(source, issues);
}
