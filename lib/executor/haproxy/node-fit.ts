/**
 * @module
 * What one node changes in, and checks of, the configs every node is sent. The desired state
 * is the same everywhere; two facts are the node's own: whether the default certificate
 * (`/etc/ssl/cert.pem`) exists there, and the open-file limit HAProxy inherits. Where the
 * default certificate is missing, the configs name the agent's self-signed one instead (as
 * marathon-lb's image made one); an explicit `maxconn` the limit cannot hold is refused with
 * a reason instead of a HAProxy that will not start. Pure: the facts are observed elsewhere.
 */
import { DEFAULT_SSL_CERT } from "../../snapshot/haproxy-config.ts";

export interface NodeFacts {
  /** The hard open-file limit HAProxy inherits from the agent; undefined when unknown or unlimited. */
  readonly fileLimit?: number;
  /** Whether `/etc/ssl/cert.pem` exists on this node. */
  readonly defaultCertificate: boolean;
  /** Where the agent keeps the self-signed certificate it serves in its place. */
  readonly selfSignedCertificate: string;
}

/** One `crt` of a `bind` line, and the section whose line names it. */
export interface CertificateReference {
  readonly path: string;
  readonly section: string;
}

const BIND = /^\s*bind\s/;
const CRT = /(\scrt\s+)(\S+)/g;
const PLAIN_WORD = /^[^\s"'\\#$]+$/;

/**
 * The group files as this node installs them: without the default certificate on the node,
 * every `crt /etc/ssl/cert.pem` of a bind line names the self-signed certificate.
 * @example nodeFiles(new Map([["external.cfg", "  bind *:443 ssl crt /etc/ssl/cert.pem\n"]]), { defaultCertificate: false, selfSignedCertificate: "/s.pem" })
 * // Map { "external.cfg" => "  bind *:443 ssl crt /s.pem\n" }
 */
export function nodeFiles(files: ReadonlyMap<string, string>, facts: NodeFacts): Map<string, string> {
  if (facts.defaultCertificate) return new Map(files);
  const replacement = configWord(facts.selfSignedCertificate);
  const fitted = new Map<string, string>();
  for (const [path, text] of files) {
    if (!path.endsWith(".cfg")) fitted.set(path, text);
    else fitted.set(path, mapBindLines(text, (line) => line.replace(CRT, (match, crt: string, file: string) => (file === DEFAULT_SSL_CERT ? `${crt}${replacement}` : match))));
  }
  return fitted;
}

/**
 * The certificates the bind lines of a config name, each with its section.
 * @example certificateReferences("frontend marathon_https_in\n  bind *:443 ssl crt /a.pem crt /b.pem\n")
 * // [{ path: "/a.pem", section: "frontend marathon_https_in" }, { path: "/b.pem", section: "frontend marathon_https_in" }]
 */
export function certificateReferences(config: string): CertificateReference[] {
  const references: CertificateReference[] = [];
  let section = "global";
  for (const line of config.split("\n")) {
    if (/^\S/.test(line)) section = line.trim();
    if (!BIND.test(line)) continue;
    for (const match of line.matchAll(CRT)) references.push({ path: match[2]!, section });
  }
  return references;
}

/**
 * The `maxconn` of the global section, if the config sets one (`auto` does not).
 * @example configuredMaxconn("global\n  maxconn 2000\ndefaults\n  maxconn 10000\n") // 2000
 */
export function configuredMaxconn(config: string): number | undefined {
  for (const line of config.split("\n").slice(1)) {
    if (/^\S/.test(line)) return undefined;
    const match = /^\s+maxconn\s+(\d+)\s*$/.exec(line);
    if (match !== null) return Number(match[1]);
  }
  return undefined;
}

/**
 * Why HAProxy cannot start with this config's `maxconn` under the node's limit: each
 * connection takes two descriptors, so `maxconn` above half the limit can never fit.
 * @example maxconnProblem("global\n  maxconn 50000\n", 20000)
 * // "maxconn 50000 needs more than 100000 open files, and this node allows 20000 (the agent's LimitNOFILE); set haproxy.maxconn to auto, or lower it, or raise the limit"
 */
export function maxconnProblem(config: string, fileLimit: number | undefined): string | undefined {
  const maxconn = configuredMaxconn(config);
  if (maxconn === undefined || fileLimit === undefined || 2 * maxconn <= fileLimit) return undefined;
  return `maxconn ${maxconn} needs more than ${2 * maxconn} open files, and this node allows ${fileLimit} (the agent's LimitNOFILE); set haproxy.maxconn to auto, or lower it, or raise the limit`;
}

function mapBindLines(text: string, change: (line: string) => string): string {
  return text
    .split("\n")
    .map((line) => (BIND.test(line) ? change(line) : line))
    .join("\n");
}

/** A path as one word of a HAProxy config, which splits on blanks and reads quotes, `#` and `$`. */
function configWord(path: string): string {
  if (PLAIN_WORD.test(path)) return path;
  throw new Error(`the self-signed certificate path ${JSON.stringify(path)} cannot be named in a HAProxy config (blanks, quotes, backslashes, '#' and '$' are syntax there); choose a --state-dir without them`);
}
