/**
 * `npm run bench`: every `bench:*` script of package.json, one after another (never in
 * parallel: they share two cores and would skew each other's figures).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const scripts = Object.keys((JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts)
  .filter((name) => name.startsWith("bench:"))
  .sort();
let failed = 0;
for (const script of scripts) {
  console.log(`\n=== npm run ${script}`);
  const result = spawnSync("npm", ["run", "--silent", script], { stdio: "inherit" });
  if (result.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
