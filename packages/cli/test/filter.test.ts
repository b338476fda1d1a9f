/**
 * `radcam filter`: response maps checked against the IBSI 2 phase-1 consensus maps
 * (../shared/ibsi/ibsi2/reference_response_maps, criterion |x − ref| ≤ 1 % of the reference range),
 * geometry and dtype of the output, and the typed usage errors.
 */
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '@radcam/core/testing';
import { readVolume, readVolumeInfo } from '@radcam/volume-io';
import { expectOneLineError, run, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
const phantom = (name: string) => sharedPath('ibsi', 'ibsi2', 'digital_phantoms', name, 'image', `${name}.nii.gz`);
const refMap = (id: string) => sharedPath('ibsi', 'ibsi2', 'reference_response_maps', `${id.replace(/\./g, '_')}-ValidCRM.nii`);

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('radcam-filter-'));
});
afterAll(() => cleanup());

async function expectMatchesReference(out: string, id: string, input: string): Promise<void> {
  const [res, ref, inp, info] = await Promise.all([readVolume(out), readVolume(refMap(id)), readVolume(input), readVolumeInfo(out)]);
  expect(info.dtype).toBe('float32');
  expect(res.size).toEqual(inp.size);
  for (let c = 0; c < 3; c++) {
    expect(res.spacing[c]).toBeCloseTo(inp.spacing[c]!, 5);
    expect(res.origin[c]).toBeCloseTo(inp.origin[c]!, 4);
  }
  for (let i = 0; i < 9; i++) expect(res.direction[i]).toBeCloseTo(inp.direction[i]!, 5);
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < ref.data.length; i++) {
    lo = Math.min(lo, ref.data[i]!);
    hi = Math.max(hi, ref.data[i]!);
  }
  let bad = 0;
  for (let i = 0; i < ref.data.length; i++) if (Math.abs(res.data[i]! - ref.data[i]!) > 0.01 * (hi - lo)) bad++;
  expect(bad).toBe(0);
}

describe('radcam filter', () => {
  it('--ibsi2 applies the exact phase-1 configuration (3.b.2, rotation-invariant Laws)', async () => {
    const r = await run(['filter', phantom('checkerboard'), '--ibsi2', '3.b.2', '--out', '3b2.nii.gz'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote 3b2\.nii\.gz \(64×64×64, float32/);
    await expectMatchesReference(join(dir, '3b2.nii.gz'), '3.b.2', phantom('checkerboard'));
  });

  it('--filter with options reproduces IBSI 2 tests 1.a.1 (mean, zero padding) and 2.a (LoG)', async () => {
    const a = await run(['filter', phantom('checkerboard'), '--filter', 'mean', '--support', '15', '--padding', 'constant', '--out', 'mean.nii'], dir);
    expect(a.code, a.stderr).toBe(0);
    await expectMatchesReference(join(dir, 'mean.nii'), '1.a.1', phantom('checkerboard'));
    const b = await run(['filter', phantom('impulse'), '--filter', 'log', '--sigma', '3', '--truncate', '4', '--padding', 'constant', '--out', 'log.nii.gz'], dir);
    expect(b.code, b.stderr).toBe(0);
    await expectMatchesReference(join(dir, 'log.nii.gz'), '2.a', phantom('impulse'));
    const c = await run(
      ['filter', phantom('impulse'), '--filter', 'wavelet', '--wavelet', 'db2', '--subband', 'LHL', '--level', '1', '--padding', 'constant', '--out', 'wav.nii.gz'],
      dir,
    );
    expect(c.code, c.stderr).toBe(0);
    await expectMatchesReference(join(dir, 'wav.nii.gz'), '5.a.1', phantom('impulse'));
  });

  it('rejects bad or conflicting options with one-line typed errors', async () => {
    const img = phantom('impulse');
    const cases: Array<[string[], string]> = [
      [['filter', img, '--filter', 'mean'], 'E_CLI_USAGE'], // no --out
      [['filter', img, '--out', 'x.nii'], 'E_CLI_USAGE'], // neither --filter nor --ibsi2
      [['filter', img, '--filter', 'mean', '--ibsi2', '1.a.1', '--out', 'x.nii'], 'E_CLI_USAGE'],
      [['filter', img, '--ibsi2', '1.a.1', '--padding', 'mirror', '--out', 'x.nii'], 'E_CLI_USAGE'],
      [['filter', img, '--filter', 'blur', '--out', 'x.nii'], 'E_CLI_USAGE'],
      [['filter', img, '--filter', 'log', '--out', 'x.nii'], 'E_CLI_USAGE'], // --sigma missing
      [['filter', img, '--filter', 'log', '--sigma', '-1', '--out', 'x.nii'], 'E_CLI_USAGE'],
      [['filter', img, '--filter', 'log', '--sigma', '2', '--kernel', 'L5E5', '--out', 'x.nii'], 'E_CLI_USAGE'],
      [['filter', img, '--filter', 'mean', '--padding', 'wrap', '--out', 'x.nii'], 'E_CLI_USAGE'],
      [['filter', img, '--filter', 'square', '--padding', 'mirror', '--out', 'x.nii'], 'E_CLI_USAGE'],
      [['filter', img, '--ibsi2', '99.z', '--out', 'x.nii'], 'E_SETTINGS'],
      [['filter', img, '--filter', 'mean', '--support', '4', '--out', 'x.nii'], 'E_SETTINGS'],
      [['filter', img, '--filter', 'laws', '--kernel', 'X5L5', '--out', 'x.nii'], 'E_SETTINGS'],
      [['filter', join(dir, 'missing.nii.gz'), '--filter', 'mean', '--out', 'x.nii'], 'E_FILE_NOT_FOUND'],
    ];
    for (const [argv, code] of cases) {
      const r = await run(argv, dir);
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(code === 'E_CLI_USAGE' ? 2 : 1);
      expectOneLineError(r.stderr, code);
    }
  });

  it('never overwrites its input', async () => {
    await copyFile(phantom('impulse'), join(dir, 'impulse.nii.gz'));
    const r = await run(['filter', 'impulse.nii.gz', '--filter', 'square', '--out', 'impulse.nii.gz'], dir);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, 'E_OUTPUT_IS_INPUT');
  });
});
