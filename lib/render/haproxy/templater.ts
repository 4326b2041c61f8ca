/**
 * @module
 * Picks and renders templates: an app's per-port override (`HAPROXY_{n}_<NAME>`), else the
 * operator's override (`wayfinder.yaml` `haproxy.templates`), else the default. Per-port
 * lookups only happen for templates marathon-lb lets apps override.
 */
import { compileTemplate, formatTemplate, type CompiledTemplate, type TemplateValue } from "./template-format.ts";
import { TEMPLATES, type TemplateName } from "./template-catalog.ts";
import type { TemplateOverrides } from "./model.ts";

export interface Templater {
  /** Renders `name` with `values`; `perPort` are the service's own overrides. Throws `TemplateError`. */
  render(name: TemplateName, values: Readonly<Record<string, TemplateValue>>, perPort?: TemplateOverrides): string;
}

/**
 * @example createTemplater({}).render("FRONTEND_BACKEND_GLUE", { backend: "web_80" }) // "  use_backend web_80\n"
 */
export function createTemplater(globalOverrides: TemplateOverrides): Templater {
  // Thousands of services render the same few templates: compile each global one once.
  const global = new Map<TemplateName, CompiledTemplate>();
  return {
    render(name, values, perPort) {
      const spec = TEMPLATES[name];
      const own = spec.perPort ? perPort?.[name] : undefined;
      if (!spec.formatted) return own ?? globalOverrides[name] ?? spec.text;
      if (own !== undefined) return formatTemplate(compileTemplate(own), values);
      let compiled = global.get(name);
      if (compiled === undefined) global.set(name, (compiled = compileTemplate(globalOverrides[name] ?? spec.text)));
      return formatTemplate(compiled, values);
    },
  };
}
