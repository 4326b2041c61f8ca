/**
 * The dashboard in a real browser (Debian's Chromium, headless, through playwright-core)
 * against `wayfinder serve` on loopback: the token asked once, every page loaded with no
 * console error or CSP violation and nothing fetched from anywhere else, a name searched, a VIP
 * followed to its task's explanation, a list filtered as one types, a connection explained on
 * the policy page and a matrix cell opened, and a node's status changing on the open page,
 * without a reload, when a real agent syncs: once on the whole-view poll, and as a daemon on
 * the delta path after a PATCH.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { describeWithTools } from "../support/tools.ts";
import { CLUSTER, CHROMIUM, TOKEN, logIn, startDashboard, type Dashboard } from "./support/dashboard-harness.ts";
import { demoWithPolicy } from "./support/demo-policy.ts";
import { startProcess, stopProcess } from "./server-process.ts";
import { waitFor } from "./support/wait.ts";

const run = promisify(execFile);
const S0 = "7c1f2a58-3b0e-4d7e-9a51-0c6e5f1d2a10-S0";
const WEB_TASK = "web.0f1e2d3c-aaaa-11ef-9c1b-0242ac110002";
/** The demo policy's attach ACL keeps the hello-world framework's tasks off `dcos`. */
const QUARANTINED = "hello-0-server__3a4b5c6d-1111-11ef-9c1b-0242ac110002";
/** A mark a reload would wipe: pages must change in place. (Strings: the test code has no DOM types.) */
const MARK_PAGE = "window.wayfinderTestMark = true";
const MARKED = "window.wayfinderTestMark === true";

