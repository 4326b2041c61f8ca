import { describe, expect, it } from "vitest";
import { applyDesired } from "../../../lib/executor/apply-desired.ts";
import { createIpvsApplier } from "../../../lib/executor/l4lb/ipvs-applier.ts";
import { resolveL4Backend } from "../../../lib/executor/l4lb/l4-backend.ts";
import type { DesiredState, L4Service } from "../../../lib/desired/schema.ts";
import { service } from "../../render/l4lb-fixtures.ts";
import { fakeKernel } from "./fake-kernel.ts";
import { desiredWith } from "../../support/desired.ts";

function desired(services: L4Service[]): DesiredState {
  return desiredWith({ l4lb: { services } });
}

describe("IPVS applier", () => {
  it("fails with a clear error and runs nothing when the kernel has no IPVS", async () => {
    const kernel = fakeKernel();
    const report = await applyDesired(desired([service("11.0.0.1", 80, [["9.0.1.2", 80, 1]])]), [createIpvsApplier({ run: kernel.run, available: () => false })]);
    expect(report.appliers[0]).toMatchObject({ status: "failed", stage: "observe", error: expect.stringMatching(/IPVS is not available.*--l4-backend nftables; nothing was changed/) });
    expect(kernel.calls).toEqual([]);
  });

  it("edits weights in place and leaves services on other addresses alone", async () => {
    const kernel = fakeKernel();
    kernel.routes.add("11.0.0.1");
    kernel.ipvsSave = [
      "-A -t 11.0.0.1:80 -s wlc",
      "-a -t 11.0.0.1:80 -r 9.0.1.2:80 -m -w 1",
      "-A -t 10.96.0.1:443 -s rr",
      "-a -t 10.96.0.1:443 -r 10.0.0.1:6443 -m -w 1",
      "",
    ].join("\n");
    const applier = createIpvsApplier({ run: kernel.run, available: () => true });
    const report = await applyDesired(desired([service("11.0.0.1", 80, [["9.0.1.2", 80, 0]])]), [applier]);
    expect(report.appliers[0]).toMatchObject({ name: "l4lb", status: "applied", plan: { changes: ["-t 11.0.0.1:80"] } });
    expect(kernel.calls.find((c) => c.argv[0] === "ipvsadm-restore")?.input).toBe("-e -t 11.0.0.1:80 -r 9.0.1.2:80 -m -w 0\n");
    expect(kernel.ipvsSave).toContain("-A -t 10.96.0.1:443 -s rr");
    expect(await applyDesired(desired([service("11.0.0.1", 80, [["9.0.1.2", 80, 0]])]), [applier])).toMatchObject({ appliers: [{ status: "unchanged" }] });
  });
});

describe("IPVS input checks", () => {
  it("refuses a scheduler that would add an ipvsadm command", async () => {
    const kernel = fakeKernel();
    const bad = { ...service("11.0.0.1", 80, [["9.0.1.2", 80, 1]]), scheduler: "wlc\n-C" as L4Service["scheduler"] };
    const report = await applyDesired(desired([bad]), [createIpvsApplier({ run: kernel.run, available: () => true })]);
    expect(report.appliers[0]).toMatchObject({ status: "failed", stage: "plan", error: expect.stringContaining("scheduler") });
    expect(kernel.calls.some((c) => c.argv[0] === "ipvsadm-restore")).toBe(false);
  });
});

describe("--l4-backend", () => {
  it("auto takes IPVS where the kernel has it, else nftables; explicit choices stand", () => {
    expect(resolveL4Backend("auto", () => true)).toBe("ipvs");
    expect(resolveL4Backend("auto", () => false)).toBe("nftables");
    expect(resolveL4Backend("ipvs", () => false)).toBe("ipvs");
    expect(resolveL4Backend("nftables", () => true)).toBe("nftables");
  });

  it("sets lo up with the first routes in a namespace whose lo is down, and says so in the plan", async () => {
    const kernel = fakeKernel();
    kernel.loopbackUp = false;
    const applier = createIpvsApplier({ run: kernel.run, available: () => true });
    const report = await applyDesired(desired([service("fd01:c::1", 80, [["fd01:b::2", 80, 1]])]), [applier]);
    expect(report.appliers[0]).toMatchObject({ status: "applied", plan: { changes: ["link lo up"], adds: ["-t [fd01:c::1]:80", "route fd01:c::1"] } });
    expect(kernel.loopbackUp).toBe(true);
    expect(await applyDesired(desired([service("fd01:c::1", 80, [["fd01:b::2", 80, 1]])]), [applier])).toMatchObject({ appliers: [{ status: "unchanged" }] });
  });
});
