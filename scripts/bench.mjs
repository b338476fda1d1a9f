#!/usr/bin/env node
// `pnpm bench NAME [args…]`: the root script builds the packages (turbo), then this runs
// packages/*/bench/NAME.ts with tsx.
// Every benchmark prints a table and writes bench-results/NAME.json at the repo root.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const benches = {};
for (const pkg of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', pkg, 'bench');
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir)) if (f.endsWith('.ts') && !f.startsWith('_')) benches[f.slice(0, -3)] = join(dir, f);
}
const [name, ...args] = process.argv.slice(2);
if (!name || !benches[name]) {
  console.error(`usage: pnpm bench NAME [args]\navailable: ${Object.keys(benches).sort().join(', ') || '(none)'}`);
  process.exit(name ? 1 : 0);
}
// Benchmarks run on the TypeScript sources (the root tsconfig maps @radcam/* to packages/*/src).
const env = { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') };
const r = spawnSync(process.execPath, ['--import', 'tsx', benches[name], ...args], { cwd: root, stdio: 'inherit', env });
process.exit(r.status ?? 1);
