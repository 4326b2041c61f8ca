/**
 * @module
 * Marathon's app list from several Marathon instances with failover. Requests go to the
 * instance that answered last and move on in order when it fails, so one dead URL at the head
 * of the list no longer stops every update (marathon-lb#535, where the first `--marathon` URL
 * being down froze the load balancer).
 */
import type { MarathonApp } from "../snapshot/marathon.ts";
import { fromMarathonApps } from "../snapshot/adapters/marathon-apps.ts";
import { InputError } from "../snapshot/issues.ts";
import { fetchJson, SourceError } from "./http-json.ts";

/** Paths stripped from Marathon base URLs given on the command line. */
export const MARATHON_ENDPOINT_PATHS = ["/v2/apps", "/v2/events", "/v2"] as const;

/** What marathon-lb asks for: every app with its tasks. */
export const APPS_PATH = "/v2/apps?embed=apps.tasks";

export interface MarathonApiOptions {
  /** Per request, body included. Default 10 000 ms. */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

/**
 * @example
 * const marathon = new MarathonApi(["http://10.0.0.1:8080", "http://10.0.0.2:8080"]);
 * (await marathon.apps()).length // 42
 */
export class MarathonApi {
  readonly #bases: readonly string[];
  readonly #opts: MarathonApiOptions;
  #current = 0;

  constructor(bases: readonly string[], options: MarathonApiOptions = {}) {
    if (bases.length === 0) throw new Error("MarathonApi: at least one Marathon URL is needed");
    this.#bases = bases;
    this.#opts = options;
  }

  /**
   * Every app with its tasks, validated and with Marathon's `null`s dropped. A document that is
   * not an app list is an error like an unreachable instance: the next instance is asked.
   */
  async apps(signal?: AbortSignal): Promise<MarathonApp[]> {
    const failures: string[] = [];
    for (let i = 0; i < this.#bases.length; i++) {
      const index = (this.#current + i) % this.#bases.length;
      const url = `${this.#bases[index]}${APPS_PATH}`;
      if (signal?.aborted) break;
      try {
        const response = await fetchJson(url, { timeoutMs: this.#opts.timeoutMs, headers: this.#opts.headers, ...(signal === undefined ? {} : { signal }) });
        const apps = fromMarathonApps(response.value, { source: url });
        this.#current = index;
        return apps;
      } catch (error) {
        if (error instanceof SourceError || error instanceof InputError) failures.push(error.message.split("\n").slice(0, 3).join("; "));
        else throw error;
      }
    }
    throw new SourceError(this.#bases.join(","), `no Marathon answered: ${failures.join("; ") || "aborted"}`);
  }
}
