/**
 * @module
 * The Durable Object layout of earlier versions, read once to migrate it: the whole snapshot's
 * JSON cut into chunks `snapshot:<generation>:<i>`, with a `head` key naming the generation.
 */
import { ClusterSnapshot } from "../snapshot/schema.ts";
import type { DurableStorageOps } from "./durable-object-store.ts";

interface Head {
  cluster: string;
  generation: number;
  storedAt: string;
  chunks: number;
}

const HEAD = "head";

/**
 * The snapshot the old layout holds, if any; throws naming a missing chunk.
 * @example const legacy = await legacySnapshot(storage); // { cluster, generation, storedAt, snapshot } | undefined
 */
export async function legacySnapshot(storage: DurableStorageOps): Promise<{ cluster: string; generation: number; storedAt: string; snapshot: ClusterSnapshot } | undefined> {
  const head = await storage.get<Head>(HEAD);
  if (head === undefined) return undefined;
  const keys = chunkKeys(head);
  const chunks = await storage.get<string>(keys);
  const missing = keys.filter((key) => typeof chunks.get(key) !== "string");
  if (missing.length > 0) throw new Error(`the stored snapshot of '${head.cluster}' (generation ${head.generation}) lacks ${missing.length} of its ${keys.length} chunks (${missing[0]}, ...)`);
  const snapshot = ClusterSnapshot.parse(JSON.parse(keys.map((key) => chunks.get(key)).join("")));
  return { cluster: head.cluster, generation: head.generation, storedAt: head.storedAt, snapshot };
}

/**
 * Deletes the old layout's keys, 128 per call.
 * @example await dropLegacy(storage)
 */
export async function dropLegacy(storage: DurableStorageOps): Promise<void> {
  const head = await storage.get<Head>(HEAD);
  if (head === undefined) return;
  const keys = [...chunkKeys(head), HEAD];
  for (let i = 0; i < keys.length; i += 128) await storage.delete(keys.slice(i, i + 128));
}

function chunkKeys(head: Head): string[] {
  return Array.from({ length: head.chunks }, (_, i) => `snapshot:${head.generation}:${i}`);
}
