import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { canonicalJsonPretty } from "../../lib/net/canonical-json.ts";
import { runCli } from "../support/cli-io.ts";
import { UPSTREAM_DIR } from "../support/upstream-fixtures.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wayfinder-snapshot-"));
  for (const name of ["operator-api.json", "dns-hostname.json", "unhealthy.json"]) copyFileSync(join(UPSTREAM_DIR, "dcos-net", name), join(dir, name));
  copyFileSync(join(UPSTREAM_DIR, "marathon-lb", "zdd_apps.json"), join(dir, "apps.json"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const NOW = "2026-01-01T00:00:00Z";
const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
const read = (name: string) => readFileSync(join(dir, name), "utf8");
const snapshot = (cli: string[]) => runCli(["snapshot", "--now", NOW, ...cli], dir);

describe("wayfinder snapshot", () => {
  it("writes a valid, canonical snapshot from the operator API, Marathon and wayfinder.yaml", async () => {
    write("wayfinder.yaml", "dns:\n  dcosTtl: 7\n");
    const result = await snapshot([
      "--operator-state", "operator-api.json",
      "--marathon-apps", "apps.json",
      "--master", "172.17.0.2:5050",
      "--master", "172.17.0.9:5050",
      "--cluster-name", "lab",
      "-o", "snap.json",
    ]);
    expect(result).toEqual({ code: 0, stdout: "", stderr: "wayfinder snapshot: 2 agents, 2 frameworks, 12 tasks, 2 Marathon apps; written to snap.json\n" });
    const text = read("snap.json");
    const snap = ClusterSnapshot.parse(JSON.parse(text));
    expect(text).toBe(canonicalJsonPretty(JSON.parse(text)));
    expect(snap.cluster.name).toBe("lab");
    expect(snap.now).toBe(NOW);
    expect(snap.leader).toBe("master@172.17.0.2:5050");
    expect(snap.masters).toEqual(["172.17.0.2:5050", "172.17.0.9:5050"]);
    expect([snap.agents.length, snap.frameworks.length, snap.tasks.length, snap.marathonApps.length]).toEqual([2, 2, 12, 2]);
    expect(snap.config.dns.dcosTtl).toBe(7);
    expect(snap.previous).toEqual({});
    expect(readdirSync(dir).filter((f) => f.startsWith("."))).toEqual([]);
  });

  it("prints to stdout without -o, the same bytes every time", async () => {
    const first = await snapshot(["--operator-state", "unhealthy.json"]);
    const second = await snapshot(["--operator-state", "unhealthy.json"]);
    expect(first.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const snap = ClusterSnapshot.parse(JSON.parse(first.stdout));
    expect(snap.cluster.name).toBe("default");
    expect(snap.leader).toBe("");
    expect(snap.tasks[0]?.hasHealthCheck).toBe(true);
  });

  it("takes the masters and leader of a Marathon-only input from --master, and without it says so at info level only", async () => {
    const withMasters = await snapshot(["--marathon-apps", "apps.json", "--master", "10.0.0.1:5050", "--master", "10.0.0.2:5050", "-o", "m.json"]);
    expect(withMasters.code).toBe(0);
    const snap = ClusterSnapshot.parse(JSON.parse(read("m.json")));
    expect([snap.leader, snap.masters]).toEqual(["master@10.0.0.1:5050", ["10.0.0.1:5050", "10.0.0.2:5050"]]);
    const planned = await runCli(["plan", "m.json", "--json"], dir);
    expect(JSON.parse(planned.stdout).diagnostics.filter((d: { code: string }) => d.code.includes("leader"))).toEqual([]);

    for (const input of [["--marathon-apps", "apps.json"], ["--operator-state", "operator-api.json"]]) {
      expect((await snapshot([...input, "-o", "bare.json"])).code).toBe(0);
      const { code, stdout } = await runCli(["plan", "bare.json", "--json", "--fail-on", "error"], dir);
      expect(code).toBe(0);
      const leader = JSON.parse(stdout).diagnostics.filter((d: { code: string }) => d.code.includes("leader"));
      expect(leader).toEqual([expect.objectContaining({ level: "info", code: "dns.no-leader", message: expect.stringContaining("--master HOST:PORT") })]);
    }
  });

  it("resolves agent hostnames and --master hostnames in the shell", async () => {
    const { code, stdout } = await snapshot(["--operator-state", "dns-hostname.json", "--master", "localhost:5050"]);
    expect(code).toBe(0);
    const snap = ClusterSnapshot.parse(JSON.parse(stdout));
    expect(snap.agents[0]?.ips).toContain("127.0.0.1");
    expect(snap.masters).toEqual(["127.0.0.1:5050"]);
  });

  it("reads a Mesos /master/state document with --mesos-state", async () => {
    write(
      "state.json",
      JSON.stringify({
        leader: "master@10.0.0.1:5050",
        slaves: [{ id: "S0", hostname: "10.0.0.2", pid: "slave(1)@10.0.0.2:5051" }],
        frameworks: [{ id: "F0", name: "marathon", pid: "scheduler@10.0.0.1:8080", tasks: [{ id: "t1", name: "web", slave_id: "S0", state: "TASK_RUNNING" }] }],
      }),
    );
    const { code, stdout, stderr } = await snapshot(["--mesos-state", "state.json"]);
    expect(stderr).toBe("wayfinder snapshot: 1 agent, 1 framework, 1 task, 0 Marathon apps; written to stdout\n");
    expect(code).toBe(0);
    const snap = ClusterSnapshot.parse(JSON.parse(stdout));
    expect(snap.leader).toBe("master@10.0.0.1:5050");
    expect(snap.masters).toEqual(["10.0.0.1:5050"]);
    expect(snap.tasks.map((t) => t.id)).toEqual(["t1"]);
  });

  it("copies allocations from a previous DesiredState or allocations file", async () => {
    const ALLOCATIONS = {
      vtep: { subnet: "44.128.0.0/20" },
      overlays: { dcos: { subnet: "9.0.0.0/8", prefix: 24 } },
      nodes: [{ ip: "10.0.0.11", vtep: { ip: "44.128.0.1", mac: "70:b3:d5:80:00:01" }, overlays: { dcos: { subnet: "9.0.0.0/24" } } }],
    };
    write(
      "desired.json",
      JSON.stringify({
        apiVersion: "wayfinder/v1",
        hash: "x",
        dns: { zones: [] },
        l4lb: {
          services: [
            { vip: { ip: "11.171.172.79", port: 80, protocol: "tcp" }, name: "app.marathon", dnsName: "app.marathon.l4lb.thisdcos.directory", scheduler: "wlc", backends: [] },
            { vip: { ip: "11.171.172.79", port: 80, protocol: "udp" }, name: "app.marathon", dnsName: "app.marathon.l4lb.thisdcos.directory", scheduler: "wlc", backends: [] },
            { vip: { ip: "1.2.3.4", port: 80, protocol: "tcp" }, scheduler: "wlc", backends: [] },
          ],
        },
        haproxy: { groups: {} },
        overlay: { allocations: ALLOCATIONS, nodes: {} },
        diagnostics: [],
      }),
    );
    const fromDesired = await snapshot(["--empty", "--previous", "desired.json"]);
    expect(fromDesired.code).toBe(0);
    expect(JSON.parse(fromDesired.stdout).previous).toEqual({
      overlay: ALLOCATIONS,
      l4lb: {
        namedVips: [{ name: "app.marathon", ip: "11.171.172.79" }],
      },
    });
    write("alloc.json", JSON.stringify({ overlay: { nodes: [], release: ["10.0.0.12"] } }));
    const fromFile = await snapshot(["--empty", "--previous", "alloc.json"]);
    expect(JSON.parse(fromFile.stdout).previous).toEqual({ overlay: { nodes: [], release: ["10.0.0.12"] } });
  });

  it("writes an empty cluster only when --empty asks for one, and says what it wrote", async () => {
    const { code, stdout, stderr } = await snapshot(["--empty", "--cluster-name", "blank"]);
    expect(code).toBe(0);
    const snap = ClusterSnapshot.parse(JSON.parse(stdout));
    expect([snap.cluster.name, snap.agents.length, snap.tasks.length, snap.marathonApps.length]).toEqual(["blank", 0, 0, 0]);
    expect(stderr).toBe("wayfinder snapshot: 0 agents, 0 frameworks, 0 tasks, 0 Marathon apps; written to stdout\n");
  });

  it("adds --overlay-release IPs to the previous overlay allocations", async () => {
    write("alloc.json", JSON.stringify({ overlay: { nodes: [], release: ["10.0.0.12"] } }));
    const { code, stdout } = await snapshot(["--empty", "--previous", "alloc.json", "--overlay-release", "10.0.0.13", "--overlay-release", "10.0.0.12"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).previous).toEqual({ overlay: { nodes: [], release: ["10.0.0.12", "10.0.0.13"] } });
  });
});

describe("wayfinder snapshot failures: exit 2, the file and JSON path named, nothing written", () => {
  beforeEach(() => write("snap.json", "previous contents\n"));

  async function fails(cli: string[], ...messages: string[]) {
    const { code, stdout, stderr } = await snapshot([...cli, "-o", "snap.json"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    for (const message of messages) expect(stderr).toContain(message);
    expect(read("snap.json")).toBe("previous contents\n");
    expect(readdirSync(dir).filter((f) => f.startsWith("."))).toEqual([]);
  }

  it("a bad event in an operator-API stream", async () => {
    const events = read("operator-api.json").trim().split("\n").map((line) => JSON.parse(line));
    events[3].task_added.task.task_id = { valu: "x" };
    write("broken.json", events.map((e) => JSON.stringify(e)).join("\n"));
    await fails(["--operator-state", "broken.json"], "broken.json: events[3].task_added.task.task_id.value:");
  });

  it("an operator-API file that is not JSON", async () => {
    write("cut.json", read("operator-api.json").slice(0, 5000));
    await fails(["--operator-state", "cut.json"], "cut.json: events[", "not valid JSON");
  });

  it("a bad Marathon app", async () => {
    write("apps.json", JSON.stringify({ apps: [{ id: "/ok" }, { id: 7 }] }));
    await fails(["--marathon-apps", "apps.json"], "apps.json: apps[1].id:");
  });

  it("a bad config, named with its line", async () => {
    write("conf.yaml", "dns:\n  ttl: soon\n");
    await fails(["--marathon-apps", "apps.json", "--config", "conf.yaml"], "conf.yaml: dns.ttl:", "(line 2)");
  });

  it("an IPVS scheduler the kernel does not have", async () => {
    write("conf.yaml", "l4lb:\n  scheduler: bogus\n");
    await fails(["--marathon-apps", "apps.json", "--config", "conf.yaml"], 'conf.yaml: l4lb.scheduler: "bogus" is not an IPVS scheduler', "(line 2)");
  });

  it("a bad wayfinder.yaml found in the working directory", async () => {
    write("wayfinder.yaml", "haproxy:\n  groups: [a\n");
    await fails(["--marathon-apps", "apps.json"], "wayfinder.yaml: (document): YAML syntax error at line");
  });

  it("a missing file and a file that is not JSON", async () => {
    await fails(["--marathon-apps", "nope.json"], "cannot read nope.json: ENOENT");
    await fails(["--marathon-apps", "apps.json", "--config", "nope.yaml"], "cannot read nope.yaml: ENOENT");
    write("garbage.json", "{ nope");
    await fails(["--marathon-apps", "apps.json", "--previous", "garbage.json"], "garbage.json: not valid JSON");
  });

  it("a previous desired state of the wrong shape", async () => {
    write("old.json", JSON.stringify({ apiVersion: "wayfinder/v1", l4lb: { services: [{ vip: {} }] } }));
    await fails(["--empty", "--previous", "old.json"], "old.json: l4lb.services[0].vip.ip:");
  });

  it.each([
    [["--mesos-state", "a.json", "--operator-state", "b.json"], "either --mesos-state or --operator-state"],
    [["--operator-state", "https://op:secret@127.0.0.1:1/api/v1"], "--operator-state: 'https://op:secret@127.0.0.1:1/api/v1': credentials in URLs are not accepted"],
    [["--marathon-apps", "http://127.0.0.1:1/v2/apps?embed=apps.tasks"], "--marathon-apps: 'http://127.0.0.1:1/v2/apps?embed=apps.tasks': a base URL takes no query"],
    [["--previous", "http://127.0.0.1:1/desired.json"], "--previous: give a file"],
    [["--now", "yesterday"], "--now: 'yesterday' is not an ISO 8601 time"],
    [["--master", "10.0.0.1"], "--master: '10.0.0.1' is not host:port"],
    [["state.json"], "unexpected argument 'state.json'"],
    [["--mesos"], "unknown flag '--mesos' (did you mean --mesos-state?)"],
    [[], "no cluster to read: give --mesos-state, --operator-state or --marathon-apps (files or URLs), or --empty"],
    [["--config", "wayfinder.yaml", "--previous", "old.json"], "no cluster to read"],
    [["--empty", "--marathon-apps", "apps.json"], "--empty reads no input"],
    [["--marathon-apps"], "--marathon-apps needs a value (F|URLS)"],
    [["--marathon-apps", "--empty"], "--marathon-apps needs a value (F|URLS), not the flag '--empty'"],
    [["--empty", "--empty=yes"], "--empty is a switch and takes no value (got 'yes')"],
    [["--overlay-release", "a2.cluster"], "--overlay-release: 'a2.cluster' is not an IPv4 address"],
  ])("usage error for %j", async (cli, message) => {
    await fails(cli, message);
  });

  it("an output directory that does not exist", async () => {
    const { code, stderr } = await snapshot(["--marathon-apps", "apps.json", "-o", join("missing", "snap.json")]);
    expect(code).toBe(2);
    expect(stderr).toContain("cannot write missing/snap.json: ENOENT");
    expect(existsSync(join(dir, "missing"))).toBe(false);
  });
});
