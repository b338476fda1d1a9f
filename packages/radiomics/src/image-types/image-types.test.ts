import { describe, expect, it } from 'vitest';
import { RadcamError, type Mask, type Vec3, type Volume } from '@radcam/core';
import { createRng } from '@radcam/core';
import { extractFilteredFeatures } from './extract.js';
import { ibsiImageTypePrefix, imageTypeFeatureName, pyradiomicsImageTypeName, type ImageTypeSpec } from './image-type.js';
import { IBSI2_PHASE2_CONFIGS } from './ibsi2-phase2.js';

function geometry<T extends Volume['data']>(data: T, size: Vec3): Volume<T> {
  return { data, size, spacing: [1, 1, 2], origin: [0, 0, 0], direction: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]) };
}

describe('image-type names', () => {
  it('PyRadiomics image-type names follow PyRadiomics’ documented scheme', () => {
    // names as printed by PyRadiomics (imageoperations.getLoGImage / getWaveletImage, docs "Image types")
    expect(pyradiomicsImageTypeName('original')).toBe('original');
    expect(pyradiomicsImageTypeName({ filter: 'log', sigmaMm: 2 })).toBe('log-sigma-2-0-mm-3D');
    expect(pyradiomicsImageTypeName({ filter: 'log', sigmaMm: 1.5 })).toBe('log-sigma-1-5-mm-3D');
    expect(pyradiomicsImageTypeName({ filter: 'wavelet', wavelet: 'coif1', subband: 'LLH' })).toBe('wavelet-LLH');
    expect(pyradiomicsImageTypeName({ filter: 'wavelet', wavelet: 'coif1', subband: 'HHH', level: 2 })).toBe('wavelet2-HHH');
    for (const t of ['square', 'squareroot', 'logarithm', 'exponential', 'gradient'] as const) expect(pyradiomicsImageTypeName({ filter: t })).toBe(t);
    expect(pyradiomicsImageTypeName({ filter: 'lbp2D' })).toBe('lbp-2D');
    expect(pyradiomicsImageTypeName({ filter: 'mean', support: 5 })).toBeUndefined();
    expect(imageTypeFeatureName({ filter: 'log', sigmaMm: 2 }, 'stat_mean', 'pyradiomics')).toBe('log-sigma-2-0-mm-3D_firstorder_Mean');
    expect(imageTypeFeatureName({ filter: 'wavelet', wavelet: 'coif1', subband: 'LLH' }, 'cm_joint_max_3D_avg', 'pyradiomics')).toBe('wavelet-LLH_glcm_MaximumProbability');
    // PyRadiomics Kurtosis = IBSI excess kurtosis + 3: not renamed
    expect(imageTypeFeatureName({ filter: 'log', sigmaMm: 2 }, 'stat_kurt', 'pyradiomics')).toBe('log-sigma-2-0-mm-3D_stat_kurt');
  });

  it('IBSI names: prefix_tag, bare tags for the original image', () => {
    expect(imageTypeFeatureName({ filter: 'log', sigmaMm: 2 }, 'stat_mean')).toBe('log_s2_stat_mean');
    expect(imageTypeFeatureName('original', 'stat_mean')).toBe('stat_mean');
    expect(imageTypeFeatureName({ filter: 'mean', support: 5, name: 'smooth' }, 'stat_mean')).toBe('smooth_stat_mean');
    const prefixes = Object.values(IBSI2_PHASE2_CONFIGS).map((c) => ibsiImageTypePrefix(c.imageType));
    expect(prefixes).toEqual([
      '', 'mean_2D_k5', 'log_2D_s1p5', 'laws_L5E5_rimax_e7', 'gabor_s5_l2_g1p5_dt22p5_avg', 'wavelet_db3_LH_l1_riavg', 'wavelet_db3_HH_l2_riavg', 'simoncelli_2D_l1', 'simoncelli_2D_l2',
      '', 'mean_k5', 'log_s1p5', 'laws_L5E5E5_rimax_e7', 'gabor_s5_l2_g1p5_dt22p5_3D_avg', 'wavelet_db3_LLH_l1_riavg', 'wavelet_db3_HHH_l2_riavg', 'simoncelli_l1', 'simoncelli_l2',
    ]);
  });
});

