/**
 * Square / SquareRoot / Logarithm / Exponential / Gradient / LBP2D in `extractPyradiomics`:
 * PyRadiomics' names (`square_…`, `squareroot_…`, `logarithm_…`, `exponential_…`, `gradient_…`,
 * `lbp-2D_…`), coefficients from the whole pre-processed image (not the ROI), per-image-type
 * settings, and first-order values checked against the documented formulas. Filter values
 * themselves are checked against numpy / ITK / scikit-image in simple-filters.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createVolume, type Vec3 } from '@radcam/core';
import { pyradiomicsImageTypeName } from '../image-types/image-type.js';
import { pyradiomicsLbp2D } from '../filters/pyradiomics-nonlinear.js';
import { extractPyradiomics } from './extract.js';
import { parsePyradiomicsParams, pyradiomicsFeatureNames } from './params.js';

const SIZE: Vec3 = [16, 14, 10];
const SPACING: Vec3 = [0.5, 1, 2];
const N = SIZE[0] * SIZE[1] * SIZE[2];
const inRoi = (x: number, y: number, z: number) => ((x - 8) / 5) ** 2 + ((y - 7) / 4) ** 2 + ((z - 5) / 3) ** 2 <= 1;

/** Textured int16 image with negative and positive values; its largest |x| (−900) lies outside the ROI. */
function makeCase() {
  const img = new Int16Array(N), lab = new Uint8Array(N);
  for (let z = 0, p = 0; z < SIZE[2]; z++) {
    for (let y = 0; y < SIZE[1]; y++) {
      for (let x = 0; x < SIZE[0]; x++, p++) {
        img[p] = ((x * 37 + y * 11 + z * 7) % 23) * 9 - 80 + 4 * x - 3 * y;
        if (inRoi(x, y, z)) lab[p] = 1;
      }
    }
  }
  img[0] = -900;
  return { image: createVolume(img, SIZE, { spacing: SPACING }), mask: createVolume(lab, SIZE, { spacing: SPACING }), img, lab };
}

const roi = (vals: ArrayLike<number>, lab: Uint8Array) => {
  const out: number[] = [];
  for (let i = 0; i < lab.length; i++) if (lab[i]) out.push(vals[i]!);
  return out;
};
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;

