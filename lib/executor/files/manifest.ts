/**
 * @module
 * The manifest: the list of files the applier wrote into its directory. It is what makes
 * stale-file removal safe: a file not listed was put there by someone else and is never
 * deleted (kube-proxy keeps the same kind of record of what it installed). The reading and
 * writing serve every applier that keeps such a record (the CNI applier too).
 *
 * A manifest that is there but does not read (truncated by a full disk, damaged by hand) is
 * reported as `lost`: the appliers then rebuild it from what they install now, claiming only
 * the files they are about to write and leaving everything else alone, rather than guessing
 * which of the other files were theirs, or failing on every sync until someone removes it.
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
 * What a manifest says the applier owns. `lost`, when set, says why the record could not be
 * read though it is there (the file and the problem); `paths` is then empty.
 */
export interface OwnedPaths {
  paths: Set<string>;
  lost?: string;
}

/**
 * The paths the manifest in `dir` lists; none when there is no manifest yet.
 * @example await readManifest("/var/lib/wayfinder/files") // { paths: Set { "desired.json", "dns/mesos.zone" } }
 */
export function readManifest(dir: string): Promise<OwnedPaths> {
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
 * against `schema`); none when there is none. Not JSON or not such a manifest: `lost`, naming
 * the file. Unreadable (permissions, I/O): the error is thrown as is.
 * @example await readOwnedPaths("/var/lib/wayfinder/cni/cni-manifest.json", CniManifest, "CNI manifest") // { paths: Set {}, lost: "...: not valid JSON (Unexpected end of JSON input)" }
 */
export async function readOwnedPaths(path: string, schema: z.ZodType<{ files: string[] }>, what: string): Promise<OwnedPaths> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { paths: new Set() };
    throw error;
  }
  let parsed: ReturnType<typeof schema.safeParse>;
  try {
    parsed = schema.safeParse(JSON.parse(text));
  } catch (error) {
    return { paths: new Set(), lost: `${path}: not valid JSON (${(error as Error).message})` };
  }
  if (!parsed.success) return { paths: new Set(), lost: `${path}: not a wayfinder ${what}` };
  return { paths: new Set(parsed.data.files) };
}

/** Replaces the manifest at `path` (crash-safely): `kind` and `paths`, sorted and without duplicates. */
export async function writeOwnedPaths(path: string, kind: string, paths: Iterable<string>): Promise<void> {
  const manifest = { apiVersion: "wayfinder/v1", kind, files: [...new Set(paths)].sort() };
  await writeFileDurably(path, canonicalJsonPretty(manifest));
}
