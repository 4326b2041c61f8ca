// The client side of the L4 e2e tests, run inside the client namespace. Prints one JSON line.
//   node vip-client.mjs http HOST PORT COUNT   new TCP connection per request; counts answers per backend
//   node vip-client.mjs udp HOST PORT COUNT    new UDP socket (new flow) per datagram
//   node vip-client.mjs udpfrom HOST PORT SRC  one datagram from source port SRC (the same flow every time)
//   node vip-client.mjs peer HOST PORT         the address the backend saw the connection come from
//   node vip-client.mjs hold HOST PORT NAME    keeps one connection that reached NAME, then on each
//                                              stdin line sends one more request on that same connection
//   node vip-client.mjs probe HOST PORT        prints "probing", then a new connection every 10 ms until
//                                              stdin closes; then counts the answers per backend
import { request, Agent } from "node:http";
import { createSocket } from "node:dgram";
import { createInterface } from "node:readline";

const [mode, host, port, arg] = process.argv.slice(2);

function get(agent, path = "/") {
  return new Promise((resolve) => {
    const req = request({ host, port: Number(port), path, agent, timeout: 2000 }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve(body));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (e) => resolve(`error:${e.code ?? e.message}`));
    req.end();
  });
}

function udpOnce(sourcePort) {
  return new Promise((resolve) => {
    const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
    const timer = setTimeout(() => {
      socket.close();
      resolve("error:timeout");
    }, 1000);
    socket.on("message", (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(msg.toString());
    });
    const send = () => socket.send("ping", Number(port), host);
    if (sourcePort === undefined) send();
    else socket.bind(Number(sourcePort), send);
  });
}

if (mode === "http" || mode === "udp") {
  const counts = {};
  for (let i = 0; i < Number(arg); i++) {
    const answer = mode === "http" ? await get(new Agent({ keepAlive: false })) : await udpOnce();
    counts[answer] = (counts[answer] ?? 0) + 1;
  }
  console.log(JSON.stringify(counts));
} else if (mode === "udpfrom") {
  console.log(JSON.stringify(await udpOnce(arg)));
} else if (mode === "peer") {
  console.log(JSON.stringify(await get(new Agent({ keepAlive: false }), "/peer")));
} else if (mode === "hold") {
  let agent;
  for (let i = 0; i < 100; i++) {
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    if ((await get(agent)) === arg) break;
    agent.destroy();
    agent = undefined;
  }
  console.log(agent ? `held ${arg}` : "never reached");
  for await (const _line of createInterface({ input: process.stdin })) console.log(`answer ${await get(agent)}`);
} else if (mode === "probe") {
  let open = true;
  process.stdin.on("end", () => (open = false)).resume();
  const counts = {};
  console.log("probing");
  while (open) {
    const answer = await get(new Agent({ keepAlive: false }));
    counts[answer] = (counts[answer] ?? 0) + 1;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  console.log(JSON.stringify(counts));
}
