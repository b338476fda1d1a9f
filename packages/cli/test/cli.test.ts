import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '@radcam/core/testing';
import { Progress } from '../src/index.js';
import { expectOneLineError, run, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

describe('radcam framework', () => {
  it('prints global and per-command help with exit 0', async () => {
    const g = await run(['--help'], dir);
    expect(g.code).toBe(0);
    for (const c of ['info', 'convert', 'synth', 'demo', 'features', 'gradient']) expect(g.stdout).toContain(`  ${c} `);
    for (const c of ['info', 'convert', 'synth', 'demo', 'features', 'gradient']) {
      const r = await run([c, '--help'], dir);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^radcam ${c} — `));
      expect(r.stdout).toContain('--debug');
    }
    expect((await run(['help', 'synth'], dir)).stdout).toContain('--patients N');
    expect((await run(['--version'], dir)).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('reports usage errors on one line with exit code 2', async () => {
    const cases: string[][] = [
      [],
      ['bogus'],
      ['info'],
      ['info', 'a', 'b'],
      ['info', 'x.nii', '--nope'],
      ['synth'],
      ['synth', '--out', 'x', '--patients', 'many'],
      ['synth', '--out', 'x', '--patients', '2', '--lesions', '7'],
      ['convert', 'a', 'b', '--rtstruct', 'rs.dcm'],
      ['features', '--cases', 'c.csv', 'img', 'mask'],
      ['gradient', 'img', 'mask', '--margin-mm', 'wide'],
    ];
    for (const argv of cases) {
      const r = await run(argv, dir);
      expect(r.code, argv.join(' ')).toBe(2);
      expectOneLineError(r.stderr, 'E_CLI_USAGE');
    }
  });

  it('prints a stack trace only with --debug', async () => {
    const plain = await run(['info', 'missing.nii.gz'], dir);
    expect(plain.code).toBe(1);
    expectOneLineError(plain.stderr, 'E_FILE_NOT_FOUND');
    const debug = await run(['info', 'missing.nii.gz', '--debug'], dir);
    expect(debug.code).toBe(1);
    expect(debug.stderr.split('\n')[0]).toMatch(/^radcam: E_FILE_NOT_FOUND: /);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('shows a progress bar with counts on a TTY and nothing otherwise', () => {
    let out = '';
    let t = 0;
    const p = new Progress({ write: (s: string) => (out += s), isTTY: true, columns: 120 }, 'work', 4, () => t);
    t = 1000;
    p.tick();
    expect(out).toContain('work [######..................] 1/4 ETA 3s');
    t = 4000;
    p.tick(3);
    expect(out).toContain('4/4 4s');
    let silent = '';
    const q = new Progress({ write: (s: string) => (silent += s), isTTY: false }, 'work', 4);
    q.tick(4);
    q.finish();
    expect(silent).toBe('');
  });
});

describe('radcam info / convert on the IBSI CT phantom', () => {
  const phantom = sharedPath('ibsi', 'ibsi1', 'ct_phantom');

  it('info reports size 204×201×60 and spacing 0.977×0.977×3.0', async () => {
    const r = await run(['info', join(phantom, 'nifti', 'image', 'phantom.nii.gz'), '--json'], dir);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout) as { size: number[]; spacing: number[]; dtype: string; min: number; max: number };
    expect(info.size).toEqual([204, 201, 60]);
    [0.977, 0.977, 3.0].forEach((s, i) => expect(Math.abs(info.spacing[i]! - s)).toBeLessThanOrEqual(1e-3));
    expect(info.min).toBeLessThan(info.max);
    const text = await run(['info', join(phantom, 'nifti', 'image', 'phantom.nii.gz')], dir);
    expect(text.stdout).toMatch(/size\s+204 × 201 × 60/);
    expect(text.stdout).toMatch(/spacing\s+0\.977 × 0\.977 × 3 mm/);
  });

  it('converts the DICOM series to NIfTI equal to the reference NIfTI, and the RTSTRUCT to its mask', async () => {
    const { readVolume } = await import('@radcam/volume-io');
    const out = join(dir, 'ct.nii.gz');
    const r = await run(['convert', join(phantom, 'dicom', 'image'), out], dir);
    expect(r.code).toBe(0);
    const [a, ref] = [await readVolume(out), await readVolume(join(phantom, 'nifti', 'image', 'phantom.nii.gz'))];
    expect(a.size).toEqual(ref.size);
    for (let c = 0; c < 3; c++) {
      expect(Math.abs(a.spacing[c]! - ref.spacing[c]!)).toBeLessThanOrEqual(1e-3);
      expect(Math.abs(a.origin[c]! - ref.origin[c]!)).toBeLessThanOrEqual(1e-3);
    }
    let diff = 0;
    for (let i = 0; i < ref.data.length; i++) if (a.data[i] !== ref.data[i]) diff++;
    expect(diff).toBe(0);

    const maskOut = join(dir, 'gtv.nii.gz');
    const rs = join(phantom, 'dicom', 'mask', 'DCM_RS_00060.dcm');
    const m = await run(['convert', join(phantom, 'dicom', 'image'), maskOut, '--rtstruct', rs, '--roi', 'GTV-1'], dir);
    expect(m.code).toBe(0);
    const [mk, mref] = [await readVolume(maskOut), await readVolume(join(phantom, 'nifti', 'mask', 'mask.nii.gz'))];
    expect(mk.size).toEqual(mref.size);
    let inter = 0, na = 0, nb = 0;
    for (let i = 0; i < mk.data.length; i++) {
      const x = mk.data[i]! > 0, y = mref.data[i]! > 0;
      if (x) na++;
      if (y) nb++;
      if (x && y) inter++;
    }
    expect((2 * inter) / (na + nb)).toBeGreaterThanOrEqual(0.99);

    const bad = await run(['convert', join(phantom, 'dicom', 'image'), join(dir, 'x.nii.gz'), '--rtstruct', rs, '--roi', 'NOPE'], dir);
    expect(bad.code).toBe(1);
    expectOneLineError(bad.stderr, 'E_ROI_NOT_FOUND');
    expect(existsSync(join(dir, 'x.nii.gz'))).toBe(false);
  });

  it('bad input gives a typed one-line error and leaves no output file', async () => {
    const bad = join(dir, 'corrupt.nii.gz');
    await writeFile(bad, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]));
    const before = await readdir(dir);
    const r = await run(['convert', bad, join(dir, 'never.nii.gz')], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^radcam: E_[A-Z_]+: /);
    expectOneLineError(r.stderr, r.stderr.slice(8).split(':')[0]!);
    expect(await readdir(dir)).toEqual(before);
    const same = await run(['convert', bad, bad], dir);
    expect(same.code).toBe(1);
    expectOneLineError(same.stderr, 'E_OUTPUT_IS_INPUT');
  });
});
