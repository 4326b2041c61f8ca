/**
 * @module
 * The UDP listener: one datagram is one query. Replies go back to the datagram's source.
 * In a `node:cluster` worker the socket handle is shared with the other workers (the
 * default, non-exclusive bind), so the kernel spreads datagrams over them.
 */
import dgram from "node:dgram";
import type { QueryHandler } from "./handler.ts";
import type { ListenAddress } from "../net/listen-address.ts";
import { literalLookup } from "./literal-lookup.ts";

/** dcos-dns's `udp_recbuf`: a larger receive buffer rides out bursts instead of dropping them. */
const RECEIVE_BUFFER = 4 * 1024 * 1024;

export interface UdpListener {
  port: number;
  close(): Promise<void>;
}

/**
 * @example const udp = await listenUdp({ host: "127.0.0.1", port: 0 }, handler);
 */
export function listenUdp(address: ListenAddress, handler: QueryHandler): Promise<UdpListener> {
  const socket = dgram.createSocket({ type: address.host.includes(":") ? "udp6" : "udp4", lookup: literalLookup });
  socket.on("message", (msg, remote) => {
    handler.handle(msg, { address: remote.address, transport: "udp" }, (out) => socket.send(out, remote.port, remote.address));
  });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind({ address: address.host, port: address.port }, () => {
      socket.off("error", reject);
      // A send to a vanished client can fail asynchronously; that must not end the server.
      socket.on("error", () => {});
      try {
        socket.setRecvBufferSize(RECEIVE_BUFFER);
      } catch {
        // Capped by net.core.rmem_max; the kernel's default still works.
      }
      resolve({ port: socket.address().port, close: () => new Promise((done) => socket.close(() => done())) });
    });
  });
}
