import { describe, expect, it } from 'vitest';
import { expectArraysClose } from '@radcam/core/testing';
import { gradientMagnitude, lbp2D, pointTransform } from './nonlinear.js';

describe('point transforms (PyRadiomics definitions)', () => {
  const x = Float64Array.of(-4, -1, 0, 1, 4);
  it('square: (x/√max|x|)²', () => expectArraysClose(pointTransform(x, 'square'), [4, 0.25, 0, 0.25, 4], { atol: 1e-12 }));
  it('square root: ±√(max|x|·|x|)', () => expectArraysClose(pointTransform(x, 'squareroot'), [-4, -2, 0, 2, 4], { atol: 1e-12 }));
  it('logarithm: ±log(|x|+1) rescaled to max|x|', () => {
    const s = 4 / Math.log(5);
    expectArraysClose(pointTransform(x, 'logarithm'), [-4, -Math.log(2) * s, 0, Math.log(2) * s, 4], { atol: 1e-12 });
  });
  it('exponential: e^(x·log(max|x|)/max|x|) maps max|x| to max|x|', () => {
    const c = Math.log(4) / 4;
    expectArraysClose(pointTransform(x, 'exponential'), [0.25, Math.exp(-c), 1, Math.exp(c), 4], { atol: 1e-12 });
  });
});

describe('gradient magnitude', () => {
  it('equals the slope of a linear ramp in mm inside, half of it at zero-flux borders', () => {
    const size: [number, number, number] = [5, 3, 2];
    const d = new Float64Array(30);
    for (let k = 0; k < 2; k++) for (let j = 0; j < 3; j++) for (let i = 0; i < 5; i++) d[i + 5 * (j + 3 * k)] = 6 * i; // 6 per voxel along x
    const g = gradientMagnitude(d, size, [2, 1, 1]);
    expect(g[2]).toBeCloseTo(3, 12); // 6 per voxel / 2 mm
    expect(g[0]).toBeCloseTo(1.5, 12);
  });
});

describe('LBP 2D (uniform)', () => {
  it('a flat image gives P everywhere inside; an isolated peak gives 0; a step edge gives uniform counts', () => {
    const n = 7;
    const flat = new Float64Array(n * n).fill(5);
    const r = lbp2D(flat, [n, n, 1]);
    expect(r[3 + n * 3]).toBe(8);
    const peak = new Float64Array(n * n);
    peak[3 + n * 3] = 10;
    expect(lbp2D(peak, [n, n, 1])[3 + n * 3]).toBe(0);
    // vertical step: columns ≥ 4 are 1 → at (3,3) the right half-circle (3 samples with x offset > 0
    // … with bilinear interpolation the diagonal samples get 0.707) are ≥? no: centre is 0, so all ≥ 0
    const step = new Float64Array(n * n);
    for (let r2 = 0; r2 < n; r2++) for (let c = 4; c < n; c++) step[c + n * r2] = 1;
    expect(lbp2D(step, [n, n, 1])[4 + n * 3]).toBe(5); // centre 1: right column (3 samples, incl. the straight-right one) + up/down = 5 ones, uniform
  });
});
