/**
 * @module
 * Carrying out a HAProxy plan, group by group:
 * - start/reload: check the config can run on this node (certificates, `maxconn`), stage the
 *   files, `haproxy -c` them, install them atomically, then start the master or reload it
 *   through the master CLI, and log the `maxconn` it runs with. A rejected config is never
 *   installed: the running worker keeps serving and the error names the lines (and so the
 *   apps) HAProxy refused. A reload the master reports as failed puts the previous files back.
 * - runtime: send the `set server` commands to the current worker, read its servers back,
 *   then install the file (which only differs in server addresses, so it needs no `-c`). If
 *   the worker does not end up matching, the group is reloaded instead: a failed partial
 *   update always falls back to a full one.
 * - stop: stop the master gracefully and remove the group's files.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ApplierLog, Plan } from "../applier.ts";
import { applyFilesPlan } from "../files/apply.ts";
import { writeManifest } from "../files/manifest.ts";
import { observeFiles } from "../files/observe.ts";
import { checkRelativePath } from "../files/paths.ts";
import { planFiles } from "../files/plan.ts";
import { describeRejection } from "./config-errors.ts";
import { ConfigRejectedError, procTable, reloadMaster, startMaster, stopMaster, validateConfig, type ProcessOptions } from "./haproxy-process.ts";
import { masterCommand, workerCommands } from "./master-cli.ts";
import type { GroupAction } from "./plan.ts";
import type { HaproxyLayout } from "./layout.ts";
import type { InstalledHaproxy } from "./observe.ts";
import { prepareGroup, reportMaxconn } from "./node-facts.ts";
import { configServers, parseServersState, serverDrift } from "./runtime-state.ts";

/** How often each way of applying was taken; reported by `wayfinder` and asserted by the e2e tests. */
export interface HaproxyCounters {
  starts: number;
  reloads: number;
  runtimeUpdates: number;
  runtimeCommands: number;
  /** Runtime updates that did not converge and were replaced by a reload. */
  fallbackReloads: number;
  rejectedConfigs: number;
}

export interface ApplyContext {
  readonly layout: HaproxyLayout;
  readonly process: ProcessOptions;
  readonly counters: HaproxyCounters;
  /** What `observe` saw when the plan was made: the files a failed reload puts back, the node's facts. */
  readonly installed: InstalledHaproxy;
  readonly log?: ApplierLog;
}

/**
 * @example await applyHaproxyPlan(context, planHaproxy("haproxy", wanted, installed))
 */
export async function applyHaproxyPlan(given: ApplyContext, plan: Plan<GroupAction>): Promise<void> {
  await mkdir(given.layout.runDir, { recursive: true, mode: 0o700 });
  const context = given.installed.files.lost === undefined ? given : await withRebuiltRecord(given, plan);
  for (const [stem, action] of [...plan.adds, ...plan.changes]) {
    if (action.kind === "runtime") await updateInPlace(context, stem, action.files, action.commands);
    else await loadConfig(context, stem, action.files, action.kind);
  }
  for (const stem of plan.deletes) {
    await stopMaster(context.process, context.layout.group(stem));
    await installGroupFiles(context, stem, new Map());
  }
}

async function loadConfig(context: ApplyContext, stem: string, files: ReadonlyMap<string, string>, kind: "start" | "reload"): Promise<void> {
  const config = files.get(`${stem}.cfg`)!;
  await prepareGroup(stem, config, context.installed.node, context.log);
  await validateStaged(context, stem, files);
  const paths = context.layout.group(stem);
  await ensureSocketDirectories(config);
  await installGroupFiles(context, stem, files);
  const running = await procTable(paths);
  if (running === undefined) {
    await startMaster(context.process, paths);
    context.counters.starts++;
    if (context.log !== undefined) await reportMaxconn(stem, paths, config, context.log, "started");
    return;
  }
  try {
    await reloadMaster(context.process, paths, running);
  } catch (error) {
    await installGroupFiles(context, stem, installedGroupFiles(context.installed, stem));
    throw error;
  }
  context.counters.reloads++;
  if (kind === "start") context.counters.starts++;
  if (context.log !== undefined) await reportMaxconn(stem, paths, config, context.log, "reloaded");
}

