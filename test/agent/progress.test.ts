import { describe, expect, it } from "vitest";
import { terminalProgress } from "../../lib/agent/progress.ts";

describe("terminalProgress", () => {
  it("draws nothing for a quick sync, and a redrawn line for a long one that log lines step around", async () => {
    let clock = 0;
    const out: string[] = [];
    const progress = terminalProgress({ isTTY: true, write: (t) => void out.push(t) }, { afterMs: 100, now: () => clock });
    progress.start("abcdef0123456789");
    progress.update({ applier: "files", index: 0, total: 2, stage: "apply" });
    progress.done();
    expect(out).toEqual([]);

    progress.start("abcdef0123456789");
    progress.update({ applier: "l4lb", index: 1, total: 2, stage: "verify" });
    clock = 3100;
    await new Promise((r) => setTimeout(r, 300));
    expect(out.at(-1)).toBe("\r\x1b[2Ksyncing abcdef01 [2/2] l4lb: verify (3.1 s)");
    progress.write('{"msg":"log"}\n');
    expect(out.slice(-3)).toEqual(["\r\x1b[2K", '{"msg":"log"}\n', "\r\x1b[2Ksyncing abcdef01 [2/2] l4lb: verify (3.1 s)"]);
    progress.done();
    expect(out.at(-1)).toBe("\r\x1b[2K");
  });

  it("only passes log lines through when the stream is not a terminal", () => {
    const out: string[] = [];
    const progress = terminalProgress({ isTTY: false, write: (t) => void out.push(t) }, { afterMs: 0 });
    progress.start("abc");
    progress.write("line\n");
    progress.done();
    expect(out).toEqual(["line\n"]);
  });
});
