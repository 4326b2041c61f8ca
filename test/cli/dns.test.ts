import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../lib/cli/main.ts";
import type { CliIo } from "../../lib/cli/io.ts";

function recordingIo(): CliIo & { err: string[] } {
  const err: string[] = [];
  return { stdout: () => {}, stderr: (t) => err.push(t), cwd: process.cwd(), err };
}

describe("wayfinder dns (usage errors, exit 2)", () => {
  const desired = ["--desired", "state-fixtures/demo/desired.json"];
  it.each([
    [["--listen", "127.0.0.1:0"], /exactly one of --zones DIR, --snapshot F or --desired F/],
    [[...desired, "--snapshot", "x.json", "--listen", "127.0.0.1:0"], /exactly one of/],
    [desired, /--listen IP:PORT is required/],
    [[...desired, "--listen", "5353"], /HOST:PORT/],
    [[...desired, "--listen", "localhost:5353"], /--listen needs an IP address, not 'localhost'/],
    [[...desired, "--listen", "127.0.0.1:0", "--upstream", "dns.example"], /--upstream 'dns.example' is not IP or IP:PORT/],
    [[...desired, "--listen", "127.0.0.1:0", "--allow", "10.0.0.0/40"], /--allow '10.0.0.0\/40' is not a CIDR block/],
    [[...desired, "--listen", "127.0.0.1:0", "--workers", "0"], /--workers must be a whole number from 1 to 64/],
    [[...desired, "--listen", "127.0.0.1:0", "--timeout-ms", "5s"], /--timeout-ms must be a whole number/],
    [[...desired, "--listen", "127.0.0.1:0", "--bogus"], /unknown flag '--bogus'; 'wayfinder dns --help' lists the flags/],
    [[...desired, "--listen", "127.0.0.1:0", "--upstrem", "10.0.0.53"], /unknown flag '--upstrem' \(did you mean --upstream\?\)/],
    [[...desired, "--listen", "127.0.0.1:0", "--max-udp-size", "100"], /--max-udp-size must be a whole number from 512 to 65535 \(got '100'\)/],
    [[...desired, "--listen", "127.0.0.1:0", "--http", "localhost"], /listen address must be HOST:PORT/],
  ])("%j", async (args, message) => {
    const io = recordingIo();
    expect(await main(["dns", ...args], io)).toBe(2);
    expect(io.err.join("")).toMatch(message);
  });
});

describe("wayfinder dns --help", () => {
  it("prints the synopsis", async () => {
    let out = "";
    expect(await main(["dns", "--help"], { stdout: (t) => void (out += t), stderr: () => {}, cwd: process.cwd() })).toBe(0);
    expect(out).toContain("usage: wayfinder dns (--zones DIR | --snapshot F | --desired F) --listen IP:PORT");
  });
});

describe("wayfinder dns (a zone source that cannot be used: exit 2, the flag, file and JSON path named)", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it("names the file and JSON path of an invalid zone source", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wayfinder-dns-cli-"));
    dirs.push(dir);
    const file = join(dir, "zones.json");
    await writeFile(file, JSON.stringify({ apiVersion: "wayfinder/v1", kind: "DnsZones", hash: "h", dns: { zones: "none" } }));
    const io = recordingIo();
    expect(await main(["dns", "--desired", file, "--listen", "127.0.0.1:0"], io)).toBe(2);
    expect(io.err.join("")).toContain(`wayfinder dns: --desired ${file}: dns.zones`);
  });

  it.each([
    ["a snapshot of the wrong shape", JSON.stringify({ cluster: { name: "x" }, now: "2026-01-01T00:00:00Z", agents: "none" }), ": agents:"],
    ["a snapshot that is not JSON", "{ not json", ": (document): not valid JSON"],
  ])("--snapshot with %s", async (_what, text, path) => {
    const dir = await mkdtemp(join(tmpdir(), "wayfinder-dns-cli-"));
    dirs.push(dir);
    const file = join(dir, "snap.json");
    await writeFile(file, text);
    const io = recordingIo();
    expect(await main(["dns", "--snapshot", file, "--listen", "127.0.0.1:0"], io)).toBe(2);
    expect(io.err.join("")).toContain(`wayfinder dns: --snapshot ${file}${path}`);
  });

  it("says so when the source file is missing", async () => {
    const io = recordingIo();
    expect(await main(["dns", "--snapshot", "/nonexistent/snap.json", "--listen", "127.0.0.1:0"], io)).toBe(2);
    expect(io.err.join("")).toContain("wayfinder dns: --snapshot: cannot read /nonexistent/snap.json: ENOENT");
  });
});
