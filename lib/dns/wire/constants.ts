/**
 * @module
 * DNS numbers the server uses by name (RFC 1035, RFC 6891, IANA DNS parameters).
 */

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
/** EDNS extended rcode BADVERS (16): its upper 8 bits go in the OPT TTL, the lower 4 in the header. */
export const RCODE_BADVERS = 16;

export const TYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  TKEY: 249,
  TSIG: 250,
  IXFR: 251,
  AXFR: 252,
  MAILB: 253,
  MAILA: 254,
  ANY: 255,
} as const;

export const CLASS = { IN: 1, ANY: 255 } as const;

/** Header flag bits (second 16-bit word). */
export const FLAG = {
  QR: 0x8000,
  AA: 0x0400,
  TC: 0x0200,
  RD: 0x0100,
  RA: 0x0080,
  /** The reserved Z bit: never copied into a response (RFC 8906 §3.1.3). */
  Z: 0x0040,
  AD: 0x0020,
  CD: 0x0010,
} as const;

export const OPCODE_QUERY = 0;
export const HEADER_SIZE = 12;
/** RFC 1035 §4.2.1: the UDP limit without EDNS. */
export const CLASSIC_UDP_SIZE = 512;
/** A DNS message's hard limit, over TCP too (the 2-byte length prefix). */
export const MAX_MESSAGE = 65535;

/** Names of the types the metrics break queries down by; everything else counts as `other`. */
export const TYPE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(TYPE).map(([name, code]) => [code, name]));
