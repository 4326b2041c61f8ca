/**
 * @module
 * The files of the HAProxy groups, relative to one directory: `<group>.cfg`, the Lua script
 * serving marathon-lb's endpoints (`<group>/marathon-lb-endpoints.lua`), and in map mode
 * `<group>/domain2backend.map` and `<group>/app2backend.map`. The config names the script and
 * its maps by these relative paths, so HAProxy must run with this directory as its working
 * directory (the applier does so; `haproxy.mapDir` makes the map paths absolute).
 * The `*` group's files are named `_all`. Shared by `wayfinder render` and the HAProxy applier,
 * so both install exactly the same layout.
 */
import type { HaproxyGroup } from "../../desired/schema.ts";
import { ENDPOINTS_LUA } from "./endpoints-lua.ts";

/**
 * The file stem of a group: its name, `_all` for `*` (a `*` in a file name is a trap in every
 * shell; configured group names cannot start with `_`).
 * @example groupFileStem("*") // "_all"
 */
export function groupFileStem(group: string): string {
  return group === "*" ? "_all" : group;
}

/**
 * The group's endpoints script, relative to the group files' directory (`lua-load` reads it).
 * @example endpointsScriptPath("*") // "_all/marathon-lb-endpoints.lua"
 */
export function endpointsScriptPath(group: string): string {
  return `${groupFileStem(group)}/marathon-lb-endpoints.lua`;
}

/**
 * @example haproxyGroupFiles({ external: { config: "global\n..." } })
 * // Map { "external.cfg" => "global\n...", "external/marathon-lb-endpoints.lua" => "-- wayfinder: ..." }
 */
export function haproxyGroupFiles(groups: Readonly<Record<string, HaproxyGroup>>): Map<string, string> {
  const files = new Map<string, string>();
  for (const [group, rendered] of Object.entries(groups)) {
    const stem = groupFileStem(group);
    files.set(`${stem}.cfg`, rendered.config);
    files.set(endpointsScriptPath(group), ENDPOINTS_LUA);
    for (const [name, text] of Object.entries(rendered.maps ?? {})) files.set(`${stem}/${name}`, text);
  }
  return files;
}
