/**
 * IBSI 2 phase 1: every test with a consensus reference response map must satisfy the IBSI 2
 * criterion |map − ref| ≤ 0.01 · (max(ref) − min(ref)) in every voxel.
 * References: ../shared/ibsi/ibsi2/reference_response_maps (CC0), phantoms (CC BY 4.0).
 */
import { describe, expect, it } from 'vitest';
import { readVolume } from '@radcam/volume-io';
import { sharedPath } from '@radcam/core/testing';
import { RadcamError } from '@radcam/core';
import { applyFilter, ibsi2Test, IBSI2_PHASE1_TESTS } from './index.js';

const phantoms = new Map<string, Awaited<ReturnType<typeof readVolume>>>();
async function phantom(name: string) {
  let v = phantoms.get(name);
  if (!v) {
    v = await readVolume(sharedPath('ibsi', 'ibsi2', 'digital_phantoms', name, 'image', `${name}.nii.gz`));
    phantoms.set(name, v);
  }
  return v;
}

describe('IBSI 2 phase 1 reference response maps', () => {
  const ids = Object.keys(IBSI2_PHASE1_TESTS);
  it('covers all 33 consensus maps', () => {
    expect(ids).toHaveLength(33);
  });
  for (const id of ids) {
    it(`test ${id}`, async () => {
      const { phantom: name, spec } = ibsi2Test(id);
      const image = await phantom(name);
      const ref = await readVolume(sharedPath('ibsi', 'ibsi2', 'reference_response_maps', `${id.replace(/\./g, '_')}-ValidCRM.nii`));
      const out = applyFilter(image, spec);
      expect(out.size).toEqual(ref.size);
      expect(out.spacing).toEqual(image.spacing);
      let lo = Infinity, hi = -Infinity;
      for (let i = 0; i < ref.data.length; i++) {
        lo = Math.min(lo, ref.data[i]!);
        hi = Math.max(hi, ref.data[i]!);
      }
      const tol = 0.01 * (hi - lo);
      let bad = 0, worst = 0;
      for (let i = 0; i < ref.data.length; i++) {
        const e = Math.abs(out.data[i]! - ref.data[i]!);
        worst = Math.max(worst, e);
        if (e > tol) bad++;
      }
      expect({ id, bad, worst: worst <= tol }).toEqual({ id, bad: 0, worst: true });
    });
  }
  it('rejects unknown tests, filters and paddings with typed errors', async () => {
    expect(() => ibsi2Test('99.z')).toThrowError(RadcamError);
    const image = await phantom('impulse');
    expect(() => applyFilter(image, { filter: 'mean', support: 4 })).toThrowError(/odd/);
    expect(() => applyFilter(image, { filter: 'mean', support: 3, padding: 'wrap' as never })).toThrowError(/padding/);
    expect(() => applyFilter(image, { filter: 'laws', kernel: 'X5L5' })).toThrowError(/Laws/);
    expect(() => applyFilter(image, { filter: 'wavelet', wavelet: 'bior9', subband: 'LLL' })).toThrowError(/wavelet/);
  });
});
