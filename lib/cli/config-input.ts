/**
 * @module
 * The `wayfinder.yaml` a command reads: `--config F` when given, else `wayfinder.yaml` in the
 * working directory if there is one, else the DC/OS defaults. A bad file throws an `InputError`
 * naming the file, key and line.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Config } from "../snapshot/config.ts";
import { parseConfigYaml } from "../snapshot/config-file.ts";
import { readText } from "./files.ts";
import type { CliIo } from "./io.ts";

/** Read when `--config` is not given; its absence means the defaults. */
export const DEFAULT_CONFIG = "wayfinder.yaml";

/**
 * @example const config = await readConfig(values.config, io);
 */
export async function readConfig(path: string | undefined, io: CliIo): Promise<Config> {
  if (path !== undefined) return parseConfigYaml(await readText(path, io), path);
  const present = existsSync(resolve(io.cwd, DEFAULT_CONFIG));
  return parseConfigYaml(present ? await readText(DEFAULT_CONFIG, io) : undefined, DEFAULT_CONFIG);
}
