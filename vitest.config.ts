import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { projects } from "./vitest.workspace.ts";

const pkg = (p: string) => fileURLToPath(new URL(`./packages/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources of sibling packages, not their dist.
    alias: [
      // subpath entries: @radcam/core/testing, @radcam/radiomics/conformance, …/register
      { find: /^@radcam\/([a-z-]+)\/([a-z-]+)$/, replacement: pkg('$1/src/$2.ts') },
      { find: /^@radcam\/([a-z-]+)$/, replacement: pkg('$1/src/index.ts') },
    ],
  },
  test: {
    projects,
    // the JSON report lets .ci/run print a plain "N passed, N failed" line
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
