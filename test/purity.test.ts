import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { importSpecifiers, importTarget, sourceFiles } from "./support/import-graph.ts";

// DESIGN principle 1: functions/ and lib/render/ are pure. They may import each other, the
// schemas and the pure helpers of lib/net, zod, ipaddr.js and node:crypto's synchronous hashes; nothing
// that reaches the file system, the network, processes, the clock or the environment.
const PURE_ROOTS = ["functions", "lib/render"];
const ALLOWED_PACKAGES = new Set(["zod", "ipaddr.js", "node:crypto"]);
const ALLOWED_DIRS = ["functions", "lib/render", "lib/desired", "lib/net", "lib/snapshot"];
/** lib/snapshot holds schemas and pure parsers; these of its files read files or the network. */
const IMPURE_FILES = new Set(["lib/snapshot/config-file.ts"]);
const FORBIDDEN_CALLS = [/\bDate\.now\(/, /\bnew Date\(\)/, /\bMath\.random\(/, /\bprocess\./, /\bperformance\.now\(/, /\bsetTimeout\(/, /\bfetch\(/];

/** Every module a file imports, transitively within the repository. */
function closure(start: string[]): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue = [...start];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    const specifiers = importSpecifiers(file);
    seen.set(file, specifiers);
    for (const s of specifiers) if (s.startsWith(".")) queue.push(importTarget(file, s));
  }
  return seen;
}

describe("the pure core", () => {
  const graph = closure(PURE_ROOTS.flatMap(sourceFiles));

  it("imports only pure modules, transitively", () => {
    const offending: string[] = [];
    for (const [file, specifiers] of graph) {
      for (const s of specifiers) {
        if (s.startsWith(".")) {
          const target = importTarget(file, s);
          if (!ALLOWED_DIRS.some((d) => target.startsWith(`${d}/`)) || IMPURE_FILES.has(target)) offending.push(`${file} → ${target}`);
        } else if (!ALLOWED_PACKAGES.has(s)) offending.push(`${file} → ${s}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it("reads no clock, randomness, environment or network", () => {
    const offending: string[] = [];
    for (const file of graph.keys()) {
      const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      for (const pattern of FORBIDDEN_CALLS) if (pattern.test(code)) offending.push(`${file}: ${pattern.source}`);
    }
    expect(offending).toEqual([]);
  });

  it("covers the reconcilers and renderers (the check is not vacuous)", () => {
    expect([...graph.keys()]).toEqual(expect.arrayContaining(["functions/reconcile.ts", "functions/dns-zones/mesos-zone.ts", "lib/render/nftables.ts"]));
  });
});
