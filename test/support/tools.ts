/**
 * @module
 * End-to-end tests need real tools (named-checkzone, nft, haproxy, ip, dig, wrangler) and
 * often root. Where they are missing a test skips, except under `WAYFINDER_E2E=required` (what
 * CI sets), where a missing tool fails the run instead of hiding it.
 */
import { execFileSync } from "node:child_process";
import { describe } from "vitest";

export const e2eRequired = process.env.WAYFINDER_E2E === "required";

/** True when `tool` is on PATH. */
export function hasTool(tool: string): boolean {
  try {
    execFileSync("sh", ["-c", 'command -v "$1"', "sh", tool], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

/**
 * `describe` when every tool is present (and root, if asked); otherwise `describe.skip`, or a
 * failing suite when e2e tests are required.
 * @example describeWithTools(["named-checkzone"])("zone files", () => { ... })
 */
export function describeWithTools(tools: string[], options: { root?: boolean } = {}): typeof describe {
  const missing = tools.filter((t) => !hasTool(t));
  if (options.root && !isRoot) missing.push("root privileges");
  if (missing.length === 0) return describe;
  if (!e2eRequired) return describe.skip as typeof describe;
  return ((name: string) =>
    describe(name, () => {
      throw new Error(`e2e tests are required but ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing`);
    })) as unknown as typeof describe;
}
