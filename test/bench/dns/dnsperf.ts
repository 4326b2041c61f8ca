/**
 * @module
 * Running `dnsperf` for the DNS benchmark and reading its figures. `-v` makes dnsperf print
 * one line per reply with its latency, which is the only way this version gives percentiles;
 * the lines are parsed as they stream (a run is hundreds of thousands of them). That printing
 * and parsing takes a good part of one of this machine's two cores, the cores the server under
 * test needs, so throughput is measured without it (`latencies: false`) and percentiles in
 * runs of their own. The same flags are used for every server.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface DnsperfOptions {
  port: number;
  queryFile: string;
  seconds: number;
  /** dnsperf `-c`: client sockets. */
  clients?: number;
  /** dnsperf `-Q`: a fixed rate instead of as fast as the server answers. */
  maxQps?: number;
  /** dnsperf `-t`: seconds before a query counts as lost. */
  timeoutSeconds?: number;
  /** Per-reply latencies (`-v`), for p50/p99/max; without them those figures are NaN. Default true. */
  latencies?: boolean;
}

export interface DnsperfResult {
  qps: number;
  sent: number;
  completed: number;
  lost: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Replies by rcode. */
  rcodes: Record<string, number>;
}

/** @example await dnsperf({ port: 5353, queryFile: "queries.txt", seconds: 5, clients: 4 }) */
export function dnsperf(options: DnsperfOptions): Promise<DnsperfResult> {
  const args = ["-s", "127.0.0.1", "-p", String(options.port), "-d", options.queryFile, "-l", String(options.seconds), "-c", String(options.clients ?? 4)];
  if (options.latencies !== false) args.push("-v");
  if (options.maxQps !== undefined) args.push("-Q", String(options.maxQps));
  if (options.timeoutSeconds !== undefined) args.push("-t", String(options.timeoutSeconds));
  const child = spawn("dnsperf", args, { stdio: ["ignore", "pipe", "pipe"] });
  let latencies = new Float64Array(1 << 20);
  let count = 0;
  const rcodes: Record<string, number> = {};
  let summary = "";
  const lines = createInterface({ input: child.stdout });
  lines.on("line", (line) => {
    if (!line.startsWith("> ")) {
      summary += `${line}\n`;
      return;
    }
    const parts = line.split(" ");
    const seconds = Number(parts[parts.length - 1]);
    if (!Number.isFinite(seconds)) return;
    rcodes[parts[1]!] = (rcodes[parts[1]!] ?? 0) + 1;
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = seconds * 1000;
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      const qps = Number(/Queries per second:\s+([\d.]+)/.exec(summary)?.[1]);
      if (code !== 0 || !Number.isFinite(qps)) {
        reject(new Error(`dnsperf failed (${code}): ${stderr}${summary}`));
        return;
      }
      const sorted = latencies.subarray(0, count).sort();
      const at = (q: number) => (count === 0 ? Number.NaN : sorted[Math.min(count - 1, Math.floor(q * count))]!);
      resolve({
        qps,
        sent: Number(/Queries sent:\s+(\d+)/.exec(summary)?.[1]),
        completed: Number(/Queries completed:\s+(\d+)/.exec(summary)?.[1]),
        lost: Number(/Queries lost:\s+(\d+)/.exec(summary)?.[1]),
        p50Ms: at(0.5),
        p99Ms: at(0.99),
        maxMs: count === 0 ? Number.NaN : sorted[count - 1]!,
        rcodes,
      });
    });
  });
}
