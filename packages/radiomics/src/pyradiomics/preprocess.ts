/**
 * PyRadiomics' image pre-processing (`imageoperations.py`) on radcam volumes: label selection,
 * whole-image normalisation (`sitk.Normalize`), resampling on PyRadiomics' grid (aligned to the
 * input grid, covering the mask bounding box plus `padDistance`, SimpleITK B-spline / linear /
 * nearest interpolation, result cast back to the input pixel type), mask checks
 * (`minimumROIDimensions`, `minimumROISize`) and range re-segmentation.
 */
import { RadcamError, bsplinePrefilter, type TypedArray, type Vec3, type Volume } from '@radcam/core';
import type { PyradiomicsSettings } from './params.js';

/** A scalar image on a grid with its label mask (x fastest). */
export interface Grid {
  values: Float64Array;
  mask: Uint8Array;
  size: Vec3;
  spacing: Vec3;
  origin: Vec3;
  direction: Float64Array;
  /** Integer pixel type range to cast interpolated values to (null for floating images). */
  intRange: [number, number] | null;
}

export interface BoundingBox {
  min: Vec3;
  /** Inclusive upper index. */
  max: Vec3;
  count: number;
}

const INT_RANGES: Array<[new (n: number) => TypedArray, number, number]> = [
  [Int8Array, -128, 127],
  [Uint8Array, 0, 255],
  [Uint8ClampedArray, 0, 255],
  [Int16Array, -32768, 32767],
  [Uint16Array, 0, 65535],
  [Int32Array, -2147483648, 2147483647],
  [Uint32Array, 0, 4294967295],
];

function intRangeOf(data: TypedArray): [number, number] | null {
  for (const [ctor, lo, hi] of INT_RANGES) if (data instanceof ctor) return [lo, hi];
  return null;
}

/** Image values as Float64 and the `label` voxels of `mask` as a 0/1 mask (same grid required). */
export function toGrid(image: Volume, mask: Volume, s: PyradiomicsSettings): Grid {
  const tol = s.geometryTolerance;
  for (let c = 0; c < 3; c++) {
    if (image.size[c] !== mask.size[c]) {
      throw new RadcamError('E_MASK_GEOMETRY_MISMATCH', 'image and mask grids differ', { expected: `size ${image.size.join('×')}`, found: `size ${mask.size.join('×')}` });
    }
    if (Math.abs(image.spacing[c]! - mask.spacing[c]!) > tol || Math.abs(image.origin[c]! - mask.origin[c]!) > tol) {
      throw new RadcamError('E_MASK_GEOMETRY_MISMATCH', 'image and mask geometry differ beyond geometryTolerance', {
        expected: `spacing ${image.spacing.join(',')} origin ${image.origin.join(',')}`,
        found: `spacing ${mask.spacing.join(',')} origin ${mask.origin.join(',')}`,
      });
    }
  }
  for (let i = 0; i < 9; i++) {
    if (Math.abs(image.direction[i]! - mask.direction[i]!) > tol) {
      throw new RadcamError('E_MASK_GEOMETRY_MISMATCH', 'image and mask directions differ');
    }
  }
  const n = image.data.length;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = image.data[i]!;
  const m = new Uint8Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (mask.data[i] === s.label) {
      m[i] = 1;
      count++;
    }
  }
  if (count === 0) throw new RadcamError('E_EMPTY_ROI', `label ${s.label} is not present in the mask`);
  return {
    values,
    mask: m,
    size: [...image.size] as Vec3,
    spacing: [...mask.spacing] as Vec3,
    origin: [...mask.origin] as Vec3,
    direction: Float64Array.from(mask.direction),
    intRange: intRangeOf(image.data),
  };
}

/** `sitk.Normalize` over the whole image (sample SD), optional outlier clipping, then × scale. */
export function normalizeGrid(g: Grid, s: PyradiomicsSettings): void {
  const v = g.values;
  const n = v.length;
  let sum = 0, sum2 = 0;
  for (let i = 0; i < n; i++) {
    sum += v[i]!;
    sum2 += v[i]! * v[i]!;
  }
  const mean = sum / n;
  const variance = (sum2 - (sum * sum) / n) / (n - 1);
  const inv = 1 / Math.sqrt(variance);
  const out = s.removeOutliers;
  for (let i = 0; i < n; i++) {
    let x = (v[i]! - mean) * inv;
    if (out !== null) {
      if (x > out) x = out;
      else if (x < -out) x = -out;
    }
    v[i] = x * s.normalizeScale;
  }
  g.intRange = null;
}

