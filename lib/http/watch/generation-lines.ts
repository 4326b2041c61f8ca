/**
 * @module
 * One generation's key changes as the watch lines every watcher is sent, serialised once per
 * generation: the cluster-scope lines as one byte array shared by every watcher, and each
 * node's own lines (`node/<id>/...` keys) apart. `control/` keys are never sent.
 */
import { deleteLine, upsertLine } from "../../desired/watch-lines.ts";
import { keyScope } from "../../desired/object-keys.ts";
import type { ObjectChanges } from "../derivation.ts";

const encoder = new TextEncoder();

/** The lines of one generation. */
export interface GenerationLines {
  generation: number;
  /** The cluster-scope upsert and delete lines (possibly empty). */
  cluster: Uint8Array;
  /** Each node's own lines, by node id. */
  nodes: Map<string, Uint8Array>;
  /** Bytes held, for the change log's bound. */
  bytes: number;
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
    else if (scope.scope === "node") nodes.set(scope.node, (nodes.get(scope.node) ?? "") + line);
  };
  for (const { key, json } of changes.upserts) add(key, upsertLine(generation, key, json));
  for (const key of changes.deletes) add(key, deleteLine(generation, key));
  const clusterBytes = encoder.encode(cluster);
  let bytes = clusterBytes.byteLength;
  const nodeBytes = new Map<string, Uint8Array>();
  for (const [node, text] of nodes) {
    const encoded = encoder.encode(text);
    nodeBytes.set(node, encoded);
    bytes += encoded.byteLength;
  }
  return { generation, cluster: clusterBytes, nodes: nodeBytes, bytes };
}
