import { RadcamError, type Vec3 } from '@radcam/core';
import { fftNd } from './fft.js';
import { padIndex, type PaddingMode } from './padding.js';

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/**
 * Multiply a spectrum (x-fastest, FFT quadrant order, shape `shape`) by the Riesz transform of
 * order `order` (per axis x, y, z): (−i)^L · √(L!/Π lᵢ!) · Π ωᵢ^lᵢ / ‖ω‖^L, with ω the normalised
 * centred frequency grid (k − c)/c, c = (n − 1)/2 (as in the IBSI 2 reference implementation).
 */
export function applyRiesz(re: Float64Array, im: Float64Array, shape: Readonly<Vec3>, order: readonly number[]): void {
  if (order.length !== 3 || order.some((o) => !Number.isInteger(o) || o < 0)) {
    throw new RadcamError('E_SETTINGS', 'Riesz order must be three non-negative integers (x, y, z)', { found: JSON.stringify(order) });
  }
  const L = order[0]! + order[1]! + order[2]!;
  if (L === 0) return;
  const pre = Math.sqrt(factorial(L) / (factorial(order[0]!) * factorial(order[1]!) * factorial(order[2]!)));
  // (−i)^L = cos(−πL/2) + i sin(−πL/2)
  const pr = pre * Math.round(Math.cos((-Math.PI * L) / 2));
  const pi = pre * Math.round(Math.sin((-Math.PI * L) / 2));
  const coords = shape.map((n) => {
    const out = new Float64Array(n);
    if (n === 1) return out;
    const c = (n - 1) / 2;
    const shift = Math.floor(n / 2);
    for (let i = 0; i < n; i++) out[i] = (((i + shift) % n) - c) / c;
    return out;
  });
  const [nx, ny, nz] = shape;
  let q = 0;
  for (let k = 0; k < nz; k++) {
    const z = coords[2]![k]!;
    for (let j = 0; j < ny; j++) {
      const y = coords[1]![j]!;
      for (let i = 0; i < nx; i++, q++) {
        const x = coords[0]![i]!;
        const d = Math.sqrt(x * x + y * y + z * z);
        let g = d > 0 ? x ** order[0]! * y ** order[1]! * z ** order[2]! / d ** L : 0;
        if (!Number.isFinite(g)) g = 0;
        const a = re[q]!, b = im[q]!;
        // (a + ib) · g · (pr + i·pi)
        re[q] = g * (a * pr - b * pi);
        im[q] = g * (a * pi + b * pr);
      }
    }
  }
}

/**
 * Convolve with a 3D spatial kernel (odd sizes, centred) through the FFT: the image is padded by
 * half the kernel size with the boundary condition, optionally Riesz-transformed, and cropped back.
 */
export function convolveSpatialFft(
  data: Float64Array,
  size: Readonly<Vec3>,
  kernel: Float64Array,
  ksize: Readonly<Vec3>,
  padding: PaddingMode,
  rieszOrder?: readonly number[],
): Float64Array {
  const p = ksize.map((k) => Math.floor(k / 2)) as Vec3;
  const shape: Vec3 = [size[0] + 2 * p[0], size[1] + 2 * p[1], size[2] + 2 * p[2]];
  const total = shape[0] * shape[1] * shape[2];
  const re = new Float64Array(total), im = new Float64Array(total);
  const maps = [0, 1, 2].map((a) => {
    const m = new Int32Array(shape[a]!);
    for (let i = 0; i < m.length; i++) m[i] = padIndex(i - p[a]!, size[a]!, padding);
    return m;
  });
  let q = 0;
  for (let k = 0; k < shape[2]; k++) {
    const kk = maps[2]![k]!;
    for (let j = 0; j < shape[1]; j++) {
      const jj = maps[1]![j]!;
      for (let i = 0; i < shape[0]; i++, q++) {
        const ii = maps[0]![i]!;
        if (ii < 0 || jj < 0 || kk < 0) continue;
        re[q] = data[ii + size[0] * (jj + size[1] * kk)]!;
      }
    }
  }
  const kr = new Float64Array(total), ki = new Float64Array(total);
  for (let k = 0; k < ksize[2]; k++) for (let j = 0; j < ksize[1]; j++) for (let i = 0; i < ksize[0]; i++) {
    kr[i + shape[0] * (j + shape[1] * k)] = kernel[i + ksize[0] * (j + ksize[1] * k)]!;
  }
  fftNd(re, im, shape);
  fftNd(kr, ki, shape);
  if (rieszOrder) applyRiesz(kr, ki, shape, rieszOrder);
  for (let i = 0; i < total; i++) {
    const a = re[i]!, b = im[i]!;
    re[i] = a * kr[i]! - b * ki[i]!;
    im[i] = a * ki[i]! + b * kr[i]!;
  }
  fftNd(re, im, shape, true);
  const out = new Float64Array(data.length);
  q = 0;
  for (let k = 0; k < size[2]; k++) for (let j = 0; j < size[1]; j++) for (let i = 0; i < size[0]; i++, q++) {
    out[q] = re[i + 2 * p[0] + shape[0] * (j + 2 * p[1] + shape[1] * (k + 2 * p[2]))]!;
  }
  return out;
}

/** The 3D LoG kernel of the IBSI 2 definition, σ in voxels (isotropic), support 1 + 2⌊tσ + ½⌋. */
export function logKernel3D(sigmaVox: number, truncate = 4): { kernel: Float64Array; ksize: Vec3 } {
  const r = Math.floor(truncate * sigmaVox + 0.5);
  const n = 2 * r + 1;
  const kernel = new Float64Array(n * n * n);
  const s2 = sigmaVox * sigmaVox;
  const norm = Math.pow(1 / Math.sqrt(2 * Math.PI * s2), 3);
  let q = 0;
  for (let k = -r; k <= r; k++) for (let j = -r; j <= r; j++) for (let i = -r; i <= r; i++, q++) {
    const d2 = i * i + j * j + k * k;
    kernel[q] = (-1 / s2) * norm * (3 - d2 / s2) * Math.exp(-d2 / (2 * s2));
  }
  return { kernel, ksize: [n, n, n] };
}
