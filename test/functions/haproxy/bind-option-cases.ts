/**
 * @module
 * Bind options with the verdict HAProxy 2.6 gives them: the unit test checks
 * `parseBindOptions` against it, the e2e test checks it against the real `haproxy -c`.
 */
import type { BindContext } from "../../../functions/haproxy/bind-options.ts";

export const PLAIN: BindContext = { sslCert: false, groupedTls: false };
export const TLS: BindContext = { sslCert: true, groupedTls: false };
export const GROUPED: BindContext = { sslCert: false, groupedTls: true };

/** [options, context, accepted?, what the reason says]. */
export const BIND_OPTION_CASES: [string, BindContext, boolean, string][] = [
  ["alpn h2,http/1.1", TLS, true, ""],
  ["accept-proxy", PLAIN, true, ""],
  ["verify none", TLS, true, ""],
  ["verify optional", PLAIN, true, ""], // no TLS on the bind: HAProxy ignores it
  ["verify optional ca-file /etc/ssl/ca.pem", TLS, true, ""],
  ["verify required ca-verify-file /etc/ssl/ca.pem", TLS, true, ""],
  ["ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3", TLS, true, ""],
  ["ssl crt /etc/ssl/a.pem", PLAIN, true, ""],
  ["id 7 mss 1400 tcp-ut 30s shards by-thread", PLAIN, true, ""],
  ["verify optional", TLS, false, "'verify optional' needs 'ca-file <file>'"],
  ["verify required", GROUPED, false, "'verify required' needs 'ca-file <file>'"],
  ["ssl verify optional crt /etc/ssl/a.pem", PLAIN, false, "'verify optional' needs 'ca-file <file>'"],
  ["ssl", PLAIN, false, "'ssl' needs a certificate"],
  ["generate-certificates", TLS, false, "'generate-certificates' needs 'ca-sign-file <file>'"],
  ["bogus", PLAIN, false, "'bogus' is not a bind option HAProxy 2.6 knows"],
  ["quic-force-retry", PLAIN, false, "'quic-force-retry' is not a bind option"],
  ["name a b", PLAIN, false, "'b' is not a bind option"],
  ["verify", TLS, false, "'verify' needs a value"],
  ["alpn", TLS, false, "'alpn' needs a value"],
  ["verify sometimes", TLS, false, "'verify sometimes': the value must be one of none, optional, required"],
  ["ssl-min-ver TLSv9", TLS, false, "'ssl-min-ver TLSv9': the value must be one of SSLv3"],
  ["expose-fd all", PLAIN, false, "'expose-fd all': the value must be one of listeners"],
  ["id 0", PLAIN, false, "'id 0': the value must be a positive integer"],
  ["mss x", PLAIN, false, "'mss x': the value must be an integer"],
  ["shards 0", PLAIN, false, "'shards 0': the value must be 1 to 64"],
  ["tcp-ut soon", PLAIN, false, "'tcp-ut soon': the value must be a delay"],
];
