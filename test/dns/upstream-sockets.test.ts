import dgram from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { RandomIds } from "../../lib/dns/forward/random-ids.ts";
import { PORT_LIFETIME_MS, PORTS_PER_UPSTREAM, UpstreamSockets, type PendingOnPort, type PortFailure, type UpstreamPort } from "../../lib/dns/forward/upstream-sockets.ts";

/** A UDP server on loopback that records each datagram's source port and echoes it back. */
async function echoServer() {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  const sources: number[] = [];
  socket.on("message", (message, from) => {
    sources.push(from.port);
    socket.send(message, from.port, from.address);
  });
  return { port: socket.address().port, sources, close: () => socket.close() };
}

function pendingQuery(id: number): PendingOnPort {
  const message = Buffer.alloc(12);
  message.writeUInt16BE(id, 0);
  return { id, message, questionEnd: 12, port: undefined };
}

describe("upstream sockets", () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  function setup(upstreamPort: number) {
    let clock = 0;
    const received: Array<{ id: number; from: UpstreamPort | undefined }> = [];
    const failed: Array<{ id: number; reason: PortFailure }> = [];
    const sockets = new UpstreamSockets<PendingOnPort>(
      { ip: "127.0.0.1", port: upstreamPort },
      {
        received: (pending) => {
          received.push({ id: pending.id, from: pending.port });
          sockets.forget(pending);
        },
        failed: (pending, reason) => failed.push({ id: pending.id, reason }),
      },
      new RandomIds(),
      () => clock,
    );
    cleanups.push(() => sockets.close());
    return { sockets, received, failed, advance: (ms: number) => (clock += ms) };
  }

  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  it("spreads queries over several random source ports and routes each reply to its query by ID", async () => {
    const server = await echoServer();
    cleanups.push(server.close);
    const { sockets, received } = setup(server.port);
    for (let id = 1; id <= 64; id++) sockets.send(sockets.pick(), pendingQuery(id));
    await settle();
    expect(received.map((r) => r.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
    const ports = new Set(server.sources);
    // 64 picks over 16 slots leave one empty with odds of about 16 * (15/16)^64 = 2%; ask for 8.
    expect(ports.size).toBeGreaterThanOrEqual(8);
    expect(ports.size).toBeLessThanOrEqual(PORTS_PER_UPSTREAM);
  });

  it("never hears a datagram from any address but the upstream's (the sockets are connected)", async () => {
    const server = await echoServer();
    cleanups.push(server.close);
    const { sockets, received } = setup(server.port);
    const port = sockets.pick();
    const query = pendingQuery(4242);
    sockets.send(port, query);
    await settle();
    expect(received).toHaveLength(1);
    // Re-register the same ID and forge its reply from another socket: it must not arrive.
    sockets.send(port, pendingQuery(4242));
    await settle();
    received.length = 0;
    const forger = dgram.createSocket("udp4");
    cleanups.push(() => forger.close());
    const forged = Buffer.alloc(12);
    forged.writeUInt16BE(4242, 0);
    await new Promise<void>((resolve) => forger.send(forged, port.socket.address().port, "127.0.0.1", () => resolve()));
    await settle();
    expect(received).toEqual([]);
  });

  it("replaces a socket once its lifetime is over, and closes them all when the upstream goes idle", async () => {
    const server = await echoServer();
    cleanups.push(server.close);
    const { sockets, advance } = setup(server.port);
    const first = sockets.pick();
    const firstPort = first.socket.address().port;
    advance(PORT_LIFETIME_MS * 0.8);
    sockets.pick(); // still in use
    expect(sockets.maintain()).toBe(true);
    advance(PORT_LIFETIME_MS * 0.8); // 1.6 lifetimes: past every jittered expiry (at most 1.5 lifetimes after opening)
    sockets.pick(); // and used within the last lifetime, so renewed rather than closed
    for (let pass = 0; pass < PORTS_PER_UPSTREAM; pass++) sockets.maintain();
    expect(() => first.socket.address()).toThrow(); // closed
    const replacement = sockets.pick();
    expect(replacement).not.toBe(first);
    expect(replacement.socket.address().port).not.toBe(firstPort);
    advance(PORT_LIFETIME_MS);
    expect(sockets.maintain()).toBe(false);
    expect(() => replacement.socket.address()).toThrow();
  });

  it("fails every query pending on a socket whose upstream refuses, and opens a new one", async () => {
    const server = await echoServer();
    server.close(); // nothing listens: the kernel answers ICMP port unreachable
    const { sockets, failed } = setup(server.port);
    const port = sockets.pick();
    sockets.send(port, pendingQuery(7));
    sockets.send(port, pendingQuery(8));
    await settle();
    expect(failed.map((f) => f.id).sort()).toEqual([7, 8]);
    expect(new Set(failed.map((f) => f.reason))).toEqual(new Set(["refused"]));
    expect(port.retired).toBe(true);
  });
});
