import { RadcamError, type Vec3 } from '@radcam/core';
import { centredKernel, convolveSeparable, dilateKernel, type Kernel1D } from './convolve.js';
import type { PaddingMode } from './padding.js';
import { rotateSeparable, rotations2D, rotations3D, type RightAngleRotation } from './rotations.js';
import { parseLawsName, waveletFilters } from './kernels.js';

export type Pooling = 'max' | 'average' | 'min';

/** A sum of separable terms: response = Σ_terms conv(image, term kernels). */
export type SeparableBank = (Kernel1D | null)[][];

function accumulate(target: Float64Array, src: Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i] = target[i]! + src[i]!;
}

/** Convolve with a bank of separable terms and sum the results. */
export function applyBank(data: Float64Array, size: Readonly<Vec3>, bank: SeparableBank, mode: PaddingMode): Float64Array {
  let out: Float64Array | null = null;
  for (const term of bank) {
    const r = convolveSeparable(data, size, term, mode);
    if (!out) out = r;
    else accumulate(out, r);
  }
  return out ?? Float64Array.from(data);
}

function bankKey(bank: SeparableBank): string {
  return bank.map((term) => term.map((k) => (k ? `${k.origin}:${Array.from(k.k).join(',')}` : '-')).join('|')).join(';');
}

/**
 * Apply a bank under every rotation of `rots` and pool the responses voxel-wise. Rotations that
 * give the same kernels (e.g. axis permutations of `HHH`) are computed once and weighted by their
 * multiplicity, which leaves the pooled response unchanged.
 */
export function applyBankRotationInvariant(
  data: Float64Array,
  size: Readonly<Vec3>,
  bank: SeparableBank,
  mode: PaddingMode,
  rots: RightAngleRotation[],
  pooling: Pooling,
): Float64Array {
  const unique = new Map<string, { bank: SeparableBank; count: number }>();
  for (const rot of rots) {
    const b = bank.map((term) => rotateSeparable(term, rot));
    const key = bankKey(b);
    const u = unique.get(key);
    if (u) u.count++;
    else unique.set(key, { bank: b, count: 1 });
  }
  let pooled: Float64Array | null = null;
  for (const { bank: b, count } of unique.values()) {
    const r = applyBank(data, size, b, mode);
    if (!pooled) {
      pooled = r;
      if (pooling === 'average' && count !== 1) for (let i = 0; i < r.length; i++) pooled[i] = r[i]! * count;
      continue;
    }
    if (pooling === 'max') for (let i = 0; i < r.length; i++) pooled[i] = Math.max(pooled[i]!, r[i]!);
    else if (pooling === 'min') for (let i = 0; i < r.length; i++) pooled[i] = Math.min(pooled[i]!, r[i]!);
    else for (let i = 0; i < r.length; i++) pooled[i] = pooled[i]! + count * r[i]!;
  }
  if (!pooled) throw new RadcamError('E_SETTINGS', 'no rotations to pool');
  if (pooling === 'average') for (let i = 0; i < pooled.length; i++) pooled[i] = pooled[i]! / rots.length;
  return pooled;
}

export function rotationsFor(dims: '2D' | '3D'): RightAngleRotation[] {
  return dims === '3D' ? rotations3D() : rotations2D();
}

/** Mean filter bank: a box of `support` voxels along x, y (and z in 3D). */
export function meanBank(support: number, dims: '2D' | '3D'): SeparableBank {
  if (!Number.isInteger(support) || support < 1 || support % 2 === 0) {
    throw new RadcamError('E_SETTINGS', 'mean filter support must be an odd positive integer', { found: String(support) });
  }
  const k = centredKernel(new Array(support).fill(1 / support));
  return [[k, k, dims === '3D' ? k : null]];
}

/**
 * Laplacian-of-Gaussian bank (sum of separable second-derivative terms), σ in mm, sampled at voxel
 * centres, truncated at `truncate`·σ (support 1 + 2⌊truncate·σ/spacing + ½⌋ per axis). Derivatives
 * are taken per voxel (σ converted to voxels per axis), as in the IBSI 2 reference response maps.
 */
