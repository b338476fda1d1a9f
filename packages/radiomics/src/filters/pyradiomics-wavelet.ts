/**
 * PyRadiomics' Wavelet image type (`radiomics.imageoperations.getWaveletImage` / `_swt3`):
 * PyWavelets' stationary wavelet transform `pywt.swtn(data, wavelet, level=1, start_level=0,
 * axes)` applied level after level to the approximation, on the image padded by one voxel
 * (periodic wrap) at the end of every odd-sized axis and cropped back afterwards.
 *
 * 1D pass (PyWavelets `swt`, level 1 = periodisation convolution without downsampling):
 * `out[o] = Σ_{j<F} h[j] · x[(o + ⌊F/2⌋ − j) mod N]` with h = `dec_lo` (L) or `dec_hi` (H).
 * Every level uses the same, undilated filters (PyRadiomics calls `swtn` with `level=1` each time).
 * Sub-band names have one letter per axis in PyRadiomics' axis order x, y, z (`LLH` = high-pass
 * along z); with `force2D` the axis `force2Ddimension` (0 = z, numpy order) is left out.
 */
import { RadcamError, type Vec3 } from '@radcam/core';
import { PYWT_DEC_FILTERS } from './pyradiomics-wavelet-filters.js';

export { PYWT_DEC_FILTERS } from './pyradiomics-wavelet-filters.js';

export interface PyradiomicsWaveletOptions {
  /** PyWavelets name (haar, dmey, db1–20, sym2–20, coif1–5, bior*, rbio*). Default `coif1`. */
  wavelet?: string;
  /** Number of levels returned. Default 1. */
  level?: number;
  /** Levels computed (approximation only) before the first returned one. Default 0. */
  startLevel?: number;
  force2D?: boolean;
  /** PyRadiomics (numpy) axis left out with force2D: 0 = z, 1 = y, 2 = x. Default 0. */
  force2Ddimension?: 0 | 1 | 2;
}

export interface PyradiomicsWaveletBand {
  /** PyRadiomics image-type name: `wavelet-LLH`, `wavelet2-HHH`, …, the approximation last. */
  name: string;
  /** Sub-band letters (`LLH`). */
  subband: string;
  /** 1-based returned level. */
  level: number;
  /** Response on the input grid (x fastest). */
  data: Float64Array;
}

/** Decomposition filters of a PyWavelets wavelet name. */
export function pywtFilters(name: string): { lo: readonly number[]; hi: readonly number[] } {
  const f = PYWT_DEC_FILTERS[name];
  if (!f) {
    throw new RadcamError('E_SETTINGS', `unsupported wavelet "${name}"`, { expected: 'haar, dmey, db1–db20, sym2–sym20, coif1–coif5, bior*/rbio* (PyWavelets names)' });
  }
  return f;
}

/** One periodic level-1 SWT pass along `axis` (x = 0) with filter `h`. */
function swtAxis(src: Float64Array, size: Readonly<Vec3>, axis: 0 | 1 | 2, h: readonly number[]): Float64Array {
  const [nx, ny, nz] = size;
  const N = size[axis];
  const F = h.length;
  const half = F >> 1;
  const out = new Float64Array(src.length);
  // index table: idx[o*F + j] = (o + ⌊F/2⌋ − j) mod N
  const idx = new Int32Array(N * F);
  for (let o = 0; o < N; o++) {
    for (let j = 0; j < F; j++) idx[o * F + j] = (((o + half - j) % N) + N) % N;
  }
  const hf = Float64Array.from(h);
  if (axis === 0) {
    for (let base = 0; base < src.length; base += nx) {
      for (let o = 0; o < N; o++) {
        let s = 0;
        const k = o * F;
        for (let j = 0; j < F; j++) s += hf[j]! * src[base + idx[k + j]!]!;
        out[base + o] = s;
      }
    }
    return out;
  }
  // y / z: all lines of a plane (y) or the whole x–y plane (z) at once, inner loop over contiguous x
  const S = axis === 1 ? nx : nx * ny;
  const planes = axis === 1 ? nz : 1;
  const W = axis === 1 ? nx : nx * ny;
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * nx * ny;
    for (let o = 0; o < N; o++) {
      const ro = base + o * S;
      for (let j = 0; j < F; j++) {
        const hj = hf[j]!;
        const ri = base + idx[o * F + j]! * S;
        if (j === 0) for (let w = 0; w < W; w++) out[ro + w] = 0 + hj * src[ri + w]!;
        else for (let w = 0; w < W; w++) out[ro + w] = out[ro + w]! + hj * src[ri + w]!;
      }
    }
  }
  return out;
}

