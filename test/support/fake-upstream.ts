/**
 * @module
 * Upstream resolvers for forwarding tests, on 127.0.0.1 with a free port (UDP and TCP on the
 * same one). Each answers every question with one A record, after an optional delay, or
 * misbehaves on purpose: never answers, answers SERVFAIL, or answers with the wrong ID or
 * question (what a spoofer's packet looks like).
 */
import dgram from "node:dgram";
import net from "node:net";
import dnsPacket from "dns-packet";

export type UpstreamBehaviour = "answer" | "silent" | "servfail" | "wrong-id" | "wrong-question";

export interface FakeUpstream {
  port: number;
  /** Queries received, UDP and TCP, and over TCP alone. */
  received: number;
  receivedTcp: number;
  behaviour: UpstreamBehaviour;
  delayMs: number;
  /** The address every A answer carries. */
  address: string;
  close(): Promise<void>;
}

/** @example const upstream = await startFakeUpstream({ address: "192.0.2.1", delayMs: 20 }); */
export async function startFakeUpstream(options: Partial<Pick<FakeUpstream, "behaviour" | "delayMs" | "address">> = {}): Promise<FakeUpstream> {
  const tcp = net.createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const query = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        buffered = buffered.subarray(2 + query.length);
        upstream.receivedTcp++;
        respond(Buffer.from(query), (reply) => {
          const frame = Buffer.alloc(2 + reply.length);
          frame.writeUInt16BE(reply.length, 0);
          reply.copy(frame, 2);
          if (!socket.destroyed) socket.write(frame);
        });
      }
    });
  });
  const { udp, port } = await listenOnOnePort(tcp);

  const upstream: FakeUpstream = {
    port,
    received: 0,
    receivedTcp: 0,
    behaviour: options.behaviour ?? "answer",
    delayMs: options.delayMs ?? 0,
    address: options.address ?? "192.0.2.1",
    close: () =>
      new Promise((resolve) => {
        udp.close();
        tcp.close(() => resolve());
        for (const c of connections) c.destroy();
      }),
  };
  const connections = new Set<net.Socket>();
  tcp.on("connection", (c) => {
    connections.add(c);
    c.on("close", () => connections.delete(c));
  });

  function respond(query: Buffer, send: (reply: Buffer) => void): void {
    upstream.received++;
    if (upstream.behaviour === "silent") return;
    const decoded = dnsPacket.decode(query);
    const question = decoded.questions?.[0] ?? { name: ".", type: "A" as const };
    const reply = dnsPacket.encode({
      type: "response",
      id: upstream.behaviour === "wrong-id" ? ((decoded.id ?? 0) + 1) & 0xffff : decoded.id,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (upstream.behaviour === "servfail" ? 2 : 0),
      questions: [upstream.behaviour === "wrong-question" ? { ...question, name: `x${question.name}` } : question],
      answers: upstream.behaviour === "servfail" ? [] : [{ name: question.name, type: "A", ttl: 30, data: upstream.address }],
    });
    setTimeout(() => send(reply), upstream.delayMs);
  }
  udp.on("message", (msg, remote) => respond(msg, (reply) => udp.send(reply, remote.port, remote.address)));
  return upstream;
}

/**
 * A UDP socket and `tcp` listening on the same free loopback port. The kernel picks the UDP
 * port; another process may hold that number for TCP, so a taken one is given back and the
 * pair tried again.
 */
async function listenOnOnePort(tcp: net.Server): Promise<{ udp: dgram.Socket; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const udp = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", () => resolve()));
    const port = udp.address().port;
    const listening = await new Promise<true | NodeJS.ErrnoException>((resolve) => {
      tcp.once("error", resolve);
      tcp.listen(port, "127.0.0.1", () => {
        tcp.off("error", resolve);
        resolve(true);
      });
    });
    if (listening === true) return { udp, port };
    udp.close();
    if (listening.code !== "EADDRINUSE" || attempt === 20) throw listening;
  }
}

/** A loopback port nothing listens on (the kernel answers ICMP port unreachable). */
export async function closedPort(): Promise<number> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}
