import type { Vec3 } from '@radcam/core';
import { padIndex, type PaddingMode } from './padding.js';

/**
 * A 1D kernel with its origin: `out[i] = Σ_t k[t] · f[i + origin − t]` (true convolution; for an
 * odd-length kernel the origin is its centre).
 */
export interface Kernel1D {
  k: Float64Array;
  origin: number;
}

export function centredKernel(values: ArrayLike<number>): Kernel1D {
  return { k: Float64Array.from(values), origin: Math.floor(values.length / 2) };
}

export function reverseKernel(kern: Kernel1D): Kernel1D {
  const L = kern.k.length;
  const k = new Float64Array(L);
  for (let t = 0; t < L; t++) k[t] = kern.k[L - 1 - t]!;
  // out[i] = Σ_t k'[t] f[i + o' − t] with k'[t] = k[L−1−t]: equals the reflected kernel about its origin
  return { k, origin: L - 1 - kern.origin };
}

/** Insert `2^level − 1` zeros between taps (à trous up-sampling). */
export function dilateKernel(kern: Kernel1D, factor: number): Kernel1D {
  if (factor === 1) return kern;
  const L = kern.k.length;
  const k = new Float64Array((L - 1) * factor + 1);
  for (let t = 0; t < L; t++) k[t * factor] = kern.k[t]!;
  return { k, origin: kern.origin * factor };
}

/**
 * Convolve along one axis with boundary handling. Returns a new Float64Array; `data` is untouched.
 */
export function convolveAxis(data: Float64Array, size: Readonly<Vec3>, axis: 0 | 1 | 2, kern: Kernel1D, mode: PaddingMode): Float64Array {
  const [nx, ny, nz] = size;
  const n = size[axis];
  const stride = axis === 0 ? 1 : axis === 1 ? nx : nx * ny;
  const L = kern.k.length;
  const k = kern.k;
  const o = kern.origin;
  // padded line buffer: index i + o − t ranges over [−(L−1−o), n−1+o]
  const before = L - 1 - o;
  const after = o;
  const buf = new Float64Array(n + before + after);
  const map = new Int32Array(before + after);
  for (let p = 0; p < before; p++) map[p] = padIndex(p - before, n, mode);
  for (let p = 0; p < after; p++) map[before + p] = padIndex(n + p, n, mode);
  const out = new Float64Array(data.length);
  const lines = data.length / n;
  for (let l = 0; l < lines; l++) {
    let base: number;
    if (axis === 0) base = l * nx;
    else if (axis === 1) base = (l % nx) + Math.floor(l / nx) * nx * ny;
    else base = l;
    for (let i = 0; i < n; i++) buf[before + i] = data[base + i * stride]!;
    for (let p = 0; p < before; p++) {
      const s = map[p]!;
      buf[p] = s < 0 ? 0 : data[base + s * stride]!;
    }
    for (let p = 0; p < after; p++) {
      const s = map[before + p]!;
      buf[before + n + p] = s < 0 ? 0 : data[base + s * stride]!;
    }
    // out[i] = Σ_t k[t] · buf[before + i + o − t]
    for (let i = 0; i < n; i++) {
      let acc = 0;
      const c = before + i + o;
      for (let t = 0; t < L; t++) acc += k[t]! * buf[c - t]!;
      out[base + i * stride] = acc;
    }
  }
  void nz;
  return out;
}

/** Apply 1D kernels along each axis (null = identity). */
export function convolveSeparable(
  data: Float64Array,
  size: Readonly<Vec3>,
  kernels: readonly (Kernel1D | null)[],
  mode: PaddingMode,
): Float64Array {
  let cur = data;
  for (let a = 0; a < 3; a++) {
    const kern = kernels[a];
    if (kern) cur = convolveAxis(cur, size, a as 0 | 1 | 2, kern, mode);
  }
  return cur === data ? Float64Array.from(data) : cur;
}
