import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVolume } from '@radcam/core';
import { binEdges } from './discretize.js';
import { extractPyradiomics } from './extract.js';
import { IBSI_PYRADIOMICS_MAP, ibsiToPyradiomics, pyradiomicsToIbsi } from './mapping.js';
import { loadPyradiomicsParams, parsePyradiomicsParams, PYRADIOMICS_FEATURES, pyradiomicsFeatureNames } from './params.js';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return `${(e as { code?: string }).code}: ${(e as Error).message}`;
  }
  return undefined;
};

describe('PyRadiomics parameter files', () => {
  it('reads the YAML schema (setting / featureClass / imageType)', () => {
    const p = parsePyradiomicsParams(`
imageType:
  Original: {}
featureClass:
  glcm: [JointEnergy, MaximumProbability]
  firstorder:
setting:
  binWidth: 10
  resampledPixelSpacing: [1, 1, 0]
  interpolator: sitkLinear
  resegmentRange: [-100, 400]
  force2D: true
  force2Ddimension: 0
  label: 2
  distances: [1]
  voxelArrayShift: 1000
`);
    expect(p.settings.binWidth).toBe(10);
    expect(p.settings.resampledPixelSpacing).toEqual([1, 1, 0]);
    expect(p.settings.interpolator).toBe('sitkLinear');
    expect(p.settings.label).toBe(2);
    expect(p.featureClasses).toEqual({ glcm: ['JointEnergy', 'MaximumProbability'], firstorder: null });
    expect(pyradiomicsFeatureNames(p)).toEqual([
      ...PYRADIOMICS_FEATURES.firstorder.map((f) => `original_firstorder_${f}`),
      'original_glcm_JointEnergy',
      'original_glcm_MaximumProbability',
    ]);
  });

  it('defaults to every class but shape2D, 107 features', () => {
    const names = pyradiomicsFeatureNames();
    expect(names.length).toBe(18 + 14 + 24 + 16 + 16 + 14 + 5);
    expect(names.some((n) => n.includes('shape2D'))).toBe(false);
  });

  it('rejects unsupported keys and image types with E_PARAMS_FILE naming the key', () => {
    expect(code(() => parsePyradiomicsParams('setting: {binWidht: 25}'))).toMatch(/^E_PARAMS_FILE: .*"binWidht"/);
    expect(code(() => parsePyradiomicsParams('imageType: {LBP3D: {}}'))).toMatch(/^E_PARAMS_FILE: .*"imageType.LBP3D".*not supported/);
    expect(code(() => parsePyradiomicsParams('imageType: {Wavelet: {wavelet: coif9}}'))).toMatch(/"imageType.Wavelet.wavelet"/);
    expect(code(() => parsePyradiomicsParams('imageType: {LoG: {sigma: [a]}}'))).toMatch(/"imageType.LoG.sigma"/);
    expect(code(() => parsePyradiomicsParams('setting: {level: 0}'))).toMatch(/"level"/);
    expect(code(() => parsePyradiomicsParams('setting: {lbp2DRadius: 0}'))).toMatch(/"lbp2DRadius"/);
    expect(code(() => parsePyradiomicsParams('imageType: {LBP2D: {lbp2DMethod: nri_uniform}}'))).toMatch(/"imageType.LBP2D.lbp2DMethod"/);
    expect(code(() => parsePyradiomicsParams('setting: {lbp2DSamples: 2.5}'))).toMatch(/"lbp2DSamples"/);
    expect(code(() => parsePyradiomicsParams('setting: {gradientUseSpacing: 1}'))).toMatch(/"gradientUseSpacing"/);
    expect(code(() => parsePyradiomicsParams('setting: {lbp3DLevels: 2}'))).toMatch(/"lbp3DLevels"/);
    expect(code(() => parsePyradiomicsParams('setting: {interpolator: sitkGaussian}'))).toMatch(/"interpolator"/);
    expect(code(() => parsePyradiomicsParams('featureClass: {glcm: [Homogeneity9]}'))).toMatch(/"featureClass.glcm.Homogeneity9"/);
    expect(code(() => parsePyradiomicsParams('featureClass: {lbp: }'))).toMatch(/"featureClass.lbp"/);
    expect(code(() => parsePyradiomicsParams('voxelSetting: {kernelRadius: 1}'))).toMatch(/"voxelSetting"/);
    expect(code(() => parsePyradiomicsParams('setting: [1, 2'))).toMatch(/^E_PARAMS_FILE/);
  });

  it('loads a parameter file from a path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyr-'));
    const path = join(dir, 'params.yaml');
    writeFileSync(path, 'setting:\n  binCount: 32\n');
    expect((await loadPyradiomicsParams(path)).settings.binCount).toBe(32);
    await expect(loadPyradiomicsParams(join(dir, 'missing.yaml'))).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
  });
});

