/**
 * `npm run bench:dns`: the on-node DNS server against its peers, every figure measured in
 * this run on loopback with dnsperf.
 *
 * 1. Local-zone answers: 1,000 A names, all hits (the lab notes' setup). wayfinder dns with two
 *    workers (and, for reference, one) against unbound with one thread serving the same
 *    records as `local-data`. Runs alternate between servers and the median of each is
 *    compared, because other work on the machine moves absolute figures from run to run.
 *    Throughput runs have dnsperf print nothing per reply; p99 at full load comes from a
 *    separate run per round with per-reply lines (see `dns/dnsperf.ts`).
 *    Also reported: CPU time per query (user + system, workers included).
 * 2. Forwarding with one of two upstreams never answering: unique names at a fixed rate, the
 *    healthy upstream being unbound answering them from a redirect zone. p99 is compared with
 *    the healthy upstream's own p99 (target: within 2x) and with two peers given the same two
 *    upstreams, dead one first: a mesos-dns-style forwarder that tries them one at a time, and
 *    unbound forwarding to both. For scale, a minimal Node relay to the healthy upstream alone
 *    (`dns/minimal-relay.ts`): what any forwarder written in Node adds at the least.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canonicalJsonPretty } from "../../lib/net/canonical-json.ts";
import { printRows, type BenchRow } from "./report.ts";
import { dnsperf, type DnsperfResult } from "./dns/dnsperf.ts";
import { cpuSeconds, startBlackHole, startMinimalRelay, startSequentialForwarder, startUnbound, startWayfinder, type Peer } from "./dns/peers.ts";

const NAMES = 1000;
const ROUNDS = Number(process.env["BENCH_DNS_ROUNDS"] ?? 3);
const SECONDS = Number(process.env["BENCH_DNS_SECONDS"] ?? 5);
const FORWARD_QPS = 1000;
const FORWARD_SECONDS = 8;
const FORWARD_TIMEOUT_MS = 2000;

const dir = mkdtempSync(join(tmpdir(), "wayfinder-bench-dns-"));
const peers: Peer[] = [];
const keep = <T extends Peer>(peer: T): T => (peers.push(peer), peer);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Measured {
  runs: DnsperfResult[];
  /** The runs with per-reply latencies. */
  latencyRuns: DnsperfResult[];
  cpuSeconds: number;
  answered: number;
}