/** Bounding box of the mask (null when empty). */
export function boundingBox(mask: Uint8Array, size: Vec3): BoundingBox | null {
  const [nx, ny, nz] = size;
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-1, -1, -1];
  let count = 0;
  for (let z = 0, p = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++, p++) {
    if (!mask[p]) continue;
    count++;
    if (x < min[0]) min[0] = x;
    if (x > max[0]) max[0] = x;
    if (y < min[1]) min[1] = y;
    if (y > max[1]) max[1] = y;
    if (z < min[2]) min[2] = z;
    if (z > max[2]) max[2] = z;
  }
  return count ? { min, max, count } : null;
}

/** PyRadiomics `checkMask`: dimensionality and size requirements. Returns the bounding box. */
export function checkMask(g: Grid, s: PyradiomicsSettings): BoundingBox {
  const bb = boundingBox(g.mask, g.size);
  if (!bb) throw new RadcamError('E_EMPTY_ROI', `label ${s.label} is not present in the mask`);
  let ndims = 0;
  for (let c = 0; c < 3; c++) if (bb.max[c]! - bb.min[c]! + 1 > 1) ndims++;
  if (ndims === 0) throw new RadcamError('E_EMPTY_ROI', 'the mask contains a single voxel; features cannot be extracted');
  if (ndims < s.minimumROIDimensions) {
    throw new RadcamError('E_EMPTY_ROI', 'the ROI has too few dimensions', { expected: `≥ ${s.minimumROIDimensions}`, found: String(ndims) });
  }
  if (s.minimumROISize !== null && bb.count <= s.minimumROISize) {
    throw new RadcamError('E_EMPTY_ROI', 'the ROI is too small', { expected: `> ${s.minimumROISize} voxels`, found: String(bb.count) });
  }
  return bb;
}

/** Crop a grid to [lo, hi] (inclusive, clamped to the grid). */
export function cropGrid(g: Grid, lo: Vec3, hi: Vec3): Grid {
  const l: Vec3 = [Math.max(0, lo[0]), Math.max(0, lo[1]), Math.max(0, lo[2])];
  const h: Vec3 = [Math.min(g.size[0] - 1, hi[0]), Math.min(g.size[1] - 1, hi[1]), Math.min(g.size[2] - 1, hi[2])];
  const size: Vec3 = [h[0] - l[0] + 1, h[1] - l[1] + 1, h[2] - l[2] + 1];
  const n = size[0] * size[1] * size[2];
  const values = new Float64Array(n);
  const mask = new Uint8Array(n);
  const [nx, ny] = g.size;
  let q = 0;
  for (let z = l[2]; z <= h[2]; z++) for (let y = l[1]; y <= h[1]; y++) {
    const p = l[0] + nx * (y + ny * z);
    for (let x = 0; x < size[0]; x++, q++) {
      values[q] = g.values[p + x]!;
      mask[q] = g.mask[p + x]!;
    }
  }
  const origin: Vec3 = [0, 0, 0];
  for (let r = 0; r < 3; r++) {
    let s = g.origin[r]!;
    for (let c = 0; c < 3; c++) s += g.direction[3 * r + c]! * g.spacing[c]! * l[c]!;
    origin[r] = s;
  }
  return { values, mask, size, spacing: [...g.spacing] as Vec3, origin, direction: Float64Array.from(g.direction), intRange: g.intRange };
}

// ------------------------------------------------------------------ resampling

function mirrorIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const n2 = 2 * n - 2;
  if (i < 0) i = -i - n2 * Math.floor(-i / n2);
  else i = i - n2 * Math.floor(i / n2);
  if (n <= i) i = n2 - i;
  return i;
}

function cubicWeights(t: number, w: Float64Array): void {
  // ITK BSplineInterpolateImageFunction::SetInterpolationWeights, order 3 (t = x − floor(x))
  const w3 = (1 / 6) * t * t * t;
  w[0] = 1 / 6 + 0.5 * t * (t - 1) - w3;
  w[2] = t + w[0]! - 2 * w3;
  w[3] = w3;
  w[1] = 1 - w[0]! - w[2]! - w[3]!;
}

