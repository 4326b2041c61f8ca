import fc from "fast-check";
import dnsPacket from "dns-packet";
import { describe, expect, it } from "vitest";
import { Forwarder } from "../../lib/dns/forward/forwarder.ts";
import { QueryHandler } from "../../lib/dns/handler.ts";
import { DnsMetrics } from "../../lib/dns/metrics.ts";
import { ServingState } from "../../lib/dns/serving-state.ts";
import { testZoneSet } from "../support/dns-zones.ts";
import { queryBytes } from "../support/dns-messages.ts";

const { state } = ServingState.build(testZoneSet(), {}, 0);
const handler = new QueryHandler(() => state, new Forwarder({}), new DnsMetrics(), { maxUdpSize: 4096 });
const SEEDS = [
  queryBytes("foo.test.thisdcos.directory", "A"),
  queryBytes("_liquor-store._tcp.marathon.mesos", "SRV", { udpSize: 1232 }),
  queryBytes("app.marathon.dclb.thisdcos.global", "AAAA"),
  queryBytes("app.autoip.dcos.thisdcos.directory", "A", { udpSize: 4096, dnssecOk: true }),
];

/** Runs one packet through the handler; the reply, if any, must be a well-formed DNS response to it. */
function check(packet: Buffer, transport: "udp" | "tcp"): void {
  let replies = 0;
  let reply: Buffer | undefined;
  const answered = handler.handle(packet, { address: "127.0.0.1", transport }, (out) => {
    replies++;
    reply = out;
  });
  expect(replies).toBe(answered ? 1 : 0);
  if (reply === undefined) return;
  expect(reply.readUInt16BE(0)).toBe(packet.readUInt16BE(0));
  expect(reply[2]! & 0x80).toBe(0x80);
  if (transport === "udp") expect(reply.length).toBeLessThanOrEqual(4096);
  expect(() => dnsPacket.decode(reply!)).not.toThrow();
}

describe("the query handler under random input", () => {
  it("never throws, never answers twice, and only sends decodable replies (random bytes)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), fc.boolean(), (bytes, tcp) => check(Buffer.from(bytes), tcp ? "tcp" : "udp")),
      { numRuns: 5000 },
    );
  });

  it("does the same for mutated real queries (flipped bytes, cut short, grown)", () => {
    const mutation = fc.record({
      seed: fc.integer({ min: 0, max: SEEDS.length - 1 }),
      flips: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 6 }),
      cut: fc.option(fc.nat()),
      tail: fc.uint8Array({ maxLength: 20 }),
    });
    fc.assert(
      fc.property(mutation, ({ seed, flips, cut, tail }) => {
        let packet = Buffer.from(SEEDS[seed]!);
        for (const { at, value } of flips) packet[at % packet.length] = value;
        if (cut !== null) packet = packet.subarray(0, cut % (packet.length + 1));
        check(Buffer.concat([packet, Buffer.from(tail)]), "udp");
      }),
      { numRuns: 5000 },
    );
  });
});

describe("a bug while answering", () => {
  it("drops that query, reports it and keeps answering", () => {
    const errors: unknown[] = [];
    const metrics = new DnsMetrics();
    let broken = true;
    const flaky = new QueryHandler(
      () => {
        if (broken) throw new Error("boom");
        return state;
      },
      new Forwarder({}),
      metrics,
      { maxUdpSize: 4096, onError: (e) => errors.push(e) },
    );
    const replies: Buffer[] = [];
    expect(flaky.handle(SEEDS[0]!, { address: "127.0.0.1", transport: "udp" }, (out) => replies.push(out))).toBe(false);
    expect(errors).toHaveLength(1);
    expect(metrics.snapshot().dropped).toEqual({ "internal-error": 1 });
    broken = false;
    expect(flaky.handle(SEEDS[0]!, { address: "127.0.0.1", transport: "udp" }, (out) => replies.push(out))).toBe(true);
    expect(replies).toHaveLength(1);
  });
});
