import { describe, expect, it } from "vitest";
import { createApp } from "../../lib/http/app.ts";

describe("error responses", () => {
  it("answers an unknown path with a JSON 404", async () => {
    const res = await createApp().request("/nope");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ error: "no route for GET /nope" });
  });

  it.each([
    ["GET", "/v1/reconcile", "POST"],
    ["DELETE", "/v1/reconcile/nodes/S1", "POST"],
    ["POST", "/healthz", "GET, HEAD"],
  ])("answers %s %s with a JSON 405 and Allow: %s", async (method, path, allow) => {
    const res = await createApp().request(path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe(allow);
    expect(((await res.json()) as { error: string }).error).toMatch(/not allowed/);
  });

  it("answers an unexpected exception with a bare JSON 500 and logs the details", async () => {
    const logged: string[] = [];
    const app = createApp({ log: (line) => logged.push(line) });
    app.get("/v1/boom", () => {
      throw new Error("database password is hunter2");
    });
    const res = await app.request("/v1/boom");
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: "internal error" });
    expect(text).not.toMatch(/hunter2|at /);
    expect(logged.join("\n")).toMatch(/hunter2/);
  });

  it("answers GET /healthz", async () => {
    const res = await createApp().request("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });
});
