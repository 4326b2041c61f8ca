/**
 * @module
 * Hostname resolution for the snapshot sources, done once before the pure adapters run: they take a
 * synchronous `resolveHost` and must not do I/O, so every name they may ask about is looked up
 * here first, in parallel, with the system resolver (`getaddrinfo`, as Mesos itself resolves).
 */
import { lookup } from "node:dns/promises";
import type { MesosSource } from "../snapshot/build.ts";
import type { ResolveHost } from "../snapshot/adapters/operator-state.ts";
import { parseIp } from "../net/ip-literal.ts";
import { parsePid } from "../net/host-port.ts";

/**
 * Looks every name up; a name that does not resolve maps to `[]` (the adapters and reconcilers
 * report what then has no address). IP literals are not looked up.
 * @example const table = await resolveHostnames(["localhost"]); table.get("localhost") // ["127.0.0.1", "::1"]
 */
export async function resolveHostnames(names: Iterable<string>): Promise<Map<string, string[]>> {
  const unique = [...new Set(names)].filter((name) => name !== "" && parseIp(name) === undefined);
  const results = await Promise.all(
    unique.map(async (name) => {
      try {
        const found = await lookup(name, { all: true });
        return [name, [...new Set(found.map((a) => a.address))]] as const;
      } catch {
        return [name, []] as const;
      }
    }),
  );
  return new Map(results.map(([name, ips]) => [name, [...ips]]));
}

/**
 * Runs a Mesos adapter once to learn which hostnames it meets, resolves them, and runs it
 * again with the answers: the adapters are pure and cheap, DNS is neither.
 * @example const part = await withResolvedHosts((resolveHost) => snapshotFromMesosState(doc, { resolveHost }));
 */
export async function withResolvedHosts(adapt: (resolveHost: ResolveHost) => MesosSource): Promise<MesosSource> {
  const first = adapt(() => []);
  const names = [
    ...(first.agents ?? []).flatMap((a) => [a.hostname, parsePid(a.pid ?? "")?.host ?? ""]),
    ...(first.frameworks ?? []).flatMap((f) => [f.hostname ?? "", parsePid(f.pid ?? "")?.host ?? ""]),
  ];
  const table = await resolveHostnames(names);
  if (table.size === 0) return first;
  return adapt((name) => table.get(name) ?? []);
}