describe('extractPyradiomics with the Square, SquareRoot, Logarithm, Exponential, Gradient and LBP2D image types', () => {
  const { image, mask, img, lab } = makeCase();
  const params = parsePyradiomicsParams(`
imageType:
  Original: {}
  Square: {}
  SquareRoot: {}
  Logarithm: {}
  Exponential: {}
  Gradient: {}
  LBP2D: {binWidth: 1}
`);
  const r = extractPyradiomics(image, mask, params);
  const x = roi(img, lab);
  const M = 900;

  it("names every feature with PyRadiomics' image-type prefixes, in image-type order", () => {
    const names = Object.keys(r.features);
    expect(names).toEqual(pyradiomicsFeatureNames(params));
    expect(names.length).toBe(14 + 7 * (18 + 24 + 16 + 16 + 14 + 5));
    for (const p of ['square', 'squareroot', 'logarithm', 'exponential', 'gradient', 'lbp-2D']) {
      for (const f of ['firstorder_Mean', 'glcm_Contrast', 'glrlm_RunEntropy', 'glszm_ZoneEntropy', 'gldm_DependenceEntropy', 'ngtdm_Coarseness']) {
        expect(Number.isFinite(r.features[`${p}_${f}`]), `${p}_${f}`).toBe(true);
      }
    }
    // the shared namer of the image-type module agrees
    for (const f of ['square', 'squareroot', 'logarithm', 'exponential', 'gradient', 'lbp2D'] as const) {
      expect(r.features[`${pyradiomicsImageTypeName({ filter: f } as never)}_firstorder_Mean`]).toBeDefined();
    }
  });

  it('point transforms use max|x| of the whole image (−900 outside the ROI), not of the ROI', () => {
    expect(r.features['square_firstorder_Mean']).toBeCloseTo(mean(x.map((v) => (v * v) / M)), 9);
    expect(r.features['square_firstorder_Maximum']).toBeCloseTo(Math.max(...x.map((v) => (v * v) / M)), 9);
    expect(r.features['squareroot_firstorder_Minimum']).toBeCloseTo(-Math.sqrt(-Math.min(...x) * M), 9);
    expect(r.features['squareroot_firstorder_Maximum']).toBeCloseTo(Math.sqrt(Math.max(...x) * M), 9);
    // logarithm keeps the sign: −log(1 − x_min)·M / log(1 + M)
    expect(r.features['logarithm_firstorder_Minimum']).toBeCloseTo((-Math.log(1 - Math.min(...x)) * M) / Math.log(1 + M), 9);
    expect(r.features['logarithm_firstorder_Maximum']).toBeCloseTo((Math.log(1 + Math.max(...x)) * M) / Math.log(1 + M), 9);
    expect(r.features['exponential_firstorder_Maximum']).toBeCloseTo(M ** (Math.max(...x) / M), 9);
    expect(r.features['exponential_firstorder_Minimum']).toBeCloseTo(M ** (Math.min(...x) / M), 9);
  });

  it('binWidth applies to the transformed values (PyRadiomics edges at multiples of 25 from 0)', () => {
    // square values x²/900 of this ROI lie in [0, 25): one bin → Entropy 0, Uniformity 1
    expect(Math.max(...x.map((v) => (v * v) / M))).toBeLessThan(25);
    expect(r.diagnostics['diagnostics_Discretisation-square_Ng']).toBe(1);
    // PyRadiomics' entropy −Σ p·log2(p + ε), ε = 2.2e-16: −log2(1 + ε) for a single bin
    expect(r.features['square_firstorder_Entropy']).toBeCloseTo(0, 14);
    expect(r.features['square_firstorder_Uniformity']).toBe(1);
  });

  it('LBP2D: uniform codes 0…9 per axial slice, binWidth 1 from its custom settings', () => {
    const lbp = roi(pyradiomicsLbp2D(img, SIZE), lab);
    expect(lbp.every((v) => Number.isInteger(v) && v >= 0 && v <= 9)).toBe(true);
    expect(r.features['lbp-2D_firstorder_Mean']).toBeCloseTo(mean(lbp), 12);
    // binWidth 1: edges 0, 1, 2, …: one level per code present
    expect(r.diagnostics['diagnostics_Discretisation-lbp-2D_GrayLevels']).toBe(new Set(lbp).size);
    // with the global binWidth 25 every code falls in one bin
    const p25 = parsePyradiomicsParams('featureClass: {firstorder: [Entropy]}\nimageType: {LBP2D: {}}\n');
    expect(extractPyradiomics(image, mask, p25).features['lbp-2D_firstorder_Entropy']).toBeCloseTo(0, 14);
  });

  it('LBP2D settings: lbp2DRadius / lbp2DSamples / lbp2DMethod / force2Ddimension from the image type', () => {
    const p = parsePyradiomicsParams('featureClass: {firstorder: [Mean]}\nimageType: {LBP2D: {lbp2DRadius: 2, lbp2DSamples: 16, lbp2DMethod: ror, force2Ddimension: 1}}\n');
    const out = extractPyradiomics(image, mask, p);
    // ror codes with 16 samples go up to 65535: written into the int16 image they wrap (numpy's cast)
    const codes = roi(pyradiomicsLbp2D(img, SIZE, { radius: 2, samples: 16, method: 'ror', axis: 1 }), lab);
    expect(Math.max(...codes)).toBeGreaterThan(32767);
    const wrapped = codes.map((v) => (v > 32767 ? v - 65536 : v));
    expect(out.features['lbp-2D_firstorder_Mean']).toBeCloseTo(mean(wrapped), 9);
    const asFloat = extractPyradiomics(createVolume(Float32Array.from(img), SIZE, { spacing: SPACING }), mask, p);
    expect(asFloat.features['lbp-2D_firstorder_Mean']).toBeCloseTo(mean(codes), 9);
    expect(out.features['lbp-2D_firstorder_Mean']).not.toBeCloseTo(r.features['lbp-2D_firstorder_Mean']!, 3);
  });

  it('LBP2D var: codes are written back into the int16 image (truncated); a float image keeps them', () => {
    const p = parsePyradiomicsParams('featureClass: {firstorder: [Mean]}\nimageType: {LBP2D: {lbp2DMethod: var}}\n');
    const asInt = extractPyradiomics(image, mask, p).features['lbp-2D_firstorder_Mean']!;
    const asFloat = extractPyradiomics(createVolume(Float64Array.from(img), SIZE, { spacing: SPACING }), mask, p).features['lbp-2D_firstorder_Mean']!;
    const raw = roi(pyradiomicsLbp2D(img, SIZE, { method: 'var' }), lab);
    expect(asFloat).toBeCloseTo(mean(raw), 6);
    expect(asInt).toBeCloseTo(mean(raw.map((v) => (Number.isNaN(v) ? 0 : Math.trunc(v)))), 9);
  });
});

describe('Gradient image type: linear ramp → constant magnitude = slope (mm)', () => {
  // f = 4·i + 6·k on spacing 0.5 / 1 / 2 mm → ∂f/∂x = 8 /mm, ∂f/∂z = 3 /mm, |∇f| = √73 inside
  const img = new Int16Array(N), lab = new Uint8Array(N);
  for (let z = 0, p = 0; z < SIZE[2]; z++) for (let y = 0; y < SIZE[1]; y++) for (let x = 0; x < SIZE[0]; x++, p++) {
    img[p] = 4 * x + 6 * z;
    if (inRoi(x, y, z)) lab[p] = 1;
  }
  const image = createVolume(img, SIZE, { spacing: SPACING });
  const mask = createVolume(lab, SIZE, { spacing: SPACING });

  it('gradient_firstorder_Mean = √73 (float32), Variance ≈ 0; without spacing √(4² + 6²)', () => {
    const p = parsePyradiomicsParams('featureClass: {firstorder: [Mean, Variance]}\nimageType: {Gradient: {}}\n');
    const out = extractPyradiomics(image, mask, p).features;
    expect(out['gradient_firstorder_Mean']).toBeCloseTo(Math.sqrt(73), 5);
    expect(out['gradient_firstorder_Variance']).toBeLessThan(1e-10);
    const pv = parsePyradiomicsParams('featureClass: {firstorder: [Mean]}\nimageType: {Gradient: {gradientUseSpacing: false}}\n');
    expect(extractPyradiomics(image, mask, pv).features['gradient_firstorder_Mean']).toBeCloseTo(Math.sqrt(16 + 36), 5);
  });
});
