/**
 * @module
 * The TCP listener (RFC 7766, RFC 7828 habits). Many queries per connection, answered as
 * they complete (a slow forwarded query does not hold up local answers behind it), with the
 * limits that keep one client from starving the others:
 * - a frame whose length is below a header or above `maxFrame` closes the connection;
 * - a frame must arrive whole within `frameTimeoutMs` of its first byte (a slowloris client
 *   dribbling bytes is cut off, where an idle timer alone would be kept alive forever);
 * - an idle connection is closed after `idleTimeoutMs`;
 * - at most `maxInFlight` queries per connection are in progress; reading pauses beyond it,
 *   and while the client is not reading its replies (socket backpressure);
 * - at most `maxConnections` connections: a new one evicts the connection idle the longest
 *   instead of being refused, so idle hoarders cannot lock real clients out (RFC 7766 §6.2.3).
 */
import net from "node:net";
import type { QueryHandler } from "./handler.ts";
import type { ListenAddress } from "../net/listen-address.ts";

export interface TcpLimits {
  maxFrame: number;
  frameTimeoutMs: number;
  idleTimeoutMs: number;
  maxInFlight: number;
  maxConnections: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = {
  maxFrame: 16 * 1024,
  frameTimeoutMs: 5_000,
  idleTimeoutMs: 10_000,
  maxInFlight: 64,
  maxConnections: 1024,
};

export interface TcpListener {
  port: number;
  close(): Promise<void>;
}

interface Connection {
  socket: net.Socket;
  inFlight: number;
  lastActive: number;
}

/**
 * @example const tcp = await listenTcp({ host: "127.0.0.1", port: udp.port }, handler, DEFAULT_TCP_LIMITS);
 */
export function listenTcp(address: ListenAddress, handler: QueryHandler, limits: TcpLimits = DEFAULT_TCP_LIMITS): Promise<TcpListener> {
  const connections = new Set<Connection>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    if (connections.size >= limits.maxConnections && !evictIdlest(connections)) {
      socket.destroy();
      return;
    }
    serve(socket, handler, limits, connections);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: address.host, port: address.port }, () => {
      server.off("error", reject);
      // Accept failures (EMFILE under a connection flood) are transient; unhandled, the
      // 'error' event would end the process.
      server.on("error", () => {});
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () =>
          new Promise((done) => {
            for (const connection of connections) connection.socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

function evictIdlest(connections: Set<Connection>): boolean {
  let idlest: Connection | undefined;
  for (const c of connections) if (c.inFlight === 0 && (idlest === undefined || c.lastActive < idlest.lastActive)) idlest = c;
  idlest?.socket.destroy();
  return idlest !== undefined;
}

function serve(socket: net.Socket, handler: QueryHandler, limits: TcpLimits, connections: Set<Connection>): void {
  const connection: Connection = { socket, inFlight: 0, lastActive: Date.now() };
  connections.add(connection);
  const client = { address: socket.remoteAddress ?? "", transport: "tcp" as const };
  let buffered: Buffer = Buffer.alloc(0);
  let frameTimer: NodeJS.Timeout | undefined;
  let writesBlocked = false;

  const updateFlow = () => {
    const paused = writesBlocked || connection.inFlight >= limits.maxInFlight;
    if (paused) socket.pause();
    else socket.resume();
  };
  const send = (out: Buffer) => {
    connection.inFlight--;
    connection.lastActive = Date.now();
    if (socket.destroyed) return;
    const frame = Buffer.allocUnsafe(2 + out.length);
    frame.writeUInt16BE(out.length, 0);
    out.copy(frame, 2);
    if (!socket.write(frame)) writesBlocked = true;
    updateFlow();
  };

  socket.setTimeout(limits.idleTimeoutMs, () => socket.destroy());
  socket.on("drain", () => {
    writesBlocked = false;
    updateFlow();
  });
  socket.on("error", () => socket.destroy());
  socket.on("close", () => {
    clearTimeout(frameTimer);
    connections.delete(connection);
  });
  socket.on("data", (chunk: Buffer) => {
    connection.lastActive = Date.now();
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    let completed = false;
    while (buffered.length >= 2) {
      const length = buffered.readUInt16BE(0);
      if (length < 12 || length > limits.maxFrame) {
        socket.destroy();
        return;
      }
      if (buffered.length < 2 + length) break;
      const msg = Buffer.from(buffered.subarray(2, 2 + length));
      buffered = buffered.subarray(2 + length);
      completed = true;
      connection.inFlight++;
      let replied = false;
      const answered = handler.handle(msg, client, (out) => {
        replied = true;
        send(out);
      });
      if (!answered && !replied) connection.inFlight--;
    }
    // The deadline runs from a frame's first byte: more bytes of the same frame do not extend it.
    if (buffered.length === 0 || completed) {
      clearTimeout(frameTimer);
      frameTimer = undefined;
    }
    if (buffered.length > 0 && frameTimer === undefined) frameTimer = setTimeout(() => socket.destroy(), limits.frameTimeoutMs);
    updateFlow();
  });
}
