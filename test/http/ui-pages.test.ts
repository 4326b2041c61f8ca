import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createApp } from "../../lib/http/app.ts";
import { CONTENT_SECURITY_POLICY } from "../../lib/http/middleware/security-headers.ts";
import { MemorySnapshotStore } from "../../lib/store/snapshot-store.ts";
import type { ClusterSnapshotInput } from "../../lib/snapshot/schema.ts";
import { SNAPSHOT_INPUT, page, withCluster } from "./helpers.ts";

const DEMO = readFileSync("state-fixtures/demo/snapshot.json", "utf8");
const WEB = "web.0f1e2d3c-aaaa-11ef-9c1b-0242ac110002";

describe("dashboard pages", () => {
  it.each(["/ui/", "/ui/dns", "/ui/vips", "/ui/haproxy", "/ui/overlay", "/ui/nodes", "/ui/policy", "/ui/diagnostics", `/ui/explain/task/${WEB}`])(
    "%s renders the demo cluster with a strict CSP and no inline script",
    async (path) => {
      const app = await withCluster("demo", DEMO);
      const { status, html, headers } = await page(app, path);
      expect(status).toBe(200);
      expect(headers.get("content-type")).toMatch(/^text\/html/);
      expect(headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
      expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
      expect(html).toContain('<link rel="stylesheet" href="/ui/assets/dashboard.css"/>');
      // Every script is a file of this origin: no inline code, no handler attributes.
      expect([...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => [m[1], m[2]])).toEqual([[' src="/ui/assets/dashboard.js" defer=""', ""]]);
      expect(html).not.toMatch(/\son[a-z]+=|style=|https?:\/\/(?!127)/);
    },
  );

  it("summary: counts, nodes converged and diagnostics by level, linking to every page", async () => {
    const { html } = await page(await withCluster("demo", DEMO), "/ui/?cluster=demo");
    for (const href of ["/ui/dns?cluster=demo", "/ui/vips?cluster=demo", "/ui/haproxy?cluster=demo", "/ui/overlay?cluster=demo", "/ui/nodes?cluster=demo", "/ui/policy?cluster=demo", "/ui/diagnostics?cluster=demo"]) expect(html).toContain(`href="${href}"`);
    expect(html).toMatch(/Nodes converged<\/a><\/h3><div class="metric">0 <small>of 4<\/small>/);
    expect(html).toContain('href="/ui/diagnostics?cluster=demo&amp;level=error"><span class="badge err">1 error</span>');
  });

  it("dns: the DNS server's answer to a name, renamed forms included, and where it comes from", async () => {
    const app = await withCluster("demo", DEMO);
    const local = await page(app, "/ui/dns?cluster=demo&name=web.marathon.dclb.thisdcos.global&type=A");
    expect(local.html).toContain('<span class="badge ok">NOERROR</span>');
    expect(local.html).toContain("as web.marathon.l4lb.thisdcos.directory");
    expect(local.html).toContain('href="/ui/explain/name/web.marathon.l4lb.thisdcos.directory?cluster=demo"');
    expect(local.html).toContain('<td class="mono">11.225.36.193</td>');
    expect((await page(app, "/ui/dns?cluster=demo&name=nope.marathon.mesos")).html).toContain('<span class="badge err">NXDOMAIN</span>');
    expect((await page(app, "/ui/dns?cluster=demo&name=example.org")).html).toContain("forwarded (default) to 198.51.100.53:53");
    expect((await page(app, "/ui/dns?cluster=demo&name=a..b")).html).toContain("&#39;a..b&#39; is not a domain name.");
  });

  it("explain: a VIP links to its tasks, and an unknown subject is a 404 page with the closest as links", async () => {
    const app = await withCluster("demo", DEMO);
    const vip = await page(app, "/ui/explain/vip/web.marathon?cluster=demo");
    expect(vip.html).toContain(`href="/ui/explain/task/${WEB}?cluster=demo"`);
    const missing = await page(app, "/ui/explain/task/wbe.0f1e2d3c-aaaa-11ef-9c1b-0242ac110002?cluster=demo");
    expect(missing.status).toBe(404);
    expect(missing.html).toContain('<span class="badge err">not found</span>');
    expect(missing.html).toContain(`<a class="mono" href="/ui/explain/task/${WEB}?cluster=demo">${WEB}</a>`);
    expect((await page(app, "/ui/explain/pod/x?cluster=demo")).status).toBe(400);
    const box = await app.request("/ui/explain?cluster=demo&subject=app&q=%2Fbackend%2Fapi");
    expect(box.status).toBe(303);
    expect(box.headers.get("location")).toBe("/ui/explain/app/%2Fbackend%2Fapi?cluster=demo");
    expect((await page(app, "/ui/explain/app/%2Fbackend%2Fapi?cluster=demo")).html).toContain("HAProxy services: 1");
  });

  it("shows a cluster label holding <script> as text, everywhere it appears", async () => {
    const evil = "<script>alert(1)</script>";
    const snapshot: ClusterSnapshotInput = {
      ...SNAPSHOT_INPUT,
      cluster: { name: "evil" },
      marathonApps: [{ id: "/evil", labels: { HAPROXY_GROUP: "external", HAPROXY_0_VHOST: evil }, portDefinitions: [{ port: 10000 }], tasks: [{ id: "web.1", host: "agent-1", ports: [31000], state: "TASK_RUNNING" }] }],
    };
    const app = await withCluster("evil", JSON.stringify(snapshot));
    for (const path of ["/ui/explain/app/%2Fevil?cluster=evil", "/ui/diagnostics?cluster=evil", "/ui/explain/task/web.1?cluster=evil"]) {
      const { html } = await page(app, path);
      expect(html, path).not.toContain(evil);
      expect(html, path).not.toMatch(/<script>alert/);
      expect(html, path).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    }
    expect((await page(app, "/ui/explain/app/%2Fevil?cluster=evil")).html).toContain("HAPROXY_0_VHOST=&lt;script&gt;alert(1)&lt;/script&gt;");
    expect((await page(app, "/ui/explain/task/%3Cscript%3E?cluster=evil")).html).toContain("no task &#39;&lt;script&gt;&#39;");
  });

  it("lists a page at a time, searched, and the pager keeps the search", async () => {
    const tasks = Array.from({ length: 60 }, (_, i) => ({
      ...SNAPSHOT_INPUT.tasks[0],
      id: `svc${i}.1`,
      name: `svc${i}`,
      ports: [{ begin: 31000 + i, end: 31000 + i }],
      discovery: { name: `svc${i}`, ports: [{ number: 31000 + i, protocol: "tcp", labels: [{ key: "VIP_0", value: `/svc${i}:80` }, { key: "network-scope", value: "host" }] }] },
    }));
    const app = await withCluster("big", JSON.stringify({ ...SNAPSHOT_INPUT, cluster: { name: "big" }, tasks }));
    const first = await page(app, "/ui/vips?cluster=big");
    expect(first.html).toContain("60 VIPs, page 1 of 3");
    expect(first.html.match(/<div class="panel"><h3>/g)).toHaveLength(25);
    expect(first.html).toContain('href="/ui/vips?cluster=big&amp;page=2"');
    const last = await page(app, "/ui/vips?cluster=big&page=3");
    expect(last.html.match(/<div class="panel"><h3>/g)).toHaveLength(10);
    const searched = await page(app, "/ui/vips?cluster=big&q=svc1");
    expect(searched.html).toContain("11 VIPs");
    const records = await page(app, "/ui/dns?cluster=big&zone=mesos&q=svc5");
    expect(records.html).toMatch(/\d+ records/);
    expect(records.html).not.toContain("svc4");
  });

  it("says when no cluster is stored, and answers an unknown cluster with a 404 page naming the stored ones", async () => {
    const empty = createApp({ store: new MemorySnapshotStore() });
    const none = await page(empty, "/ui/");
    expect(none.status).toBe(200);
    expect(none.html).toContain("No cluster is stored yet.");
    const app = await withCluster("demo", DEMO);
    const unknown = await page(app, "/ui/vips?cluster=prod");
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain('No snapshot is stored for cluster <b>prod</b>.');
    expect(unknown.html).toContain('<a href="/ui/vips?cluster=demo">demo</a>');
    expect((await app.request("/ui")).headers.get("location")).toBe("/ui/");
  });

  it.each([
    "/ui/vips?cluster=demo&page=abc",
    "/ui/vips?cluster=demo&page=-3",
    "/ui/vips?cluster=demo&page=99999999999",
    "/ui/dns?cluster=demo&type=BOGUS&name=web.marathon.mesos",
    "/ui/dns?cluster=demo&zone=nope",
    "/ui/diagnostics?cluster=demo&level=bogus&code=%00",
    "/ui/overlay?cluster=demo&overlay=nope",
    "/ui/haproxy?cluster=demo&group=nope&q=%3Cb%3E",
    "/ui/nodes?cluster=demo&state=bogus",
  ])("answers malformed parameters with the page's defaults, never an error: %s", async (path) => {
    const { status, html } = await page(await withCluster("demo", DEMO), path);
    expect(status).toBe(200);
    expect(html).toContain('<div id="content">');
    expect(html).not.toContain("<b>nope");
  });

  it("refuses a login with no token or a body that is not a form, without an error", async () => {
    const app = createApp({ token: "t", store: new MemorySnapshotStore() });
    const empty = await app.request("/ui/login", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "" });
    expect(empty.status).toBe(401);
    const json = await app.request("/ui/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"token":"t"}' });
    expect(json.status).toBe(401);
    expect(json.headers.get("set-cookie")).toBeNull();
  });

  it("serves its two files with ETags, and 404 for anything else there", async () => {
    const app = createApp();
    const css = await app.request("/ui/assets/dashboard.css");
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect((await app.request("/ui/assets/dashboard.css", { headers: { "If-None-Match": css.headers.get("etag")! } })).status).toBe(304);
    expect((await app.request("/ui/assets/dashboard.js")).headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await app.request("/ui/assets/other.js")).status).toBe(404);
  });
  it("a 10k-instance app's object tables are cut: the first rows, and how many more (every page stays small)", async () => {
    const demo = JSON.parse(DEMO) as { tasks: Array<Record<string, unknown>>; marathonApps: Array<{ id: string; tasks: Array<Record<string, unknown>> }> };
    const [web] = demo.tasks.filter((t) => t.id === WEB);
    const app = demo.marathonApps.find((a) => a.id === "/web")!;
    const [marathonTask] = app.tasks;
    const ids = Array.from({ length: 150 }, (_, i) => `web.copy-${String(i).padStart(3, "0")}`);
    demo.tasks.push(...ids.map((id, i) => ({ ...web, id, ports: [{ begin: 32000 + i, end: 32000 + i }], discovery: { name: "web", ports: [{ labels: [{ key: "VIP_0", value: "/web:80" }], name: "http", number: 32000 + i, protocol: "tcp" }] } })));
    app.tasks.push(...ids.map((id, i) => ({ ...marathonTask, id, ports: [32000 + i], healthCheckResults: [{ alive: true, taskId: id }] })));
    const big = await withCluster("demo", JSON.stringify(demo));
    const taskLinks = (html: string) => html.split('href="/ui/explain/task/').length - 1;
    const vips = (await page(big, "/ui/vips?cluster=demo&q=web.marathon")).html;
    expect(taskLinks(vips)).toBe(100);
    expect(vips).toContain("and 52 more backends");
    const haproxy = (await page(big, "/ui/haproxy?cluster=demo&q=%2Fweb")).html;
    expect(haproxy).toContain("and 52 more servers");
    expect(taskLinks(haproxy)).toBe(100);
    // One SRV record per task port: 152 of them on one name, 100 shown (and the header row).
    const name = (await page(big, "/ui/explain/name/_web._tcp.marathon.mesos?cluster=demo")).html;
    expect(name.split("<tr>").length - 1).toBe(101);
    expect(name).toContain("and 52 more records");
  });
});
