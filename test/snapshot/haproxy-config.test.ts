import { describe, expect, it } from "vitest";
import { Config } from "../../lib/snapshot/config.ts";

const issues = (haproxy: unknown) => {
  const result = Config.safeParse({ haproxy });
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("wayfinder.yaml haproxy section", () => {
  it("has marathon-lb's defaults", () => {
    const haproxy = Config.parse({}).haproxy;
    expect(haproxy).toMatchObject({
      groups: ["external"],
      bindAddress: "*",
      httpPort: 80,
      httpsPort: 443,
      appIdPort: 9091,
      statsPort: 9090,
      sslCerts: ["/etc/ssl/cert.pem"],
      healthCheck: true,
      servicePortRange: { min: 10050, max: 10100 },
      globalDefaultOptions: ["redispatch", "http-server-close", "dontlognull"],
      serverNaming: "slots",
      maxconn: "auto",
    });
  });

  it.each([
    [{ groups: ["_all"] }, "groups.0"],
    [{ groups: ["external", "external"] }, "groups: groups must not repeat"],
    [{ groups: [] }, "groups"],
    [{ bindAddress: "localhost" }, "bindAddress: a bind address is '*' or an IPv4/IPv6 address"],
    [{ httpPort: 9091 }, "appIdPort: appIdPort 9091 is also httpPort"],
    [{ sslCerts: ["/etc/ssl/a b.pem"] }, "sslCerts.0"],
    [{ sslCerts: ["cert.pem"] }, "sslCerts.0: a certificate must be an absolute path"],
    [{ servicePortRange: { min: 20, max: 10 } }, "servicePortRange: servicePortRange.min must not exceed max"],
    [{ hardStopAfter: "5 minutes" }, "hardStopAfter"],
    [{ globalDefaultOptions: ["httplog\n  daemon"] }, "globalDefaultOptions.0"],
    [{ templates: { HTTP_FRONTEND_HEAD: "\nfrontend x\n  bind *:{port}\n" } }, "templates.HTTP_FRONTEND_HEAD: uses {port}, which HTTP_FRONTEND_HEAD does not supply"],
    [{ templates: { HEAD: "global\n  http-request deny if { path /x }\n" } }, "templates.HEAD: unsupported placeholder { path /x }"],
    [{ templates: { NOT_A_TEMPLATE: "x" } }, "templates"],
    [{ runtimeDir: "relative/dir" }, "runtimeDir: runtimeDir must be an absolute path"],
    [{ typo: true }, "Unrecognized key"],
    [{ maxconn: 0 }, "maxconn"],
    [{ maxconn: "lots" }, "maxconn"],
    [{ maxconn: 2.5 }, "maxconn"],
    [{ templates: { HEAD: "global\n  maxconn {maxconn}\n" } }, "templates.HEAD: uses {maxconn}, but maxconn is auto"],
  ])("refuses %j at %s", (haproxy, where) => {
    expect(issues(haproxy).join("\n")).toContain(where);
  });

  it("takes maxconn as a number or auto, and {maxconn} in the head only with a number", () => {
    expect(Config.parse({ haproxy: { maxconn: 2000 } }).haproxy.maxconn).toBe(2000);
    expect(issues({ maxconn: 2000, templates: { HEAD: "global\n  maxconn {maxconn}\n" } })).toEqual([]);
    expect(issues({ templates: { HEAD: "global\n{globalMaxconn}  # literal {{maxconn}}\n" } })).toEqual([]);
  });

  it("accepts an override that uses its placeholders and literal braces", () => {
    expect(issues({ templates: { HTTP_FRONTEND_HEAD: "\nfrontend fe\n  bind {bindAddr}:{httpPort}\n  http-request deny if {{ src 10.0.0.0/8 }}\n" } })).toEqual([]);
  });
});