async function localAnswers(): Promise<void> {
  const names = Array.from({ length: NAMES }, (_, i) => `app${i}.marathon.autoip.dcos.thisdcos.directory`);
  const address = (i: number) => `10.0.${i >> 8}.${i & 0xff}`;
  writeFileSync(join(dir, "queries.txt"), names.map((n) => `${n} A\n`).join(""));
  const zone = {
    origin: "dcos.thisdcos.directory",
    ttl: 5,
    soa: { mname: "ns.spartan", rname: "support.mesosphere.com", serial: 1, refresh: 60, retry: 180, expire: 86400, minimum: 1 },
    records: names.map((name, i) => ({ name, type: "A", ttl: 5, data: address(i) })),
  };
  writeFileSync(join(dir, "zones.json"), canonicalJsonPretty({ apiVersion: "wayfinder/v1", kind: "DnsZones", hash: "bench", dns: { zones: [zone] } }));

  const servers = {
    ours2: keep(await startWayfinder(["--desired", join(dir, "zones.json")], 2)),
    ours1: keep(await startWayfinder(["--desired", join(dir, "zones.json")], 1)),
    unbound: keep(
      await startUnbound(dir, "local-data", {
        localZones: [["dcos.thisdcos.directory", "static"]],
        localData: names.map((name, i) => `${name}. 5 IN A ${address(i)}`),
      }),
    ),
  };
  const results = Object.fromEntries(Object.keys(servers).map((k) => [k, { runs: [], latencyRuns: [], cpuSeconds: 0, answered: 0 } as Measured])) as Record<keyof typeof servers, Measured>;
  const order = Object.keys(servers) as Array<keyof typeof servers>;
  for (const key of order) await dnsperf({ port: servers[key].port, queryFile: join(dir, "queries.txt"), seconds: 1 }); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round so no server always runs right after the same one.
    for (const key of [...order.slice(round % order.length), ...order.slice(0, round % order.length)]) {
      const cpuBefore = cpuSeconds(servers[key].pid);
      const run = await dnsperf({ port: servers[key].port, queryFile: join(dir, "queries.txt"), seconds: SECONDS, clients: 4, latencies: false });
      results[key].cpuSeconds += cpuSeconds(servers[key].pid) - cpuBefore;
      results[key].answered += run.completed;
      results[key].runs.push(run);
      results[key].latencyRuns.push(await dnsperf({ port: servers[key].port, queryFile: join(dir, "queries.txt"), seconds: Math.min(SECONDS, 3), clients: 4 }));
    }
  }
  const qps = (m: Measured) => median(m.runs.map((r) => r.qps));
  const p99 = (m: Measured) => median(m.latencyRuns.map((r) => r.p99Ms));
  const cpuUs = (m: Measured) => (m.cpuSeconds / m.answered) * 1e6;
  const peer = results.unbound;
  const rows: BenchRow[] = [
    { case: "QPS, 2 workers vs unbound 1 thread", ours: qps(results.ours2), peer: qps(peer), unit: "qps", higherIsBetter: true, extra: `runs ${results.ours2.runs.map((r) => r.qps.toFixed(0)).join("/")} vs ${peer.runs.map((r) => r.qps.toFixed(0)).join("/")}` },
    { case: "QPS, 1 worker vs unbound 1 thread", ours: qps(results.ours1), peer: qps(peer), unit: "qps", higherIsBetter: true, extra: `runs ${results.ours1.runs.map((r) => r.qps.toFixed(0)).join("/")}` },
    { case: "p99 latency at full load, 2 workers", ours: p99(results.ours2), peer: p99(peer), unit: "ms" },
    { case: "p99 latency at full load, 1 worker", ours: p99(results.ours1), peer: p99(peer), unit: "ms" },
    { case: "CPU per query, 2 workers", ours: cpuUs(results.ours2), peer: cpuUs(peer), unit: "us" },
    { case: "CPU per query, 1 worker", ours: cpuUs(results.ours1), peer: cpuUs(peer), unit: "us" },
  ];
  const lost = Object.entries(results).map(([k, m]) => `${k} ${[...m.runs, ...m.latencyRuns].reduce((n, r) => n + r.lost, 0)}`);
  printRows(`local-zone answers: ${NAMES} A names, dnsperf -c 4, ${ROUNDS} x ${SECONDS} s per server, medians (queries lost: ${lost.join(", ")}); p99 from ${ROUNDS} x ${Math.min(SECONDS, 3)} s runs with per-reply latencies`, rows);
  for (const server of Object.values(servers)) await server.stop();
}

