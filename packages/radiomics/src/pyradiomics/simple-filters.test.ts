/**
 * PyRadiomics' Square, SquareRoot, Logarithm, Exponential, Gradient and LBP2D filters against
 * references from outside the code:
 * - hand-computed values of the documented formulas (imageoperations.py docstrings / code);
 * - fixtures/numpy-point-transforms.json: the bodies of getSquareImage … getExponentialImage run with
 *   numpy 1.24 (fixtures/gen_numpy_point_transforms.py);
 * - fixtures/itk-gradient.json: ITK 5.2 GradientMagnitudeImageFilter<short, float> (what SimpleITK's
 *   GradientMagnitude runs; fixtures/gen_itk_gradient.cxx), plus a linear ramp (constant magnitude =
 *   slope, anisotropic spacing);
 * - fixtures/skimage-lbp.json: scikit-image 0.19.3 local_binary_pattern on 2D images for the four
 *   methods PyRadiomics allows, and getLBP2DImage's slice loop on an int16 volume along each axis
 *   (fixtures/gen_skimage_lbp.py), plus a 3×3 example worked out by hand.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RadcamError, type Vec3 } from '@radcam/core';
import { expectArraysClose } from '@radcam/core/testing';
import {
  lbpSamplingOffsets,
  numpyCastToInt,
  localBinaryPattern2D,
  pyradiomicsGradientMagnitude,
  pyradiomicsLbp2D,
  pyradiomicsPointTransform,
  type PyradiomicsLbpMethod,
  type PyradiomicsPointTransform,
} from '../filters/pyradiomics-nonlinear.js';

const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
}

describe('PyRadiomics point transforms (coefficients from max|x| of the whole image)', () => {
  // M = max|x| = 9
  const x = [-9, -4, 0, 1, 4, 9];
  it('square: f = (x/√M)² = x²/M — no sign kept (the code squares)', () => {
    expectArraysClose(pyradiomicsPointTransform(x, 'square'), [9, 16 / 9, 0, 1 / 9, 16 / 9, 9], { atol: 1e-13 });
  });
  it('square root: f = ±√(|x|·M), sign kept', () => {
    expectArraysClose(pyradiomicsPointTransform(x, 'squareroot'), [-9, -6, 0, 3, 6, 9], { atol: 1e-13 });
  });
  it('logarithm: f = ±log(|x| + 1)·M / log(M + 1), sign kept', () => {
    const k = 9 / Math.log(10);
    expectArraysClose(pyradiomicsPointTransform(x, 'logarithm'), [-9, -Math.log(5) * k, 0, Math.log(2) * k, Math.log(5) * k, 9], { atol: 1e-13 });
  });
  it('exponential: f = e^(x·log M / M) = M^(x/M)', () => {
    expectArraysClose(pyradiomicsPointTransform(x, 'exponential'), [1 / 9, 9 ** (-4 / 9), 1, 9 ** (1 / 9), 9 ** (4 / 9), 9], { rtol: 1e-13 });
  });
  it('the largest |x| may be negative: M = 8 from x = −8', () => {
    expectArraysClose(pyradiomicsPointTransform([-8, 2], 'square'), [8, 0.5], { atol: 1e-13 });
    expectArraysClose(pyradiomicsPointTransform([-8, 2], 'squareroot'), [-8, 4], { atol: 1e-13 });
    expectArraysClose(pyradiomicsPointTransform([-8, 2], 'exponential'), [8 ** -1, 8 ** 0.25], { rtol: 1e-13 });
  });

  const { cases } = fixture<{ cases: Array<Record<string, number[]> & { name: string }> }>('numpy-point-transforms.json');
  for (const c of cases) {
    for (const kind of ['square', 'squareroot', 'logarithm', 'exponential'] as PyradiomicsPointTransform[]) {
      it(`${kind}, ${c.name}: PyRadiomics' code run with numpy`, () => {
        expect(maxRelDiff(pyradiomicsPointTransform(Float64Array.from(c.image!), kind), c[kind]!)).toBeLessThan(1e-14);
      });
    }
  }

  it('all-zero image: NaN in numpy for square/logarithm/exponential → E_SETTINGS; square root stays 0', () => {
    for (const kind of ['square', 'logarithm', 'exponential'] as const) {
      expect(() => pyradiomicsPointTransform([0, 0], kind)).toThrow(RadcamError);
    }
    expect(Array.from(pyradiomicsPointTransform([0, 0], 'squareroot'))).toEqual([0, 0]);
  });
});

describe('PyRadiomics Gradient = SimpleITK GradientMagnitude (float32 output)', () => {
  interface GradCase { size: Vec3; spacing: Vec3; useSpacing: boolean; image: number[]; gradient: number[] }
  const { cases } = fixture<{ cases: GradCase[] }>('itk-gradient.json');
  for (const c of cases) {
    it(`ITK 5.2, size ${c.size.join('×')}, spacing ${c.spacing.join('/')}, useImageSpacing ${c.useSpacing}: identical float32 values`, () => {
      const out = pyradiomicsGradientMagnitude(c.image, c.size, c.spacing, c.useSpacing);
      expect(out).toBeInstanceOf(Float32Array);
      expect(Array.from(out)).toEqual(c.gradient.map((v) => Math.fround(v)));
    });
  }

  it('linear ramp a·x + b·y + c·z (mm), anisotropic spacing: |∇| = √(a² + b² + c²) inside; one-sided halves at the faces', () => {
    const size: Vec3 = [7, 6, 5];
    const sp: Vec3 = [0.5, 0.8, 2];
    const [a, b, c] = [3, -2, 1.5];
    const data = new Float64Array(7 * 6 * 5);
    for (let k = 0, p = 0; k < 5; k++) for (let j = 0; j < 6; j++) for (let i = 0; i < 7; i++, p++) data[p] = a * i * sp[0] + b * j * sp[1] + c * k * sp[2];
    const g = pyradiomicsGradientMagnitude(data, size, sp);
    const at = (i: number, j: number, k: number) => g[i + 7 * (j + 6 * k)]!;
    const slope = Math.sqrt(a * a + b * b + c * c);
    for (let k = 1; k < 4; k++) for (let j = 1; j < 5; j++) for (let i = 1; i < 6; i++) expect(at(i, j, k)).toBeCloseTo(slope, 5);
    // zero-flux boundary: at x = 0 the difference is (f₁ − f₀)/(2·sx) = a/2
    expect(at(0, 2, 2)).toBeCloseTo(Math.sqrt((a / 2) ** 2 + b * b + c * c), 5);
    expect(at(6, 5, 4)).toBeCloseTo(Math.sqrt((a / 2) ** 2 + (b / 2) ** 2 + (c / 2) ** 2), 5);
    // without spacing: per-voxel differences a·sx, b·sy, c·sz
    const gv = pyradiomicsGradientMagnitude(data, size, sp, false);
    expect(gv[3 + 7 * (3 + 6 * 2)]!).toBeCloseTo(Math.hypot(a * sp[0], b * sp[1], c * sp[2]), 5);
  });

  it('single-slice volume: the 1-voxel axis contributes 0', () => {
    const data = Float64Array.from({ length: 12 }, (_, p) => 2 * (p % 4));
    const g = pyradiomicsGradientMagnitude(data, [4, 3, 1], [0.5, 1, 3]);
    expect(g[1 + 4]!).toBeCloseTo(4, 6); // 2 per voxel / 0.5 mm
  });
});

describe("PyRadiomics LBP2D = scikit-image local_binary_pattern (PyRadiomics' methods)", () => {
  it('sampling points: P = 8, R = 1 → right, up-right (−0.70711, 0.70711), up, … (5-decimal rounding)', () => {
    const { dr, dc } = lbpSamplingOffsets(8, 1);
    expectArraysClose(dr, [0, -0.70711, -1, -0.70711, 0, 0.70711, 1, 0.70711], { atol: 0 });
    expectArraysClose(dc, [1, 0.70711, 0, -0.70711, -1, -0.70711, 0, 0.70711], { atol: 0 });
  });

  // Worked example, centre pixel of
  //   10 80 90
  //   20 50 60
  //   30 40 70
  // neighbours (P = 8, R = 1; diagonals bilinear with weights 0.70711 / 0.29289):
  //   i=0 right 60 ≥ 50 → 1
  //   i=1 up-right: 0.70711·(0.29289·80 + 0.70711·90) + 0.29289·(0.29289·50 + 0.70711·60) ≈ 78.28 → 1
  //   i=2 up 80 → 1
  //   i=3 up-left: 0.70711·(0.70711·10 + 0.29289·80) + 0.29289·(0.70711·20 + 0.29289·50) ≈ 30.00 → 0
  //   i=4 left 20 → 0;  i=5 down-left ≈ 31.72 → 0;  i=6 down 40 → 0
  //   i=7 down-right: 0.29289·(0.29289·50 + 0.70711·60) + 0.70711·(0.29289·40 + 0.70711·70) ≈ 60.00 → 1
  // bits 1,1,1,0,0,0,0,1: default = 1 + 2 + 4 + 128 = 135; 2 transitions → uniform = 4 ones;
  // ror = smallest rotation of 10000111₂ = 00001111₂ = 15.
  const patch = Float64Array.from([10, 80, 90, 20, 50, 60, 30, 40, 70]);
  const centre = (method: PyradiomicsLbpMethod) => localBinaryPattern2D(patch, 3, 3, 8, 1, method)[4]!;
  it('3×3 worked example: default 135, uniform 4, ror 15', () => {
    expect(centre('default')).toBe(135);
    expect(centre('uniform')).toBe(4);
    expect(centre('ror')).toBe(15);
  });
  it('3×3 worked example: var = population variance of the 8 interpolated neighbours', () => {
    const w = 0.70711, v = 1 - 0.70711;
    const nb = [60, w * (v * 80 + w * 90) + v * (v * 50 + w * 60), 80, w * (w * 10 + v * 80) + v * (w * 20 + v * 50), 20,
      v * (w * 20 + v * 50) + w * (w * 30 + v * 40), 40, v * (v * 50 + w * 60) + w * (v * 40 + w * 70)];
    const mean = nb.reduce((s, t) => s + t, 0) / 8;
    expect(centre('var')).toBeCloseTo(nb.reduce((s, t) => s + (t - mean) ** 2, 0) / 8, 9);
  });
  it('non-uniform pattern (4 transitions) → P + 1; P = 4, R = 1 samples the 4-neighbours exactly', () => {
    // centre 5; right 9 (1), up 1 (0), left 9 (1), down 1 (0): 1010 → 4 transitions → 5; default 1 + 4 = 5
    const img = Float64Array.from([0, 1, 0, 9, 5, 9, 0, 1, 0]);
    expect(localBinaryPattern2D(img, 3, 3, 4, 1, 'uniform')[4]).toBe(5);
    expect(localBinaryPattern2D(img, 3, 3, 4, 1, 'default')[4]).toBe(5);
    expect(localBinaryPattern2D(img, 3, 3, 8, 1, 'uniform')[4]).toBe(9);
  });

  interface Lbp2DCase { name: string; rows: number; cols: number; P: number; R: number; method: PyradiomicsLbpMethod; image: number[]; lbp: Array<number | null> }
  interface LbpVolCase { shape_zyx: [number, number, number]; axis: 0 | 1 | 2; P: number; R: number; method: PyradiomicsLbpMethod; image: number[]; lbp: number[] }
  const fx = fixture<{ images2d: Lbp2DCase[]; volumes: LbpVolCase[] }>('skimage-lbp.json');
  it(`scikit-image 0.19.3: ${fx.images2d.length} image/P/R/method cases, identical (NaN where var = 0)`, () => {
    for (const c of fx.images2d) {
      const out = localBinaryPattern2D(Float64Array.from(c.image), c.rows, c.cols, c.P, c.R, c.method);
      const got = Array.from(out, (v) => (Number.isNaN(v) ? null : v));
      if (c.method === 'var') {
        expect(got.map((v) => v === null), `${c.name} P=${c.P} R=${c.R}`).toEqual(c.lbp.map((v) => v === null));
        expect(maxRelDiff(got.map((v) => v ?? 0), c.lbp.map((v) => v ?? 0)), `${c.name} P=${c.P} R=${c.R}`).toBeLessThan(1e-12);
      } else {
        expect(got, `${c.name} P=${c.P} R=${c.R} ${c.method}`).toEqual(c.lbp);
      }
    }
  });
  for (const c of fx.volumes) {
    it(`getLBP2DImage on an int16 volume, force2Ddimension ${c.axis}, P=${c.P} R=${c.R} ${c.method}: identical (codes cast to int16)`, () => {
      const [nz, ny, nx] = c.shape_zyx;
      const out = pyradiomicsLbp2D(c.image, [nx, ny, nz], { samples: c.P, radius: c.R, method: c.method, axis: c.axis, intRange: [-32768, 32767] });
      expect(Array.from(out)).toEqual(c.lbp);
    });
  }
  it('defaults: uniform, P = 8, R = 1, axial slices', () => {
    const c = fx.volumes.find((v) => v.axis === 0 && v.method === 'uniform' && v.P === 8)!;
    const [nz, ny, nx] = c.shape_zyx;
    expect(Array.from(pyradiomicsLbp2D(c.image, [nx, ny, nz]))).toEqual(c.lbp);
  });
  it("numpy's float → int cast of the codes (values printed by numpy 1.24 on x86-64 for int16 / uint8 / int32 arrays)", () => {
    // a = np.zeros(5, np.int16); a[:] = [40000.0, nan, -40000.7, 65535.0, 2.9] → [-25536, 0, 25536, -1, 2]
    expect([40000, NaN, -40000.7, 65535, 2.9].map((v) => numpyCastToInt(v, -32768, 32767))).toEqual([-25536, 0, 25536, -1, 2]);
    // uint8: [300.0, -1.5, nan] → [44, 255, 0];  int32: [3e9, nan, -2.5] → [-2147483648, -2147483648, -2]
    expect([300, -1.5, NaN].map((v) => numpyCastToInt(v, 0, 255))).toEqual([44, 255, 0]);
    expect([3e9, NaN, -2.5].map((v) => numpyCastToInt(v, -2147483648, 2147483647))).toEqual([-2147483648, -2147483648, -2]);
  });
  it('bad settings → E_SETTINGS', () => {
    expect(() => localBinaryPattern2D(patch, 3, 3, 0, 1)).toThrow(RadcamError);
    expect(() => localBinaryPattern2D(patch, 3, 3, 8, 0)).toThrow(RadcamError);
    expect(() => localBinaryPattern2D(patch, 3, 3, 40, 1, 'default')).toThrow(RadcamError);
  });
});