describe('PyRadiomics discretisation', () => {
  it('uses edges at multiples of binWidth from the first one ≤ min (documented example: 54…166, W 25)', () => {
    // PyRadiomics getBinEdges docstring: ROI 54…166, bin width 25 → edges 50, 75, …, 175 (plus the
    // extra top edge of arange(…, max + 2W) that keeps every bin half-open)
    expect(Array.from(binEdges(Float64Array.of(54, 100, 166), { binWidth: 25, binCount: null }))).toEqual([50, 75, 100, 125, 150, 175, 200]);
    // flat region on a multiple of W: arange(50, 100, 25) — one bin [50, 75)
    expect(Array.from(binEdges(Float64Array.of(50, 50), { binWidth: 25, binCount: null }))).toEqual([50, 75]);
    // fixed bin count: numpy.histogram edges with the top edge + 1
    expect(Array.from(binEdges(Float64Array.of(0, 10), { binWidth: 25, binCount: 4 }))).toEqual([0, 2.5, 5, 7.5, 11]);
  });
});

describe('extractPyradiomics input checks', () => {
  const img = createVolume(Int16Array.from({ length: 27 }, (_, i) => i), [3, 3, 3]);
  it('rejects a label that is absent', () => {
    const m = createVolume(new Uint8Array(27), [3, 3, 3]);
    expect(code(() => extractPyradiomics(img, m))).toMatch(/^E_EMPTY_ROI/);
  });
  it('rejects a mask on another grid', () => {
    const m = createVolume(new Uint8Array(8).fill(1), [2, 2, 2]);
    expect(code(() => extractPyradiomics(img, m))).toMatch(/^E_MASK_GEOMETRY_MISMATCH/);
  });
  it('does not modify its inputs', () => {
    const m = createVolume(Uint8Array.from({ length: 27 }, (_, i) => (i % 2 ? 1 : 0)), [3, 3, 3]);
    const before = Array.from(img.data);
    const r = extractPyradiomics(img, m);
    expect(Array.from(img.data)).toEqual(before);
    expect(Object.keys(r.features)).toEqual(pyradiomicsFeatureNames());
  });
});

describe('IBSI ↔ PyRadiomics map', () => {
  it('maps cm_joint_max_3D_avg ↔ original_glcm_MaximumProbability both ways', () => {
    expect(ibsiToPyradiomics('cm_joint_max_3D_avg')?.pyradiomics).toBe('original_glcm_MaximumProbability');
    expect(pyradiomicsToIbsi('original_glcm_MaximumProbability')?.ibsi).toBe('cm_joint_max_3D_avg');
  });
  it('only names existing PyRadiomics features, each once', () => {
    const all = new Set(pyradiomicsFeatureNames());
    for (const e of IBSI_PYRADIOMICS_MAP) expect(all.has(e.pyradiomics)).toBe(true);
    expect(new Set(IBSI_PYRADIOMICS_MAP.map((e) => e.pyradiomics)).size).toBe(IBSI_PYRADIOMICS_MAP.length);
  });
});
