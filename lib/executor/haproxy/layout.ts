/**
 * @module
 * Where the HAProxy applier keeps things under its directory. Names are data, in one place:
 * - `conf/`: the installed configs and maps, owned through the files applier's manifest
 *   (`<group>.cfg`, `<group>/*.map`); the running masters read them from here;
 * - `run/`: each group's master socket, pid file and HAProxy output;
 * - `staging/`: candidate configs, checked with `haproxy -c` before anything is installed;
 * - `tls/`: the self-signed certificate served when the default one is not on the node.
 */
import { join } from "node:path";
import type { GroupPaths } from "./haproxy-process.ts";

export interface HaproxyLayout {
  readonly confDir: string;
  readonly runDir: string;
  readonly stageDir: string;
  readonly selfSignedCertificate: string;
  /** The files of the group whose file stem is `stem`. */
  group(stem: string): GroupPaths;
}

/**
 * @example haproxyLayout("/var/lib/wayfinder/haproxy").group("external").masterSocket
 * // "/var/lib/wayfinder/haproxy/run/external.master.sock"
 */
export function haproxyLayout(root: string): HaproxyLayout {
  const confDir = join(root, "conf");
  const runDir = join(root, "run");
  return {
    confDir,
    runDir,
    stageDir: join(root, "staging"),
    selfSignedCertificate: join(root, "tls", "self-signed.pem"),
    group: (stem) => ({
      config: join(confDir, `${stem}.cfg`),
      masterSocket: join(runDir, `${stem}.master.sock`),
      pidFile: join(runDir, `${stem}.pid`),
      logFile: join(runDir, `${stem}.log`),
    }),
  };
}

/** The group stem a path under `conf/` belongs to (`external.cfg`, `external/app2backend.map` → `external`). */
export function stemOf(path: string): string {
  const slash = path.indexOf("/");
  return slash >= 0 ? path.slice(0, slash) : path.replace(/\.cfg$/, "");
}
