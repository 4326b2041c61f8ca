import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DnsForwarding } from "../../lib/desired/schema.ts";
import { Forwarder } from "../../lib/dns/forward/forwarder.ts";
import { QueryHandler, type Client } from "../../lib/dns/handler.ts";
import { DnsMetrics, renderPrometheus } from "../../lib/dns/metrics.ts";
import { ServingState } from "../../lib/dns/serving-state.ts";
import { closedPort, startFakeUpstream, type FakeUpstream } from "../support/fake-upstream.ts";
import { testZoneSet } from "../support/dns-zones.ts";
import { decodeReply, queryBytes, type DecodedReply } from "../support/dns-messages.ts";

const LOCAL: Client = { address: "127.0.0.1", transport: "udp" };
const upstreamOf = (u: FakeUpstream | number) => ({ ip: "127.0.0.1", port: typeof u === "number" ? u : u.port });

/** A timeout no loaded machine comes near, for the tests that prove it was not waited for. */
const SLOW_TIMEOUT_MS = 4000;

function setup(forwarding: Partial<DnsForwarding>) {
  const { state } = ServingState.build(testZoneSet({ timeoutMs: 400, ...forwarding }), {}, 0);
  const metrics = new DnsMetrics();
  const forwarder = new Forwarder({ observer: { replied: (u, r, ms) => metrics.forwardReplied(u, r, ms), failed: (u, why) => metrics.upstreamFailed(u, why) } });
  const handler = new QueryHandler(() => state, forwarder, metrics, { maxUdpSize: 4096 });
  const ask = (name: string, type = "A", client = LOCAL, id = 99): Promise<{ reply: DecodedReply; ms: number }> =>
    new Promise((resolve) => {
      const started = performance.now();
      handler.handle(queryBytes(name, type, { id }), client, (out) => resolve({ reply: decodeReply(out), ms: performance.now() - started }));
    });
  return { ask, forwarder, metrics };
}

