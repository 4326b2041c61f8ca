import { describe, expect, it } from "vitest";
import { createApp } from "../../lib/http/app.ts";
import { listenNode, parseListenAddress } from "../../lib/http/node-server.ts";

describe("parseListenAddress", () => {
  it.each([
    ["127.0.0.1:8080", { hostname: "127.0.0.1", port: 8080 }],
    ["0.0.0.0:0", { hostname: "0.0.0.0", port: 0 }],
    ["localhost:80", { hostname: "localhost", port: 80 }],
    ["[::1]:8080", { hostname: "::1", port: 8080 }],
  ])("%s", (text, address) => {
    expect(parseListenAddress(text)).toEqual(address);
  });

  it.each(["8080", "127.0.0.1", "::1:8080", "host:65536", "host:http", ":8080"])("rejects %s", (text) => {
    expect(() => parseListenAddress(text)).toThrow(/HOST:PORT/);
  });
});

describe("listenNode", () => {
  it("serves the app on a free port and closes", async () => {
    const server = await listenNode(createApp(), { hostname: "127.0.0.1", port: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${server.url}/healthz`);
      expect(await res.json()).toEqual({ status: "ok" });
    } finally {
      await server.close();
    }
  });

  it("rejects when the port is taken", async () => {
    const first = await listenNode(createApp(), { hostname: "127.0.0.1", port: 0 });
    try {
      const port = Number(new URL(first.url).port);
      await expect(listenNode(createApp(), { hostname: "127.0.0.1", port })).rejects.toMatchObject({ code: "EADDRINUSE" });
    } finally {
      await first.close();
    }
  });
});
