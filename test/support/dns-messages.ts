/**
 * @module
 * DNS messages for tests, built and read with `dns-packet`: an implementation independent of
 * the server's own encoder, so a test decoding a reply checks the server's bytes, not its
 * assumptions.
 */
import dnsPacket, { type Packet } from "dns-packet";

export interface QueryOptions {
  id?: number;
  /** EDNS UDP payload size; absent: no OPT record. */
  udpSize?: number;
  ednsVersion?: number;
  dnssecOk?: boolean;
  flags?: number;
  qclass?: "IN" | "CH" | "ANY";
}

/** @example queryBytes("web.mesos", "A", { udpSize: 4096 }) */
export function queryBytes(name: string, type: string, options: QueryOptions = {}): Buffer {
  const packet: Packet = {
    type: "query",
    id: options.id ?? 4242,
    flags: options.flags ?? dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as never, class: options.qclass ?? "IN" }],
  };
  if (options.udpSize !== undefined) {
    packet.additionals = [
      {
        type: "OPT",
        name: ".",
        udpPayloadSize: options.udpSize,
        extendedRcode: 0,
        ednsVersion: options.ednsVersion ?? 0,
        flags: options.dnssecOk ? dnsPacket.DNSSEC_OK : 0,
        options: [],
      } as never,
    ];
  }
  return dnsPacket.encode(packet);
}

/** A decoded reply with the bits tests look at. */
export interface DecodedReply {
  id: number;
  rcode: string;
  flags: { qr: boolean; aa: boolean; tc: boolean; rd: boolean; ra: boolean; cd: boolean; ad: boolean; z: boolean };
  opcode: string;
  questions: Array<{ name: string; type: string }>;
  answers: Array<{ name: string; type: string; ttl: number; data: unknown }>;
  authorities: Array<{ name: string; type: string; ttl: number; data: unknown }>;
  additionals: Array<{ name: string; type: string; ttl?: number; data?: unknown; udpPayloadSize?: number; flags?: number; extendedRcode?: number }>;
  size: number;
}

/** @example decodeReply(bytes).answers.map((a) => a.data) */
export function decodeReply(bytes: Buffer): DecodedReply {
  const p = dnsPacket.decode(bytes) as unknown as Packet & { rcode: string; opcode: string; flags: number };
  const flags = p.flags ?? 0;
  return {
    id: p.id ?? 0,
    rcode: p.rcode,
    opcode: p.opcode,
    flags: {
      // dns-packet reports QR as the packet type, not in `flags`.
      qr: (p as { type?: string }).type === "response",
      aa: (flags & 0x0400) !== 0,
      tc: (flags & 0x0200) !== 0,
      rd: (flags & 0x0100) !== 0,
      ra: (flags & 0x0080) !== 0,
      z: (flags & 0x0040) !== 0,
      ad: (flags & 0x0020) !== 0,
      cd: (flags & 0x0010) !== 0,
    },
    questions: (p.questions ?? []).map((q) => ({ name: q.name, type: q.type })),
    answers: (p.answers ?? []) as DecodedReply["answers"],
    authorities: (p.authorities ?? []) as DecodedReply["authorities"],
    additionals: (p.additionals ?? []) as DecodedReply["additionals"],
    size: bytes.length,
  };
}
