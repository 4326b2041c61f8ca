/**
 * @module
 * Marathon-LB's endpoints on the stats port (`/_haproxy_getconfig`, `/_haproxy_getpids`,
 * `/_haproxy_getvhostmap`, `/_haproxy_getappmap`), which health checks, zdd.py and DC/OS's
 * acceptance tests call. As marathon-lb did (its getconfig.lua, getpids.lua, getmaps.lua),
 * HAProxy serves them itself with a Lua service, so they answer where they always did.
 *
 * - getconfig: the config the worker was started with (read once, when it starts);
 * - getvhostmap, getappmap: the map files beside it (`<group>/domain2backend.map`, ...), read
 *   with it; empty without map mode, as marathon-lb answered;
 * - getpids: the pids of the master's workers, space-separated. marathon-lb returned
 *   `pidof haproxy` from a container running one HAProxy without a master, where more than
 *   one pid meant a reload still draining (zdd.py waits for one); in master-worker mode the
 *   workers keep that meaning. The master's children are read from /proc; no shell is run.
 */

/** The service name the HEAD template routes the four paths to. */
export const ENDPOINTS_SERVICE = "marathon_lb_endpoints";

/** The script, loaded with `lua-load` from beside the config. */
export const ENDPOINTS_LUA = `-- wayfinder: marathon-lb's /_haproxy_get* endpoints (lib/render/haproxy/endpoints-lua.ts).
local function read_file(path)
  local file = io.open(path, "rb")
  if file == nil then return nil end
  local text = file:read("*a")
  file:close()
  return text
end

-- The -f argument HAProxy was started with.
local function config_path()
  local take = false
  for arg in string.gmatch(read_file("/proc/self/cmdline") or "", "[^%z]+") do
    if take then return arg end
    take = (arg == "-f")
  end
  return nil
end

local config, vhost_map, app_map = "", "", ""

core.register_init(function()
  local path = config_path()
  if path == nil then return end
  config = read_file(path) or ""
  local base = string.match(path, "^(.*)%.cfg$")
  if base ~= nil then
    vhost_map = read_file(base .. "/domain2backend.map") or ""
    app_map = read_file(base .. "/app2backend.map") or ""
  end
end)

-- The workers of this worker's master; just this process when it has no master.
local function worker_pids()
  local own = tostring(core.get_info()["Pid"])
  local ppid = string.match(read_file("/proc/self/stat") or "", "^%d+ %b() %S+ (%d+)")
  if ppid == nil or not string.match(read_file("/proc/" .. ppid .. "/comm") or "", "^haproxy") then return own end
  local children = read_file("/proc/" .. ppid .. "/task/" .. ppid .. "/children")
  if children == nil then return own end
  local pids = {}
  for pid in string.gmatch(children, "%d+") do pids[#pids + 1] = pid end
  return table.concat(pids, " ")
end

local answers = {
  ["/_haproxy_getconfig"] = function() return config end,
  ["/_haproxy_getvhostmap"] = function() return vhost_map end,
  ["/_haproxy_getappmap"] = function() return app_map end,
  ["/_haproxy_getpids"] = worker_pids,
}

core.register_service("${ENDPOINTS_SERVICE}", "http", function(applet)
  local answer = answers[applet.path]
  local body = answer and answer() or ""
  applet:set_status(answer and 200 or 404)
  applet:add_header("content-length", string.len(body))
  applet:add_header("content-type", "text/plain")
  applet:start_response()
  applet:send(body)
end)
`;
