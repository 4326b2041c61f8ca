import { describe, expect, it } from "vitest";
import { createApp } from "../../lib/http/app.ts";
import { listenNode } from "../../lib/http/node-server.ts";

describe("listenNode", () => {
  it("serves the app on a free port and closes", async () => {
    const server = await listenNode(createApp(), { host: "127.0.0.1", port: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${server.url}/healthz`);
      expect(await res.json()).toEqual({ status: "ok" });
    } finally {
      await server.close();
    }
  });

  it("rejects when the port is taken", async () => {
    const first = await listenNode(createApp(), { host: "127.0.0.1", port: 0 });
    try {
      const port = Number(new URL(first.url).port);
      await expect(listenNode(createApp(), { host: "127.0.0.1", port })).rejects.toMatchObject({ code: "EADDRINUSE" });
    } finally {
      await first.close();
    }
  });
});
