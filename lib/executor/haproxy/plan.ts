/**
 * @module
 * The HAProxy applier's plan, per group: start a master, reload it, update it in place through
 * the Runtime API, or stop it. Pure. A reload is planned only when something a reload alone
 * can change differs (frontends, ACLs, the number of server slots, map files); a change of
 * which task a slot holds, or whether it is enabled, is a list of `set server` commands.
 */
import { compareStrings } from "../../net/compare.ts";
import { diffKeyed, type Plan } from "../applier.ts";
import type { InstalledHaproxy } from "./observe.ts";
import { stemOf } from "./layout.ts";
import { configServers, runtimeCommands } from "./runtime-state.ts";

/** What happens to one group. `files` are its files under `conf/` (`<stem>.cfg`, `<stem>/*.map`). */
export type GroupAction =
  | { readonly kind: "start"; readonly files: ReadonlyMap<string, string> }
  | { readonly kind: "reload"; readonly files: ReadonlyMap<string, string>; readonly reason: string }
  | { readonly kind: "runtime"; readonly files: ReadonlyMap<string, string>; readonly commands: readonly string[] };

/**
 * `held` are groups (file stems) left as they are, neither changed nor stopped (two groups
 * that would share a port, `group-choice.ts`).
 * @example planHaproxy("haproxy", new Map([["external.cfg", cfg]]), installed).changes.get("external")
 * // { kind: "runtime", files: Map {...}, commands: ["set server web_10000/slot3 addr 10.0.0.7 port 31004", ...] }
 */
export function planHaproxy(applier: string, wanted: ReadonlyMap<string, string>, installed: InstalledHaproxy, held: ReadonlySet<string> = new Set()): Plan<GroupAction> {
  const wantedByStem = byStem(wanted);
  const installedByStem = byStem(installed.files.files);
  const adds = new Map<string, GroupAction>();
  const changes = new Map<string, GroupAction>();
  const repairs: string[] = installed.files.lost === undefined ? [] : [`${installed.files.lost}: rebuilt from the groups it runs now, whose configs are installed again`];
  for (const [stem, files] of [...wantedByStem].sort(([a], [b]) => compareStrings(a, b))) {
    const running = installed.running.get(stem);
    if (running === undefined) {
      // Installed files mean it ran before: its master died (killed, crashed) since.
      if (installedByStem.has(stem)) repairs.push(`HAProxy of group ${stem} is not running though its config is installed: starting it again`);
      adds.set(stem, { kind: "start", files });
      continue;
    }
    const action = groupChange(stem, files, installedByStem.get(stem) ?? new Map(), running.live);
    if (action !== undefined) changes.set(stem, action);
  }
  const present = new Set([...installed.running.keys(), ...[...installed.files.owned].map(stemOf)]);
  const deletes = [...present].filter((stem) => !wantedByStem.has(stem) && !held.has(stem)).sort(compareStrings);
  return { applier, adds, changes, deletes, ...(repairs.length === 0 ? {} : { repairs }) };
}

function groupChange(
  stem: string,
  files: ReadonlyMap<string, string>,
  installedFiles: ReadonlyMap<string, string>,
  live: ReturnType<typeof configServers>["servers"] | undefined,
): GroupAction | undefined {
  const config = files.get(`${stem}.cfg`)!;
  const installedConfig = installedFiles.get(`${stem}.cfg`);
  const fileDiff = diffKeyed("", files, installedFiles, new Set(installedFiles.keys()));
  const otherFilesDiffer = [...fileDiff.adds.keys(), ...fileDiff.changes.keys(), ...fileDiff.deletes].some((p) => p !== `${stem}.cfg`);
  if (otherFilesDiffer) return { kind: "reload", files, reason: "map files changed" };
  if (installedConfig === undefined) return { kind: "reload", files, reason: "no installed config" };
  if (live === undefined) return { kind: "reload", files, reason: "the running servers could not be read" };
  const desired = configServers(config);
  if (installedConfig !== config && configServers(installedConfig).skeleton !== desired.skeleton) {
    return { kind: "reload", files, reason: "the config changed beyond server addresses" };
  }
  const commands = runtimeCommands(desired.servers, live);
  if (commands === undefined) return { kind: "reload", files, reason: "the running worker has other servers than the config" };
  if (commands.length === 0 && installedConfig === config) return undefined;
  return { kind: "runtime", files, commands };
}

/** Files grouped by the group stem they belong to. */
function byStem(files: ReadonlyMap<string, string>): Map<string, Map<string, string>> {
  const grouped = new Map<string, Map<string, string>>();
  for (const [path, text] of files) {
    const stem = stemOf(path);
    let group = grouped.get(stem);
    if (group === undefined) grouped.set(stem, (group = new Map()));
    group.set(path, text);
  }
  return grouped;
}
