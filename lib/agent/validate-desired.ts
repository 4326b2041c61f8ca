/**
 * @module
 * The gate every desired state passes before an applier sees it. A state that fails is never
 * applied; the node keeps running the last good one (DESIGN principle 5). Checks: the schema,
 * that parsing dropped nothing (a server of another version that adds fields this agent would
 * silently drop), and that it is this node's view. The `hash` is the state hash of the keyed
 * objects the view was assembled from (docs/delta-path.md §2), which the assembled body alone
 * cannot reproduce: a node proves its copy against it on the watch stream, batch by batch.
 */
import { DesiredState } from "../desired/schema.ts";
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
  // Parsing drops keys it does not know, and a state this agent cannot fully read must not
  // pass as whole.
  const dropped = droppedField(document, parsed.data);
  if (dropped !== undefined) {
    throw new InvalidDesiredError(`${source}: '${dropped}' is not a field this agent knows (a newer wayfinder?); the state is not applied`);
  }
  const desired = parsed.data;
  if (desired.node !== undefined && desired.node !== node) {
    throw new InvalidDesiredError(`${source}: this is the view of node '${desired.node}', not of '${node}'`);
  }
  return desired;
}

/** The path of the first member of `document` that `parsed` lacks. */
function droppedField(document: unknown, parsed: unknown, path = ""): string | undefined {
  if (typeof document !== "object" || document === null) return undefined;
  if (Array.isArray(document)) {
    for (let i = 0; i < document.length; i++) {
      const found = droppedField(document[i], (parsed as unknown[])[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const kept = parsed as Record<string, unknown>;
  for (const [key, value] of Object.entries(document)) {
    const at = path === "" ? key : `${path}.${key}`;
    if (!(key in kept)) return at;
    const found = droppedField(value, kept[key], at);
    if (found !== undefined) return found;
  }
  return undefined;
}
