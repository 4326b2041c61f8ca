/**
 * @module
 * Crash-safe file replacement: write a temporary file beside the target, fsync it, rename it
 * over the target, fsync the directory. A reader sees the old file or the new one, never a
 * torn one, and after a crash the rename is either on disk or not at all (rename(2) is atomic
 * within one filesystem, hence the temporary file lives in the same directory).
 */
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { TEMP_SUFFIX } from "./paths.ts";

/**
 * Writes `contents` to the temporary sibling of `target` and fsyncs it; returns its path.
 * The name is fixed per target, so a crash leaves at most one leftover, overwritten next time.
 * @example const temp = await stageFile("/srv/dns/mesos.zone", text); await commitFile(temp, "/srv/dns/mesos.zone");
 */
export async function stageFile(target: string, contents: string): Promise<string> {
  const temp = join(dirname(target), `.${basename(target)}${TEMP_SUFFIX}`);
  const handle = await open(temp, "w", 0o644);
  try {
    await handle.writeFile(contents, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temp;
}

/**
 * Renames a staged file over its target.
 * @example await commitFile(temp, target)
 */
export async function commitFile(temp: string, target: string): Promise<void> {
  await rename(temp, target);
}

/**
 * Removes staged files after a failed apply; errors are ignored because the apply's own
 * error is the one worth reporting.
 * @example await discardStaged(temps)
 */
export async function discardStaged(temps: Iterable<string>): Promise<void> {
  await Promise.all([...temps].map((temp) => rm(temp, { force: true }).catch(() => {})));
}

/**
 * Fsyncs a directory so the renames and unlinks in it survive a crash.
 * @example await syncDirectory("/srv/dns")
 */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `contents` to `target` crash-safely in one call (stage, rename, fsync the directory).
 * @example await writeFileDurably("/srv/.wayfinder-manifest.json", json)
 */
export async function writeFileDurably(target: string, contents: string): Promise<void> {
  const temp = await stageFile(target, contents);
  try {
    await commitFile(temp, target);
  } catch (error) {
    await discardStaged([temp]);
    throw error;
  }
  await syncDirectory(dirname(target));
}
