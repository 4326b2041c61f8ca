/**
 * @module
 * The names marathon-lb derives (`specs/l7.md` §5.1): backend and frontend names, ACL stems,
 * server names, stable server ids and sticky-cookie values. Operators grep their configs and
 * stats pages for these, so they are kept exactly.
 */
import { createHash } from "node:crypto";
import { sectionName } from "../../lib/render/haproxy/host-match.ts";

/**
 * The part of an app id a backend name uses: without the leading `/`, `/` → `_`.
 * @example appStem("/grp/web") // "grp_web"
 */
export function appStem(appId: string): string {
  return appId.slice(1).replaceAll("/", "_");
}

/**
 * The backend (and per-service frontend) name.
 * @example backendName("/grp/web", 8080) // "grp_web_8080"
 */
export function backendName(appId: string, servicePort: number): string {
  return `${appStem(appId)}_${servicePort}`;
}

/**
 * The stem of `host_<stem>`/`auth_<stem>` ACLs: the (first) vhost sanitised, then the app.
 * @example aclStem("web.example.com", "/grp/web") // "web_example_com_grp_web"
 */
export function aclStem(vhost: string, appId: string): string {
  return `${sectionName(vhost)}_${appStem(appId)}`;
}

/**
 * The app id as the `app_<id>` ACL uses it (leading `/` included, so `/nginx` → `_nginx`).
 * @example cleanedUpAppId("/nginx") // "_nginx"
 */
export function cleanedUpAppId(appId: string): string {
  return sectionName(appId);
}

/**
 * marathon-lb's server name: host, address and port, sanitised; the host is omitted when it
 * is the address.
 * @example serverName("agent1", "1.1.1.1", 1024) // "agent1_1_1_1_1_1024"
 */
export function serverName(host: string, ip: string, port: number): string {
  return sectionName(host === ip ? `${ip}_${port}` : `${host}_${ip}_${port}`);
}

const ID_MODULUS = 32767n;

/**
 * marathon-lb's stable server id (PR #586): sha256 of the name mod 32767; on 0 or a collision
 * within the backend, retry with `"<name> <digest>"`. Adds the id to `taken`.
 * @example serverId("agent1_1_1_1_1_1024", new Set()) // 28363
 */
export function serverId(name: string, taken: Set<number>): number {
  let candidateName = name;
  for (;;) {
    const digest = createHash("sha256").update(candidateName, "utf8").digest("hex");
    const id = Number(BigInt(`0x${digest}`) % ID_MODULUS);
    if (id > 0 && !taken.has(id)) {
      taken.add(id);
      return id;
    }
    candidateName = `${candidateName} ${digest}`;
  }
}

/**
 * The sticky-session cookie value of a server: the first 10 hex digits of sha1(name).
 * @example cookieValue("agent1_1_1_1_1_1024") // "d6ad48c81f"
 */
export function cookieValue(name: string): string {
  return createHash("sha1").update(name, "utf8").digest("hex").slice(0, 10);
}
