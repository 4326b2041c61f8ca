/**
 * @module
 * The network policy's answers over HTTP, for a stored cluster (the same as `wayfinder policy`):
 *
 * - `GET /v1/clusters/:cluster/policy/explain?from=X&to=Y&port=tcp/5432`: the verdict and what
 *   decided (`verdict`, `by`, `tier`, every pair of addresses);
 * - `GET /v1/clusters/:cluster/policy/matrix?port=tcp/80&port=udp/53`: the truth table (ports
 *   default to those the policy names);
 * - `POST /v1/clusters/:cluster/policy/matrix` with a candidate ClusterSnapshot: only the cells
 *   it would open or close against the stored one, before anything is stored or applied.
 *
 * Answers come from the generation's operator view (`state.operator().policy`), computed once
 * per stored generation and shared with the dashboard and `explain`.
 */
import { Hono, type Context } from "hono";
import { reconcile } from "../../../functions/reconcile.ts";
import { matrixChanges, type MatrixPort } from "../../../functions/policy/matrix.ts";
import { explanationSummary, policyQuestions } from "../../../functions/policy/questions.ts";
import { parseProtocolPort } from "../../desired/policy-ports.ts";
import { ClusterSnapshot } from "../../snapshot/schema.ts";
import { isClusterName } from "../../store/snapshot-store.ts";
import type { ClusterStates } from "../cluster-states.ts";
import { jsonError } from "../errors.ts";
import { jsonBody } from "../middleware/json-body.ts";

/**
 * @example app.route("/v1/clusters", policyRoutes(states))
 */
export function policyRoutes(states: ClusterStates): Hono {
  const current = async (c: Context) => {
    const cluster = c.req.param("cluster") ?? "";
    if (!isClusterName(cluster)) return { error: jsonError(c, 400, `'${cluster}' is not a cluster name`) };
    const state = await states.current(cluster);
    return state === undefined ? { error: jsonError(c, 404, `no snapshot is stored for cluster '${cluster}'`) } : { state };
  };

  return new Hono()
    .get("/:cluster/policy/explain", async (c) => {
      const found = await current(c);
      if (found.error) return found.error;
      const from = c.req.query("from");
      const to = c.req.query("to");
      const port = parseProtocolPort(c.req.query("port") ?? "");
      const issues = [
        ...(from ? [] : [{ path: "from", message: "required: an app id, task id, agent id or IP" }]),
        ...(to ? [] : [{ path: "to", message: "required: an app id, task id, agent id or IP" }]),
        ...(port ? [] : [{ path: "port", message: "required: PROTO/PORT, e.g. tcp/5432" }]),
      ];
      if (issues.length > 0) return jsonError(c, 400, "explain needs from, to and port", { issues });
      const answer = found.state.operator().policy.explain(from!, to!, port!.protocol, port!.port);
      if ("unknown" in answer) return jsonError(c, 404, `'${answer.unknown}' is no app id, task id, agent id or IP of the cluster`);
      return c.json(explanationSummary(answer));
    })
    .get("/:cluster/policy/matrix", async (c) => {
      const found = await current(c);
      if (found.error) return found.error;
      const q = found.state.operator().policy;
      const ports = portsOf(c);
      if ("error" in ports) return jsonError(c, 400, ports.error, { issues: [{ path: "port", message: ports.error }] });
      const asked = ports.ports.length > 0 ? ports.ports : q.namedPorts();
      return c.json({ ports: asked, cells: q.matrix(asked) });
    })
    .post("/:cluster/policy/matrix", jsonBody(ClusterSnapshot, { name: "ClusterSnapshot" }), async (c) => {
      const found = await current(c);
      if (found.error) return found.error;
      const before = found.state.operator().policy;
      const candidate = c.var.body;
      const after = policyQuestions(candidate, reconcile(candidate));
      const ports = portsOf(c);
      if ("error" in ports) return jsonError(c, 400, ports.error, { issues: [{ path: "port", message: ports.error }] });
      const asked = ports.ports.length > 0 ? ports.ports : [...new Map([...before.namedPorts(), ...after.namedPorts()].map((p) => [`${p.protocol}/${p.port}`, p])).values()];
      return c.json({ ports: asked, changes: matrixChanges(before.matrix(asked), after.matrix(asked)) });
    });
}

function portsOf(c: Context): { ports: MatrixPort[] } | { error: string } {
  const ports: MatrixPort[] = [];
  for (const text of c.req.queries("port") ?? []) {
    const port = parseProtocolPort(text);
    if (port === undefined) return { error: `'${text}' is not PROTO/PORT (tcp, udp or sctp; 1-65535)` };
    ports.push(port);
  }
  return { ports };
}
