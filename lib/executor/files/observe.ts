/**
 * @module
 * What the files applier's directory holds now: the contents of the files it owns (listed in
 * the manifest) and the names of everything else, which it must neither overwrite nor delete.
 */
import { lstat, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { readManifest } from "./manifest.ts";
import { MANIFEST_NAME, TEMP_SUFFIX } from "./paths.ts";

export interface InstalledFiles {
  /** Owned paths that are regular files now, with their contents. */
  readonly files: ReadonlyMap<string, string>;
  /** Every path the manifest lists, including ones removed by hand since. */
  readonly owned: ReadonlySet<string>;
  /** Paths in the directory the manifest does not list: someone else's, never read or touched. */
  readonly foreign: ReadonlySet<string>;
  /**
   * Why the manifest is there but unreadable, when it is: nothing is known to be the
   * applier's then, so every path is `foreign` until a plan claims the ones it writes.
   */
  readonly lost?: string;
}

/**
 * @example await observeFiles("/var/lib/wayfinder/files") // { files: Map {...}, owned: Set {...}, foreign: Set {} }
 */
export async function observeFiles(dir: string): Promise<InstalledFiles> {
  const { paths: owned, lost } = await readManifest(dir);
  const files = new Map<string, string>();
  const foreign = new Set<string>();
  for (const path of await listEntries(dir)) {
    if (!owned.has(path)) foreign.add(path);
    // Only regular files count as installed: a symlink put in our place is replaced, never followed.
    else if ((await lstat(join(dir, path))).isFile()) files.set(path, await readFile(join(dir, path), "utf8"));
  }
  return { files, owned, foreign, ...(lost === undefined ? {} : { lost }) };
}

/** Relative paths of every non-directory entry under `dir`, without the applier's own files. */
async function listEntries(dir: string, prefix = ""): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(join(dir, prefix), { withFileTypes: true });
  } catch (error) {
    if (prefix === "" && (error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const paths: string[] = [];
  for (const entry of entries) {
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (path === MANIFEST_NAME || entry.name.endsWith(TEMP_SUFFIX)) continue;
    if (entry.isDirectory()) paths.push(...(await listEntries(dir, path)));
    else paths.push(path);
  }
  return paths;
}
