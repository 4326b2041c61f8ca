/**
 * @module
 * `wayfinder render` (being written for issue 2).
 */
import type { CliIo } from "../io.ts";

export async function run(_args: string[], io: CliIo): Promise<number> {
  io.stderr("wayfinder render: not available yet\n");
  return 1;
}
