import { defineConfig } from "vitest/config";

// Two projects: `unit` runs everywhere in seconds; `e2e` drives real daemons, the kernel and
// wrangler, and needs root plus the Debian tools `.ci/run` installs.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**"],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
