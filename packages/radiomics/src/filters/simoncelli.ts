import { RadcamError, type Vec3 } from '@radcam/core';
import { fftNd } from './fft.js';
import { applyRiesz } from './riesz.js';

/**
 * Isotropic Simoncelli wavelet (IBSI 2, non-separable), applied in the Fourier domain of the whole
 * image (periodic boundary). Normalised frequency coordinates (k − c)/c with c = (n − 1)/2 per axis;
 * band-pass ψ(d) = cos(π/2 · log2(2d/f)) for f/4 ≤ d ≤ f with f = 2^(1−level); real part returned.
 */
export function simoncelliFilter(
  data: Float64Array,
  size: Readonly<Vec3>,
  level: number,
  dims: '2D' | '3D' = '3D',
  rieszOrder?: readonly number[],
): Float64Array {
  if (rieszOrder && dims === '2D') throw new RadcamError('E_UNSUPPORTED', 'Riesz-transformed Simoncelli is implemented in 3D only');
  if (!Number.isInteger(level) || level < 1) throw new RadcamError('E_SETTINGS', 'Simoncelli level must be a positive integer');
  const f = 1 / 2 ** (level - 1);
  const axes = dims === '3D' ? 3 : 2;
  const [nx, ny, nz] = size;
  // separable squared-coordinate tables in FFT (quadrant) order
  const coordSq = (n: number): Float64Array => {
    const out = new Float64Array(n);
    if (n === 1) return out;
    const c = (n - 1) / 2;
    const shift = Math.floor(n / 2);
    for (let i = 0; i < n; i++) {
      const idx = (i + shift) % n; // ifftshift
      const v = (idx - c) / c;
      out[i] = v * v;
    }
    return out;
  };
  const cx = coordSq(nx), cy = coordSq(ny);
  const plane = nx * ny;
  const filt2 = new Float64Array(plane);
  const band = (d: number) => (d >= f / 4 && d <= f ? Math.cos((Math.PI / 2) * Math.log2((2 * d) / f)) : 0);
  const out = new Float64Array(data.length);
  if (axes === 3) {
    const cz = coordSq(nz);
    const re = Float64Array.from(data), im = new Float64Array(data.length);
    fftNd(re, im, [nx, ny, nz]);
    let q = 0;
    for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, q++) {
      const w = band(Math.sqrt(cx[i]! + cy[j]! + cz[k]!));
      re[q] = re[q]! * w;
      im[q] = im[q]! * w;
    }
    if (rieszOrder) applyRiesz(re, im, [nx, ny, nz], rieszOrder);
    fftNd(re, im, [nx, ny, nz], true);
    out.set(re);
    return out;
  }
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) filt2[i + nx * j] = band(Math.sqrt(cx[i]! + cy[j]!));
  const re = new Float64Array(plane), im = new Float64Array(plane);
  for (let k = 0; k < nz; k++) {
    re.set(data.subarray(k * plane, (k + 1) * plane));
    im.fill(0);
    fftNd(re, im, [nx, ny]);
    for (let p = 0; p < plane; p++) {
      re[p] = re[p]! * filt2[p]!;
      im[p] = im[p]! * filt2[p]!;
    }
    fftNd(re, im, [nx, ny], true);
    out.set(re, k * plane);
  }
  return out;
}