export function logBank(sigmaMm: number, spacing: Readonly<Vec3>, dims: '2D' | '3D', truncate = 4): SeparableBank {
  if (!(sigmaMm > 0)) throw new RadcamError('E_SETTINGS', 'LoG sigma must be positive (mm)', { found: String(sigmaMm) });
  const axes = dims === '3D' ? 3 : 2;
  const g: Kernel1D[] = [];
  const g2: Kernel1D[] = [];
  for (let a = 0; a < axes; a++) {
    const s = spacing[a]!;
    const r = Math.floor((truncate * sigmaMm) / s + 0.5);
    const k = new Float64Array(2 * r + 1);
    const k2 = new Float64Array(2 * r + 1);
    for (let t = -r; t <= r; t++) {
      const x = t * s;
      const gv = Math.exp((-x * x) / (2 * sigmaMm * sigmaMm)) / (Math.sqrt(2 * Math.PI) * sigmaMm);
      k[t + r] = gv * s;
      // second derivative in voxel units (as scipy's gaussian_laplace with σ in voxels, which the
      // IBSI 2 reference maps follow): d²/dt² = s² · d²/dx²
      k2[t + r] = gv * s * s * s * ((x * x) / sigmaMm ** 4 - 1 / sigmaMm ** 2);
    }
    g.push({ k, origin: r });
    g2.push({ k: k2, origin: r });
  }
  const bank: SeparableBank = [];
  for (let a = 0; a < axes; a++) {
    const term: (Kernel1D | null)[] = [null, null, null];
    for (let b = 0; b < axes; b++) term[b] = b === a ? g2[b]! : g[b]!;
    bank.push(term);
  }
  return bank;
}

/** Laws bank from a kernel name (`E5L5S5`: E5 along x, L5 along y, S5 along z; 2 names → 2D). */
export function lawsBank(name: string): SeparableBank {
  const ks = parseLawsName(name);
  return [[ks[0]!, ks[1]!, ks[2] ?? null]];
}

/**
 * Undecimated separable wavelet bank for one sub-band (`LHL`: L along x, H along y, L along z) at
 * decomposition `level` (à trous: level-l filters are up-sampled by 2^(l−1) and applied after the
 * low-pass filters of the previous levels).
 */
export function waveletBank(wavelet: string, subband: string, level: number, origin?: number): SeparableBank {
  const sb = subband.toUpperCase();
  if (!/^[LH]{2,3}$/.test(sb)) throw new RadcamError('E_SETTINGS', `invalid wavelet sub-band "${subband}"`, { expected: 'e.g. LHL, HHH, LL' });
  if (!Number.isInteger(level) || level < 1) throw new RadcamError('E_SETTINGS', 'wavelet level must be a positive integer');
  const { lo, hi } = waveletFilters(wavelet);
  const L = lo.length;
  const o = origin ?? Math.floor(L / 2);
  const mk = (v: number[]): Kernel1D => ({ k: Float64Array.from(v), origin: o });
  const term: (Kernel1D | null)[] = [null, null, null];
  for (let a = 0; a < sb.length; a++) {
    let kern: Kernel1D = dilateKernel(sb[a] === 'L' ? mk(lo) : mk(hi), 2 ** (level - 1));
    for (let l = level - 1; l >= 1; l--) kern = compose(dilateKernel(mk(lo), 2 ** (l - 1)), kern);
    term[a] = kern;
  }
  return [term];
}

/** Kernel of applying `a` then `b` (1D full convolution, origins added). */
export function compose(a: Kernel1D, b: Kernel1D): Kernel1D {
  const k = new Float64Array(a.k.length + b.k.length - 1);
  for (let i = 0; i < a.k.length; i++) for (let j = 0; j < b.k.length; j++) k[i + j] = k[i + j]! + a.k[i]! * b.k[j]!;
  return { k, origin: a.origin + b.origin };
}

/** Texture energy: mean of |response| in a (2δ+1)-voxel box (in-plane only for 2D). */
export function energyMap(response: Float64Array, size: Readonly<Vec3>, delta: number, dims: '2D' | '3D', mode: PaddingMode): Float64Array {
  const abs = new Float64Array(response.length);
  for (let i = 0; i < abs.length; i++) abs[i] = Math.abs(response[i]!);
  return applyBank(abs, size, meanBank(2 * delta + 1, dims), mode);
}
