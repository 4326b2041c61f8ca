/**
 * @module
 * Sends the node's status to the control plane after every sync
 * (`PUT /v1/clusters/:cluster/nodes/:agentId/status`), off the sync's path: `report` returns at
 * once, a report arriving while one is in flight replaces any waiting one (only the newest
 * matters), and a failure is logged when it starts and when it ends, counted, and otherwise
 * ignored. A control plane that is down never slows or fails a sync.
 */
import type { NodeStatusReport } from "../store/node-status.ts";
import { describeNetworkError } from "../sources/http-json.ts";
import type { Counter } from "../metrics/registry.ts";
import type { Logger } from "./log.ts";

export interface StatusReporterOptions {
  /** The node's status URL (see `statusUrl`). */
  url: string;
  token?: string;
  /** Per report. Default 5000 ms. */
  timeoutMs?: number;
  log: Logger;
  /** Counts reports by `result`: ok or failed. */
  reports?: Counter;
}

/**
 * The status URL for a `--source` of the store (`http://cp:8080/v1/clusters/prod`, or a node
 * view URL under it); undefined for a source with no store behind it (`/v1/desired`, a file).
 * @example statusUrl("http://cp:8080/v1/clusters/prod", "S1") // "http://cp:8080/v1/clusters/prod/nodes/S1/status"
 */
export function statusUrl(source: string, node: string): string | undefined {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return undefined;
  }
  const cluster = /^(\/v1\/clusters\/[^/]+)(?:\/desired\/nodes\/[^/]+)?\/*$/.exec(url.pathname)?.[1];
  if (cluster === undefined || !/^https?:$/.test(url.protocol)) return undefined;
  return `${url.origin}${cluster}/nodes/${encodeURIComponent(node)}/status`;
}

/**
 * @example
 * const reporter = new StatusReporter({ url: statusUrl(source, "S1")!, token, log });
 * syncer = new Syncer({ ..., onSynced: (status) => reporter.report(status) });
 */
export class StatusReporter {
  readonly #opts: StatusReporterOptions;
  #pending: NodeStatusReport | undefined;
  #sending: Promise<void> | undefined;
  #failing = false;

  constructor(options: StatusReporterOptions) {
    this.#opts = options;
  }

  /** Where reports go. */
  get url(): string {
    return this.#opts.url;
  }

  /** Queues `status` to be sent; returns at once and never throws. */
  report(status: NodeStatusReport): void {
    this.#pending = status;
    this.#sending ??= this.#drain().finally(() => (this.#sending = undefined));
  }

  /** Resolves once nothing is waiting or in flight. */
  async idle(): Promise<void> {
    while (this.#sending !== undefined) await this.#sending;
  }

  async #drain(): Promise<void> {
    while (this.#pending !== undefined) {
      const status = this.#pending;
      this.#pending = undefined;
      const problem = await this.#send(status);
      this.#opts.reports?.inc({ result: problem === undefined ? "ok" : "failed" });
      if (problem !== undefined && !this.#failing) this.#opts.log.warn("cannot report the node's status to the control plane; syncing goes on", { url: this.#opts.url, error: problem });
      if (problem === undefined && this.#failing) this.#opts.log.info("reporting the node's status again", { url: this.#opts.url });
      this.#failing = problem !== undefined;
    }
  }

  /** Sends one report; returns what went wrong, if anything. */
  async #send(status: NodeStatusReport): Promise<string | undefined> {
    try {
      const response = await fetch(this.#opts.url, {
        method: "PUT",
        headers: { "Content-Type": "application/json", ...(this.#opts.token === undefined ? {} : { Authorization: `Bearer ${this.#opts.token}` }) },
        body: JSON.stringify(status),
        signal: AbortSignal.timeout(this.#opts.timeoutMs ?? 5000),
      });
      const text = await response.text();
      if (response.ok) return undefined;
      const error = (() => {
        try {
          return (JSON.parse(text) as { error?: string }).error ?? text;
        } catch {
          return text;
        }
      })();
      return `HTTP ${response.status}: ${error.slice(0, 300)}`;
    } catch (error) {
      return describeNetworkError(error);
    }
  }
}
