import { describe, expect, it } from "vitest";
import { parseAgentOptions } from "../../lib/cli/commands/agent-options.ts";
import { CliUsageError } from "../../lib/cli/io.ts";

const CWD = "/srv/wayfinder";

describe("parseAgentOptions", () => {
  it("fills in every default, as the help shows them", () => {
    expect(parseAgentOptions(["--node", "S1", "--source", "http://cp:8080/v1/clusters/prod"], CWD)).toEqual({
      node: "S1",
      feed: { source: "http://cp:8080/v1/clusters/prod", timeout: 10, eventTimeout: 60 },
      mode: "daemon",
      stateDir: "/var/lib/wayfinder",
      l4Backend: "auto",
      resyncIntervalMs: 60_000,
      logLevel: "info",
    });
  });

  it("reads every flag into the value: paths resolved, appliers in registry order, seconds as numbers", () => {
    const options = parseAgentOptions(
      [
        "--node", "S2", "--mesos", "http://m1:5050,http://m2:5050", "--marathon", "http://m1:8080", "--master", "10.0.0.1:5050", "--master", "10.0.0.2:5050",
        "--cluster-name", "prod", "--config", "wf.yaml", "--apply", "dns, files,l4lb", "--once", "--state-dir", "state", "--metrics", "127.0.0.1:9108",
        "--l4-backend", "nftables", "--netns", "wf1", "--haproxy-groups", "internal, *", "--cni-dir", "/etc/cni/net.d", "--poll-interval", "5", "--resync-interval", "0",
        "--event-timeout", "30", "--timeout", "2.5", "--log-level", "debug",
      ],
      CWD,
    );
    expect(options).toEqual({
      node: "S2",
      feed: {
        mesos: "http://m1:5050,http://m2:5050",
        marathon: "http://m1:8080",
        masters: ["10.0.0.1:5050", "10.0.0.2:5050"],
        clusterName: "prod",
        pollInterval: 5,
        timeout: 2.5,
        eventTimeout: 30,
      },
      configPath: "wf.yaml",
      appliers: ["l4lb", "files", "dns"],
      mode: "once",
      stateDir: "/srv/wayfinder/state",
      metrics: { host: "127.0.0.1", port: 9108 },
      l4Backend: "nftables",
      netns: "wf1",
      haproxyGroups: ["internal", "*"],
      cniDir: "/etc/cni/net.d",
      resyncIntervalMs: 0,
      logLevel: "debug",
    });
  });

  it("takes --dry-run as its own mode", () => {
    expect(parseAgentOptions(["--node", "S1", "--source", "s.json", "--dry-run"], CWD).mode).toBe("dry-run");
  });

  it.each([
    [[], "--node ID is required"],
    [["--node", ""], "--node ID is required"],
    [["--node", "S1", "extra"], "unexpected argument 'extra'"],
    [["--node", "S1", "--once", "--dry-run"], "give --dry-run or --once, not both"],
    [["--node", "S1", "--apply", "dns,bogus,nope"], "--apply: unknown applier 'bogus', 'nope' (known: overlay, cni, policy, l4lb, files, haproxy, dns)"],
    [["--node", "S1", "--apply", " , "], "--apply: name at least one applier"],
    [["--node", "S1", "--haproxy-groups", " ,"], "--haproxy-groups: name at least one LB group"],
    [["--node", "S1", "--haproxy-groups", "external,_all"], "--haproxy-groups: '_all' is not an LB group name"],
    [["--node", "S1", "--haproxy-groups", "external,internal,external"], "--haproxy-groups: 'external' is named twice"],
    [["--node", "S1", "--resync-interval", "-5"], "--resync-interval: '-5' is not a number of seconds"],
    [["--node", "S1", "--poll-interval", ""], "--poll-interval: '' is not a number of seconds"],
    [["--node", "S1", "--timeout", "Infinity"], "--timeout: 'Infinity' is not a number of seconds"],
    [["--node", "S1", "--log-level", "trace"], "--log-level must be one of debug, info, warn, error, not 'trace'"],
    [["--node", "S1", "--metrics", "9108"], "listen address must be HOST:PORT"],
  ])("refuses %j as a usage error", (args, message) => {
    let thrown: unknown;
    try {
      parseAgentOptions(args, CWD);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CliUsageError);
    expect((thrown as Error).message).toMatch(/^wayfinder agent: /);
    expect((thrown as Error).message).toContain(message);
  });
});
