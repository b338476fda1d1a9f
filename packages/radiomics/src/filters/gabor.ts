import { RadcamError, type Vec3 } from '@radcam/core';
import { fftNd, nextPowerOfTwo } from './fft.js';
import { padIndex, type PaddingMode } from './padding.js';

/** Gabor kernels are truncated at this many σ (of the envelope's wider axis, σ/min(γ, 1)). */
export const GABOR_TRUNCATE = 7;

export type GaborPlane = 'axial' | 'coronal' | 'sagittal';
export type ComplexResponse = 'modulus' | 'real' | 'imaginary' | 'phase';

export interface GaborOptions {
  /** Gaussian envelope σ in mm. */
  sigmaMm: number;
  /** Wavelength λ in mm. */
  lambdaMm: number;
  /** Spatial aspect ratio γ. */
  gamma: number;
  /** Orientations θ in radians (pooled when more than one). */
  thetas: number[];
  /** Planes the 2D filter is applied in (pooled when more than one). Default axial. */
  planes?: GaborPlane[];
  pooling?: 'average' | 'max' | 'min';
  response?: ComplexResponse;
  padding: PaddingMode;
}

/** Axes of a plane: [stack axis, row axis, column axis]. */
function planeAxes(plane: GaborPlane): [number, number, number] {
  switch (plane) {
    case 'axial':
      return [2, 1, 0];
    case 'coronal':
      return [1, 2, 0];
    case 'sagittal':
      return [0, 2, 1];
  }
}

/**
 * 2D Gabor filter applied slice by slice (IBSI 2): h = exp(−(x′² + γ²y′²)/(2σ²)) · exp(i·2πx′/λ)
 * with x′ = x cos θ + y sin θ, y′ = x sin θ − y cos θ (pixel units, σ and λ converted with the
 * largest in-plane spacing), a kernel as large as the slice (truncated at 7σ/min(γ, 1)), convolved through the FFT after
 * padding each slice by half the kernel size with the boundary condition.
 */
export function gaborFilter(data: Float64Array, size: Readonly<Vec3>, spacing: Readonly<Vec3>, opts: GaborOptions): Float64Array {
  if (!(opts.sigmaMm > 0) || !(opts.lambdaMm > 0) || !(opts.gamma > 0)) {
    throw new RadcamError('E_SETTINGS', 'Gabor σ, λ and γ must be positive', { found: `σ ${opts.sigmaMm}, λ ${opts.lambdaMm}, γ ${opts.gamma}` });
  }
  if (opts.thetas.length === 0) throw new RadcamError('E_SETTINGS', 'Gabor needs at least one orientation θ');
  const planes = opts.planes ?? ['axial'];
  const pooling = opts.pooling ?? 'average';
  const response = opts.response ?? 'modulus';
  const [nx, ny] = size;
  const strides = [1, nx, nx * ny];
  const pooled = new Float64Array(data.length).fill(pooling === 'max' ? -Infinity : pooling === 'min' ? Infinity : 0);
  let count = 0;
  for (const plane of planes) {
    const [sa, ra, ca] = planeAxes(plane);
    const nr = size[ra]!, nc = size[ca]!, ns = size[sa]!;
    const sp = Math.max(spacing[ra]!, spacing[ca]!);
    const sigma = opts.sigmaMm / sp;
    const lambda = opts.lambdaMm / sp;
    // as large as the slice, but no larger than the envelope's 7σ reach along its wider axis
    // (exp(−24.5) < 3e-11 of the peak): large slices then need much smaller FFTs
    const reach = Math.ceil((GABOR_TRUNCATE * sigma) / Math.min(1, opts.gamma));
    const K = 1 + 2 * Math.min(Math.floor(Math.max(nr, nc) / 2), reach);
    const p = (K - 1) / 2;
    const NR = nextPowerOfTwo(nr + 2 * p);
    const NC = nextPowerOfTwo(nc + 2 * p);
    // row/column source index maps for the padded slice
    const rmap = new Int32Array(nr + 2 * p);
    const cmap = new Int32Array(nc + 2 * p);
    for (let r = 0; r < rmap.length; r++) rmap[r] = padIndex(r - p, nr, opts.padding);
    for (let c = 0; c < cmap.length; c++) cmap[c] = padIndex(c - p, nc, opts.padding);
    // kernel spectra, one per orientation (x-fastest = columns fastest), kernel at [0, K) × [0, K)
    const spectra = opts.thetas.map((theta) => {
      const kr = new Float64Array(NR * NC), ki = new Float64Array(NR * NC);
      const ct = Math.cos(theta), st = Math.sin(theta);
      for (let r = 0; r < K; r++) {
        const dy = r - p;
        for (let c = 0; c < K; c++) {
          const dx = c - p;
          const xr = st * dy + ct * dx;
          const yr = -ct * dy + st * dx;
          const env = Math.exp(-(xr * xr + opts.gamma * opts.gamma * yr * yr) / (2 * sigma * sigma));
          const ph = (2 * Math.PI * xr) / lambda;
          kr[c + NC * r] = env * Math.cos(ph);
          ki[c + NC * r] = env * Math.sin(ph);
        }
      }
      fftNd(kr, ki, [NC, NR]);
      return { kr, ki };
    });
    count += spectra.length;
    const fr = new Float64Array(NR * NC), fi = new Float64Array(NR * NC);
    const sr = new Float64Array(NR * NC), si = new Float64Array(NR * NC);
    for (let s = 0; s < ns; s++) {
      fr.fill(0);
      fi.fill(0);
      const base = s * strides[sa]!;
      for (let r = 0; r < rmap.length; r++) {
        const rr = rmap[r]!;
        if (rr < 0) continue;
        for (let c = 0; c < cmap.length; c++) {
          const cc = cmap[c]!;
          if (cc < 0) continue;
          fr[c + NC * r] = data[base + rr * strides[ra]! + cc * strides[ca]!]!;
        }
      }
      fftNd(fr, fi, [NC, NR]);
      for (const { kr, ki } of spectra) {
        for (let i = 0; i < sr.length; i++) {
          const a = fr[i]!, b = fi[i]!;
          sr[i] = a * kr[i]! - b * ki[i]!;
          si[i] = a * ki[i]! + b * kr[i]!;
        }
        fftNd(sr, si, [NC, NR], true);
        for (let r = 0; r < nr; r++) {
          for (let c = 0; c < nc; c++) {
            const q = c + 2 * p + NC * (r + 2 * p);
            const re = sr[q]!, im = si[q]!;
            const v =
              response === 'modulus' ? Math.sqrt(re * re + im * im) : response === 'real' ? re : response === 'imaginary' ? im : Math.atan2(im, re);
            const o = base + r * strides[ra]! + c * strides[ca]!;
            if (pooling === 'max') pooled[o] = Math.max(pooled[o]!, v);
            else if (pooling === 'min') pooled[o] = Math.min(pooled[o]!, v);
            else pooled[o] = pooled[o]! + v;
          }
        }
      }
    }
  }
  if (pooling === 'average') for (let i = 0; i < pooled.length; i++) pooled[i] = pooled[i]! / count;
  return pooled;
}

/** Orientations 0, Δθ, 2Δθ, … below π (the modulus is π-periodic in θ). */
export function gaborThetas(step: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < Math.PI - 1e-9; t += step) out.push(t);
  return out;
}
