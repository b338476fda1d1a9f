import { describe, expect, it } from 'vitest';
import { expectClose } from '@radcam/core/testing';
import { LAWS_KERNELS, WAVELET_DEC_LO, waveletFilters } from './kernels.js';
import { padIndex } from './padding.js';
import { rotations3D } from './rotations.js';

describe('filter building blocks', () => {
  it('orthogonal wavelet filters satisfy Σh = √2, Σh² = 1 and double-shift orthogonality', () => {
    for (const name of Object.keys(WAVELET_DEC_LO)) {
      const { lo, hi } = waveletFilters(name);
      expectClose(lo.reduce((a, b) => a + b, 0), Math.SQRT2, { atol: 1e-9, label: name });
      expectClose(lo.reduce((a, b) => a + b * b, 0), 1, { atol: 1e-9, label: name });
      expectClose(hi.reduce((a, b) => a + b, 0), 0, { atol: 1e-9, label: `${name} hi` });
      for (let s = 2; s < lo.length; s += 2) {
        let dot = 0;
        for (let i = 0; i + s < lo.length; i++) dot += lo[i]! * lo[i + s]!;
        expectClose(dot, 0, { atol: 1e-9, label: `${name} shift ${s}` });
      }
    }
  });
  it('Laws kernels are unit-norm', () => {
    for (const [name, k] of Object.entries(LAWS_KERNELS)) expectClose(k.reduce((a, b) => a + b * b, 0), 1, { atol: 1e-12, label: name });
  });
  it('padding modes map indices as IBSI 2 defines them', () => {
    expect([-2, -1, 5, 6].map((i) => padIndex(i, 5, 'constant'))).toEqual([-1, -1, -1, -1]);
    expect([-2, -1, 5, 6].map((i) => padIndex(i, 5, 'nearest'))).toEqual([0, 0, 4, 4]);
    expect([-2, -1, 5, 6].map((i) => padIndex(i, 5, 'periodic'))).toEqual([3, 4, 0, 1]);
    expect([-2, -1, 5, 6].map((i) => padIndex(i, 5, 'mirror'))).toEqual([1, 0, 4, 3]);
  });
  it('there are 24 distinct proper right-angle rotations', () => {
    const r = rotations3D();
    expect(r).toHaveLength(24);
    expect(new Set(r.map((x) => `${x.perm}|${x.sign}`)).size).toBe(24);
  });
});
