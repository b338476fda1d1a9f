import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/register.ts', 'src/conformance.ts', 'src/voxel/worker.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // The conformance entry imports vitest; consumers provide it (dev dependency of their tests).
  external: ['vitest'],
});
