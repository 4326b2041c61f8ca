/**
 * @module
 * `wayfinder serve [--listen 127.0.0.1:8080] [--snapshot F] [--store DIR] [--body-limit BYTES]`:
 * the HTTP API on Node. With `--snapshot` it also serves that snapshot's desired state at
 * `GET /v1/desired[/nodes/:agentId]` for executors to poll. The snapshot store
 * (`/v1/clusters/:cluster/...`: PUT, PATCH, watches) is always on: in memory, or with
 * `--store DIR` in files there (a snapshot and a change log per cluster) that are loaded again
 * on start, generations included. `WAYFINDER_TOKEN` turns on bearer
 * auth; `--body-limit` overrides `WAYFINDER_BODY_LIMIT`. Runs until SIGINT or SIGTERM, then
 * lets in-flight requests finish and exits 0.
 */
import { ClusterSnapshot } from "../../snapshot/schema.ts";
import { createApp } from "../../http/app.ts";
import { appOptionsFromEnv } from "../../http/env.ts";
import { listenNode, type NodeServer } from "../../http/node-server.ts";
import { checked } from "../flag-values.ts";
import { readJson, validate } from "../files.ts";
import type { CliIo } from "../io.ts";
import { nextSignal } from "../signals.ts";
import { resolve } from "node:path";
import { FileSnapshotStore } from "../../store/file-store.ts";
import { MemorySnapshotStore, type SnapshotStore } from "../../store/snapshot-store.ts";
import { parseServeOptions } from "./serve-options.ts";

/**
 * @example await run(["--listen", "127.0.0.1:0", "--snapshot", "snap.json"], processIo()) // 0 after SIGTERM
 */
export async function run(args: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const options = parseServeOptions(args);
  const fromEnv = checked("serve", () => appOptionsFromEnv(env));
  const bodyLimit = options.bodyLimit ?? fromEnv.bodyLimit;
  const snapshot =
    options.snapshot === undefined ? undefined : validate(ClusterSnapshot, await readJson(options.snapshot, io), options.snapshot);

  const store = await openStore(options.store, io);
  if (store === undefined) return 1;

  const shutdown = new AbortController();
  const app = createApp({ token: fromEnv.token, bodyLimit, snapshot, store, signal: shutdown.signal, log: (line) => io.stderr(`${line}\n`) });
  let server: NodeServer;
  try {
    server = await listenNode(app, options.listen);
  } catch (error) {
    io.stderr(`wayfinder serve: cannot listen on ${options.listenText}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return 1;
  }
  const notes = [
    fromEnv.token === undefined ? "no auth" : "bearer token required on /v1/*",
    snapshot === undefined ? "" : `serving ${options.snapshot} at /v1/desired`,
    options.store === undefined ? "snapshot store in memory" : `snapshot store in ${options.store}`,
  ];
  io.stderr(`wayfinder serve: listening on ${server.url} (${notes.filter(Boolean).join("; ")})\n`);

  const signal = await nextSignal(["SIGINT", "SIGTERM"]);
  io.stderr(`wayfinder serve: ${signal}, finishing in-flight requests\n`);
  // Watches never finish on their own: end them so their clients resume elsewhere or later.
  shutdown.abort();
  await server.close();
  return 0;
}

/** The store `--store DIR` names (files, reloaded on start), else memory; undefined (after saying why) if DIR is unusable. */
async function openStore(dir: string | undefined, io: CliIo): Promise<SnapshotStore | undefined> {
  if (dir === undefined) return new MemorySnapshotStore();
  try {
    const { store, problems } = await FileSnapshotStore.open(resolve(io.cwd, dir), { onProblem: (line) => io.stderr(`wayfinder serve: ${line}\n`) });
    for (const problem of problems) io.stderr(`wayfinder serve: ${problem}\n`);
    return store;
  } catch (error) {
    io.stderr(`wayfinder serve: cannot use --store ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return undefined;
  }
}
