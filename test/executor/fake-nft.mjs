// A stand-in for `nft [--check] -i`, answering as nft 1.0 does: an `include "FILE"` line runs the
// file (recorded, one JSON line per batch, in $FAKE_NFT_LOG), any other line is a syntax error
// echoed with its caret line, all on stderr. What a batch holds decides the answer:
// `refuse` → an nft error; `die` → exit without answering; `hang` → never answer again;
// `warn` → a line on stderr that is no error. FAKE_NFT_MODE=no-cli: nft built without the
// interactive mode.
import { appendFileSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";

const check = process.argv.includes("--check");
if (process.env.FAKE_NFT_MODE === "no-cli") {
  process.stderr.write("nft: interactive CLI not supported in this build\n");
  process.exit(1);
}
if (!process.argv.includes("-i")) process.exit(2);

let hung = false;
for await (const line of createInterface({ input: process.stdin })) {
  if (hung) continue;
  const include = /^include "(.+)"$/.exec(line);
  if (include === null) {
    process.stderr.write(`Error: syntax error, unexpected newline, expecting string\n${line}\n${" ".repeat(line.length)}^\n`);
    continue;
  }
  const file = include[1];
  const batch = readFileSync(file, "utf8");
  appendFileSync(process.env.FAKE_NFT_LOG, `${JSON.stringify({ pid: process.pid, check, file, batch })}\n`);
  if (batch.includes("die")) process.exit(3);
  if (batch.includes("hang")) hung = true;
  if (batch.includes("warn")) process.stderr.write("Warning: a note that is no error\n");
  if (batch.includes("refuse")) {
    process.stderr.write(`In file included from <cmdline>:1:1-${line.length}:\n${file}:1:1-6: Error: Could not process rule: No such file or directory\nrefuse\n^^^^^^\n`);
  }
}