/** Periodic padding of one voxel at the end of odd-sized axes (numpy `pad(…, 'wrap')`). */
function padOdd(data: Float64Array, size: Readonly<Vec3>): { data: Float64Array; size: Vec3 } {
  const ps: Vec3 = [size[0] + (size[0] % 2), size[1] + (size[1] % 2), size[2] + (size[2] % 2)];
  if (ps[0] === size[0] && ps[1] === size[1] && ps[2] === size[2]) return { data: Float64Array.from(data), size: ps };
  const out = new Float64Array(ps[0] * ps[1] * ps[2]);
  for (let z = 0, p = 0; z < ps[2]; z++) {
    const sz = z % size[2];
    for (let y = 0; y < ps[1]; y++) {
      const sy = y % size[1];
      const row = (sz * size[1] + sy) * size[0];
      for (let x = 0; x < ps[0]; x++, p++) out[p] = data[row + (x % size[0])]!;
    }
  }
  return { data: out, size: ps };
}

function cropTo(data: Float64Array, ps: Readonly<Vec3>, size: Readonly<Vec3>): Float64Array {
  if (ps[0] === size[0] && ps[1] === size[1] && ps[2] === size[2]) return data;
  const out = new Float64Array(size[0] * size[1] * size[2]);
  for (let z = 0, p = 0; z < size[2]; z++) {
    for (let y = 0; y < size[1]; y++) {
      const row = (z * ps[1] + y) * ps[0];
      for (let x = 0; x < size[0]; x++, p++) out[p] = data[row + x]!;
    }
  }
  return out;
}

/**
 * All sub-bands of one `pywt.swtn(level=1)` call, keyed by PyRadiomics letters (`L`/`H` per axis
 * of `axes`, radcam axis indices, x = 0), e.g. `{ LLL, LLH, … }` for axes [0, 1, 2].
 */
export function swtnLevel1(data: Float64Array, size: Readonly<Vec3>, axes: readonly (0 | 1 | 2)[], lo: readonly number[], hi: readonly number[]): Map<string, Float64Array> {
  let coeffs = new Map<string, Float64Array>([['', data]]);
  for (const axis of axes) {
    const next = new Map<string, Float64Array>();
    for (const [key, x] of coeffs) {
      next.set(`${key}L`, swtAxis(x, size, axis, lo));
      next.set(`${key}H`, swtAxis(x, size, axis, hi));
    }
    coeffs = next;
  }
  return coeffs;
}

/**
 * PyRadiomics' wavelet decomposition of a 3D image (x fastest): for each returned level the
 * 7 (3D) or 3 (force2D) detail sub-bands, then the final approximation — the order
 * `getWaveletImage` yields them.
 */
export function pyradiomicsWavelet(data: ArrayLike<number>, size: Readonly<Vec3>, opts: PyradiomicsWaveletOptions = {}): PyradiomicsWaveletBand[] {
  const { lo, hi } = pywtFilters(opts.wavelet ?? 'coif1');
  const level = opts.level ?? 1;
  const start = opts.startLevel ?? 0;
  if (!(Number.isInteger(level) && level >= 1)) throw new RadcamError('E_SETTINGS', 'wavelet level must be an integer ≥ 1', { found: String(level) });
  if (!(Number.isInteger(start) && start >= 0)) throw new RadcamError('E_SETTINGS', 'wavelet start_level must be an integer ≥ 0', { found: String(start) });
  const n = size[0] * size[1] * size[2];
  if (data.length !== n) throw new RadcamError('E_SETTINGS', 'wavelet: data length does not match the size', { expected: String(n), found: String(data.length) });
  // PyRadiomics: axes = [2, 1, 0] in numpy order = x, y, z here; force2D drops numpy axis d = radcam axis 2 − d.
  let axes: (0 | 1 | 2)[] = [0, 1, 2];
  if (opts.force2D) {
    const drop = 2 - (opts.force2Ddimension ?? 0);
    axes = axes.filter((a) => a !== drop);
  }
  const padded = padOdd(Float64Array.from(data as ArrayLike<number>), size);
  const approxKey = 'L'.repeat(axes.length);
  let cur = padded.data;
  for (let i = 0; i < start; i++) {
    cur = swtnLevel1(cur, padded.size, axes, lo, hi).get(approxKey)!;
  }
  const out: PyradiomicsWaveletBand[] = [];
  for (let l = 1; l <= level; l++) {
    const dec = swtnLevel1(cur, padded.size, axes, lo, hi);
    cur = dec.get(approxKey)!;
    for (const [key, band] of dec) {
      if (key === approxKey) continue;
      out.push({ name: `wavelet${l === 1 ? '' : l}-${key}`, subband: key, level: l, data: cropTo(band, padded.size, size) });
    }
  }
  out.push({ name: `wavelet${level === 1 ? '' : level}-${approxKey}`, subband: approxKey, level, data: cropTo(cur, padded.size, size) });
  return out;
}
