/**
 * @module
 * Whether a template override (from `wayfinder.yaml` or an app label) can be rendered: it may
 * hold newlines (templates are multi-line by nature) but no other control character, must
 * parse, and may only use placeholders the renderer supplies for that template. Checking up
 * front turns marathon-lb's mid-render `KeyError`, which aborted every app, into one clear
 * error about one template.
 */
import { compileTemplate, TemplateError, unknownPlaceholders } from "./template-format.ts";
import { TEMPLATES, type TemplateName } from "./template-catalog.ts";

const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f]/;

/**
 * Why a template override cannot be used, or undefined when it can.
 * @example templateProblem("FRONTEND_HEAD", "{nope}") // "uses {nope}, which FRONTEND_HEAD does not supply (...)"
 */
export function templateProblem(name: TemplateName, text: string): string | undefined {
  if (CONTROL_BUT_NEWLINE.test(text)) return "contains a control character other than a newline";
  const spec = TEMPLATES[name];
  if (!spec.formatted) return undefined;
  try {
    const unknown = unknownPlaceholders(compileTemplate(text), spec.placeholders);
    if (unknown.length > 0) {
      return `uses ${unknown.map((n) => `{${n}}`).join(", ")}, which ${name} does not supply (it supplies ${spec.placeholders.map((n) => `{${n}}`).join(", ") || "nothing"})`;
    }
  } catch (error) {
    if (error instanceof TemplateError) return error.message;
    throw error;
  }
  return undefined;
}
