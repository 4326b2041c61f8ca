/**
 * @module
 * The app on Node's HTTP server (`wayfinder serve`): where to listen, and a close that lets
 * in-flight requests finish. Node-only; the Workers entry never imports it.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";

export interface ListenAddress {
  hostname: string;
  port: number;
}

export interface NodeServer {
  /** The base URL actually bound (the real port when 0 was asked for). */
  url: string;
  /** Stops accepting connections and resolves once in-flight requests have finished. */
  close(): Promise<void>;
}

/** How long `close()` waits for in-flight requests before dropping their connections. */
const CLOSE_GRACE_MS = 10_000;

/**
 * Parses `host:port` or `[ipv6]:port`; port 0 picks a free port.
 * @example parseListenAddress("[::1]:8080") // { hostname: "::1", port: 8080 }
 */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (match === null || port > 65535) {
    throw new Error(`listen address must be HOST:PORT or [IPV6]:PORT with a port of 0-65535 (got '${text}')`);
  }
  return { hostname: (match[1] ?? match[2]) as string, port };
}

/**
 * Serves `app` on `address`; rejects if the address cannot be bound (e.g. EADDRINUSE).
 * @example const server = await listenNode(createApp(), { hostname: "127.0.0.1", port: 0 });
 */
export function listenNode(app: { fetch: (request: Request) => Response | Promise<Response> }, address: ListenAddress): Promise<NodeServer> {
  // Without a `createServer` option the adaptor builds a plain node:http server.
  return listenServer(createAdaptorServer({ fetch: app.fetch }) as Server, address);
}

/**
 * Binds an existing `node:http` server; rejects if the address cannot be bound. `close()`
 * lets in-flight requests finish (up to a grace period).
 * @example const server = await listenServer(createServer(handler), { hostname: "127.0.0.1", port: 0 });
 */
export function listenServer(server: Server, address: ListenAddress): Promise<NodeServer> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(address.port, address.hostname, () => {
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
