/**
 * @module
 * `GET /ui/assets/dashboard.css` and `/ui/assets/dashboard.js`: the dashboard's only files,
 * from the app itself (no CDN, nothing fetched from elsewhere), open without a token like the
 * login page that needs them, with a strong ETag so browsers revalidate instead of refetching.
 */
import { Hono } from "hono";
import { sha256Hex } from "../../../net/digest.ts";
import { DASHBOARD_SCRIPT } from "./dashboard-script.ts";
import { DASHBOARD_STYLE } from "./dashboard-style.ts";

const FILES: Record<string, { type: string; body: string }> = {
  "dashboard.css": { type: "text/css; charset=utf-8", body: DASHBOARD_STYLE },
  "dashboard.js": { type: "text/javascript; charset=utf-8", body: DASHBOARD_SCRIPT },
};

/**
 * @example app.route("/ui/assets", assetRoutes())
 */
export function assetRoutes(): Hono {
  const tagged = Object.fromEntries(Object.entries(FILES).map(([name, file]) => [name, { ...file, etag: `"${sha256Hex(file.body).slice(0, 32)}"` }]));
  return new Hono().get("/:file", (c) => {
    const file = tagged[c.req.param("file")];
    if (file === undefined) return c.json({ error: `no dashboard file '${c.req.param("file")}'` }, 404);
    const headers = { "Content-Type": file.type, ETag: file.etag, "Cache-Control": "no-cache" };
    if (c.req.header("if-none-match") === file.etag) return c.body(null, 304, headers);
    return c.body(file.body, 200, headers);
  });
}
