import { describe, expect, it } from "vitest";
import { compileTemplate, formatTemplate, RenderedLines, TemplateError, unknownPlaceholders } from "../../../lib/render/haproxy/template-format.ts";
import { templateProblem } from "../../../lib/render/haproxy/template-check.ts";

const fmt = (text: string, values: Record<string, unknown>) => formatTemplate(compileTemplate(text), values as never);

describe("formatTemplate (Python str.format subset)", () => {
  it.each([
    ["  use_backend {backend}\n", { backend: "web_80" }, "  use_backend web_80\n"],
    ["if {{ ssl_fc }}", {}, "if { ssl_fc }"],
    ["{{{backend}}}", { backend: "b" }, "{b}"],
    ["check inter {i}s fall {f}", { i: 2, f: 11 }, "check inter 2s fall 11"],
    ["GET {healthCheck[path]}", { healthCheck: { path: "/health" } }, "GET /health"],
    ["Host {hostname}", { hostname: undefined }, "Host None"],
    ["{flag}", { flag: true }, "True"],
  ])("%j with %j", (text, values, expected) => {
    expect(fmt(text, values)).toBe(expected);
  });

  it.each([
    ["{backend", "unclosed '{'"],
    ["backend}", "single '}'"],
    ["{}", "unsupported placeholder {}"],
    ["{0}", "unsupported placeholder {0}"],
    ["{x!r}", "unsupported placeholder {x!r}"],
    ["{x:>5}", "unsupported placeholder {x:>5}"],
    ["{a.b}", "unsupported placeholder {a.b}"],
  ])("refuses %j", (text, message) => {
    expect(() => compileTemplate(text)).toThrow(TemplateError);
    expect(() => compileTemplate(text)).toThrow(message);
  });

  it("names a missing placeholder and a missing member", () => {
    expect(() => fmt("{backend}", {})).toThrow("unknown placeholder {backend}");
    expect(() => fmt("{healthCheck[path]}", { healthCheck: {} })).toThrow("{healthCheck[path]}: no member 'path'");
  });

  it("refuses any substituted value holding a control character", () => {
    for (const value of ["a\nb", "a\rb", "a\u0000b", "\t", "x\u007f"]) {
      expect(() => fmt("acl x hdr(host) -i {host}", { host: value })).toThrow("would insert a control character");
    }
  });

  it("passes renderer-built lines through", () => {
    expect(fmt("defaults\n{opts}listen", { opts: new RenderedLines("  option a\n") })).toBe("defaults\n  option a\nlisten");
  });

  it("lists the placeholders a template uses once each", () => {
    expect(compileTemplate("{a} {b[k]} {a}").names).toEqual(["a", "b"]);
    expect(unknownPlaceholders(compileTemplate("{a} {b}"), ["a"])).toEqual(["b"]);
  });
});

describe("templateProblem", () => {
  it("accepts a valid override and literal templates with braces", () => {
    expect(templateProblem("FRONTEND_HEAD", "\nfrontend {backend}\n  bind {bindAddr}:{servicePort}\n  mode {mode}\n")).toBeUndefined();
    expect(templateProblem("BACKEND_HTTP_OPTIONS", "  http-request add-header X if { ssl_fc }\n")).toBeUndefined();
  });

  it("names the unknown placeholder and what the template supplies", () => {
    expect(templateProblem("USERLIST_HEAD", "userlist {backend}\n user {usr}")).toBe("uses {usr}, which USERLIST_HEAD does not supply (it supplies {backend}, {user}, {passwd})");
  });

  it("refuses control characters other than newlines, even in literal templates", () => {
    expect(templateProblem("BACKEND_STICKY_OPTIONS", "  cookie x\u0000")).toBe("contains a control character other than a newline");
  });
});