async function updateInPlace(context: ApplyContext, stem: string, files: ReadonlyMap<string, string>, commands: readonly string[]): Promise<void> {
  const paths = context.layout.group(stem);
  if (commands.length > 0) {
    await workerCommands(paths.masterSocket, commands);
    const live = parseServersState(await masterCommand(paths.masterSocket, "@1 show servers state"));
    const drift = serverDrift(configServers(files.get(`${stem}.cfg`)!).servers, live);
    if (drift.length > 0) {
      context.counters.fallbackReloads++;
      await loadConfig(context, stem, files, "reload");
      return;
    }
    context.counters.runtimeUpdates++;
    context.counters.runtimeCommands += commands.length;
  }
  await installGroupFiles(context, stem, files);
}

/** Writes the group's files under `staging/` and runs `haproxy -c` on them. */
async function validateStaged(context: ApplyContext, stem: string, files: ReadonlyMap<string, string>): Promise<void> {
  const stage = join(context.layout.stageDir, stem);
  await rm(stage, { recursive: true, force: true });
  for (const [path, text] of files) {
    const target = join(stage, checkRelativePath(path));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text, { mode: 0o600 });
  }
  try {
    await validateConfig(context.process, join(stage, `${stem}.cfg`));
  } catch (error) {
    if (!(error instanceof ConfigRejectedError)) throw error;
    context.counters.rejectedConfigs++;
    const problems = describeRejection(error.message, files.get(`${stem}.cfg`)!);
    throw new Error(`haproxy -c rejected the config of group ${stem}; the running HAProxy keeps its current config: ${problems.join("; ")}`);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/**
 * Makes `conf/` hold exactly `files` for this group, atomically per file, leaving the other
 * groups' files alone. Compares with the directory as it is now (an earlier step of this
 * apply may have changed it), never overwriting a file the applier did not write.
 */
async function installGroupFiles(context: ApplyContext, stem: string, files: ReadonlyMap<string, string>): Promise<void> {
  const now = await observeFiles(context.layout.confDir);
  const mine = (path: string) => isGroupPath(stem, path);
  const subset = { files: new Map([...now.files].filter(([p]) => mine(p))), owned: new Set([...now.owned].filter(mine)), foreign: now.foreign };
  await applyFilesPlan(context.layout.confDir, planFiles("haproxy", files, subset));
}

/**
 * Rebuilds a lost record of `conf/` before any group is installed, from the files of the groups
 * this plan runs: each group's install compares with and writes only its own files, so the
 * files of the groups after it must already be known as the applier's. Files of other groups
 * are left alone (never claimed, never deleted).
 */
async function withRebuiltRecord(context: ApplyContext, plan: Plan<GroupAction>): Promise<ApplyContext> {
  const stems = [...plan.adds.keys(), ...plan.changes.keys()];
  const claimed = [...context.installed.files.foreign].filter((path) => stems.some((stem) => isGroupPath(stem, path)));
  await writeManifest(context.layout.confDir, claimed);
  return { ...context, installed: { ...context.installed, files: await observeFiles(context.layout.confDir) } };
}

function installedGroupFiles(installed: InstalledHaproxy, stem: string): Map<string, string> {
  return new Map([...installed.files.files].filter(([p]) => isGroupPath(stem, p)));
}

const isGroupPath = (stem: string, path: string) => path === `${stem}.cfg` || path.startsWith(`${stem}/`);

/** HAProxy does not create the directory of a `stats socket`; the head puts them under `runtimeDir`. */
async function ensureSocketDirectories(config: string): Promise<void> {
  for (const match of config.matchAll(/^\s+stats socket (\/\S+)/gm)) await mkdir(dirname(match[1]!), { recursive: true, mode: 0o700 });
}
