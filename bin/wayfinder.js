#!/usr/bin/env node
// The CLI is TypeScript run through tsx's loader, so a fresh `npm ci` needs no build step.
import { register } from "tsx/esm/api";

register();
const { tuneHeapForReconcile } = await import("../lib/runtime/heap-tuning.ts");
tuneHeapForReconcile(process.argv[2]);
const { main } = await import("../lib/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
