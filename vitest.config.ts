import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/support/setup.ts"],
    // compiling through ts-morph and prettier takes a moment on a 2-core machine
    testTimeout: 30_000,
  },
});
