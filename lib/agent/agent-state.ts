/**
 * @module
 * What the agent remembers across restarts, in `<stateDir>/agent/state.json`: the newest valid
 * desired state it accepted (written before applying it, so a crash mid-apply resumes towards
 * it) and the hash of the last one that fully applied. On start the agent applies the remembered
 * state again: appliers observe what the node runs and change only what differs, so a restart
 * flushes nothing (dcos/dcos#6267), and with the control plane down the node still comes back
 * to its last good state.
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { DesiredState } from "../desired/schema.ts";
import { canonicalJson } from "../net/canonical-json.ts";
import { writeFileDurably } from "../executor/files/durable-write.ts";

const AgentStateFile = z.object({
  apiVersion: z.literal("wayfinder/v1"),
  kind: z.literal("AgentState"),
  node: z.string(),
  /** The newest valid desired state accepted. */
  desired: z.unknown(),
  /** The hash of the last desired state every applier took; null before the first. */
  appliedHash: z.string().nullable(),
  updatedAt: z.string(),
});

export interface AgentState {
  node: string;
  desired: DesiredState;
  appliedHash: string | null;
}

/**
 * @example
 * const store = new AgentStateStore("/var/lib/wayfinder");
 * const { state, problem } = await store.load("S1");
 */
export class AgentStateStore {
  readonly path: string;
  readonly #dir: string;

  constructor(stateDir: string) {
    this.#dir = join(stateDir, "agent");
    this.path = join(this.#dir, "state.json");
  }

  /**
   * The remembered state. A missing file is a first start; an unreadable one, or one of another
   * node, is reported as `problem` and ignored (the agent then waits for its source): guessing
   * could apply a state that was never this node's.
   */
  async load(node: string): Promise<{ state?: AgentState; problem?: string }> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
      return { problem: `${this.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
    }
    let file: z.infer<typeof AgentStateFile>;
    try {
      file = AgentStateFile.parse(JSON.parse(text));
    } catch (error) {
      return { problem: `${this.path}: not an agent state file (${(error as Error).message.split("\n")[0]}); ignored` };
    }
    if (file.node !== node) return { problem: `${this.path}: belongs to node '${file.node}', not '${node}'; ignored` };
    const desired = DesiredState.safeParse(file.desired);
    if (!desired.success) return { problem: `${this.path}: its desired state does not validate; ignored` };
    return { state: { node, desired: desired.data, appliedHash: file.appliedHash } };
  }

  /** Replaces the file crash-safely. */
  async save(state: AgentState, now: Date): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    const file: z.infer<typeof AgentStateFile> = { apiVersion: "wayfinder/v1", kind: "AgentState", ...state, updatedAt: now.toISOString() };
    await writeFileDurably(this.path, canonicalJson(file));
  }
}
