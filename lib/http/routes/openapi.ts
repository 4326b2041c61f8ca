/**
 * @module
 * `GET /openapi.json`: the API's own description. Open like `/healthz`: it describes the
 * contract, not the cluster, and client generators fetch it without credentials.
 */
import { Hono } from "hono";
import type { OpenApiDocument } from "../openapi/document.ts";

/**
 * @example app.route("/openapi.json", openApiRoutes(openApiDocument(options)))
 */
export function openApiRoutes(document: OpenApiDocument): Hono {
  // Serialised once: the document is fixed for the life of the app.
  const body = JSON.stringify(document);
  return new Hono().get("/", (c) => c.body(body, 200, { "Content-Type": "application/json" }));
}
