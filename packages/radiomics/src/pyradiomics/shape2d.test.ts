/**
 * shape2D against baseline_shape2D.csv. Its test cases (brain1_2D, breast1_2D) use single-slice
 * masks that are not shipped; PyRadiomics' diagnostics identify them as slice z = 16 of
 * brain1_label (984 voxels, corrected bounding box z = 16) and z = 9 of breast1_label (82 voxels),
 * resampled onto the image grid (correctMask). The tests rebuild exactly that mask.
 */
import { describe, expect, it } from 'vitest';
import type { Volume } from '@radcam/core';
import { extractPyradiomics } from './extract.js';
import { loadCase, readBaseline, relativeDifference } from './baseline.testutil.js';
import { pyradiomicsParams } from './params.js';

function keepSlice(mask: Volume, z: number): Volume {
  const [nx, ny] = mask.size;
  const data = new Uint8Array(mask.data.length);
  for (let i = z * nx * ny; i < (z + 1) * nx * ny; i++) data[i] = mask.data[i] === 1 ? 1 : 0;
  return { ...mask, data };
}

describe('PyRadiomics shape2D baseline', () => {
  const base = readBaseline('shape2D');
  const slices: Record<string, [string, number, number]> = { brain1_shape2D: ['brain1', 16, 984], breast1_shape2D: ['breast1', 9, 82] };
  it.each(Object.keys(slices))('%s', async (column) => {
    const [testCase, z, voxels] = slices[column]!;
    const col = base.columns.find((c) => c.column === column)!;
    const { image, mask } = await loadCase(testCase);
    const m2 = keepSlice(mask, z);
    const setting = { ...col.settings };
    delete setting.correctMask;
    const res = extractPyradiomics(image, m2, pyradiomicsParams({ setting, featureClass: { shape2D: null } }));
    expect(res.diagnostics['diagnostics_Mask-original_VoxelNum']).toBe(voxels);
    const failures: string[] = [];
    for (const [name, ref] of Object.entries(col.values)) {
      const d = relativeDifference(res.features[name]!, ref);
      if (!(d <= 1e-3)) failures.push(`${name}: ${res.features[name]} vs ${ref} (${d.toExponential(2)})`);
    }
    expect(failures).toEqual([]);
  });
});
