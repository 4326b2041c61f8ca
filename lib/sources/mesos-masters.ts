/**
 * @module
 * Reading the cluster's state from a set of Mesos masters, as Mesos-DNS did (specs/dns.md §1.1):
 * the master that answered last (the presumed leader) is asked first, then the others in the
 * order given; the first good answer wins. Two kinds of answer:
 *
 * - `GET /master/state`: a non-leading master may answer with its own view, whose `leader`
 *   field names the real leader: when that IP is not the one just asked, the state is fetched
 *   again from the leader's IP on the same scheme, port and path (what mesos-dns did, so an
 *   HTTPS port in front of the masters keeps working). A state with no leader is an error.
 * - `POST /api/v1 {"type":"GET_STATE"}` (the operator API): non-leading masters answer with a
 *   307 to the leader, which the fetch follows; the master that finally answered is the leader.
 *
 * Any failure moves on to the next master; when all fail, one error lists every reason, and
 * the caller keeps serving the previous state.
 */
import { parsePid } from "../net/host-port.ts";
import { fetchJson, SourceError, type JsonResponse } from "./http-json.ts";

/** Which Mesos API to read. */
export type MesosApi = "state" | "operator";

/** Paths stripped from base URLs given for each API (see `parseBaseUrls`). */
export const MESOS_ENDPOINT_PATHS: Record<MesosApi, readonly string[]> = { state: ["/master/state", "/state.json", "/state"], operator: ["/api/v1"] };

export interface MesosRead {
  api: MesosApi;
  /** The parsed answer: a `/master/state` document or a `GET_STATE` response. */
  document: unknown;
  /** The leader's PID (`master@ip:port`), from the state's `leader` or the operator API's answering host. */
  leader: string;
  /** The URL that gave the answer. */
  url: string;
}

export interface MesosMastersOptions {
  api: MesosApi;
  /** Per request, body included. Default 10 000 ms. */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

/**
 * @example
 * const masters = new MesosMasters(["http://10.0.0.1:5050", "http://10.0.0.2:5050"], { api: "state" });
 * const { document, leader } = await masters.read();
 */
export class MesosMasters {
  readonly #bases: readonly string[];
  readonly #opts: MesosMastersOptions;
  /** The base URL that answered last: asked first next time. */
  #preferred: string | undefined;

  constructor(bases: readonly string[], options: MesosMastersOptions) {
    if (bases.length === 0) throw new Error("MesosMasters: at least one master URL is needed");
    this.#bases = bases;
    this.#opts = options;
  }

  /** Reads the state from the first master that gives a good answer; throws a `SourceError` listing every failure. */
  async read(signal?: AbortSignal): Promise<MesosRead> {
    const order = this.#preferred === undefined ? this.#bases : [this.#preferred, ...this.#bases.filter((b) => b !== this.#preferred)];
    const failures: string[] = [];
    for (const base of order) {
      if (signal?.aborted) break;
      try {
        const read = this.#opts.api === "state" ? await this.#readState(base, signal) : await this.#readOperator(base, signal);
        this.#preferred = baseOf(read.url, this.#opts.api);
        return read;
      } catch (error) {
        failures.push(error instanceof SourceError ? error.message : String(error));
      }
    }
    throw new SourceError(order.join(","), `no Mesos master answered: ${failures.join("; ") || "aborted"}`);
  }

  async #readState(base: string, signal: AbortSignal | undefined): Promise<MesosRead> {
    const first = await this.#get(`${base}/master/state`, signal);
    const leader = leaderOf(first);
    const answered = new URL(first.url);
    const pid = parsePid(leader)!;
    if (sameHost(answered.hostname, pid.host)) return { api: "state", document: first.value, leader, url: first.url };
    // Not the leader: ask the leader, on the scheme, port and path we already reach masters on.
    const leaderUrl = new URL(first.url);
    leaderUrl.hostname = pid.host.includes(":") ? `[${pid.host}]` : pid.host;
    const second = await this.#get(leaderUrl.toString(), signal);
    return { api: "state", document: second.value, leader: leaderOf(second), url: second.url };
  }

  async #readOperator(base: string, signal: AbortSignal | undefined): Promise<MesosRead> {
    const response = await fetchJson(`${base}/api/v1`, { ...this.#request(signal), method: "POST", body: { type: "GET_STATE" } });
    const answered = new URL(response.url);
    const port = answered.port === "" ? (answered.protocol === "https:" ? "443" : "80") : answered.port;
    return { api: "operator", document: response.value, leader: `master@${answered.hostname}:${port}`, url: response.url };
  }

  #get(url: string, signal: AbortSignal | undefined): Promise<JsonResponse> {
    return fetchJson(url, this.#request(signal));
  }

  #request(signal: AbortSignal | undefined) {
    return { timeoutMs: this.#opts.timeoutMs, headers: this.#opts.headers, ...(signal === undefined ? {} : { signal }) };
  }
}

/** The `leader` PID of a `/master/state` answer; a missing or unparsable one is an error (mesos-dns). */
function leaderOf(response: JsonResponse): string {
  const leader = (response.value as { leader?: unknown } | null)?.leader;
  if (typeof leader !== "string" || leader === "") throw new SourceError(response.url, "the state names no leader (no master elected?)");
  if (parsePid(leader) === undefined) throw new SourceError(response.url, `the state's leader '${leader}' is not a PID (name@ip:port)`);
  return leader;
}

function sameHost(urlHost: string, pidHost: string): boolean {
  return urlHost.replace(/^\[|\]$/g, "").toLowerCase() === pidHost.toLowerCase();
}

/** The base URL of an endpoint URL that answered (the path the API appended is removed). */
function baseOf(url: string, api: MesosApi): string {
  const parsed = new URL(url);
  const suffix = api === "state" ? "/master/state" : "/api/v1";
  const path = parsed.pathname.endsWith(suffix) ? parsed.pathname.slice(0, -suffix.length) : parsed.pathname;
  return `${parsed.protocol}//${parsed.host}${path}`;
}
