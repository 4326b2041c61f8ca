/**
 * @module
 * Runs a CNI network configuration list the way a CNI runtime (libcni) does, with the real
 * plugin binaries: each plugin in turn, its config on stdin with the list's `name` and
 * `cniVersion` and, after the first, the previous plugin's result as `prevResult`; the
 * CNI_* variables in the environment; the plugins executed inside the agent's network
 * namespace (`ip netns exec`), where the bridge lives. DEL runs the list in reverse.
 */
import { spawn } from "node:child_process";

export const CNI_PATH = "/usr/lib/cni";

export interface CniInvocation {
  /** The agent namespace the plugins run in (where the bridge and the host-side veth live). */
  hostNetns: string;
  /** The container's namespace, made with `ip netns add`. */
  containerNetns: string;
  containerId: string;
  ifname?: string;
}

/** The part of a CNI 1.0.0 result the tests read. */
export interface CniResult {
  cniVersion: string;
  ips?: Array<{ address: string; gateway?: string }>;
  [key: string]: unknown;
}

/**
 * @example const result = await cniAdd(readFileSync("net.d/dcos.conflist", "utf8"), { hostNetns, containerNetns, containerId: "c1" });
 */
export async function cniAdd(conflistText: string, invocation: CniInvocation): Promise<CniResult> {
  const conflist = JSON.parse(conflistText) as { cniVersion: string; name: string; plugins: Array<Record<string, unknown>> };
  let result: CniResult | undefined;
  for (const plugin of conflist.plugins) {
    const config = { ...plugin, cniVersion: conflist.cniVersion, name: conflist.name, ...(result && { prevResult: result }) };
    result = JSON.parse(await runPlugin("ADD", config, invocation)) as CniResult;
  }
  return result!;
}

/**
 * Runs the delegate of DC/OS's single-plugin `.conf` (what `mesos-cni-port-mapper` hands to
 * `bridge`), with the network's name, as Mesos would through the port mapper.
 * @example const result = await cniAddMesosDelegate(readFileSync("net.d/dcos.conf", "utf8"), invocation);
 */
export async function cniAddMesosDelegate(confText: string, invocation: CniInvocation): Promise<{ ip4?: { ip: string } }> {
  const conf = JSON.parse(confText) as { name: string; delegate: Record<string, unknown> };
  return JSON.parse(await runPlugin("ADD", { ...conf.delegate, name: conf.name }, invocation)) as { ip4?: { ip: string } };
}

/**
 * @example await cniDel(conflistText, invocation)
 */
export async function cniDel(conflistText: string, invocation: CniInvocation): Promise<void> {
  const conflist = JSON.parse(conflistText) as { cniVersion: string; name: string; plugins: Array<Record<string, unknown>> };
  for (const plugin of [...conflist.plugins].reverse()) {
    await runPlugin("DEL", { ...plugin, cniVersion: conflist.cniVersion, name: conflist.name }, invocation);
  }
}

function runPlugin(command: "ADD" | "DEL", config: Record<string, unknown>, invocation: CniInvocation): Promise<string> {
  const env = {
    PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin",
    CNI_COMMAND: command,
    CNI_CONTAINERID: invocation.containerId,
    CNI_NETNS: `/var/run/netns/${invocation.containerNetns}`,
    CNI_IFNAME: invocation.ifname ?? "eth0",
    CNI_PATH,
  };
  const type = String(config.type);
  if (!/^[a-z0-9-]+$/.test(type)) throw new Error(`not a plugin name: ${JSON.stringify(type)}`);
  return new Promise((resolve, reject) => {
    const child = spawn("ip", ["netns", "exec", invocation.hostNetns, `${CNI_PATH}/${type}`], { env, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`CNI ${type} ${command} exited ${code}: ${out}${err}`))));
    child.stdin.end(JSON.stringify(config));
  });
}
