/**
 * @module
 * `wayfinder diff OLD NEW`: what would change between two snapshots or desired states (either
 * may be either). Exit code as diff(1): 0 when nothing changes, 1 when something does.
 */
import { diffDesired, type Change } from "../../desired/diff.ts";
import { parseFlags } from "../args.ts";
import { CliUsageError, type CliIo } from "../io.ts";
import { loadSnapshotOrDesired } from "../snapshot-input.ts";
import { canonicalJsonPretty } from "../../net/canonical-json.ts";

const SIGN: Record<Change["kind"], string> = { add: "+", remove: "-", change: "~" };

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags("diff", args, { json: { type: "boolean" } });
  if (positionals.length !== 2) throw new CliUsageError("usage: wayfinder diff OLD NEW [--json]");
  const [before, after] = await Promise.all(positionals.map((p) => loadSnapshotOrDesired(p, io)));
  const changes = diffDesired(before!.desired, after!.desired);
  if (values.json) io.stdout(canonicalJsonPretty(changes));
  else if (changes.length === 0) io.stdout("no changes\n");
  else {
    for (const c of changes) io.stdout(`${SIGN[c.kind]} ${c.artifact.padEnd(11)} ${c.key}${c.detail ? `  ${c.detail}` : ""}\n`);
    io.stdout(`${changes.length} changes\n`);
  }
  return changes.length === 0 ? 0 : 1;
}
