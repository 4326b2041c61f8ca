// A backend for the L4 e2e tests, run inside a network namespace: answers every HTTP request
// and every UDP datagram with its own name, so the test can count where traffic went.
// usage: node echo-server.mjs NAME HTTP_PORT UDP_PORT
import { createServer } from "node:http";
import { createSocket } from "node:dgram";

const [name, httpPort, udpPort] = process.argv.slice(2);
const http = createServer((req, res) => {
  res.setHeader("content-type", "text/plain");
  // /peer tells who connected: with masquerading that is the node, never the client.
  res.end(req.url === "/peer" ? req.socket.remoteAddress.replace(/^::ffff:/, "") : name);
});
const udp = createSocket("udp6");
udp.on("message", (msg, rinfo) => udp.send(name, rinfo.port, rinfo.address));
// The e2e test holds a connection across a sync; the default 5 s idle close would end it first.
http.keepAliveTimeout = 120_000;
let ready = 0;
const up = () => ++ready === 2 && console.log(`ready ${name}`);
http.listen(Number(httpPort), "::", up);
udp.bind(Number(udpPort), "::", up);
