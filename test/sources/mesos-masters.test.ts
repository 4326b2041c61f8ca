import { describe, expect, it } from "vitest";
import { MesosMasters } from "../../lib/sources/mesos-masters.ts";
import { SourceError } from "../../lib/sources/http-json.ts";
import { operatorPayload } from "../support/upstream-fixtures.ts";
import { startFakeMaster, trackServers, deadUrl } from "../support/fake-cluster.ts";

const { track } = trackServers();

describe("MesosMasters /master/state", () => {
  it("reads the fake.json state from the leading master", async () => {
    const master = await track(startFakeMaster());
    const read = await new MesosMasters([master.url], { api: "state" }).read();
    expect(read.leader).toBe(`master@127.0.0.1:${master.port}`);
    expect((read.document as { frameworks: unknown[] }).frameworks).toHaveLength(4);
    expect(master.requests).toEqual(["GET /master/state"]);
  });

  it("fails over past a refused, a hanging and a malformed master, and asks the one that answered first next time", async () => {
    const hanging = await track(startFakeMaster());
    hanging.behaviour = "hang";
    const malformed = await track(startFakeMaster());
    malformed.behaviour = "malformed";
    const good = await track(startFakeMaster());
    const masters = new MesosMasters([await deadUrl(), hanging.url, malformed.url, good.url], { api: "state", timeoutMs: 300 });
    const read = await masters.read();
    expect(read.url).toBe(`${good.url}/master/state`);
    await masters.read();
    expect(good.requests).toHaveLength(2);
    expect(malformed.requests).toHaveLength(1);
  });

  it("follows the state's leader field to the leader on the same port (mesos-dns)", async () => {
    const leader = await track(startFakeMaster({ host: "127.0.0.2" }));
    const follower = await track(startFakeMaster({ port: leader.port, leader: `master@127.0.0.2:${leader.port}` }));
    leader.state = { ...leader.state, frameworks: [] };
    const read = await new MesosMasters([follower.url], { api: "state" }).read();
    expect(read.url).toBe(`http://127.0.0.2:${leader.port}/master/state`);
    expect(read.leader).toBe(`master@127.0.0.2:${leader.port}`);
    expect((read.document as { frameworks: unknown[] }).frameworks).toEqual([]);
    expect(follower.requests).toEqual(["GET /master/state"]);
  });

  it("treats a state without a leader as an error and names every master that failed", async () => {
    const leaderless = await track(startFakeMaster({ leader: "" }));
    const broken = await track(startFakeMaster());
    broken.behaviour = "error";
    const error = await new MesosMasters([leaderless.url, broken.url], { api: "state" }).read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    const message = (error as Error).message;
    expect(message).toContain(`${leaderless.url}/master/state: the state names no leader`);
    expect(message).toContain(`GET ${broken.url}/master/state: HTTP 503: Service Unavailable: not the leader`);
  });
});

describe("MesosMasters operator API", () => {
  it("moves past a master whose GET_STATE answer is not JSON", async () => {
    const broken = await track(startFakeMaster({ operatorState: operatorPayload("tcp-and-udp") }));
    broken.behaviour = "malformed";
    const good = await track(startFakeMaster({ operatorState: operatorPayload("tcp-and-udp") }));
    const read = await new MesosMasters([broken.url, good.url], { api: "operator" }).read();
    expect(read.url).toBe(`${good.url}/api/v1`);
    const error = (await new MesosMasters([broken.url], { api: "operator" }).read().catch((e: unknown) => e)) as Error;
    expect(error.message).toContain(`POST ${broken.url}/api/v1: the answer is not valid JSON`);
  });

  it("posts GET_STATE, follows a non-leader's 307 and reports the answering master as leader", async () => {
    const leader = await track(startFakeMaster({ operatorState: operatorPayload("tcp-and-udp") }));
    const follower = await track(startFakeMaster());
    follower.redirectTo = leader.url;
    const read = await new MesosMasters([follower.url], { api: "operator" }).read();
    expect(read.leader).toBe(`master@127.0.0.1:${leader.port}`);
    expect((read.document as { type: string }).type).toBe("GET_STATE");
    expect(leader.requests).toEqual(["POST /api/v1"]);
  });
});
