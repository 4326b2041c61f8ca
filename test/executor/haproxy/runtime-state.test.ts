import { describe, expect, it } from "vitest";
import { configServers, parseServersState, runtimeCommands, serverDrift } from "../../../lib/executor/haproxy/runtime-state.ts";
import { parseShowProc } from "../../../lib/executor/haproxy/master-cli.ts";
import { describeRejection } from "../../../lib/executor/haproxy/config-errors.ts";

const CONFIG = `global
  maxconn 100
frontend f
  bind *:80
  use_backend web_80
backend web_80
  balance roundrobin
  server slot1 10.0.0.1:31000 id 1 check inter 2s fall 3
  server slot2 [fd00::2]:31001 id 2 check inter 2s fall 3
  server slot3 127.0.0.1:1 id 3 check inter 2s fall 3 disabled

backend grouped
  server loopback-for-tls abns@grouped send-proxy-v2
`;

// As HAProxy 2.6 prints it (columns trimmed to the ones that matter plus a few others).
const STATE = `1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
3 web_80 1 slot1 10.0.0.1 2 0 1 1 1233 8 2 0 6 0 0 1 - 31000 - 0 0 - - 0
3 web_80 2 slot2 fd00::2 2 4 1 1 1233 8 2 0 6 0 0 1 - 31001 - 0 0 - - 0
3 web_80 3 slot3 127.0.0.1 0 5 1 1 1233 1 0 0 8 0 0 1 - 1 - 0 0 - - 0
`;

describe("configServers", () => {
  it("reads every server of every backend, IPv6 unbracketed", () => {
    expect([...configServers(CONFIG).servers]).toEqual([
      ["web_80/slot1", { addr: "10.0.0.1", port: 31000, maint: false }],
      ["web_80/slot2", { addr: "fd00::2", port: 31001, maint: false }],
      ["web_80/slot3", { addr: "127.0.0.1", port: 1, maint: true }],
    ]);
  });

  it("gives configs that differ only in addresses and disabled the same skeleton", () => {
    const moved = CONFIG.replace("10.0.0.1:31000 id 1 check inter 2s fall 3", "10.0.0.9:31009 id 1 check inter 2s fall 3 disabled");
    expect(configServers(moved).skeleton).toBe(configServers(CONFIG).skeleton);
    for (const structural of [CONFIG.replace("fall 3\n  server slot2", "fall 4\n  server slot2"), CONFIG.replace("balance roundrobin", "balance leastconn"), CONFIG.replace("  server slot3 127.0.0.1:1 id 3 check inter 2s fall 3 disabled\n", "")]) {
      expect(configServers(structural).skeleton).not.toBe(configServers(CONFIG).skeleton);
    }
  });
});

describe("parseServersState", () => {
  it("takes forced maintenance from bit 0x01 only (0x04 stays after 'state ready')", () => {
    expect(parseServersState(STATE)).toEqual(configServers(CONFIG).servers);
  });

  it("refuses an answer that is not a server state dump", () => {
    expect(() => parseServersState("Unknown command.\n")).toThrow("not a 'show servers state' answer");
  });
});

describe("runtimeCommands", () => {
  const live = parseServersState(STATE);
  const want = (changes: Record<string, { addr: string; port: number; maint: boolean }>) => new Map([...live, ...Object.entries(changes)]);

  it("is empty when the worker already matches", () => {
    expect(runtimeCommands(configServers(CONFIG).servers, live)).toEqual([]);
  });

  it("fills a free slot: address, then ready", () => {
    expect(runtimeCommands(want({ "web_80/slot3": { addr: "10.0.0.3", port: 31002, maint: false } }), live)).toEqual([
      "set server web_80/slot3 addr 10.0.0.3 port 31002",
      "set server web_80/slot3 state ready",
    ]);
  });

  it("moves a busy slot to another task through maintenance", () => {
    expect(runtimeCommands(want({ "web_80/slot1": { addr: "10.0.0.7", port: 31007, maint: false } }), live)).toEqual([
      "set server web_80/slot1 state maint",
      "set server web_80/slot1 addr 10.0.0.7 port 31007",
      "set server web_80/slot1 state ready",
    ]);
  });

  it("frees a slot: maintenance first, then the spare address", () => {
    expect(runtimeCommands(want({ "web_80/slot2": { addr: "127.0.0.1", port: 1, maint: true } }), live)).toEqual([
      "set server web_80/slot2 state maint",
      "set server web_80/slot2 addr 127.0.0.1 port 1",
    ]);
  });

  it("is undefined when the servers themselves differ (only a reload helps)", () => {
    const fewer = new Map([...live].slice(0, 2));
    expect(runtimeCommands(fewer, live)).toBeUndefined();
    expect(runtimeCommands(new Map([["web_80/slot9", { addr: "10.0.0.1", port: 1, maint: false }], ...[...live].slice(1)]), live)).toBeUndefined();
  });

  it("drift names what differs", () => {
    expect(serverDrift(want({ "web_80/slot1": { addr: "10.0.0.7", port: 31007, maint: false } }), live)).toEqual(["web_80/slot1: want 10.0.0.7:31007 ready, running 10.0.0.1:31000 ready"]);
  });
});

describe("master CLI answers", () => {
  it("parses show proc", () => {
    const text = `#<PID>          <type>          <reloads>       <uptime>        <version>
30081           master          3 [failed: 1]   0d00h00m11s     2.6.12-1+deb12u4
# workers
30715           worker          0               0d00h00m00s     2.6.12-1+deb12u4
30600           worker          2               0d00h00m09s     2.6.12-1+deb12u4
# programs
`;
    expect(parseShowProc(text)).toEqual({ master: { pid: 30081, reloads: 3, failedReloads: 1 }, workers: [{ pid: 30715, reloads: 0 }, { pid: 30600, reloads: 2 }] });
    expect(() => parseShowProc("Permission denied\n")).toThrow("not a 'show proc' answer");
  });

  it("names the section of each line haproxy -c rejects", () => {
    const output = `[NOTICE]   (1) : haproxy version is 2.6.12
[ALERT]    (1) : config : parsing [/x/external.cfg:7] : unknown keyword 'bogus' in 'backend' section
[ALERT]    (1) : config : Proxy 'web_80': verify is enabled but no CA file specified for bind '*:10002' at [/x/external.cfg:4].
[ALERT]    (1) : config : Error(s) found in configuration file : /x/external.cfg
[ALERT]    (1) : config : Fatal errors found in configuration.`;
    expect(describeRejection(output, CONFIG)).toEqual([
      "line 7 in backend web_80: unknown keyword 'bogus' in 'backend' section",
      "line 4 in frontend f: Proxy 'web_80': verify is enabled but no CA file specified for bind '*:10002'",
    ]);
  });
});
