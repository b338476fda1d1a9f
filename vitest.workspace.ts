// The one list of test projects. vitest 4 removed workspace files; the root vitest.config.ts
// passes this list to `test.projects`, so this file is where a new package's tests are added.
import type { TestProjectInlineConfiguration } from 'vitest/config';

const packages = [
  'core',
  'volume-io',
  'radiomics',
  'gradient-features',
  'model',
  'cam',
  'learn',
  'study',
  'cli',
] as const;

export const projects: TestProjectInlineConfiguration[] = [
  ...packages.map((name) => ({
    extends: true as const,
    test: {
      name,
      root: `packages/${name}`,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    },
  })),
  {
    extends: true as const,
    test: { name: 'examples', root: 'examples', include: ['*/test/**/*.test.ts', '*/src/**/*.test.ts'] },
  },
];

export default projects;
