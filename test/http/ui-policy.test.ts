import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONTENT_SECURITY_POLICY } from "../../lib/http/middleware/security-headers.ts";
import { tenants } from "../functions/policy/tenants.ts";
import { page as html, withCluster } from "./helpers.ts";

const SHOP = JSON.stringify({ ...tenants(), cluster: { name: "shop" } });

/** The matrix cell of `from` against `to` as rendered: its class and the explanation it opens. */
function cell(page: string, from: string, to: string): string | undefined {
  const cols = [...page.matchAll(/<th class="col">(.*?)<\/th>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ""));
  const row = [...page.matchAll(/<tr><th class="row">(.*?)<\/th>(.*?)<\/tr>/g)].find((m) => m[1]!.replace(/<[^>]+>/g, "") === from);
  const cells = [...(row?.[2] ?? "").matchAll(/<td class="cell ([a-z]+)"[^>]*>(.*?)<\/td>/g)].map((m) => `${m[1]} ${m[2]}`);
  return cells[cols.indexOf(to)];
}

describe("/ui/policy", () => {
  it("renders with the strict CSP and no inline script, linked from the nav and the summary", async () => {
    const app = await withCluster("shop", SHOP);
    const { status, html: page, headers } = await html(app, "/ui/policy?cluster=shop");
    expect(status).toBe(200);
    expect(headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    expect([...page.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => m[2])).toEqual([""]);
    expect(page).not.toMatch(/\son[a-z]+=|style=/);
    expect(page).toContain('<a href="/ui/policy?cluster=shop" class="active">Policy</a>');
    const summary = (await html(app, "/ui/?cluster=shop")).html;
    expect(summary).toContain('<a href="/ui/policy?cluster=shop">Network policy</a>');
    expect(summary).toContain("9 <small>admin rules</small>");
    expect(summary).toContain("1 task quarantined");
  });

  it("draws the matrix on a port, each cell the verdict linking to its explanation", async () => {
    const { html: page } = await html(await withCluster("shop", SHOP), "/ui/policy?cluster=shop&mport=tcp/5432");
    expect(page).toContain('Matrix on <span class="mono">tcp/5432</span>');
    expect(cell(page, "/shop/web", "/bank/db")).toMatch(/^allow <a href="\/ui\/policy\?cluster=shop&amp;from=%2Fshop%2Fweb&amp;to=%2Fbank%2Fdb&amp;port=tcp%2F5432&amp;mport=tcp%2F5432#explain" title="allow by web-to-db \(admin tier\), 2 address pairs">✓<\/a>$/);
    expect(cell(page, "/shop/api", "/bank/db")).toMatch(/^deny .*title="deny by network:blue \(network tier\)/);
    expect(cell(page, "/shop/web", "/shop/rogue")).toMatch(/^deny .*by quarantine/);
    // The probe is reached on its host port 7000 only.
    expect(cell(page, "/shop/web", "/tools/probe")).toBe("none ·");
    expect(cell(page, "node:a1", "/bank/db")).toMatch(/^deny /);
  });

  it("explains one connection: the verdict, the rule that decided (linked to its row) and each pair", async () => {
    const { html: page } = await html(await withCluster("shop", SHOP), "/ui/policy?cluster=shop&from=%2Fshop%2Fweb&to=%2Fbank%2Fdb&port=tcp%2F5432");
    expect(page).toContain('<span class="badge big ok">allow</span>');
    expect(page).toContain('Decided by <a class="mono rule" href="/ui/policy?cluster=shop&amp;rq=web-to-db#rule-web-to-db">web-to-db</a> <span class="badge info">admin tier</span>');
    expect(page).toContain('<tr id="rule-web-to-db">');
    expect(page).toContain('<td class="mono">9.0.0.2</td><td class="mono">10.200.0.2</td>');
    const denied = (await html(await withCluster("shop", SHOP), "/ui/policy?cluster=shop&from=%2Fshop%2Fapi&to=%2Fbank%2Fdb&port=tcp%2F5432")).html;
    expect(denied).toContain('<span class="badge big err">deny</span>');
    expect(denied).toContain('href="/ui/policy?cluster=shop#network-blue">network:blue</a>');
    expect(denied).toContain('<tr id="network-blue">');
  });

  it("answers an unknown side with the closest names, and a bad port with what a port looks like", async () => {
    const app = await withCluster("shop", SHOP);
    const unknown = (await html(app, "/ui/policy?cluster=shop&from=%2Fshop%2Fwbe&to=%2Fbank%2Fdb&port=tcp%2F5432")).html;
    expect(unknown).toContain("&#39;/shop/wbe&#39; is no app id, task id, agent id (node:ID) or IP of the cluster");
    expect(unknown).toContain('href="/ui/policy?cluster=shop&amp;from=%2Fshop%2Fweb&amp;to=%2Fbank%2Fdb&amp;port=tcp%2F5432#explain">/shop/web</a>');
    const badPort = (await html(app, "/ui/policy?cluster=shop&from=%2Fshop%2Fweb&to=%2Fbank%2Fdb&port=5432")).html;
    expect(badPort).toContain("explain needs from, to and a port as PROTO/PORT (tcp, udp or sctp; 1-65535), e.g. tcp/5432 (got &#39;5432&#39;)");
  });

  it("escapes what the operator typed and what the cluster holds", async () => {
    const evil = "<script>alert(1)</script>";
    const snapshot = tenants((s) => ({ ...s, apps: { ...s.apps, "/shop/web": { WAYFINDER_POLICY_ALLOW_FROM: "/x", EVIL: evil, WAYFINDER_POLICY_ALLOW_FROM_81: evil } } }));
    const app = await withCluster("shop", JSON.stringify({ ...snapshot, cluster: { name: "shop" } }));
    const { html: page } = await html(app, `/ui/policy?cluster=shop&from=${encodeURIComponent(evil)}&to=%2Fbank%2Fdb&port=tcp%2F1`);
    expect(page).not.toMatch(/<script>alert/);
    expect(page).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(page).toContain("WAYFINDER_POLICY_ALLOW_FROM_81=&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("pages and filters the matrix by sources and destinations, asking only the cells it shows", async () => {
    const many = tenants((s) => ({
      ...s,
      tasks: [...s.tasks, ...Array.from({ length: 30 }, (_, i) => ({ id: `x_${i}.1`, app: `/x/${String(i).padStart(2, "0")}`, agent: "a1", network: "dcos", ip: `9.0.0.${10 + i}` }))],
    }));
    const app = await withCluster("shop", JSON.stringify({ ...many, cluster: { name: "shop" } }));
    const first = (await html(app, "/ui/policy?cluster=shop&mport=tcp/80")).html;
    expect(first).toContain("38 sources, page 1 of 2");
    expect(first).toContain("35 destinations, page 1 of 3");
    expect(first.match(/<th class="col">/g)).toHaveLength(12);
    expect(first.match(/<th class="row">/g)).toHaveLength(20);
    expect(first).toContain('href="/ui/policy?cluster=shop&amp;mport=tcp%2F80&amp;cols=2#matrix">next →</a>');
    const filtered = (await html(app, "/ui/policy?cluster=shop&mport=tcp/80&src=%2Fshop%2F&dst=%2Fx%2F1")).html;
    expect(filtered.match(/<th class="row">/g)).toHaveLength(3); // /shop/api, /shop/rogue, /shop/web
    expect(filtered).toContain("10 destinations");
    expect(cell(filtered, "/shop/web", "/x/12")).toMatch(/^deny .*by default/);
  });

  it("answers malformed parameters with the page's defaults", async () => {
    const app = await withCluster("shop", SHOP);
    for (const path of ["/ui/policy?cluster=shop&mport=bogus", "/ui/policy?cluster=shop&page=-1&cols=abc&rpage=99999999999", "/ui/policy?cluster=shop&rq=%3Cb%3E"]) {
      const { status, html: page } = await html(app, path);
      expect(status, path).toBe(200);
      expect(page, path).toContain('Matrix on <span class="mono">tcp/80</span>');
    }
  });

  it("says every connection is open without a policy, and still answers the form", async () => {
    const app = await withCluster("demo", readFileSync("state-fixtures/demo/snapshot.json", "utf8"));
    const { html: page } = await html(app, "/ui/policy?cluster=demo&from=node%3A7c1f2a58-3b0e-4d7e-9a51-0c6e5f1d2a10-S0&to=10.0.1.12&port=tcp%2F80");
    expect(page).toContain("No policy is configured: every connection is open");
    expect(page).toContain('<span class="badge big ok">allow</span>');
    expect(page).not.toContain("Matrix on");
    expect((await html(app, "/ui/?cluster=demo")).html).toContain("no policy configured");
  });
});

describe("a task's and an app's explanation page: the policy part", () => {
  it("lists who may reach it and what it may reach, linked to the rule, the peers and the connection", async () => {
    const app = await withCluster("shop", SHOP);
    const { html: page } = await html(app, "/ui/explain/task/bank_db.1?cluster=shop&port=tcp/5432");
    expect(page).toContain('Network policy <span class="muted">· on tcp/5432</span>');
    expect(page).toContain('<a class="mono" href="/ui/policy?cluster=shop&amp;rq=web-to-db#rule-web-to-db">web-to-db</a><span class="muted"> admin</span>');
    expect(page).toContain('<a href="/ui/policy?cluster=shop&amp;from=%2Fshop%2Fweb&amp;to=bank_db.1&amp;port=tcp%2F5432#explain" title="explain this connection">');
    expect(page).toContain('<a class="mono" href="/ui/explain/app/%2Fshop%2Fweb?cluster=shop" title="/shop/web">/shop/web</a>');
    expect(page).toContain('href="/ui/policy?cluster=shop&amp;dst=%2Fbank%2Fdb#matrix">open the matrix</a>');
    const rogue = (await html(app, "/ui/explain/task/shop_rogue.1?cluster=shop")).html;
    expect(rogue).toContain("quarantined: network blue refused by ACL entry policy.networks.blue.attach[1]");
    expect(rogue).toContain('href="/ui/policy?cluster=shop#quarantine">quarantine</a>');
    const appPage = (await html(app, "/ui/explain/app/%2Fshop%2Fweb?cluster=shop")).html;
    expect(appPage).toContain('href="/ui/policy?cluster=shop&amp;dst=%2Fshop%2Fweb#matrix">open the matrix</a>');
    expect((await app.request("/ui/explain/task/bank_db.1?cluster=shop&port=5432")).status).toBe(400);
  });
});
