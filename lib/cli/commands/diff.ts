/**
 * @module
 * `wayfinder diff OLD NEW`: what would change between two snapshots or desired states (either
 * may be either). Exit code as diff(1): 0 when nothing changes, 1 when something does.
 */
import { diffDesired, type Change } from "../../desired/diff.ts";
import type { CliIo } from "../io.ts";
import { loadSnapshotOrDesired } from "../snapshot-input.ts";
import { canonicalJsonPretty } from "../../net/canonical-json.ts";
import { parseDiffOptions } from "./diff-options.ts";

const SIGN: Record<Change["kind"], string> = { add: "+", remove: "-", change: "~" };

/** @example await run(["old.json", "new.json"], io) // 1 when they differ */
export async function run(args: string[], io: CliIo): Promise<number> {
  const options = parseDiffOptions(args);
  const [before, after] = await Promise.all([options.before, options.after].map((p) => loadSnapshotOrDesired(p, io)));
  const changes = diffDesired(before!.desired, after!.desired);
  if (options.json) io.stdout(canonicalJsonPretty(changes));
  else if (changes.length === 0) io.stdout("no changes\n");
  else {
    const lines = changes.map((c) => `${SIGN[c.kind]} ${c.artifact.padEnd(11)} ${c.key}${c.detail ? `  ${c.detail}` : ""}\n`);
    io.stdout(`${lines.join("")}${changes.length} changes\n`);
  }
  return changes.length === 0 ? 0 : 1;
}
