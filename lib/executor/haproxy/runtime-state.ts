/**
 * @module
 * What the HAProxy applier compares, as values: the servers a config declares and the servers
 * a running worker reports (`show servers state`), and the Runtime API commands that turn one
 * into the other. A config's *skeleton* is its text with every server's address and `disabled`
 * flag blanked: two configs with the same skeleton differ only in what `set server` can change,
 * so the running HAProxy is updated in place and never reloaded. Pure.
 */
import { addressForPort } from "../../net/ip-literal.ts";
import { compareStrings } from "../../net/compare.ts";

/** One server as far as the Runtime API can change it. */
export interface ServerState {
  readonly addr: string;
  readonly port: number;
  /** In (forced) maintenance: `disabled` in a config, `state maint` at runtime. */
  readonly maint: boolean;
}

/** `backend/server` → state. */
export type ServerStates = ReadonlyMap<string, ServerState>;

/** A config split into what needs a reload to change and what does not. */
export interface ConfigServers {
  readonly skeleton: string;
  readonly servers: ServerStates;
}

const ADDRESS = /^(?:\[([0-9A-Fa-f:.]+)\]|(\d{1,3}(?:\.\d{1,3}){3})):(\d{1,5})$/;
const SECTION = /^(global|defaults|frontend|backend|listen|userlist|peers|resolvers|program|cache|ring|http-errors|mailers)\b\s*(\S*)/;

/**
 * @example configServers("backend b\n  server slot1 10.0.0.1:80 id 1 disabled\n").servers.get("b/slot1")
 * // { addr: "10.0.0.1", port: 80, maint: true }
 */
export function configServers(config: string): ConfigServers {
  const servers = new Map<string, ServerState>();
  const lines = config.split("\n");
  let backend: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const section = SECTION.exec(line);
    if (section !== null) {
      backend = section[1] === "backend" || section[1] === "listen" ? section[2] : undefined;
      continue;
    }
    if (backend === undefined || !line.startsWith("  server ")) continue;
    const words = line.trim().split(/\s+/);
    const address = ADDRESS.exec(words[2] ?? "");
    if (address === null) continue; // abns@ loopbacks and the like are structure
    const rest = words.slice(3);
    servers.set(`${backend}/${words[1]}`, { addr: address[1] ?? address[2]!, port: Number(address[3]), maint: rest.includes("disabled") });
    lines[i] = `  server ${words[1]} - ${rest.filter((w) => w !== "disabled").join(" ")}`;
  }
  return { skeleton: lines.join("\n"), servers };
}

/**
 * Parses `show servers state` (state file format 1): `be_name`, `srv_name`, `srv_addr`,
 * `srv_port` and the forced-maintenance bit of `srv_admin_state` (0x01; a server started
 * `disabled` keeps the config bit 0x04 after `state ready`, which no longer holds traffic).
 * @example parseServersState("1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state ... srv_port\n3 b 1 slot1 10.0.0.1 2 0 ... 80\n")
 */
export function parseServersState(text: string): ServerStates {
  const lines = text.split("\n");
  const header = lines.find((l) => l.startsWith("# be_id"));
  if (header === undefined) throw new Error(`not a 'show servers state' answer: ${JSON.stringify(text.slice(0, 200))}`);
  const columns = header.slice(2).split(" ");
  const at = (name: string) => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`'show servers state' has no ${name} column`);
    return index;
  };
  const [be, srv, addr, admin, port] = [at("be_name"), at("srv_name"), at("srv_addr"), at("srv_admin_state"), at("srv_port")];
  const states = new Map<string, ServerState>();
  for (const line of lines) {
    if (line === "" || line.startsWith("#") || !line.includes(" ")) continue;
    const f = line.split(" ");
    states.set(`${f[be]}/${f[srv]}`, { addr: f[addr]!, port: Number(f[port]), maint: (Number(f[admin]) & 0x01) !== 0 });
  }
  return states;
}

/**
 * The Runtime API commands that make `live` match `desired`, in an order that never sends a
 * request to the wrong task: a slot that changes task is put in maintenance before it is
 * re-addressed and made ready again. Undefined when the two do not have the same servers,
 * which only a reload can fix.
 * @example runtimeCommands(new Map([["b/slot1", { addr: "10.0.0.2", port: 80, maint: false }]]), live)
 * // ["set server b/slot1 state maint", "set server b/slot1 addr 10.0.0.2 port 80", "set server b/slot1 state ready"]
 */
export function runtimeCommands(desired: ServerStates, live: ServerStates): string[] | undefined {
  if (desired.size !== live.size) return undefined;
  const commands: string[] = [];
  for (const [key, want] of [...desired].sort(([a], [b]) => compareStrings(a, b))) {
    const have = live.get(key);
    if (have === undefined) return undefined;
    const moved = have.addr !== want.addr || have.port !== want.port;
    const setAddr = `set server ${key} addr ${want.addr} port ${want.port}`;
    if (want.maint) {
      if (!have.maint) commands.push(`set server ${key} state maint`);
      if (moved) commands.push(setAddr);
    } else if (moved) {
      if (!have.maint) commands.push(`set server ${key} state maint`);
      commands.push(setAddr, `set server ${key} state ready`);
    } else if (have.maint) commands.push(`set server ${key} state ready`);
  }
  return commands;
}

/**
 * What differs between two server tables, for `verify` reports.
 * @example serverDrift(desired, live) // ["b/slot1: 10.0.0.1:80 ready, running 127.0.0.1:1 maint"]
 */
export function serverDrift(desired: ServerStates, live: ServerStates): string[] {
  const show = (s: ServerState) => `${addressForPort(s.addr)}:${s.port} ${s.maint ? "maint" : "ready"}`;
  const drift: string[] = [];
  for (const [key, want] of desired) {
    const have = live.get(key);
    if (have === undefined) drift.push(`${key}: missing from the running HAProxy`);
    else if (have.addr !== want.addr || have.port !== want.port || have.maint !== want.maint) drift.push(`${key}: want ${show(want)}, running ${show(have)}`);
  }
  for (const key of live.keys()) if (!desired.has(key)) drift.push(`${key}: running but not in the config`);
  return drift;
}
