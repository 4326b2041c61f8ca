/**
 * @module
 * The manifest: the list of files the applier wrote into its directory. It is what makes
 * stale-file removal safe: a file not listed was put there by someone else and is never
 * deleted (kube-proxy keeps the same kind of record of what it installed). The reading and
 * writing serve every applier that keeps such a record (the CNI applier too).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { canonicalJsonPretty } from "../../net/canonical-json.ts";
import { writeFileDurably } from "./durable-write.ts";
import { MANIFEST_NAME } from "./paths.ts";

export const FileManifest = z.object({
  apiVersion: z.literal("wayfinder/v1"),
  kind: z.literal("FileManifest"),
  /** Relative paths, sorted. */
  files: z.array(z.string()),
});
export type FileManifest = z.infer<typeof FileManifest>;

/**
 * The paths the manifest in `dir` lists; empty when there is none yet. A manifest that does
 * not parse is an error: guessing would risk deleting files that are not ours.
 * @example await readManifest("/var/lib/wayfinder/files") // Set { "desired.json", "dns/mesos.zone" }
 */
export function readManifest(dir: string): Promise<Set<string>> {
  return readOwnedPaths(join(dir, MANIFEST_NAME), FileManifest, "file manifest");
}

/**
 * Replaces the manifest in `dir` (crash-safely) with `paths`.
 * @example await writeManifest(dir, ["desired.json", "dns/mesos.zone"])
 */
export function writeManifest(dir: string, paths: Iterable<string>): Promise<void> {
  return writeOwnedPaths(join(dir, MANIFEST_NAME), "FileManifest", paths);
}

/**
 * The paths a manifest at `path` lists (any applier's record of what it installed, checked
 * against `schema`); empty when there is none. Unreadable or invalid: an error naming the file.
 * @example await readOwnedPaths("/var/lib/wayfinder/cni/cni-manifest.json", CniManifest, "CNI manifest")
 */
export async function readOwnedPaths(path: string, schema: z.ZodType<{ files: string[] }>, what: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Set();
    throw error;
  }
  let parsed: ReturnType<typeof schema.safeParse>;
  try {
    parsed = schema.safeParse(JSON.parse(text));
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message}); fix or remove it by hand`);
  }
  if (!parsed.success) throw new Error(`${path}: not a wayfinder ${what}; fix or remove it by hand`);
  return new Set(parsed.data.files);
}

/** Replaces the manifest at `path` (crash-safely): `kind` and `paths`, sorted and without duplicates. */
export async function writeOwnedPaths(path: string, kind: string, paths: Iterable<string>): Promise<void> {
  const manifest = { apiVersion: "wayfinder/v1", kind, files: [...new Set(paths)].sort() };
  await writeFileDurably(path, canonicalJsonPretty(manifest));
}
