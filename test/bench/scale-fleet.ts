/**
 * @module
 * `bench:scale`'s lightweight agents: watch clients over real HTTP that apply each batch to an
 * in-memory view of key → object hash and verify the view hash at every commit, as the agent
 * does (`lib/agent/watch/`), without appliers. The views share one read-only base (the keys
 * every node starts from, derived by the bench with the pure core) and each keeps only the
 * keys that changed since, so 50 of them fit in one process at 100k tasks. Every commit is
 * recorded with the wall time it was applied and the bytes it took on the wire (gzip where
 * the client asked for it) and decoded.
 */
import { request, type ClientRequest } from "node:http";
import { constants, createGunzip } from "node:zlib";
import { LineSplitter } from "../../lib/agent/watch/line-splitter.ts";
import { canonicalJson } from "../../lib/net/canonical-json.ts";
import { addTerm, entryTerm, objectHash, subtractTerm, sumHex } from "../../lib/net/multiset-hash.ts";
import { wallNow } from "./converge-probes.ts";

/** One generation as a client applied it. */
export interface Applied {
  at: number;
  /** Bytes on the wire since the commit before (compressed for a gzip client). */
  wire: number;
  /** The same bytes decoded: the NDJSON lines. */
  raw: number;
  keys: number;
}

interface Line {
  type: string;
  generation: number;
  key?: string;
  value?: unknown;
  hash?: string;
}

/** A watch over HTTP: lines out, bytes counted, errors kept. */
class WatchStream {
  wire = 0;
  raw = 0;
  #request: ClientRequest | undefined;

  open(url: string, gzip: boolean, onLine: (line: Line) => void, onError: (message: string) => void): void {
    const headers: Record<string, string> = { accept: "application/x-ndjson", ...(gzip ? { "accept-encoding": "gzip" } : {}) };
    this.#request = request(url, { headers, agent: false }, (res) => {
      if (res.statusCode !== 200) return onError(`${url}: HTTP ${res.statusCode}`);
      res.on("data", (b: Buffer) => (this.wire += b.length));
      const body = res.headers["content-encoding"] === "gzip" ? res.pipe(createGunzip({ flush: constants.Z_SYNC_FLUSH })) : res;
      const splitter = new LineSplitter();
      const decoder = new TextDecoder();
      body.on("data", (b: Buffer) => {
        this.raw += b.length;
        for (const text of splitter.push(decoder.decode(b, { stream: true }))) onLine(JSON.parse(text) as Line);
      });
      body.on("error", (e: Error) => onError(`${url}: ${e.message}`));
    });
    this.#request.on("error", (e) => onError(`${url}: ${e.message}`));
    this.#request.end();
  }

  close(): void {
    this.#request?.destroy();
  }
}

const hashOfValue = (value: unknown) => objectHash(canonicalJson(value));

/**
 * A lightweight agent following one node's watch from a known generation.
 * @example const a = new LightAgent(base, "S1", true); await a.follow(url, 4, hash); a.applied.get(5)?.at
 */
export class LightAgent {
  readonly node: string;
  readonly gzip: boolean;
  readonly applied = new Map<number, Applied>();
  readonly errors: string[] = [];
  generation = 0;
  readonly #base: ReadonlyMap<string, string>;
  readonly #own = new Map<string, string | null>();
  #sum = 0n;
  #pending = new Map<string, string | null>();
  #marks = { wire: 0, raw: 0 };
  readonly #stream = new WatchStream();
  readonly #waiters = new Set<() => void>();

  constructor(base: ReadonlyMap<string, string>, node: string, gzip: boolean) {
    this.#base = base;
    this.node = node;
    this.gzip = gzip;
  }

  /** Watches from `since`, whose view hash is `hash`; resolves once the first bookmark proved it. */
  follow(clusterUrl: string, since: number, hash: string, sum: bigint): Promise<void> {
    this.generation = since;
    this.#sum = sum;
    const url = `${clusterUrl}/desired/nodes/${encodeURIComponent(this.node)}?watch=true&since=${since}`;
    return new Promise((resolve, reject) => {
      this.#stream.open(url, this.gzip, (line) => {
        if (line.type === "bookmark" && line.generation === since && this.applied.size === 0) {
          if (line.hash !== hash) reject(new Error(`${this.node}: the server's view hash at ${since} is ${line.hash}, the bench derived ${hash}`));
          else resolve();
        }
        this.#line(line);
      }, (message) => {
        this.errors.push(message);
        reject(new Error(message));
      });
    });
  }

  /** Resolves once generation `g` is applied (or rejects after `timeoutMs`). */
  async until(g: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.generation < g) {
      if (this.errors.length > 0) throw new Error(this.errors[0]);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.node}: generation ${g} not applied within ${timeoutMs} ms (at ${this.generation})`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }

  close(): void {
    this.#stream.close();
  }

  #line(line: Line): void {
    if (line.type === "upsert") this.#pending.set(line.key!, hashOfValue(line.value));
    else if (line.type === "delete") this.#pending.set(line.key!, null);
    else if (line.type === "reset") this.errors.push(`${this.node}: an unexpected relist at ${line.generation}`);
    else if (line.type === "commit") this.#commit(line.generation, line.hash!);
  }

  /** Applies the batch if the view hash after it is the commit's; else the view stays and the error is kept. */
  #commit(generation: number, hash: string): void {
    let sum = this.#sum;
    for (const [key, next] of this.#pending) {
      const before = this.#own.has(key) ? this.#own.get(key)! : (this.#base.get(key) ?? null);
      if (before !== null) sum = subtractTerm(sum, entryTerm(key, before));
      if (next !== null) sum = addTerm(sum, entryTerm(key, next));
    }
    if (sumHex(sum) !== hash) {
      this.errors.push(`${this.node}: view hash after generation ${generation} is ${sumHex(sum)}, the commit says ${hash}`);
    } else {
      for (const [key, next] of this.#pending) this.#own.set(key, next);
      this.#sum = sum;
      this.generation = generation;
      const wire = this.#stream.wire - this.#marks.wire;
      const raw = this.#stream.raw - this.#marks.raw;
      this.applied.set(generation, { at: wallNow(), wire, raw, keys: this.#pending.size });
    }
    this.#marks = { wire: this.#stream.wire, raw: this.#stream.raw };
    this.#pending = new Map();
    for (const wake of [...this.#waiters]) wake();
  }
}

/** What a relist cost one node: from the request to its commit verified. */
export interface Relist {
  ms: number;
  keys: number;
  wire: number;
  raw: number;
}

/**
 * A watch without `since`: the whole view, each value hashed and the sum checked at the commit.
 * @example const { ms } = await relist("http://127.0.0.1:8080/v1/clusters/c", "S1", true)
 */
export function relist(clusterUrl: string, node: string, gzip: boolean): Promise<Relist> {
  const started = wallNow();
  const stream = new WatchStream();
  let sum = 0n;
  let keys = 0;
  return new Promise<Relist>((resolve, reject) => {
    stream.open(`${clusterUrl}/desired/nodes/${encodeURIComponent(node)}?watch=true`, gzip, (line) => {
      if (line.type === "upsert") {
        sum = addTerm(sum, entryTerm(line.key!, hashOfValue(line.value)));
        keys++;
      } else if (line.type === "commit") {
        if (sumHex(sum) !== line.hash) reject(new Error(`relist of ${node}: view hash ${sumHex(sum)}, the commit says ${line.hash}`));
        else resolve({ ms: wallNow() - started, keys, wire: stream.wire, raw: stream.raw });
      }
    }, (message) => reject(new Error(message)));
  }).finally(() => stream.close());
}
