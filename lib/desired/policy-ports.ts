/**
 * @module
 * A policy port: one protocol, and a port or an inclusive range of ports (`endPort`, as in
 * Kubernetes' KEP-2079), or every port of the protocol. Shared by the config (what operators
 * write) and the desired state (what nodes apply), so both mean the same thing.
 */
import { z } from "zod";

export const Protocol = z.enum(["tcp", "udp", "sctp"]);
export type Protocol = z.infer<typeof Protocol>;

/** A port or an inclusive range of one protocol; no port: every port of it. */
export const PortSpec = z
  .object({
    protocol: Protocol.default("tcp"),
    port: z.number().int().min(1).max(65535).optional(),
    endPort: z.number().int().min(1).max(65535).optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.endPort === undefined) return;
    if (spec.port === undefined) ctx.addIssue({ code: "custom", path: ["endPort"], message: "endPort needs a port (the start of the range)" });
    else if (spec.endPort < spec.port) ctx.addIssue({ code: "custom", path: ["endPort"], message: `endPort ${spec.endPort} is below port ${spec.port}` });
  });
export type PortSpec = z.infer<typeof PortSpec>;

/**
 * True when a connection's protocol and port fall in one of `specs`; absent specs: every one.
 * @example portsMatch([{ protocol: "tcp", port: 8000, endPort: 8100 }], "tcp", 8080) // true
 */
export function portsMatch(specs: readonly PortSpec[] | undefined, protocol: string, port: number): boolean {
  if (specs === undefined) return true;
  return specs.some((s) => s.protocol === protocol && (s.port === undefined || (s.port <= port && port <= (s.endPort ?? s.port))));
}

/** One protocol and port, as a connection has them. */
export interface ProtocolPort {
  protocol: Protocol;
  port: number;
}

/**
 * `tcp/5432` → `{ protocol: "tcp", port: 5432 }`; undefined for anything else.
 * @example parseProtocolPort("udp/53") // { protocol: "udp", port: 53 }
 */
export function parseProtocolPort(text: string): ProtocolPort | undefined {
  const match = /^([a-z]+)\/(\d{1,5})$/.exec(text);
  const protocol = Protocol.safeParse(match?.[1]);
  const port = Number(match?.[2]);
  return match === null || !protocol.success || port < 1 || port > 65535 ? undefined : { protocol: protocol.data, port };
}
