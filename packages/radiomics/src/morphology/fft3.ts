/**
 * In-place 3D complex FFT for power-of-two sizes, x fastest, with two speed-ups used by the exact
 * Moran/Geary computation: axes with a stride > 1 run their butterflies on whole contiguous rows
 * (cache friendly, no line copies), and each axis pass can be restricted to the part of the box
 * that is non-zero (forward) or needed (inverse). Unnormalised forward, inverse divides by N.
 */

import { fftPlan as plan } from '../filters/fft.js';

/** FFT of the `count` contiguous lines of length n starting at re/im offsets `first + t·n`. */
function fftLines(re: Float64Array, im: Float64Array, n: number, offsets: Int32Array, count: number, inverse: boolean): void {
  if (n <= 1) return;
  const { cos, sin, rev } = plan(n);
  const sg = inverse ? 1 : -1;
  for (let t = 0; t < count; t++) {
    const o = offsets[t]!;
    for (let i = 0; i < n; i++) {
      const j = rev[i]!;
      if (j > i) {
        const a = o + i, b = o + j;
        let x = re[a]!; re[a] = re[b]!; re[b] = x;
        x = im[a]!; im[a] = im[b]!; im[b] = x;
      }
    }
    for (let size = 2; size <= n; size <<= 1) {
      const half = size >> 1;
      const step = n / size;
      for (let start = 0; start < n; start += size) {
        for (let k = 0; k < half; k++) {
          const c = cos[k * step]!, s = sg * sin[k * step]!;
          const a = o + start + k, b = a + half;
          const br = re[b]!, bi = im[b]!;
          const tr = br * c - bi * s, ti = br * s + bi * c;
          const ar = re[a]!, ai = im[a]!;
          re[b] = ar - tr; im[b] = ai - ti;
          re[a] = ar + tr; im[a] = ai + ti;
        }
      }
    }
  }
}

/**
 * FFT along an axis of length n and stride S (> 1) for the blocks starting at `bases`: element
 * (i, e) of a block is at base + i·S + e, e < `width` (only the first `width` of the S row
 * elements are transformed).
 */
function fftRows(re: Float64Array, im: Float64Array, n: number, S: number, width: number, bases: Int32Array, count: number, inverse: boolean): void {
  if (n <= 1) return;
  const { cos, sin, rev } = plan(n);
  const sg = inverse ? 1 : -1;
  for (let t = 0; t < count; t++) {
    const o = bases[t]!;
    for (let i = 0; i < n; i++) {
      const j = rev[i]!;
      if (j > i) {
        const a = o + i * S, b = o + j * S;
        for (let e = 0; e < width; e++) {
          let x = re[a + e]!; re[a + e] = re[b + e]!; re[b + e] = x;
          x = im[a + e]!; im[a + e] = im[b + e]!; im[b + e] = x;
        }
      }
    }
    for (let size = 2; size <= n; size <<= 1) {
      const half = size >> 1;
      const step = n / size;
      for (let start = 0; start < n; start += size) {
        for (let k = 0; k < half; k++) {
          const c = cos[k * step]!, s = sg * sin[k * step]!;
          const a = o + (start + k) * S, b = a + half * S;
          if (k === 0) {
            for (let e = 0; e < width; e++) {
              const br = re[b + e]!, bi = im[b + e]!, ar = re[a + e]!, ai = im[a + e]!;
              re[b + e] = ar - br; im[b + e] = ai - bi;
              re[a + e] = ar + br; im[a + e] = ai + bi;
            }
          } else {
            for (let e = 0; e < width; e++) {
              const br = re[b + e]!, bi = im[b + e]!;
              const tr = br * c - bi * s, ti = br * s + bi * c;
              const ar = re[a + e]!, ai = im[a + e]!;
              re[b + e] = ar - tr; im[b + e] = ai - ti;
              re[a + e] = ar + tr; im[a + e] = ai + ti;
            }
          }
        }
      }
    }
  }
}

/**
 * 3D FFT of an [Lx, Ly, Lz] power-of-two box whose non-zero input lies in the corner
 * [0, bx) × [0, by) × [0, bz) (forward), or of which only that corner of the output is needed
 * (inverse). Pass b = L for a full transform. The inverse is scaled by 1/N.
 */
export function fft3(re: Float64Array, im: Float64Array, L: readonly [number, number, number], b: readonly [number, number, number], inverse = false): void {
  const [Lx, Ly, Lz] = L;
  const [bx, by, bz] = b;
  const Lxy = Lx * Ly;
  const doX = (ny: number, nz: number) => {
    const off = new Int32Array(ny * nz);
    let c = 0;
    for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) off[c++] = Lx * (y + Ly * z);
    fftLines(re, im, Lx, off, c, inverse);
  };
  const doY = (nz: number, width: number) => {
    const bases = new Int32Array(nz);
    for (let z = 0; z < nz; z++) bases[z] = Lxy * z;
    fftRows(re, im, Ly, Lx, width, bases, nz, inverse);
  };
  const doZ = (width: number) => fftRows(re, im, Lz, Lxy, width, Int32Array.of(0), 1, inverse);
  if (!inverse) {
    // x over the non-zero lines, y over the non-zero planes, z over everything
    doX(by, bz);
    doY(bz, Lx);
    doZ(Lxy);
  } else {
    // z for all columns, y only where z < bz, x only where y < by and z < bz
    doZ(Lxy);
    doY(bz, Lx);
    doX(by, bz);
    const N = Lxy * Lz;
    const inv = 1 / N;
    for (let z = 0; z < bz; z++) for (let y = 0; y < by; y++) {
      const o = Lx * (y + Ly * z);
      for (let x = 0; x < bx; x++) { re[o + x]! *= inv; im[o + x]! *= inv; }
    }
  }
}
