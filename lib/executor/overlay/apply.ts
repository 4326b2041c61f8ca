/**
 * @module
 * Turning an overlay plan into `ip -batch -` and `bridge -batch -` runs. Netlink has no
 * transaction spanning a device, its neighbours, FDB and routes, so the order is what keeps
 * traffic flowing: make before break. The device comes first (born with its MAC), then the
 * FDB entries and neighbours a route will need, then the routes and rules; deletions run last,
 * so a replaced peer (a reused VTEP IP or MAC) is overwritten in place by `replace`, never
 * removed and re-added. If a run fails halfway, the next sync observes the kernel afresh and
 * plans the full difference again.
 *
 * Every key part and value is checked before anything runs: one with a space or a newline
 * would otherwise add words or whole commands to a batch.
 */
import { VTEP_NAME } from "../../desired/overlay-constants.ts";
import type { Plan } from "../applier.ts";
import type { CommandRunner } from "../run-command.ts";
import { ENTRY_KINDS, kindOf, parseNatValue, restOf, type EntryKind } from "./entries.ts";
import { parseCidr } from "../../net/cidr.ts";
import { LINK_KEY } from "./plan.ts";

/** One tool run: the program and the lines on its stdin. */
export interface Batch {
  argv: string[];
  lines: string[];
}

const ADD_ORDER: EntryKind[] = ["addr", "neigh", "route", "rule"];
const DELETE_ORDER: EntryKind[] = ["rule", "route", "neigh", "addr"];
/** An address, prefix, MAC, number or device name: one word, no shell or batch syntax. */
const WORD = /^[A-Za-z0-9.:/_@-]+$/;
/** The link's value is the one multi-word value; only the shape `linkValue` writes passes. */
const LINK_VALUE = /^address [0-9a-f]{2}(:[0-9a-f]{2}){5}( mtu \d+)? type vxlan id \d+ dstport \d+$/;

/**
 * The runs a plan takes, in order. Pure.
 * @example overlayBatches(plan)[0] // { argv: ["ip", "-batch", "-"], lines: ["link add vtep1024 address ... type vxlan id 1024 dstport 64000", "link set dev vtep1024 up"] }
 */
export function overlayBatches(plan: Plan<string>): Batch[] {
  for (const [key, value] of [...plan.adds, ...plan.changes, ...plan.deletes.map((k): [string, string] => [k, ""])]) checkEntry(key, value);
  const writes = new Map([...plan.adds, ...plan.changes]);
  const byKind = (kind: EntryKind) => [...writes].filter(([key]) => kindOf(key) === kind);
  const deletes = (kind: EntryKind) => plan.deletes.filter((key) => kindOf(key) === kind);
  const add = ([key, value]: [string, string]) => ENTRY_KINDS[kindOf(key)].add(restOf(key), value);
  const del = (key: string) => ENTRY_KINDS[kindOf(key)].del(restOf(key));

  const link: string[] = [];
  const linkValue = writes.get(LINK_KEY);
  if (linkValue !== undefined) {
    if (plan.changes.has(LINK_KEY)) link.push(del(LINK_KEY));
    link.push(ENTRY_KINDS.link.add(VTEP_NAME, linkValue));
  }
  link.push(...byKind("up").map(add));

  const batches: Batch[] = [{ argv: ["ip", "-batch", "-"], lines: link }];
  // A VTEP created on a host whose default is disable_ipv6=1 refuses IPv6 addresses and routes.
  if (byKind("addr").some(([key]) => key.includes(":"))) {
    batches.push({ argv: ["sysctl", "-q", "-w", `net.ipv6.conf.${VTEP_NAME}.disable_ipv6=0`], lines: [] });
  }
  batches.push(
    { argv: ["bridge", "-batch", "-"], lines: byKind("fdb").map(add) },
    {
      argv: ["ip", "-batch", "-"],
      lines: [...ADD_ORDER.flatMap((kind) => byKind(kind).map(add)), ...DELETE_ORDER.flatMap((kind) => deletes(kind).map(del))],
    },
    { argv: ["nft", "-f", "-"], lines: [...byKind("nat").map(add), ...deletes("nat").map(del)] },
    { argv: ["bridge", "-batch", "-"], lines: deletes("fdb").map(del) },
    { argv: ["ip", "-batch", "-"], lines: plan.deletes.includes(LINK_KEY) ? [del(LINK_KEY)] : [] },
  );
  return batches.filter((b) => b.lines.length > 0 || b.argv[0] === "sysctl");
}

function checkEntry(key: string, value: string): void {
  const kind = kindOf(key);
  const parts = restOf(key).split(" ");
  const ok =
    kind in ENTRY_KINDS &&
    parts.length === (kind === "route" ? 2 : 1) &&
    parts.every((p) => WORD.test(p)) &&
    (kind === "link" ? value === "" || LINK_VALUE.test(value) : kind === "nat" ? natValueIsSafe(value) : value === "" || WORD.test(value));
  if (!ok) throw new Error(`refusing to run the overlay entry ${JSON.stringify(key)} = ${JSON.stringify(value)}: not an address, MAC, number or name`);
}

/** Every element of a `nat` value is a prefix of its family (an empty value is a deletion's). */
function natValueIsSafe(value: string): boolean {
  if (value === "") return true;
  if (!/^ip=[^;]*;ip6=[^;]*$/.test(value)) return false;
  const { ip, ip6 } = parseNatValue(value);
  return ip.every((p) => parseCidr(p)?.family === 4) && ip6.every((p) => parseCidr(p)?.family === 6);
}

/**
 * Runs the batches in order; the first failure stops the rest (and is the error reported).
 * @example await applyOverlayPlan(plan, commandRunner({ netns: "wf1a" }))
 */
export async function applyOverlayPlan(plan: Plan<string>, run: CommandRunner): Promise<void> {
  for (const batch of overlayBatches(plan)) await run(batch.argv, batch.lines.length > 0 ? `${batch.lines.join("\n")}\n` : undefined);
}
