/**
 * @module
 * A fake Mesos master and a fake Marathon on loopback that replay the upstream payloads in
 * `state-fixtures/upstream/`, and misbehave on demand: malformed answers, a server that
 * accepts and never answers, a non-leading master whose state names another leader, an event
 * stream that stays open but goes silent. Every test server listens on a loopback address and
 * a port the kernel picks, so concurrent runs never collide and no traffic leaves the host.
 */
import { afterEach } from "vitest";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { readFileSync } from "node:fs";

/** How a fake answers its main endpoint. */
export type Behaviour = "ok" | "malformed" | "hang" | "error";

export interface FakeServer {
  url: string;
  host: string;
  port: number;
  /** Requests seen, as `METHOD path`. */
  requests: string[];
  close(): Promise<void>;
}

/** `master-state.fake.json` from mesos-dns, with its leader pointed at `leader` (never a real host). */
export function fakeMesosState(leader: string): Record<string, unknown> {
  const state = JSON.parse(readFileSync("state-fixtures/upstream/mesos-dns/master-state.fake.json", "utf8")) as Record<string, unknown>;
  return { ...state, leader };
}

/** marathon-lb's `marathon15_apps.json` (a `/v2/apps?embed=apps.tasks` answer). */
export function fakeMarathonApps(): Record<string, unknown> {
  return JSON.parse(readFileSync("state-fixtures/upstream/marathon-lb/marathon15_apps.json", "utf8")) as Record<string, unknown>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** Starts an HTTP server on `host` (port 0 unless given). */
export async function startServer(handler: Handler, host = "127.0.0.1", port = 0): Promise<FakeServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      requests.push(`${req.method} ${req.url}`);
      handler(req, res, body);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${bound}`,
    host,
    port: bound,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function answer(res: ServerResponse, behaviour: Behaviour, json: () => unknown): void {
  if (behaviour === "hang") return; // accepted, never answered
  if (behaviour === "error") {
    res.writeHead(503, { "Content-Type": "text/plain" }).end("Service Unavailable: not the leader\n");
    return;
  }
  res.writeHead(200, { "Content-Type": "application/json" });
  res.end(behaviour === "malformed" ? '{"frameworks": [' : JSON.stringify(json()));
}

export interface FakeMaster extends FakeServer {
  behaviour: Behaviour;
  /** The `/master/state` document served (mutable). */
  state: Record<string, unknown>;
  /** The operator API `GET_STATE` response served (mutable). */
  operatorState: unknown;
  /** When set, `POST /api/v1` answers 307 to this base URL (a non-leading master). */
  redirectTo: string | undefined;
  /** Open SUBSCRIBE streams. */
  readonly subscribers: number;
  /** Sends an operator-API event (RecordIO-framed) to every SUBSCRIBE stream; returns how many got it. */
  emitMesos(event: Record<string, unknown>): number;
}

/** One RecordIO record: the JSON's length in bytes, a newline, the JSON. */
export function recordIo(value: unknown): string {
  const json = JSON.stringify(value);
  return `${Buffer.byteLength(json)}\n${json}`;
}

/**
 * A Mesos master: `GET /master/state` and `POST /api/v1` (`GET_STATE`). Its state names itself
 * as leader unless `leader` says otherwise.
 * @example const master = await startFakeMaster(); master.state.leader // "master@127.0.0.1:<port>"
 */
export async function startFakeMaster(options: { host?: string; port?: number; leader?: string; operatorState?: unknown } = {}): Promise<FakeMaster> {
  const fake = { behaviour: "ok" as Behaviour, state: {} as Record<string, unknown>, operatorState: options.operatorState, redirectTo: undefined as string | undefined };
  const subscribers = new Set<ServerResponse>();
  const server = await startServer(
    (req, res, body) => {
      const path = (req.url ?? "").split("?")[0];
      if (req.method === "GET" && path === "/master/state") return answer(res, fake.behaviour, () => fake.state);
      if (req.method === "POST" && path === "/api/v1") {
        if (fake.redirectTo !== undefined) {
          // What a non-leading Mesos master does: a protocol-relative Location to the leader.
          res.writeHead(307, { Location: `//${new URL(fake.redirectTo).host}/api/v1` }).end();
          return;
        }
        let type: unknown;
        try {
          type = (JSON.parse(body) as { type?: unknown }).type;
        } catch {
          type = undefined;
        }
        if (type === "SUBSCRIBE") {
          res.writeHead(200, { "Content-Type": "application/json" });
          const state = (fake.operatorState as { get_state?: unknown } | undefined)?.get_state ?? {};
          res.write(recordIo({ type: "SUBSCRIBED", subscribed: { get_state: state, heartbeat_interval_seconds: 15 } }));
          subscribers.add(res);
          res.on("close", () => subscribers.delete(res));
          return;
        }
        if (type !== "GET_STATE") {
          res.writeHead(400, { "Content-Type": "text/plain" }).end("Failed to validate master::Call\n");
          return;
        }
        return answer(res, fake.behaviour, () => fake.operatorState);
      }
      res.writeHead(404).end();
    },
    options.host,
    options.port,
  );
  fake.state = fakeMesosState(options.leader ?? `master@${server.host}:${server.port}`);
  return {
    ...server,
    get behaviour() {
      return fake.behaviour;
    },
    set behaviour(value: Behaviour) {
      fake.behaviour = value;
    },
    get state() {
      return fake.state;
    },
    set state(value: Record<string, unknown>) {
      fake.state = value;
    },
    get operatorState() {
      return fake.operatorState;
    },
    set operatorState(value: unknown) {
      fake.operatorState = value;
    },
    get redirectTo() {
      return fake.redirectTo;
    },
    set redirectTo(value: string | undefined) {
      fake.redirectTo = value;
    },
    get subscribers() {
      return subscribers.size;
    },
    emitMesos(event: Record<string, unknown>) {
      for (const res of subscribers) res.write(recordIo(event));
      return subscribers.size;
    },
  };
}

