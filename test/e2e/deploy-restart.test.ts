/**
 * What happens when wayfinder's daemons die on a node, without systemd as PID 1: the units in
 * `deploy/` make systemd start them again, forever, and leave the agent's HAProxies running;
 * the DNS server, killed with SIGKILL and started again with the unit's own command line,
 * answers the last zones the agent handed over from its first query (not empty, not an error),
 * also when the store's journal was cut short mid-write.
 */
import { execFileSync } from "node:child_process";
import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcile } from "../../functions/reconcile.ts";
import type { DesiredState } from "../../lib/desired/schema.ts";
import { applyDesired } from "../../lib/executor/apply-desired.ts";
import { DNS_ZONES_STORE } from "../../lib/desired/dns-zones-file.ts";
import { createDnsApplier } from "../../lib/executor/dns/applier.ts";
import { storeFiles } from "../../lib/journal/store-format.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { describeWithTools } from "../support/tools.ts";
import { dig } from "./dns-process.ts";
import { freePort, startProcess, stopProcess, type ServerProcess } from "./server-process.ts";
import { execStartArgv, unitSettings } from "./support/systemd-unit.ts";
import { waitFor } from "./support/wait.ts";
import { SNAPSHOT_INPUT } from "../http/helpers.ts";

const AGENT_UNIT = "deploy/wayfinder-agent.service";
const DNS_UNIT = "deploy/wayfinder-dns.service";

describe("the systemd units restart what dies", () => {
  it.each([AGENT_UNIT, DNS_UNIT])("%s restarts on any exit, a crash or a kill, and never gives up", (unit) => {
    const service = unitSettings(unit, "Service");
    expect(service.get("Restart")).toEqual(["always"]);
    expect(service.get("RestartSec")).toHaveLength(1);
    // systemd's default start limit stops restarting after 5 starts in 10 s.
    expect(unitSettings(unit, "Unit").get("StartLimitIntervalSec")).toEqual(["0"]);
  });

  it("stops or restarts only the agent, never the HAProxies it started (they serve on)", () => {
    expect(unitSettings(AGENT_UNIT, "Service").get("KillMode")).toEqual(["process"]);
  });

  it("points the DNS server at the zones store the agent's DNS applier writes", () => {
    const stateDir = join("/var/lib", unitSettings(AGENT_UNIT, "Service").get("StateDirectory")![0]!);
    const argv = execStartArgv(DNS_UNIT, {});
    expect(argv.slice(0, 4)).toEqual(["/usr/local/bin/wayfinder", "dns", "--zones", join(stateDir, "dns")]);
  });
});

describeWithTools(["systemd-analyze"])(DNS_UNIT, () => {
  it("passes systemd-analyze verify without a warning", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-unit-"));
    const unit = execFileSync("cat", [DNS_UNIT], { encoding: "utf8" }).replace("/usr/local/bin/wayfinder", resolve("bin/wayfinder.js"));
    await writeFile(join(dir, "wayfinder-dns.service"), unit);
    expect(execFileSync("systemd-analyze", ["verify", join(dir, "wayfinder-dns.service")], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })).toBe("");
  });
});

describeWithTools(["dig"])("wayfinder dns killed with SIGKILL and started again as its unit would", () => {
  let dir = "";
  let argv: string[] = [];
  let server: ServerProcess | undefined;
  let port = 0;
  const first = reconcile(ClusterSnapshot.parse(SNAPSHOT_INPUT));
  /** The zones of the agent's next sync: one record more. */
  const second: DesiredState = {
    ...first,
    hash: "0".repeat(64),
    dns: { ...first.dns, zones: first.dns.zones.map((z) => (z.origin === "mesos" ? { ...z, records: [...z.records, { name: "added.marathon.mesos", type: "A", ttl: 60, data: "10.9.9.9" }] } : z)) },
  };
  const install = async (desired: DesiredState) => expect((await applyDesired(desired, [createDnsApplier({ dir: join(dir, "state/dns") })])).ok).toBe(true);
  const start = async () => {
    const running = startProcess(process.execPath, argv);
    await waitFor("wayfinder dns to listen", () => (running.output().includes("listening on") ? true : undefined), 30_000, () => running.output());
    return running;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wf-dns-restart-"));
    port = await freePort();
    // The unit's command line, with the state directory and the port of this test.
    argv = execStartArgv(DNS_UNIT, { WAYFINDER_DNS_LISTEN: `127.0.0.1:${port}` }).map((w) => w.replace("/var/lib/wayfinder", join(dir, "state")));
    argv[0] = "bin/wayfinder.js";
    await install(first);
  });

  afterAll(async () => {
    await stopProcess(server);
    await rm(dir, { recursive: true, force: true });
  });

  it("serves the last zones the agent installed from its first query", async () => {
    server = await start();
    expect((await dig(port, ["added.marathon.mesos", "A"])).status).toBe("NXDOMAIN");
    await install(second);
    await waitFor("the new zones", async () => ((await dig(port, ["added.marathon.mesos", "A"])).answers.length > 0 ? true : undefined), 10_000, () => server!.output());

    process.kill(-server.child.pid!, "SIGKILL");
    expect(await server.exited).toBe("SIGKILL");
    server = await start();
    const answer = await dig(port, ["added.marathon.mesos", "A"]);
    expect(answer.status).toBe("NOERROR");
    expect(answer.answers.map((a) => a.data)).toEqual(["10.9.9.9"]);
    expect((await dig(port, ["leader.mesos", "A"])).answers.map((a) => a.data)).toEqual(["10.0.0.1"]);
  });

  it("starts on the last complete zones when the store ends in a write cut short, and says which file", async () => {
    await stopProcess(server);
    const epochs = execFileSync("ls", [join(dir, "state/dns")], { encoding: "utf8" }).match(/zones\.(\d+)\.journal/g)!;
    const epoch = Math.max(...epochs.map((name) => Number(name.split(".")[1])));
    const journal = storeFiles(join(dir, "state/dns"), DNS_ZONES_STORE, epoch).journal;
    await appendFile(journal, '{"type":"upsert","key":"dns/zone/mesos","hash":"00","value":{"origin":"mes');
    server = await start();
    expect(server.output()).toContain(`${journal}: ends with 74 bytes after its last commit (a batch cut short, 0 complete lines); left out`);
    expect((await dig(port, ["added.marathon.mesos", "A"])).answers.map((a) => a.data)).toEqual(["10.9.9.9"]);
  });
});
