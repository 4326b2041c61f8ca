/**
 * @module
 * The forwarding peer of `npm run bench:dns`: a forwarder that tries its upstreams one at a
 * time, in order, as mesos-dns did (specs/dns.md §1.8: each resolver in turn, the next one
 * only after the previous failed or timed out). Run as its own process:
 * `node --import tsx sequential-forwarder.ts PORT TIMEOUT_MS UPSTREAM_PORT...` (loopback).
 */
import dgram from "node:dgram";

const [port, timeoutMs, ...upstreams] = process.argv.slice(2).map(Number);
const server = dgram.createSocket("udp4");

function tryUpstream(query: Buffer, index: number, reply: (answer: Buffer | undefined) => void): void {
  if (index >= upstreams.length) return reply(undefined);
  const socket = dgram.createSocket("udp4");
  let done = false;
  const next = (answer: Buffer | undefined) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    socket.close();
    if (answer === undefined) tryUpstream(query, index + 1, reply);
    else reply(answer);
  };
  const timer = setTimeout(() => next(undefined), timeoutMs);
  socket.on("message", (answer) => next(answer));
  socket.on("error", () => next(undefined));
  socket.send(query, upstreams[index]!, "127.0.0.1");
}

server.on("message", (query, remote) => {
  tryUpstream(query, 0, (answer) => {
    if (answer === undefined) {
      // SERVFAIL: the query's header with QR and rcode 2, question kept.
      answer = Buffer.from(query);
      answer[2] = answer[2]! | 0x80;
      answer[3] = (answer[3]! & 0xf0) | 2;
    }
    server.send(answer, remote.port, remote.address);
  });
});
server.bind(port!, "127.0.0.1", () => process.stdout.write("ready\n"));
process.on("SIGTERM", () => process.exit(0));
