/**
 * @module
 * What a node's HAProxies run now: the installed files (`conf/`, owned through a manifest),
 * for every group with a master socket, the master's process table and the current worker's
 * servers, and the node's facts the configs are fitted to (`node-fit.ts`). Listing live servers costs one `show servers state` per group; it is what lets the
 * applier notice a server someone changed by hand, or a worker restarted from an older file.
 */
import { readdir } from "node:fs/promises";
import { compareStrings } from "../../net/compare.ts";
import type { InstalledFiles } from "../files/observe.ts";
import { observeFiles } from "../files/observe.ts";
import { masterCommand, type ProcTable } from "./master-cli.ts";
import { procTable } from "./haproxy-process.ts";
import { stemOf, type HaproxyLayout } from "./layout.ts";
import { parseServersState, type ServerStates } from "./runtime-state.ts";
import { observeNodeFacts } from "./node-facts.ts";
import type { NodeFacts } from "./node-fit.ts";

export interface RunningGroup {
  readonly proc: ProcTable;
  /** The current worker's servers; undefined when it could not be read (the plan then reloads). */
  readonly live?: ServerStates;
}

export interface InstalledHaproxy {
  readonly files: InstalledFiles;
  /** Group stem → its running master. */
  readonly running: ReadonlyMap<string, RunningGroup>;
  readonly node: NodeFacts;
}

/**
 * What runs now; with `only`, just those groups (their files, their masters): a change of one
 * group asks one master, not every one.
 * @example await observeHaproxy(haproxyLayout("/var/lib/wayfinder/haproxy"))
 */
export async function observeHaproxy(layout: HaproxyLayout, only?: ReadonlySet<string>): Promise<InstalledHaproxy> {
  const all = await observeFiles(layout.confDir);
  const mine = (path: string) => only === undefined || only.has(stemOf(path));
  const files = only === undefined ? all : { ...all, files: new Map([...all.files].filter(([path]) => mine(path))), owned: new Set([...all.owned].filter(mine)) };
  const stems = new Set([...files.owned].map(stemOf));
  for (const entry of await readdir(layout.runDir).catch(() => [] as string[])) {
    const stem = entry.endsWith(".master.sock") ? entry.slice(0, -".master.sock".length) : undefined;
    if (stem !== undefined && (only === undefined || only.has(stem))) stems.add(stem);
  }
  const running = new Map<string, RunningGroup>();
  for (const stem of [...stems].sort(compareStrings)) {
    const paths = layout.group(stem);
    const proc = await procTable(paths);
    if (proc === undefined) continue;
    const live = await masterCommand(paths.masterSocket, "@1 show servers state").then(parseServersState, () => undefined);
    running.set(stem, live === undefined ? { proc } : { proc, live });
  }
  return { files, running, node: await observeNodeFacts(layout.selfSignedCertificate) };
}
