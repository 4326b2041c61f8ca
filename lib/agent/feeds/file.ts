/**
 * @module
 * The desired state from a file on the node: a ClusterSnapshot (reconciled here) or a
 * DesiredState (a cluster's, projected here, or already this node's). The file is watched
 * (inotify, with a stat poll as the fallback for filesystems without it) and read again when
 * it changes; writers should replace it by rename, and a half-written file is simply invalid
 * until the next change.
 */
import { watch, type FSWatcher } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { nodeView } from "../../../functions/node-view.ts";
import type { DesiredState } from "../../desired/schema.ts";
import { inputIssues } from "../../snapshot/issues.ts";
import { ClusterSnapshot } from "../../snapshot/schema.ts";
import { SourceError } from "../../sources/http-json.ts";
import { InvalidDesiredError, validateDesired } from "../validate-desired.ts";
import type { DesiredFeed, FeedSink, Fetched } from "./feed.ts";
import { nodeDesired } from "./node-desired.ts";

export interface FileFeedOptions {
  path: string;
  node: string;
  /** Stat poll interval, in ms. Default 1000. */
  pollIntervalMs?: number;
}

/**
 * @example const feed = new FileFeed({ path: "/etc/wayfinder/snapshot.json", node: "S1" });
 */
export class FileFeed implements DesiredFeed {
  readonly description: string;
  readonly #opts: Required<FileFeedOptions>;

  constructor(options: FileFeedOptions) {
    this.#opts = { pollIntervalMs: 1000, ...options };
    this.description = `file ${options.path}`;
  }

  async fetch(): Promise<Fetched> {
    return { desired: await this.#read() };
  }

  async #read(): Promise<DesiredState> {
    const { path, node } = this.#opts;
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      throw new SourceError(path, `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new InvalidDesiredError(`${path}: not valid JSON: ${(error as Error).message}`);
    }
    if (isDesiredDocument(document)) {
      const desired = validateDesired(document, node, path);
      return desired.node === undefined ? nodeView(desired, node) : desired;
    }
    const parsed = ClusterSnapshot.safeParse(document);
    if (!parsed.success) {
      const issues = inputIssues(parsed.error).slice(0, 5).map((i) => `${i.path || "(document)"}: ${i.message}`);
      throw new InvalidDesiredError(`${path}: neither a DesiredState nor a valid ClusterSnapshot: ${issues.join("; ")}`);
    }
    return nodeDesired(parsed.data, node, path).node;
  }

  async watch(sink: FeedSink, signal: AbortSignal): Promise<void> {
    let lastStat = "";
    let lastHash: string | undefined;
    let reading = Promise.resolve();
    const check = () => {
      reading = reading.then(async () => {
        const now = await stat(this.#opts.path).then((s) => `${s.mtimeMs}:${s.size}:${s.ino}`, () => "missing");
        if (now === lastStat) return;
        lastStat = now;
        try {
          const desired = await this.#read();
          if (desired.hash === lastHash) return;
          lastHash = desired.hash;
          sink.desired(desired, { source: this.#opts.path, requestedAt: Date.now() });
        } catch (error) {
          sink.error(error as Error, error instanceof InvalidDesiredError ? "invalid" : "fetch");
        }
      });
    };
    let watcher: FSWatcher | undefined;
    try {
      // The directory, not the file: a rename over the file would end a watch on its inode.
      watcher = watch(dirname(this.#opts.path), (_event, name) => {
        if (name === null || name === basename(this.#opts.path)) check();
      });
    } catch {
      watcher = undefined;
    }
    check();
    const poll = setInterval(check, this.#opts.pollIntervalMs);
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
    clearInterval(poll);
    watcher?.close();
    await reading;
  }
}

function isDesiredDocument(document: unknown): boolean {
  return typeof document === "object" && document !== null && "hash" in document && "dns" in document && !("cluster" in document);
}
