import { defineConfig } from "vitest/config";

// Unit tests run in Node by default; a test file that needs a DOM opts in with a
// `// @vitest-environment jsdom` comment at its top.
export default defineConfig({
  test: {
    environment: "node",
    include: ["tests/**/*.test.ts"],
  },
});
