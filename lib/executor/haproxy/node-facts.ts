/**
 * @module
 * The node's side of `node-fit.ts`: reading the facts (the open-file limit the agent, and so
 * HAProxy, runs under; whether the default certificate exists), preparing a group before it
 * is started or reloaded (the self-signed certificate made when first needed, every other
 * certificate checked to exist, `maxconn` checked against the limit), and reporting the
 * `maxconn` HAProxy runs with once it does.
 */
import { readFile, stat } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { DEFAULT_SSL_CERT } from "../../snapshot/haproxy-config.ts";
import type { ApplierLog } from "../applier.ts";
import { masterCommand } from "./master-cli.ts";
import type { GroupPaths } from "./haproxy-process.ts";
import { certificateReferences, configuredMaxconn, maxconnProblem, type NodeFacts } from "./node-fit.ts";
import { ensureSelfSignedCertificate } from "./self-signed.ts";

/**
 * @example await observeNodeFacts("/var/lib/wayfinder/haproxy/tls/self-signed.pem")
 * // { fileLimit: 524288, defaultCertificate: false, selfSignedCertificate: "/var/lib/wayfinder/haproxy/tls/self-signed.pem" }
 */
export async function observeNodeFacts(selfSignedCertificate: string): Promise<NodeFacts> {
  const fileLimit = parseOpenFileLimit(await readFile("/proc/self/limits", "utf8").catch(() => ""));
  return { ...(fileLimit === undefined ? {} : { fileLimit }), defaultCertificate: await exists(DEFAULT_SSL_CERT), selfSignedCertificate };
}

/**
 * The hard "Max open files" of `/proc/<pid>/limits`; undefined when absent or unlimited.
 * @example parseOpenFileLimit("Max open files            20000                20000                files\n") // 20000
 */
export function parseOpenFileLimit(limits: string): number | undefined {
  const match = /^Max open files\s+\S+\s+(\d+)\s/m.exec(limits);
  return match === null ? undefined : Number(match[1]);
}

/**
 * Throws, naming the file or the limit, when the group's config cannot run on this node; makes
 * the self-signed certificate when the config names it and it is not there yet.
 * @example await prepareGroup("external", config, facts, log)
 */
export async function prepareGroup(stem: string, config: string, facts: NodeFacts, log?: ApplierLog): Promise<void> {
  const keep = "the running HAProxy keeps its current config";
  const limit = maxconnProblem(config, facts.fileLimit);
  if (limit !== undefined) throw new Error(`group ${stem}: ${limit}; ${keep}`);
  const checked = new Set<string>();
  for (const { path, section } of certificateReferences(config)) {
    // Relative paths depend on crt-base and the working directory: haproxy -c judges those.
    if (checked.has(path) || !isAbsolute(path)) continue;
    checked.add(path);
    if (path === facts.selfSignedCertificate) {
      const outcome = await ensureSelfSignedCertificate(path, new Date());
      if (outcome !== "present") {
        log?.info(`haproxy: ${outcome} a self-signed certificate for :443, because the default ${DEFAULT_SSL_CERT} is not on this node`, { group: stem, certificate: path });
      }
    } else if (!(await exists(path))) {
      const from = path === DEFAULT_SSL_CERT ? "the default haproxy.sslCerts" : `named in ${section}`;
      throw new Error(`group ${stem}: certificate ${path} (${from}) does not exist on this node; ${keep}`);
    }
  }
}

/**
 * Logs the `maxconn` the group's new worker runs with and where it comes from.
 * @example await reportMaxconn("external", paths, config, log, "started")
 */
export async function reportMaxconn(stem: string, paths: GroupPaths, config: string, log: ApplierLog, what: "started" | "reloaded"): Promise<void> {
  const info = await masterCommand(paths.masterSocket, "@1 show info").catch(() => "");
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, "m").exec(info)?.[1] ?? Number.NaN);
  const maxconn = field("Maxconn");
  const fileLimit = field("Ulimit-n");
  if (Number.isNaN(maxconn)) return;
  const configured = configuredMaxconn(config) !== undefined;
  const how = configured ? "as configured" : `derived by HAProxy from the open-file limit ${fileLimit} (haproxy.maxconn: auto)`;
  log.info(`haproxy: group ${stem} ${what} with maxconn ${maxconn}, ${how}`, { group: stem, maxconn, fileLimit, maxconnSource: configured ? "configured" : "derived" });
}

/** Whether `path` exists; a file the agent may not read still does (HAProxy's check reports that). */
async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== "ENOENT" && error.code !== "ENOTDIR",
  );
}
