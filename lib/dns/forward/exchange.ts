/**
 * @module
 * Reply matching for forwarded queries, and the TCP exchange. A reply only counts if its ID,
 * QR bit and question (name compared case-insensitively, type, class) all match the query as
 * sent (RFC 5452 §9.1, and the CoreDNS audit lesson in anchors §7): anything else is ignored
 * and the exchange keeps waiting. UDP exchanges share sockets per upstream
 * (`upstream-sockets.ts`); a TCP exchange has a connection of its own.
 */
import net from "node:net";
import type { DnsUpstream } from "../../desired/schema.ts";
import { FLAG, HEADER_SIZE, MAX_MESSAGE } from "../wire/constants.ts";

export type ExchangeFailure = "timeout" | "refused" | "closed" | "error";

export type TcpResult = { ok: true; reply: Buffer } | { ok: false; reason: Exclude<ExchangeFailure, "timeout"> };

/** A started TCP exchange; `cancel` ends it without reporting (timed out, or shutting down). */
export interface TcpExchange {
  cancel(): void;
}

/**
 * Sends `message` to `upstream` over TCP (RFC 7766: a 2-byte length before each message);
 * used when the client asked over TCP, as dcos-dns did. The caller owns the deadline.
 * @example const exchange = exchangeTcp(upstream, message, questionEnd, (result) => ...); exchange.cancel();
 */
export function exchangeTcp(upstream: DnsUpstream, message: Buffer, questionEnd: number, done: (result: TcpResult) => void): TcpExchange {
  const socket = net.connect({ host: upstream.ip, port: upstream.port, noDelay: true });
  let finished = false;
  let received: Buffer = Buffer.alloc(0);
  const finish = (result: TcpResult | undefined) => {
    if (finished) return;
    finished = true;
    socket.destroy();
    if (result !== undefined) done(result);
  };
  socket.on("error", (error: NodeJS.ErrnoException) => finish({ ok: false, reason: error.code === "ECONNREFUSED" ? "refused" : "error" }));
  socket.on("close", () => finish({ ok: false, reason: "closed" }));
  socket.on("connect", () => {
    const frame = Buffer.allocUnsafe(2 + message.length);
    frame.writeUInt16BE(message.length, 0);
    message.copy(frame, 2);
    socket.write(frame);
  });
  socket.on("data", (chunk) => {
    received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
    while (received.length >= 2) {
      const length = received.readUInt16BE(0);
      if (received.length < 2 + length) return;
      const reply = received.subarray(2, 2 + length);
      received = received.subarray(2 + length);
      if (matchesQuestion(message, questionEnd, reply)) {
        finish({ ok: true, reply: Buffer.from(reply) });
        return;
      }
    }
  });
  return { cancel: () => finish(undefined) };
}

/**
 * True when `reply` answers `query`: same ID, QR set, one question equal to ours (the name
 * case-insensitively: some servers do not preserve case).
 * @example matchesQuestion(query, questionEnd, reply) // true
 */
export function matchesQuestion(query: Buffer, questionEnd: number, reply: Buffer): boolean {
  if (reply.length < questionEnd || reply.length > MAX_MESSAGE) return false;
  if (reply[0] !== query[0] || reply[1] !== query[1] || (reply.readUInt16BE(2) & FLAG.QR) === 0) return false;
  if (reply.readUInt16BE(4) !== 1) return false;
  for (let i = HEADER_SIZE; i < questionEnd; i++) {
    let a = query[i]!;
    let b = reply[i]!;
    if (a >= 65 && a <= 90) a += 32;
    if (b >= 65 && b <= 90) b += 32;
    if (a !== b) return false;
  }
  return true;
}