export interface FakeMarathon extends FakeServer {
  behaviour: Behaviour;
  /** The `/v2/apps` document served (mutable). */
  apps: unknown;
  /** Open event streams. */
  readonly streams: number;
  /** Event streams accepted so far. */
  readonly connections: number;
  /** Sends an event to every open stream; returns how many got it. */
  emit(eventType: string, data?: Record<string, unknown>): number;
  /** Keeps streams open but sends nothing more, keepalives included (marathon-lb#238). */
  silence(): void;
  /** Ends every open stream from the server side. */
  endStreams(): void;
  /** When true, new event streams are refused with 503. */
  refuseStreams: boolean;
}

/**
 * A Marathon: `GET /v2/apps` and the `GET /v2/events` event stream, which greets with
 * `event_stream_attached` and sends a keepalive every `keepaliveMs` (0: never).
 */
export async function startFakeMarathon(options: { host?: string; keepaliveMs?: number } = {}): Promise<FakeMarathon> {
  let behaviour: Behaviour = "ok";
  let apps: unknown = fakeMarathonApps();
  let refuseStreams = false;
  let silent = false;
  let connections = 0;
  const open = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  const server = await startServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method === "GET" && path === "/v2/apps") return answer(res, behaviour, () => apps);
    if (req.method === "GET" && path === "/v2/events") {
      if (refuseStreams) {
        res.writeHead(503).end();
        return;
      }
      connections++;
      res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
      res.write(`event: event_stream_attached\ndata: ${JSON.stringify({ remoteAddress: "127.0.0.1", eventType: "event_stream_attached", timestamp: new Date().toISOString() })}\n\n`);
      open.add(res);
      const keepaliveMs = options.keepaliveMs ?? 0;
      if (keepaliveMs > 0) {
        const timer = setInterval(() => {
          if (!silent) res.write("\r\n");
        }, keepaliveMs);
        timers.add(timer);
        res.on("close", () => {
          clearInterval(timer);
          timers.delete(timer);
        });
      }
      res.on("close", () => open.delete(res));
      return;
    }
    res.writeHead(404).end();
  }, options.host);
  return {
    ...server,
    get behaviour() {
      return behaviour;
    },
    set behaviour(value: Behaviour) {
      behaviour = value;
    },
    get apps() {
      return apps;
    },
    set apps(value: unknown) {
      apps = value;
    },
    get refuseStreams() {
      return refuseStreams;
    },
    set refuseStreams(value: boolean) {
      refuseStreams = value;
    },
    get streams() {
      return open.size;
    },
    get connections() {
      return connections;
    },
    emit(eventType: string, data: Record<string, unknown> = {}) {
      if (silent) return 0;
      const json = JSON.stringify({ ...data, eventType, timestamp: new Date().toISOString() });
      for (const res of open) res.write(`event: ${eventType}\ndata: ${json}\n\n`);
      return open.size;
    },
    silence() {
      silent = true;
    },
    endStreams() {
      for (const res of open) res.end();
    },
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      await server.close();
    },
  };
}

/**
 * Servers a test file starts, all closed after each test (registers the `afterEach`).
 * @example const { track, deadUrl } = trackServers(); const master = await track(startFakeMaster());
 */
export function trackServers(): { track: <T extends FakeServer>(server: Promise<T>) => Promise<T>; deadUrl: () => Promise<string> } {
  const servers: FakeServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return {
    track: async (server) => {
      const s = await server;
      servers.push(s);
      return s;
    },
    deadUrl,
  };
}

/** A loopback URL nothing listens on (connection refused). */
export async function deadUrl(): Promise<string> {
  const s = await startServer(() => {});
  await s.close();
  return s.url;
}

/** Resolves once `check()` holds; fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
