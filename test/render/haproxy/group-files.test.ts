/**
 * The files of the HAProxy groups: `<group>.cfg` with its endpoints script and maps beside it,
 * and the `*` group named `_all` everywhere (files, script path, stats socket), so that what the
 * config names is what `wayfinder render` and the applier install.
 */
import { describe, expect, it } from "vitest";
import { haproxyGroupFiles } from "../../../lib/render/haproxy/group-files.ts";
import { ENDPOINTS_LUA } from "../../../lib/render/haproxy/endpoints-lua.ts";
import { haproxyGroups } from "../../../functions/haproxy/index.ts";
import { app, snapshotOf } from "../../functions/haproxy/helpers.ts";

describe("haproxyGroupFiles", () => {
  it("names the * group's files _all, and its config names the same paths", () => {
    const { groups } = haproxyGroups(snapshotOf([app({ id: "/web", labels: { HAPROXY_0_VHOST: "web.test" } })], { groups: ["*", "internal"], haproxyMap: true }));
    const files = haproxyGroupFiles(groups);
    expect([...files.keys()].sort()).toEqual([
      "_all.cfg",
      "_all/app2backend.map",
      "_all/domain2backend.map",
      "_all/marathon-lb-endpoints.lua",
      "internal.cfg",
      "internal/app2backend.map",
      "internal/domain2backend.map",
      "internal/marathon-lb-endpoints.lua",
    ]);
    const config = files.get("_all.cfg")!;
    expect(config).toContain("  lua-load _all/marathon-lb-endpoints.lua\n");
    expect(config).toContain("map(_all/domain2backend.map)");
    expect(config).toContain("  stats socket /run/wayfinder/haproxy/_all.sock ");
    expect(files.get("_all/marathon-lb-endpoints.lua")).toBe(ENDPOINTS_LUA);
    expect(files.get("_all/domain2backend.map")).toBe("web.test web_10000\n");
  });

  it("routes the four marathon-lb paths to the script's service on the stats listener", () => {
    const { groups } = haproxyGroups(snapshotOf([]));
    const config = groups.external!.config;
    const stats = config.slice(config.indexOf("listen stats"), config.indexOf("\n\n"));
    expect(stats).toContain("  http-request use-service lua.marathon_lb_endpoints if { path /_haproxy_getconfig /_haproxy_getpids /_haproxy_getvhostmap /_haproxy_getappmap }");
    expect(ENDPOINTS_LUA).toContain('core.register_service("marathon_lb_endpoints", "http"');
  });
});
