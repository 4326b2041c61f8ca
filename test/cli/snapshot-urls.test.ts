import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli-io.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { operatorPayload } from "../support/upstream-fixtures.ts";
import { startFakeMarathon, startFakeMaster, trackServers, deadUrl } from "../support/fake-cluster.ts";

const { track } = trackServers();

const NOW = ["--now", "2026-01-01T00:00:00Z"];

describe("wayfinder snapshot from live URLs", () => {
  it("reads /master/state from the first master that answers and Marathon's apps", async () => {
    const master = await track(startFakeMaster());
    const marathon = await track(startFakeMarathon());
    const dead = await deadUrl();
    const { code, stdout, stderr } = await runCli(["snapshot", "--mesos-state", `${dead},${master.url}/master/state`, "--marathon-apps", `${dead},${marathon.url}`, ...NOW]);
    expect(stderr).toBe("wayfinder snapshot: 4 agents, 4 frameworks, 10 tasks, 1 Marathon app; written to stdout\n");
    expect(code).toBe(0);
    const snapshot = ClusterSnapshot.parse(JSON.parse(stdout));
    expect(snapshot.leader).toBe(`master@127.0.0.1:${master.port}`);
    expect(snapshot.tasks.some((t) => t.name === "toy-store")).toBe(true);
    expect(snapshot.marathonApps.map((a) => a.id)).toEqual(["/pywebserver"]);
  });

  it("reads the operator API's GET_STATE with --master as the masters list", async () => {
    const master = await track(startFakeMaster({ operatorState: operatorPayload("tcp-and-udp") }));
    const { code, stdout } = await runCli(["snapshot", "--operator-state", master.url, "--master", `127.0.0.1:${master.port}`, ...NOW]);
    expect(code).toBe(0);
    const snapshot = ClusterSnapshot.parse(JSON.parse(stdout));
    expect(snapshot.masters).toEqual([`127.0.0.1:${master.port}`]);
    expect(snapshot.tasks.length).toBeGreaterThan(0);
  });

  it("exits 1 naming every master when none answers, and writes nothing", async () => {
    const hanging = await track(startFakeMaster());
    hanging.behaviour = "hang";
    const dead = await deadUrl();
    const { code, stdout, stderr } = await runCli(["snapshot", "--mesos-state", `${dead},${hanging.url}`, "--timeout", "0.3", ...NOW]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(`${dead}/master/state: ECONNREFUSED`);
    expect(stderr).toContain(`${hanging.url}/master/state: no complete answer within 300 ms`);
  });

  it("rejects URLs with credentials, a URL for --config, and a bad --timeout as usage errors", async () => {
    expect((await runCli(["snapshot", "--mesos-state", "http://user:pw@127.0.0.1:1"])).stderr).toContain("credentials in URLs are not accepted");
    expect((await runCli(["snapshot", "--config", "http://127.0.0.1:1/wayfinder.yaml"])).code).toBe(2);
    expect((await runCli(["snapshot", "--mesos-state", "http://127.0.0.1:1", "--timeout", "-1"])).stderr).toContain("--timeout");
  });
});
