/**
 * @module
 * `haproxy -c` names a rejected line by number; operators need the app. This maps each alert
 * to the section it falls in (`backend web_10000` → the app `/web`'s service port 10000), so
 * the failure report says which app broke the config. Pure.
 */

/**
 * HAProxy's alerts with the section of each line they name.
 * @example describeRejection("[ALERT] (1) : config : parsing [/x/external.cfg:88] : unknown keyword 'bogus'", config)
 * // ["line 88 in backend web_10000: unknown keyword 'bogus'"]
 */
export function describeRejection(output: string, config: string): string[] {
  const lines = config.split("\n");
  // The closing "Fatal errors found" alerts add nothing.
  const alerts = output.split("\n").filter((l) => l.includes("[ALERT]") && !/(Fatal errors|Error\(s\)) found in configuration/.test(l));
  const described = alerts.map((alert) => {
    const message = alert.replace(/^\[ALERT\]\s*(\(\d+\)\s*)?:\s*/, "");
    // Parse errors say "parsing [file:N] : why"; checks after parsing say "why ... at [file:N]".
    const parsing = /[Pp]arsing \[[^\]]*:(\d+)\]\s*:\s*(.*)$/.exec(alert);
    const after = /^(.*?)\s*at \[[^\]]*:(\d+)\]\.?$/.exec(message);
    if (parsing !== null) return `line ${parsing[1]}${sectionAt(lines, Number(parsing[1]))}: ${parsing[2]}`;
    if (after !== null) return `line ${after[2]}${sectionAt(lines, Number(after[2]))}: ${after[1]!.replace(/^config : /, "")}`;
    return message;
  });
  return described.length > 0 ? described : [output.trim()];
}

function sectionAt(lines: readonly string[], lineNumber: number): string {
  for (let i = Math.min(lineNumber, lines.length) - 1; i >= 0; i--) {
    const m = /^(frontend|backend|listen|userlist|global|defaults)\b\s*(\S*)/.exec(lines[i]!);
    if (m !== null) return ` in ${m[1]}${m[2] ? ` ${m[2]}` : ""}`;
  }
  return "";
}
