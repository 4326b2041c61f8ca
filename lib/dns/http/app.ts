/**
 * @module
 * The HTTP side of `wayfinder dns`: the endpoints tools already call on mesos-dns (§1.9) and
 * dcos-dns (§3.7), plus Prometheus metrics and a health probe. mesos-dns and dcos-dns gave
 * `/v1/hosts` and `/v1/services` different shapes; here a name in the Mesos-DNS zone gets
 * mesos-dns's shape (A then AAAA, a blank placeholder when nothing matches, ports as strings)
 * and a name in a dcos-dns zone gets dcos-dns's (A only, `[]` when nothing matches, numeric
 * ports), which is what a client of either was written against.
 *
 * `/v1/config` shows the server's settings, which hold no secrets (the bearer token is not a
 * setting of the server but of this app, and is never echoed).
 */
import { Hono } from "hono";
import { methodNotAllowed } from "hono/method-not-allowed";
import { stream } from "hono/streaming";
import { errorHandler, jsonError, methodNotAllowedResponse, notFound } from "../../http/errors.ts";
import { bearerToken } from "../../http/middleware/bearer-token.ts";
import type { ServingState } from "../serving-state.ts";
import { hostAddresses, isDcosDnsZone, localZoneOf, serviceTargets } from "./lookups.ts";
import { axfrOf, recordLines } from "./zone-dumps.ts";

export interface DnsHttpContext {
  /** The state being served now (in cluster mode: the primary's copy of it). */
  state(): ServingState;
  /** Prometheus text of every process. */
  metrics(): Promise<string>;
  /** The running configuration, for `/v1/config`. */
  config(): unknown;
  /** The wayfinder version. */
  version: string;
  /** Bearer token for everything but `/healthz`; none by default. */
  token?: string | undefined;
  log?: (line: string) => void;
}

/**
 * @example createDnsHttpApp({ state: () => server.state, metrics, config, version: "0.1.0" }).request("/v1/version")
 */
export function createDnsHttpApp(context: DnsHttpContext): Hono {
  const app = new Hono();
  app.onError(errorHandler(context.log ?? ((line) => console.error(line))));
  app.notFound(notFound);
  app.use(methodNotAllowed({ app, onMethodNotAllowed: methodNotAllowedResponse }));
  if (context.token !== undefined && context.token !== "") {
    const auth = bearerToken({ token: context.token });
    app.use("/v1/*", auth);
    app.use("/metrics", auth);
  }

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/metrics", async (c) => c.text(await context.metrics(), 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" }));
  app.get("/v1/version", (c) => c.json({ Service: "wayfinder-dns", URL: "", Version: context.version, ZonesVersion: context.state().version }));
  app.get("/v1/config", (c) => c.json(context.config() as object));

  app.get("/v1/hosts/:host", (c) => {
    const state = context.state();
    const name = mesosNormalised(c.req.param("host"));
    const zone = localZoneOf(state, name);
    if (zone !== undefined && isDcosDnsZone(zone)) return c.json(hostAddresses(state, name, ["A"]));
    const found = zone === undefined ? [] : hostAddresses(state, name, ["A", "AAAA"]).map((h) => ({ host: `${h.host}.`, ip: h.ip }));
    return c.json(found.length > 0 ? found : [{ host: "", ip: "" }]);
  });
  app.get("/v1/hosts/:host/ports", (c) => jsonError(c, 501, "not implemented (nor was it in mesos-dns)"));

  app.get("/v1/services/:service", (c) => {
    const state = context.state();
    const asked = c.req.param("service");
    const name = mesosNormalised(asked);
    const zone = localZoneOf(state, name);
    const targets = zone === undefined ? [] : serviceTargets(state, name);
    if (zone !== undefined && isDcosDnsZone(zone)) {
      return c.json(targets.map((t) => ({ service: name, host: t.target, port: t.port, ...(t.a !== undefined && { ip: t.a }) })));
    }
    const entries = targets.flatMap((t) =>
      [t.a, t.aaaa].filter((ip) => ip !== undefined).map((ip) => ({ service: asked, host: `${t.target}.`, ip, port: String(t.port) })),
    );
    return c.json(entries.length > 0 ? entries : [{ service: "", host: "", ip: "", port: "" }]);
  });

  app.get("/v1/records", (c) => {
    const state = context.state();
    c.header("Content-Type", "application/json");
    return stream(c, async (out) => {
      await out.write("[");
      let first = true;
      for (const line of recordLines(state)) {
        await out.write(first ? line : `,\n${line}`);
        first = false;
      }
      await out.write("]");
    });
  });

  app.get("/v1/axfr", (c) => {
    const axfr = axfrOf(context.state());
    return axfr === undefined ? jsonError(c, 404, "no Mesos-DNS zone is being served") : c.json(axfr);
  });

  // mesos-dns built this from its task records; a desired state's zones do not say which task
  // made which record, so, as in dcos-dns, it is not offered.
  app.get("/v1/enumerate", (c) => jsonError(c, 501, "not implemented: zones carry no task information (dcos-dns also answered 501)"));
  return app;
}

/** mesos-dns's host normalisation: lowercase, every `.*` removed. */
function mesosNormalised(host: string): string {
  return host.toLowerCase().split(".*").join("");
}