export interface ResampleInfo {
  size: Vec3;
  spacing: Vec3;
  origin: Vec3;
}

/**
 * PyRadiomics `resampleImage`: grid aligned to the input grid covering the ROI bounding box plus
 * `padDistance` new voxels (clipped to the image), image interpolated with `interpolator`
 * (values outside the input extent −½…n−½ get 0) and cast back to the input pixel type, mask
 * with nearest neighbour. Returns null when no resampling is needed (equal spacing).
 */
export function resampleGrid(g: Grid, s: PyradiomicsSettings): { grid: Grid; info: ResampleInfo } | null {
  const bb = boundingBox(g.mask, g.size)!;
  const sp: Vec3 = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const req = s.resampledPixelSpacing![c]!;
    sp[c] = req === 0 || bb.max[c] === bb.min[c] ? g.spacing[c]! : req;
  }
  let close = true;
  for (let c = 0; c < 3; c++) if (Math.abs(g.spacing[c]! - sp[c]!) > 1e-8 + 1e-5 * Math.abs(sp[c]!)) close = false;
  if (close) return null;
  const size: Vec3 = [0, 0, 0];
  const cidx0: Vec3 = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const ratio = g.spacing[c]! / sp[c]!;
    const L = bb.min[c]!;
    const S = bb.max[c]! - bb.min[c]! + 1;
    let lo = Math.floor((L - 0.5) * ratio - s.padDistance);
    let hi = Math.ceil((L + S - 0.5) * ratio + s.padDistance);
    const maxU = Math.ceil(g.size[c]! * ratio) - 1;
    if (lo < 0) lo = 0;
    if (hi > maxU) hi = maxU;
    size[c] = hi - lo + 1;
    cidx0[c] = (0.5 * (sp[c]! - g.spacing[c]!)) / g.spacing[c]! + lo / ratio;
  }
  // ITK index ↔ physical transforms (M = D·diag(spacing))
  const D = g.direction;
  const origin: Vec3 = [0, 0, 0];
  for (let r = 0; r < 3; r++) {
    let v = g.origin[r]!;
    for (let c = 0; c < 3; c++) v += D[3 * r + c]! * g.spacing[c]! * cidx0[c]!;
    origin[r] = v;
  }
  const Mout = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) Mout[3 * r + c] = D[3 * r + c]! * sp[c]!;
  // inverse of input M: diag(1/spacing)·Dᵀ (D orthonormal)
  const Minv = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) Minv[3 * r + c] = D[3 * c + r]! / g.spacing[r]!;
  const [mx, my, mz] = size;
  const [nx, ny, nz] = g.size;
  const n = mx * my * mz;
  const values = new Float64Array(n);
  const mask = new Uint8Array(n);
  const interp = s.interpolator ?? 'sitkBSpline';
  let coef: Float64Array | null = null;
  if (interp === 'sitkBSpline') {
    coef = Float64Array.from(g.values);
    // ITK BSplineDecompositionImageFilter: order 3, mirror boundaries, tolerance 1e-10.
    bsplinePrefilter(coef, g.size, { tolerance: 1e-10 });
  }
  const wx = new Float64Array(4), wy = new Float64Array(4), wz = new Float64Array(4);
  const ix = new Int32Array(4), iy = new Int32Array(4), iz = new Int32Array(4);
  const range = g.intRange;
  const ci = [0, 0, 0];
  let q = 0;
  for (let k = 0; k < mz; k++) for (let j = 0; j < my; j++) for (let i = 0; i < mx; i++, q++) {
    const p = [0, 0, 0];
    for (let r = 0; r < 3; r++) p[r] = origin[r]! + (Mout[3 * r]! * i + Mout[3 * r + 1]! * j + Mout[3 * r + 2]! * k);
    for (let r = 0; r < 3; r++) {
      ci[r] = Minv[3 * r]! * (p[0]! - g.origin[0]) + Minv[3 * r + 1]! * (p[1]! - g.origin[1]) + Minv[3 * r + 2]! * (p[2]! - g.origin[2]);
    }
    const x = ci[0]!, y = ci[1]!, z = ci[2]!;
    const inside = x >= -0.5 && x < nx - 0.5 && y >= -0.5 && y < ny - 0.5 && z >= -0.5 && z < nz - 0.5;
    if (!inside) continue;
    // mask: nearest neighbour (round half up)
    const rx = Math.floor(x + 0.5), ry = Math.floor(y + 0.5), rz = Math.floor(z + 0.5);
    mask[q] = g.mask[rx + nx * (ry + ny * rz)]!;
    let v: number;
    if (interp === 'sitkNearestNeighbor') {
      v = g.values[rx + nx * (ry + ny * rz)]!;
    } else if (interp === 'sitkLinear') {
      const x0 = Math.floor(x), y0 = Math.floor(y), z0 = Math.floor(z);
      const tx = x - x0, ty = y - y0, tz = z - z0;
      v = 0;
      for (let c = 0; c < 8; c++) {
        const xx = Math.min(nx - 1, Math.max(0, x0 + (c & 1)));
        const yy = Math.min(ny - 1, Math.max(0, y0 + ((c >> 1) & 1)));
        const zz = Math.min(nz - 1, Math.max(0, z0 + ((c >> 2) & 1)));
        const w = (c & 1 ? tx : 1 - tx) * ((c >> 1) & 1 ? ty : 1 - ty) * ((c >> 2) & 1 ? tz : 1 - tz);
        if (w !== 0) v += w * g.values[xx + nx * (yy + ny * zz)]!;
      }
    } else {
      const x0 = Math.floor(x) - 1, y0 = Math.floor(y) - 1, z0 = Math.floor(z) - 1;
      cubicWeights(x - Math.floor(x), wx);
      cubicWeights(y - Math.floor(y), wy);
      cubicWeights(z - Math.floor(z), wz);
      for (let t = 0; t < 4; t++) {
        ix[t] = mirrorIndex(x0 + t, nx);
        iy[t] = mirrorIndex(y0 + t, ny);
        iz[t] = mirrorIndex(z0 + t, nz);
      }
      v = 0;
      for (let c = 0; c < 4; c++) {
        for (let b = 0; b < 4; b++) {
          const row = nx * (iy[b]! + ny * iz[c]!);
          const wyz = wz[c]! * wy[b]!;
          let acc = 0;
          for (let a = 0; a < 4; a++) acc += wx[a]! * coef![row + ix[a]!]!;
          v += wyz * acc;
        }
      }
    }
    if (range) {
      // ITK: clamp to the pixel type, then static_cast (truncation toward zero)
      v = v < range[0] ? range[0] : v > range[1] ? range[1] : Math.trunc(v);
    }
    values[q] = v;
  }
  const direction = Float64Array.from(D);
  return {
    grid: { values, mask, size, spacing: sp, origin, direction, intRange: range },
    info: { size, spacing: sp, origin },
  };
}

