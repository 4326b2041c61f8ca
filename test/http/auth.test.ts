import { describe, expect, it } from "vitest";
import { createApp } from "../../lib/http/app.ts";
import { bearerCredentials } from "../../lib/http/middleware/bearer-token.ts";
import { SNAPSHOT_INPUT, postJson } from "./helpers.ts";

const app = createApp({ token: "s3cret" });

describe("bearer token", () => {
  it("answers 401 with a Bearer challenge when no token is sent", async () => {
    const res = await postJson(app, "/v1/reconcile", SNAPSHOT_INPUT);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="wayfinder"');
    expect(((await res.json()) as { error: string }).error).toMatch(/missing bearer token/);
  });

  it.each(["Bearer wrong", "Bearer s3cret2", "Bearer s3cre", "Basic czNjcmV0", "s3cret", "Bearer"])(
    "answers 401 for Authorization: %s",
    async (authorization) => {
      const res = await postJson(app, "/v1/reconcile", SNAPSHOT_INPUT, { Authorization: authorization });
      expect(res.status).toBe(401);
    },
  );

  it("tells a wrong token apart from a missing one", async () => {
    const res = await postJson(app, "/v1/reconcile", SNAPSHOT_INPUT, { Authorization: "Bearer nope" });
    expect(res.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
  });

  it.each(["Bearer s3cret", "bearer s3cret", "BEARER  s3cret"])("lets %s through", async (authorization) => {
    const res = await postJson(app, "/v1/reconcile", SNAPSHOT_INPUT, { Authorization: authorization });
    expect(res.status).toBe(200);
  });

  it("guards the node view as well", async () => {
    expect((await postJson(app, "/v1/reconcile/nodes/S1", SNAPSHOT_INPUT)).status).toBe(401);
  });

  it("checks the token before reading the body, so anonymous clients cannot upload", async () => {
    const small = createApp({ token: "s3cret", bodyLimit: 10 });
    const res = await postJson(small, "/v1/reconcile", SNAPSHOT_INPUT);
    expect(res.status).toBe(401);
  });

  it("leaves /healthz and /openapi.json open", async () => {
    expect((await app.request("/healthz")).status).toBe(200);
    expect((await app.request("/openapi.json")).status).toBe(200);
  });

  it("is off when the token is empty", async () => {
    const open = createApp({ token: "" });
    expect((await postJson(open, "/v1/reconcile", SNAPSHOT_INPUT)).status).toBe(200);
  });
});

describe("bearerCredentials", () => {
  it.each([
    ["Bearer abc", "abc"],
    ["bearer abc ", "abc"],
    ["Bearer a b", undefined],
    ["Basic abc", undefined],
    [undefined, undefined],
  ])("%s → %s", (header, token) => {
    expect(bearerCredentials(header)).toBe(token);
  });
});
