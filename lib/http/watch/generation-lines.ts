/**
 * @module
 * One generation's key changes as the watch lines every watcher is sent, serialised once per
 * generation: the cluster-scope lines as one byte array shared by every watcher, and each
 * node's own lines (`node/<id>/...` keys) apart. `control/` keys are never sent.
 */
import { deleteLine, upsertLine } from "../../desired/watch-lines.ts";
import type { ObjectChanges } from "../derivation.ts";

/** The lines of one generation. */
export interface GenerationLines {
  generation: number;
  /** The cluster-scope upsert and delete lines (possibly empty). */
  cluster: Uint8Array;
  /** Each node's own lines, by the node id as it appears in its keys' segment. */
  nodes: Map<string, Uint8Array>;
  /** Bytes held, for the change log's bound. */
  bytes: number;
}

/** Who a key is for. */
export type KeyScope = { scope: "cluster" } | { scope: "node"; segment: string } | { scope: "control" };

const encoder = new TextEncoder();

/**
 * @example keyScope("node/S1/overlay") // { scope: "node", segment: "S1" }
 */
export function keyScope(key: string): KeyScope {
  if (key.startsWith("control/")) return { scope: "control" };
  if (!key.startsWith("node/")) return { scope: "cluster" };
  const end = key.indexOf("/", 5);
  return { scope: "node", segment: key.slice(5, end < 0 ? key.length : end) };
}

/**
 * A node id as the segment of its `node/` keys (`%` and `/` percent-encoded, docs/delta-path.md §1).
 * @example nodeSegment("a/b") // "a%2Fb"
 */
export function nodeSegment(node: string): string {
  return node.includes("%") || node.includes("/") ? node.replaceAll("%", "%25").replaceAll("/", "%2F") : node;
}

/**
 * @example generationLines(8, { upserts: [{ key: "dns/aliases", json: "[]", hash }], deletes: [] }).cluster // bytes of one upsert line
 */
export function generationLines(generation: number, changes: ObjectChanges): GenerationLines {
  let cluster = "";
  const nodes = new Map<string, string>();
  const add = (key: string, line: string) => {
    const scope = keyScope(key);
    if (scope.scope === "cluster") cluster += line;
    else if (scope.scope === "node") nodes.set(scope.segment, (nodes.get(scope.segment) ?? "") + line);
  };
  for (const { key, json } of changes.upserts) add(key, upsertLine(generation, key, json));
  for (const key of changes.deletes) add(key, deleteLine(generation, key));
  const clusterBytes = encoder.encode(cluster);
  let bytes = clusterBytes.byteLength;
  const nodeBytes = new Map<string, Uint8Array>();
  for (const [segment, text] of nodes) {
    const encoded = encoder.encode(text);
    nodeBytes.set(segment, encoded);
    bytes += encoded.byteLength;
  }
  return { generation, cluster: clusterBytes, nodes: nodeBytes, bytes };
}