/** PyRadiomics `resegmentMask`. Returns the new mask (the input is not modified). */
export function resegment(g: Grid, s: PyradiomicsSettings): Uint8Array {
  const range = [...s.resegmentRange!].sort((a, b) => a - b);
  const v = g.values;
  const m = g.mask;
  let thresholds: number[];
  if (s.resegmentMode === 'absolute') thresholds = range;
  else {
    let n = 0, sum = 0, max = -Infinity;
    for (let i = 0; i < m.length; i++) if (m[i]) { n++; sum += v[i]!; if (v[i]! > max) max = v[i]!; }
    if (s.resegmentMode === 'relative') thresholds = range.map((t) => max * t);
    else {
      const mean = sum / n;
      let ss = 0;
      for (let i = 0; i < m.length; i++) if (m[i]) ss += (v[i]! - mean) * (v[i]! - mean);
      const sd = Math.sqrt(ss / n);
      thresholds = range.map((t) => mean + sd * t);
    }
  }
  const out = new Uint8Array(m.length);
  let kept = 0;
  for (let i = 0; i < m.length; i++) {
    if (!m[i]) continue;
    const x = v[i]!;
    if (x < thresholds[0]!) continue;
    if (thresholds.length === 2 && x > thresholds[1]!) continue;
    out[i] = 1;
    kept++;
  }
  if (kept <= 1) throw new RadcamError('E_EMPTY_ROI', `re-segmentation kept ${kept} voxel(s); features cannot be extracted`);
  return out;
}
