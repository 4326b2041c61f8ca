import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { syntheticSnapshot } from "../bench/synthetic-cluster.ts";

const dir = mkdtempSync(join(tmpdir(), "wayfinder-epipe-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Megabytes of output, far beyond a pipe's 64 KiB buffer, so the reader is gone long before the end.
const big = syntheticSnapshot({ tasks: 2_000, agents: 200, apps: 200 });
writeFileSync(join(dir, "big.json"), JSON.stringify(big));
writeFileSync(join(dir, "half.json"), JSON.stringify({ ...big, tasks: big.tasks.slice(0, 1_000) }));
writeFileSync(join(dir, "apps.json"), JSON.stringify({ apps: Array.from({ length: 3_000 }, (_, i) => ({ id: `/app-${i}`, instances: 1, labels: { HAPROXY_GROUP: "external" } })) }));

/** Runs the real CLI with its stdout on a pipe that is closed after the first chunk, like `| head -c1`. */
function runClosingStdout(args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string; sawOutput: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(process.cwd(), "bin/wayfinder.js"), ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let sawOutput = false;
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.stdout.once("data", () => {
      sawOutput = true;
      child.stdout.destroy();
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stderr, sawOutput }));
  });
}

describe("a closed stdout is a normal end", () => {
  it("plan --json | head: exit 0, nothing on stderr", async () => {
    const result = await runClosingStdout(["plan", "big.json", "--json"]);
    expect(result).toEqual({ code: 0, signal: null, stderr: "", sawOutput: true });
  });

  it("diff A B | head: the exit code still says they differ (1), nothing on stderr", async () => {
    const result = await runClosingStdout(["diff", "big.json", "half.json"]);
    expect(result).toEqual({ code: 1, signal: null, stderr: "", sawOutput: true });
  });

  it("snapshot | head: exit 0, only the summary on stderr", async () => {
    const result = await runClosingStdout(["snapshot", "--marathon-apps", "apps.json", "--now", "2026-01-01T00:00:00Z"]);
    expect(result).toEqual({ code: 0, signal: null, stderr: "wayfinder snapshot: 0 agents, 0 frameworks, 0 tasks, 3000 Marathon apps; written to stdout\n", sawOutput: true });
  });
});
