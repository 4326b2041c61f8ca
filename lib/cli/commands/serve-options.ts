/**
 * @module
 * `wayfinder serve`'s flags and their parsing into `ServeOptions` (the wiring is in `serve.ts`).
 */
import { parseBodyLimit } from "../../http/env.ts";
import { parseListenAddress, type ListenAddress } from "../../net/listen-address.ts";
import { checked } from "../flag-values.ts";
import { parseFlags, usageError, type CommandSpec } from "../flags.ts";

export const SERVE_COMMAND = {
  name: "serve",
  summary: "serve the HTTP API on Node",
  synopsis: ["serve [flags]"],
  flags: {
    listen: { type: "string", value: "IP:PORT", default: "127.0.0.1:8080", description: "the address to serve on" },
    snapshot: { type: "string", value: "F", description: "also serve this snapshot's desired state at GET /v1/desired[/nodes/ID], for executors to poll" },
    store: {
      type: "string",
      value: "DIR",
      defaultNote: "in memory",
      description: "keep the snapshot store (PUT /v1/clusters/NAME/snapshot) in files in DIR, loaded again on start",
    },
    "body-limit": {
      type: "string",
      value: "BYTES",
      defaultNote: "$WAYFINDER_BODY_LIMIT, else 32 MiB",
      description: "the largest request body accepted (413 beyond)",
    },
  },
  notes: [
    "environment: WAYFINDER_TOKEN puts /v1/* behind that bearer token; WAYFINDER_BODY_LIMIT sets the body limit.",
    "Runs until SIGINT or SIGTERM, then lets in-flight requests finish. exit codes: 0 stopped by a signal; 1 the address or the store cannot be used; 2 usage or unreadable input.",
  ],
} as const satisfies CommandSpec;

export interface ServeOptions {
  listen: ListenAddress;
  /** As given, for messages. */
  listenText: string;
  snapshot?: string;
  store?: string;
  /** Bytes; absent: the environment's or the app's default. */
  bodyLimit?: number;
}

/**
 * @example parseServeOptions(["--listen", "0.0.0.0:8080"]) // { listen: { host: "0.0.0.0", port: 8080 }, listenText: "0.0.0.0:8080" }
 */
export function parseServeOptions(args: readonly string[]): ServeOptions {
  const { values, positionals } = parseFlags(SERVE_COMMAND, args);
  if (positionals.length > 0) throw usageError("serve", `unexpected argument '${positionals[0]}'`);
  const limit = values["body-limit"];
  return {
    listen: checked("serve", () => parseListenAddress(values.listen)),
    listenText: values.listen,
    ...(values.snapshot === undefined ? {} : { snapshot: values.snapshot }),
    ...(values.store === undefined ? {} : { store: values.store }),
    ...(limit === undefined ? {} : { bodyLimit: checked("serve", () => parseBodyLimit(limit, "--body-limit")) }),
  };
}
