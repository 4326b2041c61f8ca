// The policy bench's prober, run in a client namespace. Each stdin line is a command,
// `allow HOST PORT` or `revoke HOST PORT`; a new TCP connection is attempted every 2 ms from
// the moment the command arrives, and one line answers with the milliseconds from the command
// to the change: the first connection that succeeds (allow), or the start of the first that
// fails within 20 ms (revoke: a dropped SYN is never answered).
import { connect } from "node:net";
import { createInterface } from "node:readline";

const ATTEMPT_EVERY_MS = 2;
const REFUSED_AFTER_MS = 20;

createInterface({ input: process.stdin }).on("line", (line) => {
  const [mode, host, port] = line.split(" ");
  const start = performance.now();
  let done = false;
  const finish = (at) => {
    if (done) return;
    done = true;
    clearInterval(timer);
    process.stdout.write(`${(at - start).toFixed(2)}\n`);
  };
  const attempt = () => {
    const began = performance.now();
    const socket = connect({ host, port: Number(port) });
    const giveUp = setTimeout(() => {
      socket.destroy();
      if (mode === "revoke") finish(began);
    }, REFUSED_AFTER_MS);
    socket.on("connect", () => {
      clearTimeout(giveUp);
      socket.destroy();
      if (mode === "allow") finish(performance.now());
    });
    socket.on("error", () => {
      clearTimeout(giveUp);
      if (mode === "revoke") finish(began);
    });
  };
  const timer = setInterval(attempt, ATTEMPT_EVERY_MS);
  attempt();
});
console.log("ready");
