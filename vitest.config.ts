import { defaultClientConditions, defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// tests run on the TypeScript sources: `adjoint` and `@adjoint/runtime` resolve to them, not to dist/
const sources = "adjoint-source";

export default defineConfig({
  resolve: { conditions: [sources, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [sources, ...defaultServerConditions] } },
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/support/setup.ts"],
    // compiling through prettier takes a moment on a 2-core machine
    testTimeout: 30_000,
  },
});