async function forwarding(): Promise<void> {
  const names = Array.from({ length: FORWARD_QPS * FORWARD_SECONDS * 2 }, (_, i) => `q${i}.fwd.example A\n`);
  writeFileSync(join(dir, "forward-queries.txt"), names.join(""));
  writeFileSync(join(dir, "empty.json"), canonicalJsonPretty({ apiVersion: "wayfinder/v1", kind: "DnsZones", hash: "empty", dns: { zones: [] } }));
  const healthy = keep(await startUnbound(dir, "healthy-upstream", { localZones: [["fwd.example", "redirect"]], localData: ["fwd.example. 30 IN A 192.0.2.1"] }));
  const dead = keep(await startBlackHole());
  const upstreams = [dead.port, healthy.port];
  const ours = keep(await startWayfinder(["--desired", join(dir, "empty.json"), "--allow", "127.0.0.1/32", "--timeout-ms", String(FORWARD_TIMEOUT_MS), ...upstreams.flatMap((p) => ["--upstream", `127.0.0.1:${p}`])], 1));
  const sequential = keep(await startSequentialForwarder(upstreams, FORWARD_TIMEOUT_MS));
  const unboundForwarder = keep(await startUnbound(dir, "forwarder", { forwardTo: upstreams }));
  const relay = keep(await startMinimalRelay(healthy.port));

  const measure = (peer: Peer, seconds = FORWARD_SECONDS) =>
    dnsperf({ port: peer.port, queryFile: join(dir, "forward-queries.txt"), seconds, maxQps: FORWARD_QPS, clients: 4, timeoutSeconds: 5 });
  // The first seconds are measured on their own: that is where a forwarder meets the dead
  // upstream before it has learnt anything about it.
  const firstOurs = await measure(ours, 3);
  const firstUnbound = await measure(unboundForwarder, 3);
  const rounds = { direct: [] as DnsperfResult[], ours: [] as DnsperfResult[], unbound: [] as DnsperfResult[], relay: [] as DnsperfResult[] };
  for (let round = 0; round < ROUNDS; round++) {
    rounds.direct.push(await measure(healthy));
    rounds.ours.push(await measure(ours));
    rounds.unbound.push(await measure(unboundForwarder));
    rounds.relay.push(await measure(relay));
  }
  const viaSequential = await measure(sequential);
  const p99 = (runs: DnsperfResult[]) => median(runs.map((r) => r.p99Ms));
  const p50 = (runs: DnsperfResult[]) => median(runs.map((r) => r.p50Ms));
  const answered = (runs: DnsperfResult[]) => `${runs.reduce((n, r) => n + r.completed, 0)}/${runs.reduce((n, r) => n + r.sent, 0)} answered`;
  const rcodes = (runs: DnsperfResult[]) => JSON.stringify(runs.reduce<Record<string, number>>((all, r) => {
    for (const [code, n] of Object.entries(r.rcodes)) all[code] = (all[code] ?? 0) + n;
    return all;
  }, {}));
  printRows(`forwarding, upstreams [never answers, unbound], dead first; unique names at ${FORWARD_QPS} qps; timeout ${FORWARD_TIMEOUT_MS} ms; median of ${ROUNDS} x ${FORWARD_SECONDS} s`, [
    { case: "p99 vs the healthy upstream itself", ours: p99(rounds.ours), peer: p99(rounds.direct), unit: "ms", extra: `target: within 2x (ratio >= 0.5); p50 ${p50(rounds.ours).toFixed(2)} vs ${p50(rounds.direct).toFixed(2)} ms; ${answered(rounds.ours)} ${rcodes(rounds.ours)}` },
    { case: "p99 vs one-at-a-time forwarder", ours: p99(rounds.ours), peer: viaSequential.p99Ms, unit: "ms", extra: `peer: ${answered([viaSequential])} ${rcodes([viaSequential])}, p50 ${viaSequential.p50Ms.toFixed(0)} ms` },
    { case: "p99 vs unbound forwarding", ours: p99(rounds.ours), peer: p99(rounds.unbound), unit: "ms", extra: `peer p50 ${p50(rounds.unbound).toFixed(2)} ms; ${answered(rounds.unbound)}` },
    { case: "p99 vs a minimal Node relay", ours: p99(rounds.ours), peer: p99(rounds.relay), unit: "ms", extra: `peer: the healthy upstream alone, nothing but relaying; p50 ${p50(rounds.relay).toFixed(2)} ms; ${answered(rounds.relay)}` },
    { case: "p99 in the first 3 s, vs unbound", ours: firstOurs.p99Ms, peer: firstUnbound.p99Ms, unit: "ms", extra: `max ${firstOurs.maxMs.toFixed(0)} vs ${firstUnbound.maxMs.toFixed(0)} ms` },
  ]);
  console.log(`  the dead upstream received ${dead.received()} queries in all`);
}

try {
  await localAnswers();
  await forwarding();
} finally {
  await Promise.all(peers.map((p) => p.stop()));
  rmSync(dir, { recursive: true, force: true });
}
