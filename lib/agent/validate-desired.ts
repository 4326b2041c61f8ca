/**
 * @module
 * The gate every desired state passes before an applier sees it. A state that fails is never
 * applied; the node keeps running the last good one (DESIGN principle 5). Checks: the schema,
 * the content hash (a truncated or altered body, or a server of another version that adds
 * fields this agent would silently drop, changes the hash), and that it is this node's view.
 */
import { DesiredState } from "../desired/schema.ts";
import { canonicalJson } from "../net/canonical-json.ts";
import { sha256Hex } from "../net/digest.ts";
import { inputIssues } from "../snapshot/issues.ts";

/** A desired state that must not be applied; the message says why, naming the source. */
export class InvalidDesiredError extends Error {
  override readonly name = "InvalidDesiredError";
}

/**
 * Validates a parsed JSON document as `node`'s desired state.
 * @example validateDesired(await response.json(), "S1", url).hash // "9f86d081..."
 */
export function validateDesired(document: unknown, node: string, source: string): DesiredState {
  const parsed = DesiredState.safeParse(document);
  if (!parsed.success) {
    const issues = inputIssues(parsed.error).slice(0, 5).map((i) => `${i.path || "(document)"}: ${i.message}`);
    throw new InvalidDesiredError(`${source}: not a valid DesiredState: ${issues.join("; ")}`);
  }
  // The hash is checked over the document as received, not as parsed: parsing drops keys it
  // does not know, and a state this agent cannot fully read must not pass as whole.
  const { hash, ...body } = document as Record<string, unknown>;
  const actual = sha256Hex(canonicalJson(body));
  if (actual !== hash) {
    throw new InvalidDesiredError(`${source}: the content does not match its hash (says ${String(hash).slice(0, 12)}, is ${actual.slice(0, 12)}): truncated, altered, or from a newer wayfinder`);
  }
  const desired = parsed.data;
  if (desired.node !== undefined && desired.node !== node) {
    throw new InvalidDesiredError(`${source}: this is the view of node '${desired.node}', not of '${node}'`);
  }
  return desired;
}
