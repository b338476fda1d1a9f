import { RadcamError, type Vec3 } from '@radcam/core';

/**
 * Point-wise intensity transforms with PyRadiomics' definitions (rescaled to the original range):
 * square f = (cx)², c = 1/√max|x|; square root f = ±√(c|x|), c = max|x|; logarithm
 * f = ±log(|x| + 1) rescaled so max|f| = max|x|; exponential f = e^(cx), c = log(max|x|)/max|x|.
 */
export type PointTransform = 'square' | 'squareroot' | 'logarithm' | 'exponential';

function maxAbs(d: Float64Array): number {
  let m = 0;
  for (let i = 0; i < d.length; i++) m = Math.max(m, Math.abs(d[i]!));
  return m;
}

export function pointTransform(data: Float64Array, kind: PointTransform): Float64Array {
  const out = Float64Array.from(data);
  const m = maxAbs(data);
  switch (kind) {
    case 'square': {
      if (m === 0) return out;
      const c = 1 / Math.sqrt(m);
      for (let i = 0; i < out.length; i++) out[i] = (c * out[i]!) ** 2;
      return out;
    }
    case 'squareroot':
      for (let i = 0; i < out.length; i++) {
        const v = out[i]!;
        out[i] = v > 0 ? Math.sqrt(v * m) : v < 0 ? -Math.sqrt(-v * m) : 0;
      }
      return out;
    case 'logarithm': {
      for (let i = 0; i < out.length; i++) {
        const v = out[i]!;
        out[i] = v > 0 ? Math.log(v + 1) : v < 0 ? -Math.log(-(v - 1)) : 0;
      }
      const m2 = maxAbs(out);
      if (m2 > 0) for (let i = 0; i < out.length; i++) out[i] = out[i]! * (m / m2);
      return out;
    }
    case 'exponential': {
      if (m === 0) return out.fill(1);
      const c = Math.log(m) / m;
      for (let i = 0; i < out.length; i++) out[i] = Math.exp(c * out[i]!);
      return out;
    }
    default:
      throw new RadcamError('E_SETTINGS', `unknown point transform "${kind as string}"`);
  }
}

/**
 * Gradient magnitude by central differences in mm, with zero-flux (edge-repeating) boundaries —
 * the behaviour of ITK's GradientMagnitudeImageFilter with image spacing, which PyRadiomics uses.
 */
export function gradientMagnitude(data: Float64Array, size: Readonly<Vec3>, spacing: Readonly<Vec3>, useSpacing = true): Float64Array {
  const [nx, ny, nz] = size;
  const strides = [1, nx, nx * ny];
  const out = new Float64Array(data.length);
  let q = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, q++) {
    const idx = [i, j, k];
    let s = 0;
    for (let a = 0; a < 3; a++) {
      const n = size[a]!;
      if (n === 1) continue;
      const c = idx[a]!;
      const lo = c > 0 ? q - strides[a]! : q;
      const hi = c < n - 1 ? q + strides[a]! : q;
      const g = (data[hi]! - data[lo]!) / (2 * (useSpacing ? spacing[a]! : 1));
      s += g * g;
    }
    out[q] = Math.sqrt(s);
  }
  return out;
}

function bilinear(slice: Float64Array, nx: number, ny: number, r: number, c: number): number {
  // r = row (y), c = column (x); outside the slice counts as 0 (scikit-image's constant mode)
  const r0 = Math.floor(r), c0 = Math.floor(c);
  const fr = r - r0, fc = c - c0;
  const at = (rr: number, cc: number) => (rr < 0 || rr >= ny || cc < 0 || cc >= nx ? 0 : slice[cc + nx * rr]!);
  return (
    at(r0, c0) * (1 - fr) * (1 - fc) + at(r0, c0 + 1) * (1 - fr) * fc + at(r0 + 1, c0) * fr * (1 - fc) + at(r0 + 1, c0 + 1) * fr * fc
  );
}

/**
 * 2D local binary patterns per axial slice, rotation-invariant uniform variant (scikit-image's
 * `method='uniform'`, used by PyRadiomics' LBP2D): P neighbours on a circle of radius R (pixels,
 * bilinear interpolation); value = number of neighbours ≥ centre for uniform patterns (≤ 2
 * transitions), P + 1 otherwise.
 */
export function lbp2D(data: Float64Array, size: Readonly<Vec3>, radius = 1, samples = 8): Float64Array {
  if (!(radius > 0) || !Number.isInteger(samples) || samples < 1) {
    throw new RadcamError('E_SETTINGS', 'LBP needs radius > 0 and an integer number of samples ≥ 1');
  }
  const [nx, ny, nz] = size;
  const plane = nx * ny;
  const dr = new Float64Array(samples), dc = new Float64Array(samples);
  for (let p = 0; p < samples; p++) {
    const a = (2 * Math.PI * p) / samples;
    // scikit-image rounds the sampling offsets to 5 decimals
    dr[p] = Math.round(-radius * Math.sin(a) * 1e5) / 1e5;
    dc[p] = Math.round(radius * Math.cos(a) * 1e5) / 1e5;
  }
  const bits = new Uint8Array(samples);
  const out = new Float64Array(data.length);
  for (let k = 0; k < nz; k++) {
    const slice = data.subarray(k * plane, (k + 1) * plane);
    for (let r = 0; r < ny; r++) {
      for (let c = 0; c < nx; c++) {
        const centre = slice[c + nx * r]!;
        let ones = 0;
        for (let p = 0; p < samples; p++) {
          const v = bilinear(slice, nx, ny, r + dr[p]!, c + dc[p]!);
          bits[p] = v >= centre ? 1 : 0;
          ones += bits[p]!;
        }
        let changes = 0;
        for (let p = 0; p < samples; p++) if (bits[p] !== bits[(p + 1) % samples]) changes++;
        out[k * plane + c + nx * r] = changes <= 2 ? ones : samples + 1;
      }
    }
  }
  return out;
}
