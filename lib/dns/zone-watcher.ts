/**
 * @module
 * Follows a zone file: `fs.watch` on its directory (the applier replaces the file by rename,
 * which a watch on the file itself would lose track of) for prompt reloads, plus a periodic
 * check of the file's identity (inode, size, mtime) in case an event is missed. A file that
 * fails to load is reported and the caller keeps serving what it has; the same broken file
 * is not reloaded (or reported) again until it changes.
 */
import { watch, type FSWatcher } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import type { ZoneSet } from "./serving-state.ts";
import { readZoneSet } from "./zone-set-reader.ts";

export interface ZoneWatcherOptions {
  path: string;
  /** Fallback check period, ms. Default 2000. */
  checkIntervalMs?: number;
  /** A new, valid zone set. */
  onLoad: (zones: ZoneSet) => void;
  /** The file changed but could not be loaded; the previous zones stay. */
  onError: (error: Error) => void;
}

export interface ZoneWatcher {
  /** Checks the file now (what the timer and the watch events call). */
  check(): Promise<void>;
  close(): void;
}

/**
 * Starts following `path`; `identity` is that of the file already loaded, if any.
 * @example const watcher = watchZoneFile({ path, onLoad: (z) => server.swap(z), onError: log }, await fileIdentity(path));
 */
export function watchZoneFile(options: ZoneWatcherOptions, identity: string | undefined): ZoneWatcher {
  let seen = identity;
  let running: Promise<void> | undefined;
  let again = false;
  let watcher: FSWatcher | undefined;

  const load = async () => {
    const current = await fileIdentity(options.path).catch(() => undefined);
    if (current === undefined || current === seen) return;
    seen = current;
    try {
      options.onLoad(await readZoneSet(options.path));
    } catch (error) {
      options.onError(error as Error);
    }
  };
  // Checks never overlap; a change noticed during one is checked right after it.
  const check = (): Promise<void> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = load().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        void check();
      }
    });
    return running;
  };

  try {
    const name = basename(options.path);
    watcher = watch(dirname(options.path), { persistent: false }, (_event, file) => {
      if (file === null || file === name) void check();
    });
    watcher.on("error", () => watcher?.close());
  } catch {
    // No watch support (or the directory is gone): the periodic check still runs.
  }
  const timer = setInterval(() => void check(), options.checkIntervalMs ?? 2000);
  timer.unref();
  return {
    check,
    close: () => {
      clearInterval(timer);
      watcher?.close();
    },
  };
}

/**
 * What identifies one version of a file: a rename-over gives a new inode, an in-place edit a
 * new mtime or size.
 * @example await fileIdentity("/var/lib/wayfinder/dns/zones.json") // "1234:5678:1732600000000"
 */
export async function fileIdentity(path: string): Promise<string> {
  const info = await stat(path);
  return `${info.ino}:${info.size}:${info.mtimeMs}`;
}
