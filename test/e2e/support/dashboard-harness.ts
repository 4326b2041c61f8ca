/**
 * @module
 * The dashboard as an operator meets it: `wayfinder serve` (the real bin) on loopback with a
 * store and a token, the demo cluster stored in it (with a network policy, `demo-policy.ts`),
 * and Debian's Chromium driven headless by
 * playwright-core (nothing downloaded: the system executable, a fresh profile). Every request
 * the browser makes that is not to the server is refused and recorded, so a test can hold the
 * dashboard to "nothing fetched from outside".
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { startProcess, stopProcess, type ServerProcess } from "../server-process.ts";
import { demoWithPolicy } from "./demo-policy.ts";
import { waitFor } from "./wait.ts";

export const CHROMIUM = "/usr/bin/chromium";
export const TOKEN = "dashboard-e2e-token";
export const CLUSTER = "demo";

/** The flags the brief of issue 16 asks for: no sandbox (root in CI), no GPU, nothing phoning home. */
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export interface Dashboard {
  /** `http://127.0.0.1:PORT` */
  base: string;
  dir: string;
  serve: ServerProcess;
  browser: BrowserContext;
  page: Page;
  /** Requests the browser tried to send anywhere but the server (refused). */
  outside: string[];
  /** Console errors and CSP violations the pages reported. */
  consoleErrors: string[];
  /** PUT to the control plane with the token. */
  put(path: string, body: unknown): Promise<Response>;
  close(): Promise<void>;
}

/**
 * @example const dashboard = await startDashboard(); await dashboard.page.goto(`${dashboard.base}/ui/`);
 */
export async function startDashboard(options: { width?: number; height?: number } = {}): Promise<Dashboard> {
  const dir = await mkdtemp(join(tmpdir(), "wayfinder-dashboard-"));
  const serve = startProcess(process.execPath, ["bin/wayfinder.js", "serve", "--listen", "127.0.0.1:0", "--store", join(dir, "store")], { WAYFINDER_TOKEN: TOKEN });
  let browser: BrowserContext | undefined;
  try {
    const base = await waitFor("serve to listen", () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(serve.output())?.[1], 20_000, () => serve.output());
    const put = (path: string, body: unknown) =>
      fetch(`${base}${path}`, { method: "PUT", headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` }, body: typeof body === "string" ? body : JSON.stringify(body) });
    const stored = await put(`/v1/clusters/${CLUSTER}/snapshot`, demoWithPolicy());
    if (stored.status !== 200) throw new Error(`storing the demo cluster: HTTP ${stored.status} ${await stored.text()}`);

    browser = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: options.width ?? 1400, height: options.height ?? 900 },
    });
    const outside: string[] = [];
    const consoleErrors: string[] = [];
    await browser.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(`${base}/`)) return route.continue();
      outside.push(url);
      return route.abort();
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(error.message));
    const opened = browser;
    return {
      base,
      dir,
      serve,
      browser: opened,
      page,
      outside,
      consoleErrors,
      put,
      close: async () => {
        await opened.close();
        await stopProcess(serve);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close();
    await stopProcess(serve);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Logs the browser in through the dashboard's own form (the token is asked once).
 * @example await logIn(dashboard);
 */
export async function logIn(dashboard: Dashboard): Promise<void> {
  const { page, base } = dashboard;
  await page.goto(`${base}/ui/?cluster=${CLUSTER}`);
  await page.fill("#token", TOKEN);
  await Promise.all([page.waitForURL(`${base}/ui/?cluster=${CLUSTER}`), page.click("button[type=submit]")]);
}
