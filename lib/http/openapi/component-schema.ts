/**
 * @module
 * A zod schema as an OpenAPI 3.1 schema object. The document declares the JSON Schema dialect
 * once at its top, so each component drops its own `$schema`.
 */
import { z } from "zod";

/**
 * @example componentSchema(DesiredState, "output") // { type: "object", properties: { ... } }
 */
export function componentSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io });
  return rest;
}
