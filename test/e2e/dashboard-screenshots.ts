/**
 * `npm run docs:screenshots`: the dashboard's main pages as PNGs in `docs/screenshots/`, taken
 * the way the e2e test drives it (`wayfinder serve`, the demo cluster with its network policy,
 * Chromium headless).
 * Two agents sync for real (`wayfinder agent --once`); a third node's report, with a failing
 * HAProxy applier, is sent by hand so the nodes page shows what a failure looks like.
 */
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { CLUSTER, TOKEN, logIn, startDashboard } from "./support/dashboard-harness.ts";

const run = promisify(execFile);
const OUT = "docs/screenshots";
const AGENT = (n: number) => `7c1f2a58-3b0e-4d7e-9a51-0c6e5f1d2a10-S${n}`;

/** File, path, and the viewport's height where the page's point is further down than 860px. */
const PAGES: ReadonlyArray<[file: string, path: string, height?: number]> = [
  ["summary", "/ui/"],
  ["nodes", "/ui/nodes"],
  ["vips", "/ui/vips"],
  ["haproxy", "/ui/haproxy"],
  ["overlay", "/ui/overlay"],
  ["dns", "/ui/dns?name=_web._tcp.marathon.mesos&type=SRV&zone=mesos"],
  ["explain-task", "/ui/explain/task/web.0f1e2d3c-aaaa-11ef-9c1b-0242ac110002"],
  ["policy", "/ui/policy?from=%2Fmarathon-lb&to=%2Fweb&port=tcp%2F31002", 1250],
  ["explain-policy", "/ui/explain/app/%2Fbackend%2Fapi", 1180],
];

const dashboard = await startDashboard({ width: 1360, height: 860 });
try {
  for (const n of [0, 1]) {
    await run(process.execPath, ["bin/wayfinder.js", "agent", "--node", AGENT(n), "--source", `${dashboard.base}/v1/clusters/${CLUSTER}`, "--apply", "files", "--once", "--state-dir", join(dashboard.dir, `agent-${n}`)], {
      env: { ...process.env, WAYFINDER_TOKEN: TOKEN },
    });
  }
  const failing = await dashboard.put(`/v1/clusters/${CLUSTER}/nodes/${AGENT(3)}/status`, {
    appliedHash: null,
    appliedGeneration: null,
    desiredHash: "0".repeat(64),
    ok: false,
    syncedAt: new Date().toISOString(),
    durationMs: 412,
    appliers: [
      { name: "files", result: "applied", adds: 12, changes: 0, deletes: 0, durationMs: 9 },
      { name: "haproxy", result: "failed", stage: "apply", error: "haproxy -c: [ALERT] unable to stat SSL certificate from file '/etc/ssl/cert.pem'", adds: 2, changes: 0, deletes: 0, durationMs: 388 },
      { name: "dns", result: "unchanged", adds: 0, changes: 0, deletes: 0, durationMs: 3 },
    ],
    counters: { syncs: 7, failures: 7, consecutiveFailures: 7 },
  });
  if (failing.status !== 200) throw new Error(`the staged report was refused: HTTP ${failing.status} ${await failing.text()}`);

  await logIn(dashboard);
  await mkdir(OUT, { recursive: true });
  for (const [file, path, height] of PAGES) {
    const url = new URL(path, dashboard.base);
    url.searchParams.set("cluster", CLUSTER);
    await dashboard.page.setViewportSize({ width: 1360, height: height ?? 860 });
    await dashboard.page.goto(url.href);
    await dashboard.page.waitForSelector("#live.on");
    await dashboard.page.screenshot({ path: join(OUT, `${file}.png`) });
    console.log(`${OUT}/${file}.png`);
  }
  if (dashboard.outside.length > 0 || dashboard.consoleErrors.length > 0) throw new Error(`the pages reached outside or logged errors: ${[...dashboard.outside, ...dashboard.consoleErrors].join("; ")}`);
} finally {
  await dashboard.close();
}
