/**
 * @module
 * Installing a files plan. Everything that can fail is done before anything visible changes:
 * every new file is staged (written and fsynced beside its target) first, and a failure there
 * discards the staged files and leaves the directory as it was. Only then are the staged files
 * renamed into place and stale owned files removed.
 *
 * The manifest is written twice: before the renames it lists the old and the new files, after
 * the deletions only the new ones. A crash at any point therefore leaves every file we wrote
 * listed, so it is cleaned up by a later run rather than mistaken for someone else's.
 */
import { lstat, mkdir, realpath, rmdir, unlink } from "node:fs/promises";
import { dirname, join, sep } from "node:path";
import type { Plan } from "../applier.ts";
import { commitFile, discardStaged, stageFile, syncDirectory } from "./durable-write.ts";
import { readManifest, writeManifest } from "./manifest.ts";
import { checkRelativePath, UnsafePathError } from "./paths.ts";

/**
 * @example await applyFilesPlan("/var/lib/wayfinder/files", planFiles("files", rendered, await observeFiles(dir)))
 */
export async function applyFilesPlan(dir: string, plan: Plan<string>): Promise<void> {
  const writes = [...plan.adds, ...plan.changes];
  // The plan may not come from planFiles: check every path again before touching the disk.
  for (const [path] of writes) checkRelativePath(path);
  for (const path of plan.deletes) checkRelativePath(path);

  await mkdir(dir, { recursive: true });
  const root = await realpath(dir);
  // A lost manifest lists nothing: the plan that found it lost claims only what it writes.
  const { paths: owned } = await readManifest(root);
  const touched = new Set<string>([root]);

  const staged = new Map<string, string>();
  try {
    for (const [path, contents] of writes) {
      const target = join(root, path);
      await ensureDirectoryInside(root, path);
      await ensureReplaceable(target, path);
      staged.set(target, await stageFile(target, contents));
      touched.add(dirname(target));
    }
  } catch (error) {
    await discardStaged(staged.values());
    throw error;
  }

  const final = new Set([...owned, ...writes.map(([path]) => path)]);
  await writeManifest(root, final);
  for (const [target, temp] of staged) await commitFile(temp, target);
  for (const path of plan.deletes) {
    await unlinkIfPresent(join(root, path));
    final.delete(path);
    const { removed, survivor } = await removeEmptyParents(root, path);
    for (const directory of removed) touched.delete(directory);
    touched.add(survivor);
  }
  for (const directory of touched) await syncDirectory(directory);
  await writeManifest(root, final);
}

/**
 * Creates the parent directories of `path` under `root` one level at a time, refusing to pass
 * through a symlink: `mkdir -p` would follow one, and a link planted at `dns/` could then
 * send our writes anywhere on the host.
 */
async function ensureDirectoryInside(root: string, path: string): Promise<void> {
  const segments = path.split("/").slice(0, -1);
  let current = root;
  for (const segment of segments) {
    current = join(current, segment);
    const stat = await lstat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    if (stat === undefined) await mkdir(current);
    else if (stat.isSymbolicLink()) throw new UnsafePathError(`refusing to write ${JSON.stringify(path)}: ${current} is a symlink`);
    else if (!stat.isDirectory()) throw new Error(`cannot write ${JSON.stringify(path)}: ${current} is not a directory`);
  }
  if (!`${await realpath(dirname(join(root, path)))}${sep}`.startsWith(`${root}${sep}`)) {
    throw new UnsafePathError(`refusing to write ${JSON.stringify(path)}: it resolves outside ${root}`);
  }
}

/** A rename over a directory would fail halfway through the commit; find out while staging. */
async function ensureReplaceable(target: string, path: string): Promise<void> {
  const stat = await lstat(target).catch(() => undefined);
  if (stat?.isDirectory()) throw new Error(`cannot write ${JSON.stringify(path)}: a directory is in the way`);
}

async function unlinkIfPresent(target: string): Promise<void> {
  try {
    await unlink(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

/**
 * Removes the directories above a deleted `path` that are now empty, deepest first, so stale
 * agents or groups leave no empty folders behind. Returns them, and the deepest directory that
 * survives (its entries changed, so it needs an fsync).
 */
async function removeEmptyParents(root: string, path: string): Promise<{ removed: string[]; survivor: string }> {
  const removed: string[] = [];
  const segments = path.split("/").slice(0, -1);
  while (segments.length > 0) {
    const directory = join(root, ...segments);
    try {
      await rmdir(directory);
    } catch {
      break; // not empty (or not ours to judge): it and everything above it stay
    }
    removed.push(directory);
    segments.pop();
  }
  return { removed, survivor: join(root, ...segments) };
}
