import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp } from "../../lib/http/app.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { DesiredState } from "../../lib/desired/schema.ts";
import { SNAPSHOT } from "./helpers.ts";
import { Explanation } from "../../functions/explain/schema.ts";
import { MemorySnapshotStore } from "../../lib/store/snapshot-store.ts";
import { NodeStatusReport } from "../../lib/store/node-status.ts";

type Json = Record<string, any>;

async function documentOf(app = createApp()): Promise<Json> {
  const res = await app.request("/openapi.json");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  return (await res.json()) as Json;
}

/** Every `$ref` in `value`, wherever it sits. */
function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value !== null && typeof value === "object") {
    for (const [key, v] of Object.entries(value)) {
      if (key === "$ref" && typeof v === "string") out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

function resolve(document: Json, ref: string): unknown {
  expect(ref.startsWith("#/")).toBe(true);
  return ref
    .slice(2)
    .split("/")
    .reduce<unknown>((node, part) => (node as Json | undefined)?.[part.replaceAll("~1", "/").replaceAll("~0", "~")], document);
}

function withoutDialect(schema: Json): Json {
  const { $schema: _, ...rest } = schema;
  return rest;
}

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document on JSON Schema 2020-12", async () => {
    const doc = await documentOf();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.jsonSchemaDialect).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(doc.info).toMatchObject({ title: "wayfinder", version: expect.any(String) });
  });

  it("describes every route the app serves, with their methods", async () => {
    const doc = await documentOf(createApp({ snapshot: SNAPSHOT }));
    const operations = Object.entries(doc.paths as Json).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual([
      "GET /healthz",
      "GET /openapi.json",
      "GET /v1/desired",
      "GET /v1/desired/nodes/{agentId}",
      "GET /v1/explain/{subject}/{query}",
      "POST /v1/reconcile",
      "POST /v1/reconcile/nodes/{agentId}",
    ]);
    for (const item of Object.values(doc.paths as Json)) {
      for (const op of Object.values(item as Json)) {
        expect(op.operationId).toEqual(expect.any(String));
        expect(op.responses["200"]).toBeDefined();
        expect(op.responses["500"]).toBeDefined();
      }
    }
  });

  it("leaves out the /v1/desired routes when the app has no snapshot", async () => {
    const doc = await documentOf();
    expect(Object.keys(doc.paths).sort()).toEqual(["/healthz", "/openapi.json", "/v1/reconcile", "/v1/reconcile/nodes/{agentId}"]);
  });

  it("documents the request body and every error of POST /v1/reconcile", async () => {
    const doc = await documentOf();
    const op = doc.paths["/v1/reconcile"].post;
    expect(resolve(doc, op.requestBody.$ref)).toMatchObject({
      required: true,
      content: { "application/json": { schema: { $ref: "#/components/schemas/ClusterSnapshot" } } },
    });
    expect(Object.keys(op.responses).sort()).toEqual(["200", "400", "413", "415", "500"]);
    expect(resolve(doc, op.responses["200"].$ref)).toMatchObject({
      content: { "application/json": { schema: { $ref: "#/components/schemas/DesiredState" } } },
      headers: { ETag: { $ref: "#/components/headers/ETag" } },
    });
    expect(doc.paths["/v1/reconcile/nodes/{agentId}"].post.responses["404"]).toEqual({ $ref: "#/components/responses/UnknownAgent" });
  });

  it("resolves every $ref inside the document", async () => {
    for (const app of [createApp(), createApp({ token: "t", snapshot: SNAPSHOT }), createApp({ token: "t", store: new MemorySnapshotStore() })]) {
      const doc = await documentOf(app);
      const refs = refsIn(doc);
      expect(refs.length).toBeGreaterThan(10);
      for (const ref of refs) expect(resolve(doc, ref), ref).toBeDefined();
    }
  });

  it("generates the schemas from the zod schemas", async () => {
    const doc = await documentOf();
    const schemas = doc.components.schemas;
    // A client writes the snapshot's input form: defaults are optional there.
    expect(schemas.ClusterSnapshot).toEqual(withoutDialect(z.toJSONSchema(ClusterSnapshot, { io: "input" }) as Json));
    expect(schemas.DesiredState).toEqual(withoutDialect(z.toJSONSchema(DesiredState) as Json));
    expect(schemas.ClusterSnapshot.required).toEqual(expect.arrayContaining(["cluster", "now"]));
    expect(schemas.Error.properties).toHaveProperty("issues");
  });

  it("documents explain from the pure core's schemas, for the server's snapshot and per stored cluster", async () => {
    const doc = await documentOf(createApp({ snapshot: SNAPSHOT, store: new MemorySnapshotStore() }));
    expect(doc.components.schemas.Explanation).toEqual(withoutDialect(z.toJSONSchema(Explanation, { io: "output" }) as Json));
    expect(doc.components.schemas.ExplainNotFound.required).toEqual(expect.arrayContaining(["error", "closest", "message"]));
    for (const path of ["/v1/explain/{subject}/{query}", "/v1/clusters/{cluster}/explain/{subject}/{query}"]) {
      const op = doc.paths[path].get;
      expect(Object.keys(op.responses).sort(), path).toEqual(["200", "400", "404", "500"]);
      expect(op.responses["404"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/ExplainNotFound" });
    }
    expect(doc.components.parameters.ExplainSubject.schema.enum).toEqual(["name", "vip", "task", "app"]);
  });

  it("documents which node runs what when the server has a store", async () => {
    const doc = await documentOf(createApp({ token: "t", store: new MemorySnapshotStore() }));
    expect(doc.components.schemas.NodeStatusReport).toEqual(withoutDialect(z.toJSONSchema(NodeStatusReport, { io: "input" }) as Json));
    const put = doc.paths["/v1/clusters/{cluster}/nodes/{agentId}/status"].put;
    expect(Object.keys(put.responses).sort()).toEqual(["200", "400", "401", "404", "413", "415", "500", "503"]);
    expect(put.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths["/v1/clusters/{cluster}/nodes"].get.responses["200"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/NodesSummary" });
    expect(doc.paths["/metrics"].get.responses["200"].content).toHaveProperty("text/plain");
  });

  it("declares bearer auth on /v1 operations only when a token is configured", async () => {
    const open = await documentOf();
    expect(open.components.securitySchemes).toBeUndefined();
    expect(open.paths["/v1/reconcile"].post.security).toBeUndefined();

    const guarded = await documentOf(createApp({ token: "t" }));
    expect(guarded.components.securitySchemes.bearerAuth).toEqual({ type: "http", scheme: "bearer" });
    expect(guarded.paths["/v1/reconcile"].post.security).toEqual([{ bearerAuth: [] }]);
    expect(guarded.paths["/v1/reconcile"].post.responses["401"]).toBeDefined();
    expect(guarded.paths["/healthz"].get.security).toEqual([]);
  });
});