describeWithTools([CHROMIUM])("the dashboard in Chromium", () => {
  let dashboard: Dashboard;

  beforeAll(async () => {
    dashboard = await startDashboard();
    await logIn(dashboard);
  });

  afterAll(async () => {
    await dashboard?.close();
  });

  // Each test answers for its own pages (the not-found one loads a 404 on purpose).
  beforeEach(() => {
    dashboard.consoleErrors.length = 0;
  });

  it("asked for the token once, and keeps it in a cookie scripts cannot read", async () => {
    const cookies = await dashboard.browser.cookies(`${dashboard.base}/ui/`);
    expect(cookies).toEqual([expect.objectContaining({ name: "wayfinder_session", httpOnly: true, sameSite: "Strict", path: "/ui" })]);
    expect(await dashboard.page.evaluate("document.cookie")).toBe("");
  });

  it.each([
    ["/ui/", "Cluster demo"],
    ["/ui/dns", "DNS"],
    ["/ui/vips", "Virtual IPs"],
    ["/ui/haproxy", "HAProxy"],
    ["/ui/overlay", "Overlay networks"],
    ["/ui/nodes", "Nodes"],
    ["/ui/policy", "Network policy"],
    ["/ui/diagnostics", "Diagnostics"],
  ])("loads %s with no error, no CSP violation and nothing from outside", async (path, heading) => {
    const { page, base } = dashboard;
    await page.goto(`${base}${path}?cluster=${CLUSTER}`);
    expect(await page.textContent("main h1")).toBe(heading);
    await page.waitForSelector("#live.on");
    expect(dashboard.consoleErrors).toEqual([]);
    expect(dashboard.outside).toEqual([]);
  });

  it("draws each overlay as a map of its nodes, VTEPs and slices", async () => {
    const { page, base } = dashboard;
    await page.goto(`${base}/ui/overlay?cluster=${CLUSTER}&overlay=dcos`);
    const cards = page.locator("svg.overlay-map g");
    expect(await cards.count()).toBe(7);
    expect(await page.locator("svg.overlay-map").textContent()).toContain("9.0.1.0/24");
  });

  it("searches a name and shows the answer the DNS server gives", async () => {
    const { page, base } = dashboard;
    await page.goto(`${base}/ui/dns?cluster=${CLUSTER}`);
    await page.fill("input[name=name]", "_web._tcp.marathon.mesos");
    await page.selectOption("select[name=type]", "SRV");
    await Promise.all([page.waitForURL(/name=_web\._tcp\.marathon\.mesos/), page.click('button:text-is("Ask")')]);
    expect(await page.textContent("#content .panel h3")).toContain("NOERROR");
    const answer = await page.locator("#content .panel").first().textContent();
    expect(answer).toContain("0 1 31002 web-56xfr-s0.marathon.mesos");
    expect(answer).toContain("10.0.1.11");
  });

  it("filters a list as the operator types, without reloading the page", async () => {
    const { page, base } = dashboard;
    await page.goto(`${base}/ui/vips?cluster=${CLUSTER}`);
    await page.evaluate(MARK_PAGE);
    await page.type("form[data-filter] input[name=q]", "cache");
    await expect.poll(() => page.textContent("#content .pager")).toBe("2 VIPs");
    expect(await page.evaluate(MARKED)).toBe(true);
    expect(page.url()).toContain("q=cache");
  });

  it("follows a VIP to the explanation of the task behind it", async () => {
    const { page, base } = dashboard;
    await page.goto(`${base}/ui/vips?cluster=${CLUSTER}&q=web.marathon`);
    await Promise.all([page.waitForURL(/\/ui\/explain\/task\//), page.click(`a:text("${WEB_TASK}")`)]);
    expect(await page.textContent("main h1")).toBe(`Explain task ${WEB_TASK}`);
    const content = await page.textContent("#content");
    expect(content).toContain("HAProxy servers: 1");
    expect(content).toContain("backend web_10000 server slot1");
    expect(content).toContain("web.marathon.mesos");
  });

  it("explains a connection on the policy page: the verdict and the rule that decided, linked to its row", async () => {
    const { page, base } = dashboard;
    await page.goto(`${base}/ui/?cluster=${CLUSTER}`);
    await Promise.all([page.waitForURL(/\/ui\/policy/), page.click('header nav a:text-is("Policy")')]);
    await page.fill("input[name=from]", "/marathon-lb");
    await page.fill("input[name=to]", "/web");
    await page.fill("input[name=port]", "tcp/31002");
    await Promise.all([page.waitForURL(/from=%2Fmarathon-lb/), page.click('button:text-is("Explain")')]);
    const answer = await page.textContent("#explain");
    expect(answer).toMatch(/^allow \/marathon-lb → \/web tcp\/31002/);
    expect(answer).toContain("Decided by edge-to-web admin tier");
    await Promise.all([page.waitForURL(/#rule-edge-to-web$/), page.click("#explain a.rule")]);
    expect(await page.textContent("tr:target")).toContain("networks edge");
    expect(dashboard.consoleErrors).toEqual([]);
  });

  it("opens a matrix cell's explanation, and walks from an app's explanation to its column", async () => {
    const { page, base } = dashboard;
    await page.goto(`${base}/ui/explain/app/%2Fdb?cluster=${CLUSTER}`);
    expect(await page.textContent("#policy")).toContain("Network policy");
    await Promise.all([page.waitForURL(/\/ui\/policy\?.*dst=%2Fdb/), page.click('a:text("open the matrix")')]);
    expect(await page.locator("table.matrix th.col").allTextContents()).toEqual(["/db"]);
    const row = page.locator("table.matrix tbody tr").filter({ has: page.locator("th.row", { hasText: /^\/backend\/api$/ }) });
    await Promise.all([page.waitForURL(/from=%2Fbackend%2Fapi/), row.locator("td.cell a").click()]);
    expect(await page.textContent("#explain")).toMatch(/^mixed \/backend\/api → \/db tcp\/5432.*The address pairs disagree/);
    expect(await page.textContent("#explain table")).toContain("allow");
  });

  it("says why a quarantined task has no name, VIP or server", async () => {
    const { page, base } = dashboard;
    await page.goto(`${base}/ui/explain/task/${QUARANTINED}?cluster=${CLUSTER}`);
    const content = await page.textContent("#content");
    expect(content).toContain("quarantined: network dcos refused by ACL entry policy.networks.dcos.attach[1]");
    expect(await page.locator("#policy + .panel .badge.err").count()).toBeGreaterThan(0);
  });

  it("answers an unknown task with links to the closest ones", async () => {
    const { page, base } = dashboard;
    await page.goto(`${base}/ui/`);
    await page.selectOption("header select[name=subject]", "task");
    await page.fill("header input[name=q]", "wbe.0f1e2d3c-aaaa-11ef-9c1b-0242ac110002");
    await Promise.all([page.waitForURL(/\/ui\/explain\/task\//), page.press("header input[name=q]", "Enter")]);
    expect(await page.textContent("#content")).toContain("not found");
    expect(dashboard.consoleErrors).toEqual(["Failed to load resource: the server responded with a status of 404 (Not Found)"]);
    await Promise.all([page.waitForURL(new RegExp(`/ui/explain/task/${WEB_TASK}`)), page.click(`#content a:text("${WEB_TASK}")`)]);
  });

  it("shows a node's status change on the open page when a real agent syncs", async () => {
    const { page, base } = dashboard;
    await page.goto(`${base}/ui/nodes?cluster=${CLUSTER}&q=${S0}`);
    await page.waitForSelector("#live.on");
    expect(await page.textContent("#content tbody")).toContain("never reported");
    await page.evaluate(MARK_PAGE);
    const agent = await run(process.execPath, ["bin/wayfinder.js", "agent", "--node", S0, "--source", `${base}/v1/clusters/${CLUSTER}`, "--apply", "files", "--once", "--state-dir", join(dashboard.dir, "agent")], {
      env: { ...process.env, WAYFINDER_TOKEN: TOKEN },
    });
    expect(agent.stderr).toContain('"statusTo"');
    await expect.poll(() => page.textContent("#content tbody"), { timeout: 15_000 }).toContain("converged");
    const row = await page.textContent("#content tbody");
    expect(row).toContain("files applied");
    expect(row).toContain("gen 1");
    expect(await page.evaluate(MARKED)).toBe(true);
    expect(dashboard.consoleErrors).toEqual([]);
    expect(dashboard.outside).toEqual([]);
  });

  it("shows the status an agent on the delta path reports after the batch of a PATCH", async () => {
    const { page, base } = dashboard;
    await page.goto(`${base}/ui/nodes?cluster=${CLUSTER}&q=${S0}`);
    await page.waitForSelector("#live.on");
    await page.evaluate(MARK_PAGE);
    // A daemon against the control plane follows the watch stream (not the whole-view poll).
    const agent = startProcess(process.execPath, ["bin/wayfinder.js", "agent", "--node", S0, "--source", `${base}/v1/clusters/${CLUSTER}`, "--apply", "files", "--state-dir", join(dashboard.dir, "delta-agent")], {
      WAYFINDER_TOKEN: TOKEN,
    });
    try {
      await waitFor("the agent to watch", () => (agent.output().includes('"watching"') ? true : undefined), 15_000, () => agent.output());
      const demo = demoWithPolicy();
      const task = { ...demo.tasks[0]!, id: "extra.1", name: "extra" };
      const patched = await fetch(`${base}/v1/clusters/${CLUSTER}/snapshot`, {
        method: "PATCH",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ baseGeneration: 1, upsert: { tasks: [task] } }),
      });
      expect(patched.status, await patched.clone().text()).toBe(200);
      await expect.poll(() => page.textContent("#content tbody"), { timeout: 15_000 }).toContain("gen 2");
      expect(await page.textContent("#content tbody")).toContain("converged");
      expect(agent.output()).toContain('"statusTo"');
      expect(await page.evaluate(MARKED)).toBe(true);
      expect(dashboard.consoleErrors).toEqual([]);
    } finally {
      await stopProcess(agent);
    }
  });
});
