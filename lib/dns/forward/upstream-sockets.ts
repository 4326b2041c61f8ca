/**
 * @module
 * The UDP sockets forwarded queries to one upstream leave from. dcos-dns (and unbound) open a
 * fresh socket per query; in Node that was half of the server's own per-query work, so here
 * each upstream has a small set of sockets that are kept, and renewed:
 * - each socket is bound by the kernel to a random ephemeral port and *connected* to the
 *   upstream, so the kernel drops datagrams from any other address (and a scan from anywhere
 *   else finds the port closed), and an ICMP port-unreachable surfaces as ECONNREFUSED;
 * - a query goes out on one of `PORTS_PER_UPSTREAM` sockets chosen at random, with a random ID
 *   that no other pending query on that socket has, and a reply counts only if its ID, QR bit
 *   and question all match (RFC 5452 §9; `matchesQuestion`);
 * - every socket is replaced after about `PORT_LIFETIME_MS` (jittered), outside the query path,
 *   and all of them are closed once the upstream has been idle that long, so a port an
 *   attacker may have learnt (a side channel such as SAD DNS) is soon useless.
 * Against an off-path attacker who does not know our ports the odds per forged packet are the
 * same as with a socket per query: the port (one of ~28,000 ephemeral ports) times the ID
 * (65,536) times the question. What is given up is a port's lifetime: a few seconds instead
 * of one query. dnsdist keeps one socket per backend for good and picks neither socket nor ID
 * at random unless told to; CoreDNS's forward plugin reuses upstream sockets for 10 s.
 */
import dgram from "node:dgram";
import type { DnsUpstream } from "../../desired/schema.ts";
import { literalLookup } from "../literal-lookup.ts";
import type { RandomIds } from "./random-ids.ts";

/** Sockets per upstream: 4 more bits a forger must guess once it knows one port. */
export const PORTS_PER_UPSTREAM = 16;

/** Average lifetime of a socket while its upstream is in use, and how long an idle upstream keeps its sockets. */
export const PORT_LIFETIME_MS = 3_000;

/** Sockets opened per upstream per maintenance pass: renewing stays a trickle, never a burst that delays queries. */
const RENEWALS_PER_PASS = 2;

export type PortFailure = "refused" | "error";

/** A query waiting on a socket for its reply. */
export interface PendingOnPort {
  /** The ID it was sent with. */
  readonly id: number;
  /** The query as sent (for question matching). */
  readonly message: Buffer;
  readonly questionEnd: number;
  /** The socket it is waiting on, while it waits. */
  port: UpstreamPort | undefined;
}

/** What the sockets report to their owner. */
export interface PortEvents<P extends PendingOnPort> {
  /** A datagram arrived for `pending` (ID matched; the question is the owner's to check). */
  received(pending: P, reply: Buffer): void;
  /** The socket failed; every query pending on it is reported, the socket is renewed. */
  failed(pending: P, reason: PortFailure): void;
}

/** One connected socket and the queries pending on it, by ID. */
export class UpstreamPort {
  readonly pending = new Map<number, PendingOnPort>();
  retired = false;
  /** The send callback, made once per socket rather than once per query. */
  afterSend: (error: Error | null) => void = () => {};

  constructor(
    readonly socket: dgram.Socket,
    readonly expiresAt: number,
  ) {}
}

export class UpstreamSockets<P extends PendingOnPort> {
  readonly #slots: Array<UpstreamPort | undefined> = new Array(PORTS_PER_UPSTREAM).fill(undefined);
  /** Replaced sockets that still have queries pending; closed once those settle. */
  readonly #draining = new Set<UpstreamPort>();
  #lastUsed = 0;

  /**
   * @example new UpstreamSockets({ ip: "127.0.0.1", port: 53 }, events, ids, () => performance.now())
   */
  constructor(
    private readonly upstream: DnsUpstream,
    private readonly events: PortEvents<P>,
    private readonly ids: RandomIds,
    private readonly now: () => number,
  ) {}

