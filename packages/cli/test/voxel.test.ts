import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVolume } from '@radcam/core';
import { expectClose } from '@radcam/core/testing';
import { readVolume, writeVolume } from '@radcam/volume-io';
import { expectOneLineError, run, tempDir } from './helpers.js';

const SIZE: [number, number, number] = [9, 8, 7];
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('radcam-voxel-'));
  const n = SIZE[0] * SIZE[1] * SIZE[2];
  const geom = { spacing: [0.7, 0.8, 2] as [number, number, number], origin: [-10, 5, 30] as [number, number, number] };
  // constant image: every kernel has zero variance and a single-cell GLCM (joint energy 1)
  const img = createVolume(new Float32Array(n).fill(250), SIZE, geom);
  const m = new Uint8Array(n);
  for (let z = 2; z <= 4; z++) for (let y = 2; y <= 5; y++) for (let x = 2; x <= 6; x++) m[x + SIZE[0] * (y + SIZE[1] * z)] = 1;
  await writeVolume(join(dir, 'img.nii.gz'), img);
  await writeVolume(join(dir, 'mask.nii.gz'), createVolume(m, SIZE, geom));
  await writeVolume(join(dir, 'empty.nii.gz'), createVolume(new Uint8Array(n), SIZE, geom));
});
afterAll(() => cleanup());

describe('radcam features --voxel', () => {
  it('writes one float32 NIfTI per feature on the image grid', async () => {
    const r = await run(['features', 'img.nii.gz', 'mask.nii.gz', '--voxel', '--kernel-radius', '1', '--families', 'glcm,stat', '--out-dir', 'maps', '--jobs', '0'], dir);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { maps: Record<string, string>; diagnostics: { targets: number } };
    const files = (await readdir(join(dir, 'maps'))).filter((f) => f.endsWith('.nii.gz'));
    expect(files).toHaveLength(18 + 2 * 25); // statistics + GLCM 3D_avg / 3D_comb
    expect(Object.keys(summary.maps)).toHaveLength(files.length);
    expect(summary.diagnostics.targets).toBe(5 * 4 * 3);
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);

    const ref = await readVolume(join(dir, 'img.nii.gz'));
    const varMap = await readVolume(join(dir, 'maps', 'stat_var.nii.gz'));
    const energy = await readVolume(join(dir, 'maps', 'cm_energy_3D_avg.nii.gz'));
    const mean = await readVolume(join(dir, 'maps', 'stat_mean.nii.gz'));
    expect(varMap.data).toBeInstanceOf(Float32Array);
    expect(varMap.size).toEqual(ref.size);
    for (let i = 0; i < 3; i++) {
      expectClose(varMap.spacing[i]!, ref.spacing[i]!, { atol: 1e-5 });
      expectClose(varMap.origin[i]!, ref.origin[i]!, { atol: 1e-4 });
    }
    const inside = 4 + SIZE[0] * (3 + SIZE[1] * 3);
    expect(varMap.data[inside]).toBe(0);
    expect(mean.data[inside]).toBe(250);
    expect(energy.data[inside]).toBe(1);
    expect(Number.isNaN(varMap.data[0]!)).toBe(true); // outside the ROI
  });

  it('rejects bad input with one-line typed errors', async () => {
    let r = await run(['features', 'img.nii.gz', 'mask.nii.gz', '--voxel', '--kernel-radius', '0', '--out-dir', 'x'], dir);
    expect(r.code).not.toBe(0);
    expectOneLineError(r.stderr, 'E_CLI_USAGE');
    r = await run(['features', 'img.nii.gz', 'mask.nii.gz', '--voxel', '--out-dir', 'x'], dir);
    expectOneLineError(r.stderr, 'E_CLI_USAGE');
    r = await run(['features', 'img.nii.gz', 'mask.nii.gz', '--kernel-radius', '1'], dir);
    expectOneLineError(r.stderr, 'E_CLI_USAGE');
    r = await run(['features', 'img.nii.gz', 'empty.nii.gz', '--voxel', '--kernel-radius', '1', '--out-dir', 'x', '--jobs', '0'], dir);
    expectOneLineError(r.stderr, 'E_EMPTY_ROI');
    r = await run(['features', 'img.nii.gz', 'mask.nii.gz', '--voxel', '--kernel-radius', '1', '--families', 'morph', '--out-dir', 'x', '--jobs', '0'], dir);
    expectOneLineError(r.stderr, 'E_UNSUPPORTED');
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });
});
