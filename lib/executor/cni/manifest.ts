/**
 * @module
 * The CNI applier's record of the config files it installed (absolute paths), kept in its
 * state directory, and what those files hold now. A file not in the record is someone else's.
 */
import { lstat, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { readOwnedPaths, writeOwnedPaths } from "../files/manifest.ts";

const MANIFEST = "cni-manifest.json";

export const CniManifest = z.object({
  apiVersion: z.literal("wayfinder/v1"),
  kind: z.literal("CniManifest"),
  /** Absolute paths, sorted. */
  files: z.array(z.string().startsWith("/")),
});

export interface InstalledCni {
  /** Recorded paths that are regular files now, with their contents. */
  files: ReadonlyMap<string, string>;
  /** Every recorded path, including ones removed by hand since. */
  owned: ReadonlySet<string>;
  /** Why the record is there but unreadable, when it is (nothing is known to be ours then). */
  lost?: string;
}

/**
 * @example await observeCni("/var/lib/wayfinder/cni") // { files: Map { "/etc/cni/net.d/dcos.conflist" → "{...}" }, owned: Set {...} }
 */
export async function observeCni(stateDir: string): Promise<InstalledCni> {
  // A lost record owns nothing: guessing would risk deleting configs that are not ours.
  const { paths: owned, lost } = await readOwnedPaths(join(stateDir, MANIFEST), CniManifest, "CNI manifest");
  const files = new Map<string, string>();
  for (const file of owned) {
    // A symlink put in a config's place is replaced, never followed.
    const stat = await lstat(file).catch(() => undefined);
    if (stat?.isFile()) files.set(file, await readFile(file, "utf8"));
  }
  return { files, owned, ...(lost === undefined ? {} : { lost }) };
}

/**
 * @example await writeCniManifest("/var/lib/wayfinder/cni", ["/etc/cni/net.d/dcos.conflist"])
 */
export async function writeCniManifest(stateDir: string, files: Iterable<string>): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  await writeOwnedPaths(join(stateDir, MANIFEST), "CniManifest", files);
}
