// The policy conformance e2e's task, run inside a network namespace: one process both serves
// and probes, to keep a lab of many "containers" light.
//   node policy-probe.mjs NAME[@ADDRESS] [PORT...]
// serves TCP and UDP on each port (of ADDRESS, default all), answering NAME, prints "ready", then reads one JSON probe
// per stdin line, {"id": 1, "proto": "tcp"|"udp", "host": "9.0.0.2", "port": 80, "timeoutMs": 800},
// and writes {"id": 1, "reply": "NAME"} or {"id": 1, "error": "timeout"} per line. Probes run
// concurrently, so refused ones cost their timeout once, not once per probe.
import { createServer, connect } from "node:net";
import { createSocket } from "node:dgram";
import { createInterface } from "node:readline";

const [spec, ...ports] = process.argv.slice(2);
const [name, address = "0.0.0.0"] = spec.split("@");
let listening = 0;
const up = () => ++listening === ports.length * 2 && console.log(`ready ${name}`);
for (const port of ports.map(Number)) {
  // A client that resets the connection (the bench's prober does) must not end the server.
  createServer((socket) => socket.on("error", () => {}).end(name)).listen(port, address, up);
  const udp = createSocket("udp4");
  udp.on("message", (_msg, rinfo) => udp.send(name, rinfo.port, rinfo.address));
  udp.bind(port, address, up);
}
if (ports.length === 0) console.log(`ready ${name}`);
createInterface({ input: process.stdin }).on("line", (line) => {
  const probe = JSON.parse(line);
  const done = (result) => process.stdout.write(`${JSON.stringify({ id: probe.id, ...result })}\n`);
  (probe.proto === "udp" ? udpProbe : tcpProbe)(probe, done);
});

function tcpProbe({ host, port, timeoutMs }, done) {
  let reply = "";
  let finished = false;
  const finish = (result) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    socket.destroy();
    done(result);
  };
  const socket = connect({ host, port });
  const timer = setTimeout(() => finish({ error: "timeout" }), timeoutMs);
  socket.on("data", (d) => (reply += d));
  socket.on("end", () => finish({ reply }));
  socket.on("error", (e) => finish({ error: e.code ?? e.message }));
}

function udpProbe({ host, port, timeoutMs }, done) {
  const socket = createSocket("udp4");
  let finished = false;
  const finish = (result) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    socket.close();
    done(result);
  };
  const timer = setTimeout(() => finish({ error: "timeout" }), timeoutMs);
  socket.on("message", (msg) => finish({ reply: msg.toString() }));
  socket.on("error", (e) => finish({ error: e.code ?? e.message }));
  socket.send("probe", port, host);
}
