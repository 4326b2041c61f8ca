/**
 * The long-lived nft the nftables appliers send small batches to, against the real nft and
 * kernel in a namespace: what the protocol relies on (one line is one transaction; a refused
 * batch leaves nothing; a check commits nothing; one process serves every batch).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { NftSession } from "../../lib/executor/nft-session.ts";
import { describeWithTools } from "../support/tools.ts";
import { inNs, NetnsLab, sh } from "./support/netns.ts";

describeWithTools(["ip", "nft", "nsenter"], { root: true })("nft session (real nft)", () => {
  const lab = new NetnsLab();
  let ns: string;
  let session: NftSession;
  let check: NftSession;
  const elements = () => inNs(ns, ["nft", "list", "set", "inet", "wf_session", "s"]);
  const nftPids = () => sh(["ip", "netns", "pids", ns]).trim().split("\n").filter(Boolean);

  beforeAll(() => {
    ns = lab.add("s");
    session = new NftSession({ netns: ns });
    check = new NftSession({ netns: ns, check: true });
  });
  afterAll(async () => {
    await Promise.all([session.close(), check.close()]);
    lab.teardown();
  });

  it("applies each batch as one transaction, in one process", async () => {
    await session.run("add table inet wf_session\nadd set inet wf_session s { type ipv4_addr; }\n");
    const pids = nftPids();
    await session.run("add element inet wf_session s { 10.0.0.1 }\n");
    await session.run("add element inet wf_session s { 10.0.0.2 }\ndelete element inet wf_session s { 10.0.0.1 }\n");
    expect(elements()).toMatch(/elements = \{ 10\.0\.0\.2 \}/);
    expect(pids).toHaveLength(1);
    expect(nftPids()).toEqual(pids);
  });

  it("leaves nothing of a batch whose last command the kernel refuses, and says which", async () => {
    const refused = session.run("add element inet wf_session s { 10.0.0.3 }\ndelete element inet wf_session s { 10.9.9.9 }\n");
    await expect(refused).rejects.toThrow(/^nft: batch:2:\d+-\d+: Error: Could not process rule: No such file or directory\ndelete element inet wf_session s \{ 10\.9\.9\.9 \}/);
    expect(elements()).not.toContain("10.0.0.3");
    await session.run("add element inet wf_session s { 10.0.0.4 }\n");
    expect(elements()).toContain("10.0.0.4");
  });

  it("only validates in check mode: the kernel's verdict, nothing committed", async () => {
    await check.run("add element inet wf_session s { 10.0.0.5 }\n");
    expect(elements()).not.toContain("10.0.0.5");
    await expect(check.run("delete table inet wf_nothing_here\n")).rejects.toThrow("No such file or directory");
  });

  it("leaves no process behind once closed", async () => {
    await session.close();
    await check.close();
    expect(nftPids()).toEqual([]);
  });
});