describe("forwarding", () => {
  const upstreams: FakeUpstream[] = [];
  const start = async (options: Parameters<typeof startFakeUpstream>[0]) => {
    const upstream = await startFakeUpstream(options);
    upstreams.push(upstream);
    return upstream;
  };
  let healthy: FakeUpstream;
  let silent: FakeUpstream;
  beforeAll(async () => {
    healthy = await start({ address: "192.0.2.1", delayMs: 10 });
    silent = await start({ behaviour: "silent" });
  });
  afterAll(async () => {
    await Promise.all(upstreams.map((u) => u.close()));
  });

  it("relays the upstream's reply with the client's ID", async () => {
    const { ask } = setup({ upstreams: [upstreamOf(healthy)] });
    const { reply } = await ask("www.example.org", "A", LOCAL, 31337);
    expect(reply.id).toBe(31337);
    expect(reply.answers.map((a) => a.data)).toEqual(["192.0.2.1"]);
    expect(reply.flags.ra).toBe(true);
  });

  it("answers within the healthy upstream's latency while the other never answers (dual dispatch)", async () => {
    const { ask, forwarder } = setup({ upstreams: [upstreamOf(silent), upstreamOf(healthy)], timeoutMs: SLOW_TIMEOUT_MS });
    const before = silent.received;
    const { reply, ms } = await ask("www.example.org");
    expect(reply.answers.map((a) => a.data)).toEqual(["192.0.2.1"]);
    expect(ms).toBeLessThan(SLOW_TIMEOUT_MS / 2); // the silent upstream was not waited for
    expect(silent.received).toBe(before + 1); // both were asked at once
    forwarder.close();
  });

  it("marks a silent upstream down after its timeouts and stops sending it every query", async () => {
    const { ask, forwarder } = setup({ upstreams: [upstreamOf(silent), upstreamOf(healthy)] });
    for (let i = 0; i < 3; i++) await ask(`n${i}.example.org`);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the three attempts time out
    const [name] = [...forwarder.health().keys()].filter((k) => k.endsWith(`:${silent.port}`));
    expect(name).toBeDefined();
    const before = silent.received;
    for (let i = 0; i < 10; i++) await ask(`m${i}.example.org`);
    expect(silent.received - before).toBeLessThanOrEqual(1); // a probe at most
    forwarder.close();
  });

  it("fails fast on an upstream that refuses (ICMP port unreachable) and uses the other", async () => {
    const { ask, metrics } = setup({ upstreams: [upstreamOf(await closedPort()), upstreamOf(healthy)] });
    const { reply } = await ask("www.example.org");
    expect(reply.rcode).toBe("NOERROR");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(renderPrometheus([metrics.snapshot()])).toMatch(/wayfinder_dns_upstream_failures_total\{upstream="127\.0\.0\.1:\d+",reason="refused"\} 1/);
  });

  it("answers SERVFAIL, with QR set, when every upstream fails (dcos-dns left QR unset)", async () => {
    const { ask } = setup({ upstreams: [upstreamOf(await closedPort())], timeoutMs: SLOW_TIMEOUT_MS });
    const { reply, ms } = await ask("www.example.org");
    expect(reply.rcode).toBe("SERVFAIL");
    expect(reply.flags.qr).toBe(true);
    expect(reply.questions[0]!.name).toBe("www.example.org");
    expect(ms).toBeLessThan(SLOW_TIMEOUT_MS / 2); // the refusal ended it, not the timeout
  });

  it("answers SERVFAIL after the timeout when the only upstream is silent", async () => {
    const { ask } = setup({ upstreams: [upstreamOf(silent)], timeoutMs: 150 });
    const { reply, ms } = await ask("www.example.org");
    expect(reply.rcode).toBe("SERVFAIL");
    expect(ms).toBeGreaterThanOrEqual(140);
  });

  it("prefers a real answer over a faster SERVFAIL", async () => {
    const broken = await start({ behaviour: "servfail" });
    const slow = await start({ address: "192.0.2.7", delayMs: 40 });
    const { ask } = setup({ upstreams: [upstreamOf(broken), upstreamOf(slow)] });
    const { reply } = await ask("www.example.org");
    expect(reply.answers.map((a) => a.data)).toEqual(["192.0.2.7"]);
  });

  it("relays a SERVFAIL when that is all there is", async () => {
    const broken = await start({ behaviour: "servfail" });
    const { ask } = setup({ upstreams: [upstreamOf(broken)] });
    expect((await ask("www.example.org")).reply.rcode).toBe("SERVFAIL");
  });

  it.each(["wrong-id", "wrong-question"] as const)("ignores a reply with the %s (RFC 5452) and waits for a genuine one", async (behaviour) => {
    const spoofer = await start({ behaviour, address: "203.0.113.66" });
    const { ask } = setup({ upstreams: [upstreamOf(spoofer), upstreamOf(await start({ address: "192.0.2.9", delayMs: 30 }))] });
    const { reply } = await ask("www.example.org");
    expect(reply.answers.map((a) => a.data)).toEqual(["192.0.2.9"]);
  });

  it("sends each zone to its own upstreams, the longest suffix winning", async () => {
    const corp = await start({ address: "192.0.2.20" });
    const deep = await start({ address: "192.0.2.21" });
    const { ask } = setup({
      upstreams: [upstreamOf(healthy)],
      zones: [
        { zone: "corp.example", upstreams: [upstreamOf(corp)] },
        { zone: "deep.corp.example", upstreams: [upstreamOf(deep)] },
      ],
    });
    expect((await ask("a.corp.example")).reply.answers[0]!.data).toBe("192.0.2.20");
    expect((await ask("a.deep.corp.example")).reply.answers[0]!.data).toBe("192.0.2.21");
    expect((await ask("a.other.example")).reply.answers[0]!.data).toBe("192.0.2.1");
  });

  it("lets a forward zone take over a local zone of the same name (the mesos domain sent to the masters)", async () => {
    const masters = await start({ address: "192.0.2.30" });
    const { ask } = setup({ zones: [{ zone: "mesos", upstreams: [upstreamOf(masters)] }] });
    expect((await ask("leader.mesos")).reply.answers[0]!.data).toBe("192.0.2.30");
    expect((await ask("ready.spartan")).reply.answers[0]!.data).toBe("127.0.0.1");
  });

  it("refuses to forward for a client outside the allowed networks, but answers it local names", async () => {
    const { ask } = setup({ upstreams: [upstreamOf(healthy)], allowedNetworks: ["127.0.0.1/32"] });
    const outsider: Client = { address: "127.0.0.2", transport: "udp" };
    const refused = (await ask("www.example.org", "A", outsider)).reply;
    expect(refused.rcode).toBe("REFUSED");
    expect(refused.flags.ra).toBe(false);
    expect((await ask("ready.spartan", "A", outsider)).reply.answers[0]!.data).toBe("127.0.0.1");
    expect((await ask("www.example.org", "A", { address: "::ffff:127.0.0.1", transport: "udp" })).reply.rcode).toBe("NOERROR");
  });

  it("forwards over TCP when the client asked over TCP", async () => {
    const tcpOnly = await start({ address: "192.0.2.40" });
    const { ask } = setup({ upstreams: [upstreamOf(tcpOnly)] });
    const { reply } = await ask("www.example.org", "A", { address: "127.0.0.1", transport: "tcp" });
    expect(reply.answers[0]!.data).toBe("192.0.2.40");
    expect(tcpOnly.receivedTcp).toBe(1);
    await ask("www.example.org");
    expect(tcpOnly.received).toBe(2);
    expect(tcpOnly.receivedTcp).toBe(1);
  });

  it("counts forwarded replies and their latency per upstream", async () => {
    const { ask, metrics } = setup({ upstreams: [upstreamOf(healthy)] });
    await ask("www.example.org");
    const text = renderPrometheus([metrics.snapshot()]);
    expect(text).toContain(`wayfinder_dns_forward_replies_total{upstream="127.0.0.1:${healthy.port}",rcode="NOERROR"} 1`);
    expect(text).toContain(`wayfinder_dns_forward_duration_seconds_count{upstream="127.0.0.1:${healthy.port}"} 1`);
    expect(text).toContain(`wayfinder_dns_queries_total{type="A",rcode="NOERROR"} 1`);
  });
});
