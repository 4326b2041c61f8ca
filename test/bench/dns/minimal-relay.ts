/**
 * @module
 * A reference point for `npm run bench:dns`: the least any Node forwarder can add to a
 * forwarded query. It relays each datagram to one upstream, already known to be healthy, over
 * one connected socket, and the reply back, with nothing else: no dual dispatch, no ranking,
 * no deadlines, no parsing, no forgery checks (do not use it for anything else). Its latency
 * over the upstream's own is Node's: two event-loop wake-ups and four datagrams.
 * `node --import tsx minimal-relay.ts PORT UPSTREAM_PORT` (loopback).
 */
import dgram from "node:dgram";

const [port, upstreamPort] = process.argv.slice(2).map(Number);
const literal = (address: string, _options: unknown, callback: (error: null, address: string, family: number) => void) => callback(null, address, 4);
const server = dgram.createSocket({ type: "udp4", lookup: literal });
const upstream = dgram.createSocket({ type: "udp4", lookup: literal });
const clients = new Map<number, { id: number; port: number; address: string }>();
let nextId = 0;

upstream.on("message", (reply) => {
  const id = (reply[0]! << 8) | reply[1]!;
  const client = clients.get(id);
  if (client === undefined) return;
  clients.delete(id);
  reply.writeUInt16BE(client.id, 0);
  server.send(reply, client.port, client.address);
});
server.on("message", (query, remote) => {
  const id = nextId++ & 0xffff;
  clients.set(id, { id: query.readUInt16BE(0), port: remote.port, address: remote.address });
  const out = Buffer.from(query);
  out.writeUInt16BE(id, 0);
  upstream.send(out);
});
upstream.connect(upstreamPort!, "127.0.0.1", () => server.bind(port!, "127.0.0.1", () => process.stdout.write("ready\n")));
process.on("SIGTERM", () => process.exit(0));
