/**
 * @module
 * Runs `wayfinder` commands in-process and records what they print.
 */
import { main } from "../../lib/cli/main.ts";
import type { CliIo } from "../../lib/cli/io.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** @example const { code, stdout } = await runCli(["plan", "--json"]); */
export async function runCli(argv: string[], cwd = process.cwd()): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
