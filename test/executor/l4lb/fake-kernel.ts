/**
 * @module
 * A recording stand-in for `nft`, `ip` and `ipvsadm` behind the CommandRunner seam, for unit
 * tests of the appliers' bookkeeping (what they send, when they fall back to a full sync). The
 * real kernel is driven in test/e2e/l4lb-*.test.ts.
 */
import type { CommandRunner } from "../../../lib/executor/run-command.ts";

export interface FakeKernel {
  run: CommandRunner;
  calls: Array<{ argv: string[]; input?: string }>;
  routes: Set<string>;
  /** Whether `lo` is up (a fresh namespace has it down). */
  loopbackUp: boolean;
  /** Both VIP tables exist. */
  tables: boolean;
  /** Their rules were flushed (`nft flush table`): the canary no longer holds its target. */
  flushed: boolean;
  /** What `nft -j list table <family> wayfinder_l4lb` prints while the tables exist; unset: the listing fails. */
  listing?: Partial<Record<"ip" | "ip6", string>>;
  ipvsSave: string;
  /** Makes the next `nft -f` fail. */
  failNextNft: boolean;
  nftBatches(): string[];
}

export function fakeKernel(): FakeKernel {
  const kernel: FakeKernel = {
    calls: [],
    routes: new Set(),
    loopbackUp: true,
    tables: false,
    flushed: false,
    ipvsSave: "",
    failNextNft: false,
    nftBatches: () => kernel.calls.filter((c) => c.argv.join(" ") === "nft -f -").map((c) => c.input ?? ""),
    run: async (argv, input) => {
      kernel.calls.push({ argv: [...argv], input });
      const cmd = argv.join(" ");
      if (cmd.startsWith("ip -j -4 route show") || cmd.startsWith("ip -j -6 route show")) {
        const v6 = argv[2] === "-6";
        // The IPv4 local table only exists once something is in it, and `lo` puts 127.0.0.1 there.
        if (!v6 && !kernel.loopbackUp && ![...kernel.routes].some((r) => !r.includes(":"))) {
          throw new Error(`${cmd} exited 2: Error: ipv4: FIB table does not exist.\nDump terminated`);
        }
        return JSON.stringify([...kernel.routes].filter((r) => r.includes(":") === v6).map((dst) => ({ type: "local", dst, dev: "lo" })));
      }
      if (cmd === "ip -j link show dev lo") return JSON.stringify([{ ifname: "lo", flags: kernel.loopbackUp ? ["LOOPBACK", "UP", "LOWER_UP"] : ["LOOPBACK"] }]);
      if (cmd === "ip -batch -") {
        for (const line of (input ?? "").trim().split("\n")) {
          if (line === "link set dev lo up") {
            kernel.loopbackUp = true;
            continue;
          }
          if (!kernel.loopbackUp && line.includes(":")) throw new Error("ip -batch - exited 1: Error: Nexthop device is not up.");
          const [, verb, , prefix] = line.split(" ");
          const ip = prefix!.replace(/\/\d+$/, "");
          if (verb === "replace") kernel.routes.add(ip);
          else kernel.routes.delete(ip);
        }
        return "";
      }
      if (cmd === "nft --check -f -" && /^(delete chain ip6? wayfinder_l4lb canary_target\n)+$/.test(input ?? "")) {
        // Each line refused as the kernel would, all in one answer; none refused while flushed.
        const errors = (input ?? "").trim().split("\n").map((line, i) => `/dev/stdin:${i + 1}:1-6: Error: ${kernel.tables ? "Could not process rule: Device or resource busy" : "No such file or directory"}\n${line}`);
        if (kernel.tables && kernel.flushed) return "";
        throw new Error(`${cmd} exited 1: ${errors.join("\n")}`);
      }
      if (cmd.startsWith("nft -j list table ")) {
        if (!kernel.tables) throw new Error(`${cmd} exited 1: Error: No such file or directory`);
        const text = kernel.listing?.[argv[4] as "ip" | "ip6"];
        if (text === undefined) throw new Error(`fake kernel: no listing for ${cmd}`);
        if (!kernel.flushed) return text;
        const document = JSON.parse(text) as { nftables: Array<Record<string, unknown>> };
        return JSON.stringify({ nftables: document.nftables.filter((entry) => !("rule" in entry)) });
      }
      if (cmd === "nft -f -") {
        if (kernel.failNextNft) {
          kernel.failNextNft = false;
          throw new Error("nft -f - exited 1: Error: Could not process rule");
        }
        if ((input ?? "").includes("delete table")) {
          kernel.tables = true;
          kernel.flushed = false;
        }
        else if (!kernel.tables) throw new Error("nft -f - exited 1: Error: No such file or directory; did you mean table 'filter' in family inet?");
        return "";
      }
      if (argv[0] === "conntrack") return "";
      if (cmd === "ipvsadm-save -n") return kernel.ipvsSave;
      if (cmd === "ipvsadm-restore") {
        kernel.ipvsSave = restoreIpvs(kernel.ipvsSave, input ?? "");
        return "";
      }
      throw new Error(`fake kernel: unexpected command ${cmd}`);
    },
  };
  return kernel;
}

/** Applies ipvsadm commands (-A -E -D -a -e -d) to `ipvsadm-save -n` text, as the kernel would. */
function restoreIpvs(save: string, commands: string): string {
  const services = new Map<string, { scheduler: string; servers: Map<string, string> }>();
  for (const line of save.split("\n")) {
    const svc = /^-A (-[tu] \S+) -s (\S+)/.exec(line);
    if (svc) services.set(svc[1]!, { scheduler: svc[2]!, servers: new Map() });
    const srv = /^-a (-[tu] \S+) -r (\S+) (.*)$/.exec(line);
    if (srv) services.get(srv[1]!)!.servers.set(srv[2]!, srv[3]!);
  }
  for (const line of commands.split("\n").filter(Boolean)) {
    const [op, proto, vip, ...rest] = line.split(" ");
    const key = `${proto} ${vip}`;
    if (op === "-A" || op === "-E") services.set(key, { scheduler: rest[1]!, servers: services.get(key)?.servers ?? new Map() });
    else if (op === "-D") services.delete(key);
    else if (op === "-a" || op === "-e") services.get(key)!.servers.set(rest[1]!, rest.slice(2).join(" "));
    else if (op === "-d") services.get(key)!.servers.delete(rest[1]!);
  }
  return [...services].flatMap(([key, s]) => [`-A ${key} -s ${s.scheduler}`, ...[...s.servers].map(([r, tail]) => `-a ${key} -r ${r} ${tail}`)]).join("\n") + "\n";
}