describe('extractFilteredFeatures', () => {
  const size: Vec3 = [40, 36, 20];
  const n = size[0] * size[1] * size[2];
  const rng = createRng(7);
  const img = geometry(Float32Array.from({ length: n }, () => Math.round(rng.next() * 200 - 50)), size);
  const m = new Uint8Array(n);
  for (let k = 7; k < 13; k++) for (let j = 14; j < 22; j++) for (let i = 16; i < 25; i++) m[i + size[0] * (j + size[1] * k)] = 1;
  // a second, border-touching part so that cropping must honour the true image border
  for (let k = 0; k < 3; k++) for (let j = 0; j < 4; j++) for (let i = 0; i < 4; i++) m[i + size[0] * (j + size[1] * k)] = 1;
  const mask = geometry(m, size) as Mask;
  const types: ImageTypeSpec[] = [
    'original',
    { filter: 'mean', support: 5 },
    { filter: 'log', sigmaMm: 1.5 },
    { filter: 'laws', kernel: 'L5E5E5', rotationInvariant: true, pooling: 'max', energyDelta: 2 },
    { filter: 'wavelet', wavelet: 'db3', subband: 'HHL', level: 2 },
    { filter: 'gabor', sigmaMm: 2, lambdaMm: 3, gamma: 1.5, thetaStep: Math.PI / 4 },
    { filter: 'square' },
  ];

  it('cropping to the ROI plus the filter reach leaves every feature unchanged', () => {
    const settings = { imageTypes: types, families: ['morphology', 'intensity_statistics', 'glcm'] as never, discretisation: { method: 'fbn' as const, bins: 16 } };
    const a = extractFilteredFeatures(img, mask, settings);
    const b = extractFilteredFeatures(img, mask, { ...settings, cropToRoi: false });
    expect(Object.keys(a.features)).toEqual(Object.keys(b.features));
    for (const k of Object.keys(a.features)) {
      if (Number.isNaN(b.features[k])) expect(a.features[k], k).toBeNaN();
      else expect(a.features[k], k).toBeCloseTo(b.features[k]!, 4);
    }
    expect(a.diagnostics.imageTypes.find((d) => d.prefix === 'mean_k5')!.filteredSize).toEqual([27, 24, 15]) // ROI box [0..24]×[0..21]×[0..12] grown by 2, clamped at 0;
  });

  it('computes morphology once, on the original, and prefixes the rest', () => {
    const r = extractFilteredFeatures(img, mask, { imageTypes: [{ filter: 'log', sigmaMm: 2 }], families: ['morphology', 'intensity_statistics'] });
    const keys = Object.keys(r.features);
    expect(keys.filter((k) => k.includes('morph_')).every((k) => k.startsWith('morph_'))).toBe(true);
    expect(keys).toContain('morph_volume');
    expect(keys).toContain('log_s2_stat_mean');
    expect(keys).not.toContain('stat_mean');
    const py = extractFilteredFeatures(img, mask, { imageTypes: ['original', { filter: 'log', sigmaMm: 2 }], families: ['intensity_statistics'], naming: 'pyradiomics' });
    expect(Object.keys(py.features)).toContain('original_firstorder_Mean');
    expect(Object.keys(py.features)).toContain('log-sigma-2-0-mm-3D_firstorder_Mean');
  });

  it('re-segments on the original intensities and applies the intensity mask to the responses', () => {
    // a constant image: every response of a normalised smoothing filter is the same constant
    const flat = geometry(new Float32Array(n).fill(10), size);
    const r = extractFilteredFeatures(flat, mask, { imageTypes: [{ filter: 'mean', support: 3 }], families: ['intensity_statistics'], resegmentation: { range: [0, 20] } });
    expect(r.features.mean_k3_stat_mean).toBeCloseTo(10, 6);
    expect(() => extractFilteredFeatures(flat, mask, { imageTypes: [{ filter: 'mean', support: 3 }], resegmentation: { range: [50, 60] } })).toThrowError(/re-segmentation/);
  });

  it('runs a preset\'s processing exactly once (same result as the explicit processing settings)', async () => {
    const { IBSI_CT_PRESETS } = await import('../processing/presets.js');
    const preset = IBSI_CT_PRESETS['ibsi-ct-C'];
    const ct = geometry(Float32Array.from({ length: n }, (_, i) => -300 + ((i * 37) % 600)), size);
    const opts = { imageTypes: ['original', { filter: 'mean', support: 3 }] as ImageTypeSpec[], families: ['intensity_statistics'] as never };
    const viaPreset = extractFilteredFeatures(ct, mask, { ...opts, preset: 'ibsi-ct-C' });
    const explicit = extractFilteredFeatures(ct, mask, { ...opts, preset: 'ibsi-ct-C', processing: preset.processing });
    expect(Object.keys(viaPreset.features).length).toBeGreaterThan(0);
    expect(viaPreset.features).toEqual(explicit.features);
    // and the original image's features equal the plain pipeline's with the same preset
    const { extractFeatures } = await import('../pipeline.js');
    const plain = extractFeatures(ct, mask, { preset: 'ibsi-ct-C', families: ['intensity_statistics'] } as never);
    expect(viaPreset.features.stat_mean).toBeCloseTo(plain.features.stat_mean!, 10);
    expect(viaPreset.diagnostics).toBeDefined();
  });

  it('rejects bad image types with typed errors', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof RadcamError ? e.code : 'other';
      }
      return 'none';
    };
    expect(code(() => extractFilteredFeatures(img, mask, { imageTypes: [] }))).toBe('E_SETTINGS');
    expect(code(() => extractFilteredFeatures(img, mask, { imageTypes: [{ filter: 'blur' } as never] }))).toBe('E_SETTINGS');
    expect(code(() => extractFilteredFeatures(img, mask, { imageTypes: ['original', 'original'] }))).toBe('E_SETTINGS');
    expect(code(() => extractFilteredFeatures(img, mask, { naming: 'x' as never }))).toBe('E_SETTINGS');
    expect(code(() => extractFilteredFeatures(img, geometry(new Uint8Array(n), size) as Mask, {}))).toBe('E_EMPTY_ROI');
  });
});
