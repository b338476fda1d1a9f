import { describe, it } from 'vitest';
import { expectArraysClose } from '@radcam/core/testing';
import { fft1d, fftNd } from './fft.js';

function naiveDft(re: number[], im: number[]) {
  const n = re.length;
  const or: number[] = [], oi: number[] = [];
  for (let k = 0; k < n; k++) {
    let sr = 0, si = 0;
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * k * t) / n;
      sr += re[t]! * Math.cos(a) - im[t]! * Math.sin(a);
      si += re[t]! * Math.sin(a) + im[t]! * Math.cos(a);
    }
    or.push(sr);
    oi.push(si);
  }
  return [or, oi] as const;
}

describe('fft', () => {
  for (const n of [1, 2, 8, 64, 5, 12, 63]) {
    it(`matches the definition of the DFT for n = ${n} and inverts`, () => {
      const re = Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) + i * 0.1);
      const im = Array.from({ length: n }, (_, i) => Math.cos(i * 0.7) - 0.2);
      const [er, ei] = naiveDft(re, im);
      const r = Float64Array.from(re), m = Float64Array.from(im);
      fft1d(r, m);
      expectArraysClose(r, er, { atol: 1e-9, rtol: 1e-9 });
      expectArraysClose(m, ei, { atol: 1e-9, rtol: 1e-9 });
      fft1d(r, m, true);
      expectArraysClose(r, re, { atol: 1e-12 });
      expectArraysClose(m, im, { atol: 1e-12 });
    });
  }
  it('3D transform of a delta is flat', () => {
    const re = new Float64Array(4 * 6 * 3), im = new Float64Array(4 * 6 * 3);
    re[0] = 1;
    fftNd(re, im, [4, 6, 3]);
    expectArraysClose(re, new Float64Array(72).fill(1), { atol: 1e-12 });
    expectArraysClose(im, new Float64Array(72), { atol: 1e-12 });
  });
});
