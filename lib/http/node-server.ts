/**
 * @module
 * The app on Node's HTTP server (`wayfinder serve`): where to listen, and a close that lets
 * in-flight requests finish. Node-only; the Workers entry never imports it.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import type { ListenAddress } from "../net/listen-address.ts";

export interface NodeServer {
  /** The base URL actually bound (the real port when 0 was asked for). */
  url: string;
  /** Stops accepting connections and resolves once in-flight requests have finished. */
  close(): Promise<void>;
}

/** How long `close()` waits for in-flight requests before dropping their connections. */
const CLOSE_GRACE_MS = 10_000;

/**
 * Serves `app` on `address`; rejects if the address cannot be bound (e.g. EADDRINUSE).
 * @example const server = await listenNode(createApp(), { host: "127.0.0.1", port: 0 });
 */
export function listenNode(app: { fetch: (request: Request) => Response | Promise<Response> }, address: ListenAddress): Promise<NodeServer> {
  // Without a `createServer` option the adaptor builds a plain node:http server.
  return listenServer(createAdaptorServer({ fetch: app.fetch }) as Server, address);
}

/**
 * Binds an existing `node:http` server; rejects if the address cannot be bound. `close()`
 * lets in-flight requests finish (up to a grace period).
 * @example const server = await listenServer(createServer(handler), { host: "127.0.0.1", port: 0 });
 */
export function listenServer(server: Server, address: ListenAddress): Promise<NodeServer> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(address.port, address.host, () => {
      server.off("error", reject);
      const bound = server.address() as AddressInfo;
      const host = bound.family === "IPv6" ? `[${bound.address}]` : bound.address;
      resolve({ url: `http://${host}:${bound.port}`, close: () => closeGracefully(server) });
    });
  });
}

function closeGracefully(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    force.unref();
    server.close((error) => {
      clearTimeout(force);
      if (error) reject(error);
      else resolve();
    });
    // Keep-alive connections with no request in flight would otherwise hold close() open.
    server.closeIdleConnections();
  });
}
