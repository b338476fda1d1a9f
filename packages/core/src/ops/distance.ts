import { assertArg } from '../errors.js';
import { voxelCount, type Mask, type Vec3, type Volume, validateVolume } from '../volume.js';

/**
 * 1D squared Euclidean distance transform of sampled function f (Felzenszwalb & Huttenlocher 2012)
 * with sample spacing `s`, over `n` samples read/written with `stride` from `base`.
 */
function edt1d(
  data: Float64Array,
  base: number,
  stride: number,
  n: number,
  s: number,
  f: Float64Array,
  d: Float64Array,
  v: Int32Array,
  z: Float64Array,
): void {
  for (let i = 0; i < n; i++) f[i] = data[base + i * stride]!;
  let k = 0;
  // skip leading infinities: find first finite sample
  let first = -1;
  for (let i = 0; i < n; i++) {
    if (f[i]! < Infinity) {
      first = i;
      break;
    }
  }
  if (first < 0) return; // all infinite: unchanged
  v[0] = first;
  z[0] = -Infinity;
  z[1] = Infinity;
  const s2 = s * s;
  for (let q = first + 1; q < n; q++) {
    const fq = f[q]!;
    if (fq === Infinity) continue;
    for (;;) {
      const p = v[k]!;
      // intersection of parabolas from p and q, in index units
      const sIdx = (fq + s2 * q * q - (f[p]! + s2 * p * p)) / (2 * s2 * (q - p));
      if (sIdx <= z[k]!) {
        k--;
        if (k < 0) {
          k = 0;
          v[0] = q;
          z[0] = -Infinity;
          z[1] = Infinity;
          break;
        }
        continue;
      }
      k++;
      v[k] = q;
      z[k] = sIdx;
      z[k + 1] = Infinity;
      break;
    }
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q) k++;
    const p = v[k]!;
    const dq = (q - p) * s;
    d[q] = dq * dq + f[p]!;
  }
  for (let i = 0; i < n; i++) data[base + i * stride] = d[i]!;
}

/** Squared EDT (mm²) in place over a Float64 volume of 0 (feature) / Infinity (other). */
function squaredEdtInPlace(g: Float64Array, size: Vec3, spacing: Vec3): void {
  const [nx, ny, nz] = size;
  const nmax = Math.max(nx, ny, nz);
  const f = new Float64Array(nmax);
  const d = new Float64Array(nmax);
  const v = new Int32Array(nmax);
  const z = new Float64Array(nmax + 1);
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) edt1d(g, nx * (j + ny * k), 1, nx, spacing[0], f, d, v, z);
  for (let k = 0; k < nz; k++) for (let i = 0; i < nx; i++) edt1d(g, i + nx * ny * k, nx, ny, spacing[1], f, d, v, z);
  const plane = nx * ny;
  for (let p = 0; p < plane; p++) edt1d(g, p, plane, nz, spacing[2], f, d, v, z);
}

export interface DistanceTransformOptions {
  /**
   * `foreground` (default): each voxel's distance to the nearest non-zero voxel (0 on the mask).
   * `background`: each voxel's distance to the nearest zero voxel (0 outside the mask).
   */
  to?: 'foreground' | 'background';
}

/**
 * Exact Euclidean distance transform in mm between voxel centres, honouring anisotropic spacing.
 * Voxels beyond the volume's border do not exist (they are neither foreground nor background).
 * Where no target voxel exists at all, the distance is `Infinity`.
 */
export function distanceTransform(mask: Mask, options: DistanceTransformOptions = {}): Volume<Float32Array> {
  validateVolume(mask);
  const toFg = (options.to ?? 'foreground') === 'foreground';
  const n = voxelCount(mask.size);
  const g = new Float64Array(n);
  const m = mask.data;
  for (let i = 0; i < n; i++) g[i] = (m[i] !== 0) === toFg ? 0 : Infinity;
  squaredEdtInPlace(g, mask.size, mask.spacing);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(g[i]!);
  return {
    data: out,
    size: [...mask.size] as Vec3,
    spacing: [...mask.spacing] as Vec3,
    origin: [...mask.origin] as Vec3,
    direction: Float64Array.from(mask.direction),
  };
}

/** Signed distance in mm: negative inside the mask (to the nearest outside voxel), positive outside. */
export function signedDistance(mask: Mask): Volume<Float32Array> {
  const outside = distanceTransform(mask, { to: 'foreground' });
  const inside = distanceTransform(mask, { to: 'background' });
  const o = outside.data;
  const ins = inside.data;
  for (let i = 0; i < o.length; i++) if (mask.data[i] !== 0) o[i] = -ins[i]!;
  return outside;
}

function maskLike(mask: Mask, data: Uint8Array): Mask {
  return {
    data,
    size: [...mask.size] as Vec3,
    spacing: [...mask.spacing] as Vec3,
    origin: [...mask.origin] as Vec3,
    direction: Float64Array.from(mask.direction),
  };
}

/**
 * Dilation by a Euclidean ball of radius `mm`: every voxel whose centre is within `mm` of a mask
 * voxel's centre (distance ≤ mm). Exact for any spacing.
 */
export function dilate(mask: Mask, mm: number): Mask {
  assertArg(Number.isFinite(mm) && mm >= 0, 'dilation distance must be a finite non-negative number of mm', { found: String(mm) });
  const dt = distanceTransform(mask, { to: 'foreground' }).data;
  const out = new Uint8Array(dt.length);
  const lim = mm * (1 + 1e-12) + 1e-9;
  for (let i = 0; i < dt.length; i++) out[i] = dt[i]! <= lim ? 1 : 0;
  return maskLike(mask, out);
}

/**
 * Erosion by a Euclidean ball of radius `mm`: mask voxels whose centre is farther than `mm` from
 * every non-mask voxel centre (distance > mm), the dual of `dilate`. Voxels beyond the border do
 * not erode the mask.
 */
export function erode(mask: Mask, mm: number): Mask {
  assertArg(Number.isFinite(mm) && mm >= 0, 'erosion distance must be a finite non-negative number of mm', { found: String(mm) });
  const dt = distanceTransform(mask, { to: 'background' }).data;
  const out = new Uint8Array(dt.length);
  const lim = mm * (1 + 1e-12) + 1e-9;
  for (let i = 0; i < dt.length; i++) out[i] = mask.data[i] !== 0 && dt[i]! > lim ? 1 : 0;
  return maskLike(mask, out);
}