  /** A socket to send the next query on, chosen at random (opened now if its slot is empty). */
  pick(): UpstreamPort {
    const at = this.now();
    this.#lastUsed = at;
    const slot = this.ids.next() % PORTS_PER_UPSTREAM;
    return (this.#slots[slot] ??= this.#open(at));
  }

  /** Registers `pending` on `port` (its ID must not be pending there) and sends its message. */
  send(port: UpstreamPort, pending: P): void {
    pending.port = port;
    port.pending.set(pending.id, pending);
    // With a callback, a send that fails at once (say, ECONNREFUSED left by an earlier ICMP
    // error) is reported; without one Node drops the error.
    port.socket.send(pending.message, port.afterSend);
  }

  /** Stops waiting for `pending`'s reply (it timed out or the forwarder is closing). */
  forget(pending: P): void {
    const port = pending.port;
    if (port === undefined) return;
    if (port.pending.get(pending.id) === pending) port.pending.delete(pending.id);
    pending.port = undefined;
  }

  /**
   * Renews expired sockets while the upstream is in use, closes them all once it is idle, and
   * closes replaced sockets whose queries have settled. Runs on the forwarder's sweep, off the
   * query path. True while any socket is open.
   */
  maintain(): boolean {
    const at = this.now();
    const idle = at - this.#lastUsed >= PORT_LIFETIME_MS;
    let renewals = RENEWALS_PER_PASS;
    for (let slot = 0; slot < PORTS_PER_UPSTREAM; slot++) {
      const port = this.#slots[slot];
      if (port === undefined || (!idle && (port.expiresAt > at || renewals === 0))) continue;
      this.#retire(port);
      this.#slots[slot] = idle ? undefined : this.#open(at);
      renewals--;
    }
    for (const port of this.#draining) if (port.pending.size === 0) this.#close(port);
    return this.#draining.size > 0 || this.#slots.some((port) => port !== undefined);
  }

  /** Closes every socket; pending queries are not reported. */
  close(): void {
    for (const port of this.#slots) if (port !== undefined) this.#close(port);
    for (const port of this.#draining) this.#close(port);
    this.#slots.fill(undefined);
    this.#draining.clear();
  }

  #open(at: number): UpstreamPort {
    const socket = dgram.createSocket({ type: this.upstream.ip.includes(":") ? "udp6" : "udp4", lookup: literalLookup });
    const port = new UpstreamPort(socket, at + PORT_LIFETIME_MS * (0.5 + this.ids.next() / 65536));
    socket.on("message", (reply: Buffer) => {
      if (reply.length < 2) return;
      const pending = port.pending.get((reply[0]! << 8) | reply[1]!);
      if (pending !== undefined) this.events.received(pending as P, reply);
    });
    socket.on("error", (error: NodeJS.ErrnoException) => this.#fail(port, error));
    port.afterSend = (error) => {
      if (error !== null) this.#fail(port, error as NodeJS.ErrnoException);
    };
    // With a synchronous lookup, connect binds (the kernel picks a random port) and connects
    // before it returns, so the socket can send at once.
    socket.connect(this.upstream.port, this.upstream.ip);
    socket.unref();
    return port;
  }

  /**
   * A connected socket's error (an ICMP error for an earlier datagram, or a failed send) is
   * the upstream's, not one query's: every query pending on the socket is failed, and the
   * socket is replaced.
   */
  #fail(port: UpstreamPort, error: NodeJS.ErrnoException): void {
    const reason: PortFailure = error.code === "ECONNREFUSED" ? "refused" : "error";
    const slot = this.#slots.indexOf(port);
    if (slot >= 0) this.#slots[slot] = undefined;
    const failed = [...port.pending.values()];
    port.pending.clear();
    this.#retire(port);
    for (const pending of failed) {
      pending.port = undefined;
      this.events.failed(pending as P, reason);
    }
  }

  #retire(port: UpstreamPort): void {
    if (port.retired) return;
    port.retired = true;
    if (port.pending.size === 0) this.#close(port);
    else this.#draining.add(port);
  }

  #close(port: UpstreamPort): void {
    port.retired = true;
    this.#draining.delete(port);
    try {
      port.socket.close();
    } catch {
      // Already closed.
    }
  }
}
