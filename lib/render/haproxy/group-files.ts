/**
 * @module
 * The files of the HAProxy groups, relative to one directory: `<group>.cfg`, and in map mode
 * `<group>/domain2backend.map` and `<group>/app2backend.map`. The config names its maps by
 * these relative paths, so HAProxy must run with this directory as its working directory
 * (the applier does so; set `haproxy.mapDir` for an absolute path instead).
 * The `*` group's files are named `_all`. Shared by `wayfinder render` and the HAProxy applier,
 * so both install exactly the same layout.
 */
import type { HaproxyGroup } from "../../desired/schema.ts";

/**
 * The file stem of a group: its name, `_all` for `*` (a `*` in a file name is a trap in every
 * shell; configured group names cannot start with `_`).
 * @example groupFileStem("*") // "_all"
 */
export function groupFileStem(group: string): string {
  return group === "*" ? "_all" : group;
}

/**
 * @example haproxyGroupFiles({ external: { config: "global\n..." } }) // Map { "external.cfg" => "global\n..." }
 */
export function haproxyGroupFiles(groups: Readonly<Record<string, HaproxyGroup>>): Map<string, string> {
  const files = new Map<string, string>();
  for (const [group, rendered] of Object.entries(groups)) {
    const stem = groupFileStem(group);
    files.set(`${stem}.cfg`, rendered.config);
    for (const [name, text] of Object.entries(rendered.maps ?? {})) files.set(`${stem}/${name}`, text);
  }
  return files;
}
