/**
 * @module
 * DNS label sanitising exactly as mesos-dns (`records/labels`) and dcos-dns (`mesos_state`)
 * did it, so that names stay what operators already type. Output only ever holds `[0-9a-z-]`,
 * never starts with `-`, and respects the length cap of the mode.
 */

/** RFC 1123 (63 characters, leading digits allowed) or RFC 952 (24 characters, no leading digit). */
export type LabelMode = "rfc1123" | "rfc952";

const MAX_LENGTH: Record<LabelMode, number> = { rfc1123: 63, rfc952: 24 };

/**
 * Turns any string into one DNS label.
 * @example dnsLabel("Big.Dog_2", "rfc1123") // "big-dog-2"
 * @example dnsLabel("0-dev", "rfc952") // "dev"
 */
export function dnsLabel(input: string, mode: LabelMode): string {
  let mapped = "";
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c >= 97 && c <= 122) mapped += input[i];
    else if (c >= 48 && c <= 57) mapped += input[i];
    else if (c >= 65 && c <= 90) mapped += String.fromCharCode(c + 32);
    else if (c === 45 || c === 46 || c === 95) mapped += "-";
  }
  let start = 0;
  while (start < mapped.length && isLeadingTrimmed(mapped.charCodeAt(start), mode)) start++;
  const label = start === 0 ? mapped : mapped.slice(start);
  return cutToLength(label, MAX_LENGTH[mode]);
}

function isLeadingTrimmed(code: number, mode: LabelMode): boolean {
  return code === 45 || (mode === "rfc952" && code >= 48 && code <= 57);
}

// A run of dashes at the cut point is squeezed out and the label refilled from what follows,
// as mesos-dns does; it keeps `name---123` distinguishable from `name` after truncation.
function cutToLength(label: string, max: number): string {
  const size = Math.min(label.length, max);
  const head = label.slice(0, size);
  const trimmed = trimTrailingDashes(head);
  if (trimmed.length === head.length) return head;
  let rest = size;
  while (rest < label.length && label.charCodeAt(rest) === 45) rest++;
  return trimmed + label.slice(rest, rest + (size - trimmed.length));
}

function trimTrailingDashes(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 45) end--;
  return s.slice(0, end);
}

/**
 * Sanitises a dotted name part by part, dropping parts that become empty (mesos-dns `DomainFrag`).
 * @example domainFragment("chronos with a space AND MIXED CASE-2.0.1", "rfc1123") // "chronoswithaspaceandmixedcase-2.0.1"
 */
export function domainFragment(input: string, mode: LabelMode): string {
  const parts: string[] = [];
  for (const part of input.split(".")) {
    const label = dnsLabel(part, mode);
    if (label !== "") parts.push(label);
  }
  return parts.join(".");
}
