/**
 * @module
 * A child process hosting the tiny backends of the HAProxy e2e tests, so that serving them
 * never competes with the test's own event loop. Commands arrive over IPC:
 * `{ id, op: "start", name, port }` starts an HTTP server on 127.0.0.1:port answering
 * `<name> <path>`; `{ id, op: "hold", port }` a TCP server that accepts and never answers;
 * `{ id, op: "stop", port }` closes one gracefully (in-flight requests finish).
 */
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createTcpServer, type Socket } from "node:net";

const servers = new Map<number, { close: () => Promise<void> }>();

type Command = { id: number; op: "start"; name: string; port: number } | { id: number; op: "hold"; port: number } | { id: number; op: "stop"; port: number };

function listen(server: Server | ReturnType<typeof createTcpServer>, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
}

async function handle(command: Command): Promise<void> {
  if (command.op === "start") {
    const server = createHttpServer((req, res) => {
      res.setHeader("x-backend", command.name);
      res.end(`${command.name} ${req.url} ${req.headers.host ?? ""}\n`);
    });
    server.keepAliveTimeout = 1000;
    await listen(server, command.port);
    servers.set(command.port, {
      close: () =>
        new Promise((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
    });
  } else if (command.op === "hold") {
    const sockets = new Set<Socket>();
    const server = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => sockets.delete(socket));
    });
    await listen(server, command.port);
    servers.set(command.port, {
      close: () =>
        new Promise((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    });
  } else {
    await servers.get(command.port)?.close();
    servers.delete(command.port);
  }
}

process.on("message", (command: Command) => {
  handle(command).then(
    () => process.send!({ id: command.id, ok: true }),
    (error: Error) => process.send!({ id: command.id, ok: false, error: error.message }),
  );
});
process.on("disconnect", () => process.exit(0));
