import { describe, expect, it } from "vitest";
import worker from "../../lib/http/worker.ts";
import { appOptionsFromEnv, parseBodyLimit } from "../../lib/http/env.ts";
import { SNAPSHOT_INPUT } from "./helpers.ts";

const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} };

function post(env: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  const request = new Request("http://worker/v1/reconcile", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(SNAPSHOT_INPUT),
  });
  return worker.fetch(request, env, ctx);
}

describe("Workers entry", () => {
  it("serves the app with no bindings", async () => {
    expect((await post({})).status).toBe(200);
  });

  it("reads WAYFINDER_TOKEN from the bindings", async () => {
    expect((await post({ WAYFINDER_TOKEN: "s" })).status).toBe(401);
    expect((await post({ WAYFINDER_TOKEN: "s" }, { Authorization: "Bearer s" })).status).toBe(200);
  });

  it("reads WAYFINDER_BODY_LIMIT from the bindings", async () => {
    expect((await post({ WAYFINDER_BODY_LIMIT: "16" })).status).toBe(413);
  });

  it("answers a JSON 500 naming a bad binding", async () => {
    const res = await post({ WAYFINDER_BODY_LIMIT: "lots" });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).toMatch(/WAYFINDER_BODY_LIMIT/);
  });
});

describe("appOptionsFromEnv", () => {
  it("maps the variables to app options", () => {
    expect(appOptionsFromEnv({ WAYFINDER_TOKEN: "t", WAYFINDER_BODY_LIMIT: "2048", OTHER: "x" })).toEqual({ token: "t", bodyLimit: 2048 });
    expect(appOptionsFromEnv({ WAYFINDER_TOKEN: "", WAYFINDER_BODY_LIMIT: "" })).toEqual({ token: undefined, bodyLimit: undefined });
  });

  it.each(["0", "-1", "1.5", "1MiB", "1e6", " 5"])("rejects the body limit %j", (text) => {
    expect(() => parseBodyLimit(text, "--body-limit")).toThrow(/--body-limit must be a positive whole number/);
  });
});
