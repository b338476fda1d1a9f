// One smoke test of the built executable: exit codes, one-line errors, no stack trace, and a
// batch on worker threads. Needs `dist/` (the root `test` script builds first).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '@radcam/core';
import { expectOneLineError, tempDir } from './helpers.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.js');
const radcam = (args: string[], cwd: string) => spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build first (pnpm exec turbo run build --filter=@radcam/cli...)`);
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

describe('radcam executable', () => {
  it('exits 0 / 1 / 2 with one-line errors and no stack trace', () => {
    expect(radcam(['--version'], dir).status).toBe(0);
    const usage = radcam(['info'], dir);
    expect(usage.status).toBe(2);
    expectOneLineError(usage.stderr, 'E_CLI_USAGE');
    const missing = radcam(['info', 'nope.nii.gz'], dir);
    expect(missing.status).toBe(1);
    expectOneLineError(missing.stderr, 'E_FILE_NOT_FOUND');
    expect(radcam(['info', 'nope.nii.gz', '--debug'], dir).stderr).toMatch(/\n\s+at /);
  });

  it('runs a batch on worker threads (--jobs 2)', async () => {
    const s = radcam(['synth', '--out', 'c', '--patients', '2', '--lesions', '3', '--size', '32'], dir);
    expect(s.status, s.stderr).toBe(0);
    const r = radcam(['gradient', '--cases', 'c/cohort.csv', '--out', 'g.csv', '--jobs', '2'], dir);
    expect(r.status, r.stderr).toBe(0);
    const rows = parseCsv(await readFile(join(dir, 'g.csv'), 'utf8'));
    const cases = parseCsv(await readFile(join(dir, 'c', 'cohort.csv'), 'utf8'));
    expect(rows).toHaveLength(3);
    expect(rows.map((x) => x.lesion_id)).toEqual(cases.map((x) => x.lesion_id));
    expect(rows.every((x) => x.error === '' && Number.isFinite(Number(x.grad_mag_margin_mean)))).toBe(true);
  });
});
