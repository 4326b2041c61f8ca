/**
 * @module
 * The manifest: the list of files the applier wrote into its directory. It is what makes
 * stale-file removal safe: a file not listed was put there by someone else and is never
 * deleted (kube-proxy keeps the same kind of record of what it installed).
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
export async function readManifest(dir: string): Promise<Set<string>> {
  const path = join(dir, MANIFEST_NAME);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Set();
    throw error;
  }
  let parsed: ReturnType<typeof FileManifest.safeParse>;
  try {
    parsed = FileManifest.safeParse(JSON.parse(text));
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message}); fix or remove it by hand`);
  }
  if (!parsed.success) throw new Error(`${path}: not a wayfinder file manifest; fix or remove it by hand`);
  return new Set(parsed.data.files);
}

/**
 * Replaces the manifest in `dir` (crash-safely) with `paths`.
 * @example await writeManifest(dir, ["desired.json", "dns/mesos.zone"])
 */
export async function writeManifest(dir: string, paths: Iterable<string>): Promise<void> {
  const manifest: FileManifest = { apiVersion: "wayfinder/v1", kind: "FileManifest", files: [...new Set(paths)].sort() };
  await writeFileDurably(join(dir, MANIFEST_NAME), canonicalJsonPretty(manifest));
}
