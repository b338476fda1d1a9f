/**
 * LoG / Wavelet image types in `extractPyradiomics`: PyRadiomics' naming (`log-sigma-1-0-mm-3D_…`,
 * `wavelet-LLH_…`), which image is filtered (the pre-processed image before the ROI crop),
 * per-image-type custom settings, and getLoGImage's size checks. Filter values themselves are
 * checked against ITK / PyWavelets in filters.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createVolume, type Vec3 } from '@radcam/core';
import { laplacianRecursiveGaussian } from '../filters/pyradiomics-log.js';
import { pyradiomicsWavelet } from '../filters/pyradiomics-wavelet.js';
import { pyradiomicsImageTypeName } from '../image-types/image-type.js';
import { extractPyradiomics } from './extract.js';
import { parsePyradiomicsParams, pyradiomicsFeatureNames, PYRADIOMICS_FEATURES } from './params.js';

const SIZE: Vec3 = [20, 18, 12];
const SPACING: Vec3 = [0.9, 0.9, 2];
function makeCase() {
  const n = SIZE[0] * SIZE[1] * SIZE[2];
  const img = new Int16Array(n), lab = new Uint8Array(n);
  for (let z = 0, p = 0; z < SIZE[2]; z++) {
    for (let y = 0; y < SIZE[1]; y++) {
      for (let x = 0; x < SIZE[0]; x++, p++) {
        img[p] = 100 + ((x * 37 + y * 11 + z * 7) % 23) * 4 + 3 * x - 2 * y + 20 * Math.sin(z);
        if (((x - 10) / 6) ** 2 + ((y - 9) / 5) ** 2 + ((z - 6) / 4) ** 2 <= 1) lab[p] = 1;
      }
    }
  }
  const image = createVolume(img, SIZE, { spacing: SPACING });
  const mask = createVolume(lab, SIZE, { spacing: SPACING });
  return { image, mask, img, lab };
}

const roiStats = (vals: ArrayLike<number>, lab: Uint8Array) => {
  let s = 0, n = 0, max = -Infinity;
  for (let i = 0; i < lab.length; i++) {
    if (!lab[i]) continue;
    s += vals[i]!;
    n++;
    max = Math.max(max, vals[i]!);
  }
  return { mean: s / n, max };
};

describe('extractPyradiomics with LoG and Wavelet image types', () => {
  const { image, mask, img, lab } = makeCase();
  const params = parsePyradiomicsParams(`
setting:
  binWidth: 25
imageType:
  Original: {}
  LoG: {sigma: [1.0, 3.0]}
  Wavelet: {}
`);
  const r = extractPyradiomics(image, mask, params);

  it('names features as PyRadiomics does, for every derived image', () => {
    const names = Object.keys(r.features);
    expect(names).toEqual(pyradiomicsFeatureNames(params));
    const perImage = 18 + 24 + 16 + 16 + 14 + 5;
    expect(names.length).toBe(14 + (1 + 2 + 8) * perImage);
    for (const n of ['log-sigma-1-0-mm-3D_firstorder_Mean', 'log-sigma-3-0-mm-3D_glszm_ZoneEntropy', 'wavelet-LLH_glcm_Contrast', 'wavelet-HHH_ngtdm_Busyness', 'wavelet-LLL_firstorder_Mean']) {
      expect(names).toContain(n);
      expect(Number.isFinite(r.features[n]!)).toBe(true);
    }
    expect(names.filter((n) => n.includes('_shape_')).every((n) => n.startsWith('original_shape_'))).toBe(true);
  });

  it('image-type names agree with the shared namer pyradiomicsImageTypeName', () => {
    expect(pyradiomicsImageTypeName({ filter: 'log', sigmaMm: 1 })).toBe('log-sigma-1-0-mm-3D');
    expect(pyradiomicsImageTypeName({ filter: 'log', sigmaMm: 3 })).toBe('log-sigma-3-0-mm-3D');
    for (const sb of ['LLH', 'LHL', 'LHH', 'HLL', 'HLH', 'HHL', 'HHH', 'LLL']) {
      expect(r.features[`${pyradiomicsImageTypeName({ filter: 'wavelet', wavelet: 'coif1', subband: sb })}_firstorder_Mean`]).toBeDefined();
    }
  });

  it('filters the whole pre-processed image, then crops to the ROI (first order Mean / Maximum of the response)', () => {
    for (const sigma of [1, 3]) {
      const resp = laplacianRecursiveGaussian(img, SIZE, SPACING, sigma);
      const st = roiStats(resp, lab);
      expect(r.features[`log-sigma-${sigma}-0-mm-3D_firstorder_Mean`]).toBeCloseTo(st.mean, 9);
      expect(r.features[`log-sigma-${sigma}-0-mm-3D_firstorder_Maximum`]).toBeCloseTo(st.max, 9);
    }
    for (const b of pyradiomicsWavelet(img, SIZE)) {
      const st = roiStats(b.data, lab);
      expect(r.features[`${b.name}_firstorder_Mean`]).toBeCloseTo(st.mean, 9);
      expect(r.features[`${b.name}_firstorder_Maximum`]).toBeCloseTo(st.max, 9);
    }
  });

  it('Python int σ keeps its int name (log-sigma-1-mm-3D); custom image-type settings override the global ones', () => {
    const p = parsePyradiomicsParams('featureClass: {firstorder: [Entropy, Mean]}\nimageType:\n  LoG: {sigma: [1, 2.5], binWidth: 5}\n');
    const out = extractPyradiomics(image, mask, p);
    expect(Object.keys(out.features)).toEqual(['log-sigma-1-mm-3D_firstorder_Entropy', 'log-sigma-1-mm-3D_firstorder_Mean', 'log-sigma-2-5-mm-3D_firstorder_Entropy', 'log-sigma-2-5-mm-3D_firstorder_Mean']);
    const global = extractPyradiomics(image, mask, parsePyradiomicsParams('setting: {binWidth: 5, sigma: [1.0]}\nfeatureClass: {firstorder: [Entropy]}\nimageType: {LoG: }\n'));
    expect(out.features['log-sigma-1-mm-3D_firstorder_Entropy']).toBe(global.features['log-sigma-1-0-mm-3D_firstorder_Entropy']);
    const bw25 = extractPyradiomics(image, mask, parsePyradiomicsParams('setting: {sigma: [1.0]}\nfeatureClass: {firstorder: [Entropy]}\nimageType: {LoG: }\n'));
    expect(bw25.features['log-sigma-1-0-mm-3D_firstorder_Entropy']).not.toBe(global.features['log-sigma-1-0-mm-3D_firstorder_Entropy']);
  });

  it('wavelet settings: level 2 names wavelet2-*, force2D gives two-letter sub-bands', () => {
    const p2 = parsePyradiomicsParams('featureClass: {firstorder: [Mean]}\nimageType: {Wavelet: {level: 2, wavelet: haar}}\n');
    expect(Object.keys(extractPyradiomics(image, mask, p2).features)).toEqual([
      ...['LLH', 'LHL', 'LHH', 'HLL', 'HLH', 'HHL', 'HHH'].map((b) => `wavelet-${b}_firstorder_Mean`),
      ...['LLH', 'LHL', 'LHH', 'HLL', 'HLH', 'HHL', 'HHH', 'LLL'].map((b) => `wavelet2-${b}_firstorder_Mean`),
    ]);
    const p3 = parsePyradiomicsParams('setting: {force2D: true}\nfeatureClass: {firstorder: [Mean]}\nimageType: {Wavelet: }\n');
    expect(Object.keys(extractPyradiomics(image, mask, p3).features)).toEqual(['LH', 'HL', 'HH', 'LL'].map((b) => `wavelet-${b}_firstorder_Mean`));
  });

  it("getLoGImage's checks: < 4 voxels on an axis → no LoG image; size < ceil(σ/spacing) + 1 → that σ skipped", () => {
    const small = createVolume(new Int16Array(6 * 6 * 3).map((_, i) => i % 7), [6, 6, 3]);
    const smask = createVolume(new Uint8Array(6 * 6 * 3).map((_, i) => (i % 6 > 1 && i % 6 < 4 ? 1 : 0)), [6, 6, 3]);
    const fo = 'featureClass: {firstorder: [Mean]}\n';
    const a = extractPyradiomics(small, smask, parsePyradiomicsParams(`${fo}imageType: {LoG: {sigma: [1.0]}}`));
    expect(Object.keys(a.features)).toEqual([]);
    expect(String(a.diagnostics['diagnostics_ImageTypes_Skipped'])).toMatch(/too small/);
    const cube = createVolume(new Int16Array(6 * 6 * 6).map((_, i) => i % 7), [6, 6, 6]);
    const cmask = createVolume(new Uint8Array(6 * 6 * 6).map((_, i) => (i % 6 > 1 && i % 6 < 4 ? 1 : 0)), [6, 6, 6]);
    // σ = 5 mm: ceil(5) + 1 = 6 ≤ 6 kept; σ = 5.5: 7 > 6 skipped
    const b = extractPyradiomics(cube, cmask, parsePyradiomicsParams(`${fo}imageType: {LoG: {sigma: [5.0, 5.5]}}`));
    expect(Object.keys(b.features)).toEqual(['log-sigma-5-0-mm-3D_firstorder_Mean']);
    expect(PYRADIOMICS_FEATURES.firstorder).toContain('Mean');
  });
});
