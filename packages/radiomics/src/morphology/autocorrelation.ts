/**
 * Exact Moran's I and Geary's C on a voxel grid in O(N log N).
 *
 * IBSI 1 weights every ordered pair of ROI voxels (i ≠ j) by w_ij = 1 / ‖r_i − r_j‖ (mm). On a
 * regular grid the weight depends only on the index offset d = j − i, so every pair sum is a
 * correlation with the kernel K(d) = 1/‖d·spacing‖ (K(0) = 0):
 *
 *   W    = Σ_ij w_ij        = Σ_i m_i (K ∗ m)_i
 *   S_aa = Σ_ij w_ij a_i a_j = Σ_i a_i (K ∗ a)_i
 *   S_gg = Σ_ij w_ij (a_i − a_j)² = 2 Σ_i a_i² (K ∗ m)_i − 2 S_aa
 *
 * with m the ROI indicator and a the mean-centred intensity (0 outside). Both convolutions are
 * computed at once by one complex FFT of m + i·a on a zero-padded power-of-two box (≥ 2n − 1 per
 * axis, so the cyclic convolution equals the linear one), multiplied by the transform of K. Every
 * pair is included with its exact weight — there is no truncation or sampling; the only error is
 * floating-point round-off (relative ~1e-12, checked against the O(n²) pair sum in the tests).
 */
import { fft3 } from './fft3.js';

const nextPowerOfTwo = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

export interface GridAutocorrelation {
  moran: number;
  geary: number;
  /** Sum of all ordered-pair weights W. */
  weightSum: number;
  /** FFT box size. */
  fftSize: [number, number, number];
}

/**
 * Last kernel spectrum (real: the kernel is even in every axis, so its transform is real up to
 * round-off). Kept only for boxes up to 2^21 points (16 MB), so large ROIs do not pin memory.
 */
let kernelCache: { key: string; re: Float64Array } | null = null;
const KERNEL_CACHE_MAX = 1 << 21;

function kernelSpectrum(L: [number, number, number], b: [number, number, number], sp: readonly number[]): Float64Array {
  const key = `${L.join(',')}|${b.join(',')}|${sp.join(',')}`;
  if (kernelCache && kernelCache.key === key) return kernelCache.re;
  const [Lx, Ly, Lz] = L;
  const N = Lx * Ly * Lz;
  const re = new Float64Array(N);
  const im = new Float64Array(N);
  const sx = sp[0]!, sy = sp[1]!, sz = sp[2]!;
  // offsets −(b−1)…(b−1) per axis, stored cyclically
  for (let dz = -(b[2] - 1); dz <= b[2] - 1; dz++) {
    const z = dz < 0 ? dz + Lz : dz;
    const ez = dz * sz;
    for (let dy = -(b[1] - 1); dy <= b[1] - 1; dy++) {
      const y = dy < 0 ? dy + Ly : dy;
      const ey = dy * sy;
      const row = Lx * (y + Ly * z);
      const r2 = ey * ey + ez * ez;
      for (let dx = -(b[0] - 1); dx <= b[0] - 1; dx++) {
        const x = dx < 0 ? dx + Lx : dx;
        const ex = dx * sx;
        const d2 = r2 + ex * ex;
        if (d2 > 0) re[row + x] = 1 / Math.sqrt(d2);
      }
    }
  }
  fft3(re, im, L, L);
  if (N <= KERNEL_CACHE_MAX) kernelCache = { key, re };
  return re;
}

/**
 * Moran's I and Geary's C of the intensities `values` of the voxels `indices` (linear indices
 * into a grid of `size`, x fastest) with inverse-distance weights in mm (`spacing`). Exact (all
 * pairs) via FFT. Needs ≥ 2 voxels and non-constant intensities (else NaN).
 */
export function gridAutocorrelation(
  indices: Int32Array,
  values: Float64Array,
  size: readonly number[],
  spacing: readonly number[],
): GridAutocorrelation {
  const n = indices.length;
  const nx = size[0]!, nxy = nx * size[1]!;
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -1, y1 = -1, z1 = -1;
  let mu = 0;
  for (let t = 0; t < n; t++) {
    const l = indices[t]!;
    const k = Math.floor(l / nxy), r = l - k * nxy, j = Math.floor(r / nx), i = r - j * nx;
    if (i < x0) x0 = i; if (i > x1) x1 = i;
    if (j < y0) y0 = j; if (j > y1) y1 = j;
    if (k < z0) z0 = k; if (k > z1) z1 = k;
    mu += values[t]!;
  }
  mu /= n;
  const b: [number, number, number] = [x1 - x0 + 1, y1 - y0 + 1, z1 - z0 + 1];
  const L = b.map((v) => (v === 1 ? 1 : nextPowerOfTwo(2 * v - 1))) as [number, number, number];
  const [Lx, Ly] = L;
  const N = L[0] * L[1] * L[2];
  const re = new Float64Array(N);
  const im = new Float64Array(N);
  const pos = new Int32Array(n);
  let ss = 0;
  for (let t = 0; t < n; t++) {
    const l = indices[t]!;
    const k = Math.floor(l / nxy), r = l - k * nxy, j = Math.floor(r / nx), i = r - j * nx;
    const p = i - x0 + Lx * (j - y0 + Ly * (k - z0));
    pos[t] = p;
    const a = values[t]! - mu;
    re[p] = 1;
    im[p] = a;
    ss += a * a;
  }
  const K = kernelSpectrum(L, b, spacing);
  fft3(re, im, L, b);
  for (let q = 0; q < N; q++) {
    const k = K[q]!;
    re[q]! *= k;
    im[q]! *= k;
  }
  fft3(re, im, L, b, true);
  let W = 0, saa = 0, sa2m = 0;
  for (let t = 0; t < n; t++) {
    const p = pos[t]!;
    const a = values[t]! - mu;
    const km = re[p]!, ka = im[p]!;
    W += km;
    saa += a * ka;
    sa2m += a * a * km;
  }
  const sgg = 2 * sa2m - 2 * saa;
  return {
    moran: (n / W) * (saa / ss),
    geary: ((n - 1) / (2 * W)) * (sgg / ss),
    weightSum: W,
    fftSize: L,
  };
}
