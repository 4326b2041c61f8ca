import { describe, expect, it } from "vitest";
import { applyRoutes, loopbackIsUp, observeVipRoutes, planRoutes } from "../../../lib/executor/l4lb/vip-routes.ts";
import type { CommandRunner } from "../../../lib/executor/run-command.ts";

/** A runner that answers each command line from `answers` (a thrown Error for a failure). */
function runner(answers: Record<string, string | Error>): CommandRunner & { inputs: string[] } {
  const inputs: string[] = [];
  return Object.assign(
    async (argv: readonly string[], input?: string) => {
      if (input !== undefined) inputs.push(input);
      const answer = answers[argv.join(" ")];
      if (answer === undefined) throw new Error(`unexpected ${argv.join(" ")}`);
      if (answer instanceof Error) throw answer;
      return answer;
    },
    { inputs },
  );
}

const V4 = "ip -j -4 route show table local proto 247";
const V6 = "ip -j -6 route show table local proto 247";
const LO = "ip -j link show dev lo";

describe("VIP routes", () => {
  it("reads a missing IPv4 local table (lo never up) as no routes", async () => {
    const run = runner({
      [V4]: new Error(`${V4} exited 2: Error: ipv4: FIB table does not exist.\nDump terminated`),
      [V6]: '[{"type":"local","dst":"fd01:c::1","dev":"lo"}]',
      [LO]: '[{"ifname":"lo","flags":["LOOPBACK"]}]',
    });
    expect(await observeVipRoutes(run)).toEqual({ routes: new Set(["fd01:c::1"]), loopbackUp: false });
  });

  it("plans lo up only when VIP routes are wanted", () => {
    expect(planRoutes(new Set(["11.0.0.1"]), { routes: new Set(), loopbackUp: false })).toEqual({ add: ["11.0.0.1"], remove: [], upLoopback: true });
    expect(planRoutes(new Set(), { routes: new Set(["11.0.0.2"]), loopbackUp: false })).toEqual({ add: [], remove: ["11.0.0.2"] });
    expect(planRoutes(new Set(["11.0.0.1"]), { routes: new Set(["11.0.0.1"]), loopbackUp: true })).toEqual({ add: [], remove: [] });
  });

  it("sets lo up in the same batch, before the routes", async () => {
    const run = runner({ "ip -batch -": "" });
    await applyRoutes(run, "add", ["fd01:c::1"], true);
    expect(run.inputs).toEqual(["link set dev lo up\nroute replace local fd01:c::1/128 dev lo table local proto 247\n"]);
  });

  it.each<[string, Record<string, string | Error>, string]>([
    ["a route listing that is not JSON", { [V4]: "Error: something", [V6]: "[]", [LO]: "[]" }, 'ip -j -4 route show: not JSON ("Error: something")'],
    ["a route listing that is not an array", { [V4]: '{"dst":"11.0.0.1"}', [V6]: "[]", [LO]: "[]" }, "ip -j -4 route show: not a JSON array"],
    ["any other route listing failure", { [V4]: new Error("ip: command not found"), [V6]: "[]", [LO]: "[]" }, "ip: command not found"],
    ["a link answer without flags", { [V4]: "[]", [V6]: "[]", [LO]: "[]" }, "ip -j link show dev lo: no flags for lo in its answer"],
    ["a link answer that is not JSON", { [V4]: "[]", [V6]: "[]", [LO]: "lo: UP" }, 'ip -j link show dev lo: not JSON ("lo: UP")'],
  ])("fails on %s, saying which command answered what", async (_, answers, message) => {
    await expect(observeVipRoutes(runner(answers))).rejects.toThrow(message);
  });

  it("reads lo's UP flag", async () => {
    expect(await loopbackIsUp(runner({ [LO]: '[{"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"]}]' }))).toBe(true);
  });
});
