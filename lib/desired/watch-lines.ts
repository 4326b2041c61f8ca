/**
 * @module
 * The lines of a node's watch stream (docs/delta-path.md §6), one JSON object per line:
 *
 * | `type` | fields | meaning |
 * |---|---|---|
 * | `upsert` | `generation`, `key`, `value` | key holds value from that generation |
 * | `delete` | `generation`, `key` | key is gone |
 * | `commit` | `generation`, `hash` | the generation is complete; the view's hash is `hash` |
 * | `reset` | `generation` | a relist follows up to the next commit: keys not in it are gone |
 * | `bookmark` | `generation`, `hash` | nothing new for this node; the stream is alive |
 *
 * The schema is what a client checks; the writers build the text around values already in
 * canonical JSON, so the server never serialises a value twice.
 */
import { z } from "zod";

const Generation = z.number().int().nonnegative();
const Hash = z.string().regex(/^[0-9a-f]{64}$/, "64 lowercase hex digits");
const Key = z.string().min(1);

/** One line of a watch stream, as a client reads it. */
export const WatchLine = z.discriminatedUnion("type", [
  z.object({ type: z.literal("upsert"), generation: Generation, key: Key, value: z.unknown().refine((v) => v !== undefined, "a value is required") }),
  z.object({ type: z.literal("delete"), generation: Generation, key: Key }),
  z.object({ type: z.literal("commit"), generation: Generation, hash: Hash }),
  z.object({ type: z.literal("reset"), generation: Generation }),
  z.object({ type: z.literal("bookmark"), generation: Generation, hash: Hash }),
]);
export type WatchLine = z.infer<typeof WatchLine>;

/** The media type of a watch stream. */
export const NDJSON = "application/x-ndjson";

/**
 * @example upsertLine(7, "dns/aliases", "[]") // '{"type":"upsert","generation":7,"key":"dns/aliases","value":[]}\n'
 */
export function upsertLine(generation: number, key: string, valueJson: string): string {
  return `{"type":"upsert","generation":${generation},"key":${JSON.stringify(key)},"value":${valueJson}}\n`;
}

/** @example deleteLine(7, "dns/aliases") // '{"type":"delete","generation":7,"key":"dns/aliases"}\n' */
export function deleteLine(generation: number, key: string): string {
  return `{"type":"delete","generation":${generation},"key":${JSON.stringify(key)}}\n`;
}

/** @example commitLine(7, hash) // '{"type":"commit","generation":7,"hash":"..."}\n' */
export function commitLine(generation: number, hash: string): string {
  return `{"type":"commit","generation":${generation},"hash":"${hash}"}\n`;
}

/** @example resetLine(7) // '{"type":"reset","generation":7}\n' */
export function resetLine(generation: number): string {
  return `{"type":"reset","generation":${generation}}\n`;
}

/** @example bookmarkLine(7, hash) // '{"type":"bookmark","generation":7,"hash":"..."}\n' */
export function bookmarkLine(generation: number, hash: string): string {
  return `{"type":"bookmark","generation":${generation},"hash":"${hash}"}\n`;
}
