/**
 * Gradient maps in physical units: the gradient vector (world LPS, intensity per mm), its
 * magnitude, the radial gradient and the radial deviation relative to the lesion centroid.
 */
import {
  RadcamError,
  assertSameGeometry,
  validateVolume,
  voxelCount,
  type Geometry,
  type Mask,
  type Vec3,
  type Volume,
} from '@radcam/core';
import { gradientToWorldMatrix, isIdentity, maskCentroid } from './geometry.js';

/** `central`: central differences (one-sided at the borders). `gaussian`: Gaussian-derivative filter. */
export type GradientMethod = 'central' | 'gaussian';

export interface GradientOptions {
  /** Default `central`. */
  method?: GradientMethod;
  /** Scale σ in mm of the Gaussian-derivative filter (required > 0 for `gaussian`; default 1 mm). */
  sigmaMm?: number;
  /** Gaussian kernels are truncated at `truncate`·σ (default 4). */
  truncate?: number;
}

/** The gradient vector field, world LPS components, intensity units per mm. Buffers are new. */
export interface GradientField {
  x: Float32Array;
  y: Float32Array;
  z: Float32Array;
}

export interface GradientMapsOptions extends GradientOptions {
  /** Reference point (world LPS, mm) of the radial maps; default the mask centroid. */
  centroid?: Vec3;
  /**
   * |∇I| at or below this counts as zero (radial deviation undefined there). Default
   * `defaultZeroGradientTolerance(image)` = 1e-9 · max(range, 1e-3·max|I|) / min(spacing).
   */
  zeroGradientTolerance?: number;
  /** Keep the vector field in the result (default false). */
  keepVector?: boolean;
}

export interface GradientMapsResult {
  /** |∇I| (intensity / mm). */
  magnitude: Volume<Float32Array>;
  /** ∇I · r̂, r̂ the unit vector from the centroid to the voxel centre; NaN at the centroid. */
  radial: Volume<Float32Array>;
  /** Angle (degrees, 0–180) between ∇I and r̂; NaN where |∇I| ≈ 0 or at the centroid. */
  raddev: Volume<Float32Array>;
  /** World LPS gradient components (only with `keepVector`). */
  vector?: GradientField;
  /** Reference point used, world LPS mm. */
  centroid: Vec3;
  diagnostics: {
    method: GradientMethod;
    sigmaMm?: number;
    zeroGradientTolerance: number;
    /** Voxels (whole grid) with |∇I| ≈ 0. */
    zeroGradientVoxels: number;
    /** Voxels (whole grid) whose centre coincides with the centroid (|r| < 1e-9 mm). */
    centroidVoxels: number;
  };
}

/** Intensities as Float32 (a copy for non-float32 input; the input itself otherwise, read only). */
function asFloat32(vol: Volume): Float32Array {
  return vol.data instanceof Float32Array ? vol.data : Float32Array.from(vol.data as ArrayLike<number>);
}

/** Central differences per index axis, in intensity per mm (one-sided at the borders). */
function centralIndexGradient(src: Float32Array, size: Readonly<Vec3>, spacing: Readonly<Vec3>): GradientField {
  const [nx, ny, nz] = size;
  const n = nx * ny * nz;
  const gx = new Float32Array(n), gy = new Float32Array(n), gz = new Float32Array(n);
  const sxy = nx * ny;
  const hx = 1 / (2 * spacing[0]), hy = 1 / (2 * spacing[1]), hz = 1 / (2 * spacing[2]);
  const ox = 1 / spacing[0], oy = 1 / spacing[1], oz = 1 / spacing[2];
  let p = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, p++) {
        if (nx > 1) {
          if (i === 0) gx[p] = (src[p + 1]! - src[p]!) * ox;
          else if (i === nx - 1) gx[p] = (src[p]! - src[p - 1]!) * ox;
          else gx[p] = (src[p + 1]! - src[p - 1]!) * hx;
        }
        if (ny > 1) {
          if (j === 0) gy[p] = (src[p + nx]! - src[p]!) * oy;
          else if (j === ny - 1) gy[p] = (src[p]! - src[p - nx]!) * oy;
          else gy[p] = (src[p + nx]! - src[p - nx]!) * hy;
        }
        if (nz > 1) {
          if (k === 0) gz[p] = (src[p + sxy]! - src[p]!) * oz;
          else if (k === nz - 1) gz[p] = (src[p]! - src[p - sxy]!) * oz;
          else gz[p] = (src[p + sxy]! - src[p - sxy]!) * hz;
        }
      }
    }
  }
  return { x: gx, y: gy, z: gz };
}

/** Sampled, normalised Gaussian (sum 1) and derivative (Σ t·w[t] = 1) kernels, σ in voxels. */
export function gaussianKernels(sigmaVox: number, truncate: number): { smooth: Float64Array; deriv: Float64Array; radius: number } {
  const radius = Math.max(1, Math.ceil(truncate * sigmaVox));
  const smooth = new Float64Array(2 * radius + 1);
  const deriv = new Float64Array(2 * radius + 1);
  let sum = 0, moment = 0;
  for (let t = -radius; t <= radius; t++) {
    const g = Math.exp(-(t * t) / (2 * sigmaVox * sigmaVox));
    smooth[t + radius] = g;
    deriv[t + radius] = t * g;
    sum += g;
    moment += t * t * g;
  }
  for (let q = 0; q < smooth.length; q++) {
    smooth[q] = smooth[q]! / sum;
    deriv[q] = deriv[q]! / moment;
  }
  return { smooth, deriv, radius };
}

/**
 * Correlate every line along `axis` with `w` (out[x] = Σ_t w[t]·in[x+t]); borders replicate the
 * edge value. `scale` multiplies the result.
 */
function filterAxis(
  src: Float32Array,
  dst: Float32Array,
  size: Readonly<Vec3>,
  axis: 0 | 1 | 2,
  w: Float64Array,
  scale: number,
): void {
  const n = size[axis];
  const strides: Vec3 = [1, size[0], size[0] * size[1]];
  const st = strides[axis];
  const a1 = axis === 0 ? 1 : 0;
  const a2 = axis === 2 ? 1 : 2;
  const r = (w.length - 1) >> 1;
  const line = new Float64Array(n + 2 * r);
  for (let b = 0; b < size[a2]; b++) {
    for (let a = 0; a < size[a1]; a++) {
      const base = a * strides[a1] + b * strides[a2];
      for (let q = 0; q < n; q++) line[q + r] = src[base + q * st]!;
      const first = line[r]!, last = line[r + n - 1]!;
      for (let q = 0; q < r; q++) {
        line[q] = first;
        line[r + n + q] = last;
      }
      for (let q = 0; q < n; q++) {
        let acc = 0;
        for (let t = 0; t < w.length; t++) acc += w[t]! * line[q + t]!;
        dst[base + q * st] = acc * scale;
      }
    }
  }
}

/** Gaussian-derivative gradient per index axis, intensity per mm; σ in mm (separable). */
function gaussianIndexGradient(
  src: Float32Array,
  size: Readonly<Vec3>,
  spacing: Readonly<Vec3>,
  sigmaMm: number,
  truncate: number,
): GradientField {
  const n = src.length;
  const k = [0, 1, 2].map((c) => gaussianKernels(sigmaMm / spacing[c]!, truncate));
  const [kx, ky, kz] = k as [ReturnType<typeof gaussianKernels>, ReturnType<typeof gaussianKernels>, ReturnType<typeof gaussianKernels>];
  const A = new Float32Array(n); // Gz I
  const B = new Float32Array(n); // Dz I
  const C = new Float32Array(n);
  const out: GradientField = { x: new Float32Array(n), y: new Float32Array(n), z: new Float32Array(n) };
  filterAxis(src, A, size, 2, kz.smooth, 1);
  filterAxis(src, B, size, 2, kz.deriv, size[2] > 1 ? 1 / spacing[2] : 0);
  // z: Gx Gy Dz
  filterAxis(B, C, size, 1, ky.smooth, 1);
  filterAxis(C, out.z, size, 0, kx.smooth, 1);
  // y: Gx Dy Gz
  filterAxis(A, C, size, 1, ky.deriv, size[1] > 1 ? 1 / spacing[1] : 0);
  filterAxis(C, out.y, size, 0, kx.smooth, 1);
  // x: Dx Gy Gz
  filterAxis(A, C, size, 1, ky.smooth, 1);
  filterAxis(C, out.x, size, 0, kx.deriv, size[0] > 1 ? 1 / spacing[0] : 0);
  return out;
}

/**
 * The gradient vector field of `image` in world LPS coordinates, intensity per mm. The derivative
 * is taken along each index axis in mm (spacing respected) and mapped to world axes by D⁻ᵀ.
 */
export function computeGradient(image: Volume, options: GradientOptions = {}): GradientField {
  validateVolume(image);
  const method = options.method ?? 'central';
  const src = asFloat32(image);
  let g: GradientField;
  if (method === 'central') {
    g = centralIndexGradient(src, image.size, image.spacing);
  } else if (method === 'gaussian') {
    const sigmaMm = options.sigmaMm ?? 1;
    const truncate = options.truncate ?? 4;
    if (!(sigmaMm > 0) || !Number.isFinite(sigmaMm)) {
      throw new RadcamError('E_INVALID_ARGUMENT', 'Gaussian-derivative scale must be positive', {
        expected: 'sigmaMm > 0',
        found: String(sigmaMm),
      });
    }
    if (!(truncate > 0)) {
      throw new RadcamError('E_INVALID_ARGUMENT', 'Gaussian truncation must be positive', { found: String(truncate) });
    }
    g = gaussianIndexGradient(src, image.size, image.spacing, sigmaMm, truncate);
  } else {
    throw new RadcamError('E_INVALID_ARGUMENT', `unknown gradient method "${String(method)}"`, {
      expected: "'central' or 'gaussian'",
    });
  }
  if (!isIdentity(image.direction)) {
    const m = gradientToWorldMatrix(image.direction);
    const { x, y, z } = g;
    for (let p = 0; p < x.length; p++) {
      const a = x[p]!, b = y[p]!, c = z[p]!;
      x[p] = m[0]! * a + m[1]! * b + m[2]! * c;
      y[p] = m[3]! * a + m[4]! * b + m[5]! * c;
      z[p] = m[6]! * a + m[7]! * b + m[8]! * c;
    }
  }
  return g;
}

function floatVolume(geom: Geometry, data: Float32Array): Volume<Float32Array> {
  return {
    data,
    size: [...geom.size] as Vec3,
    spacing: [...geom.spacing] as Vec3,
    origin: [...geom.origin] as Vec3,
    direction: Float64Array.from(geom.direction),
  };
}

/**
 * Default zero-gradient tolerance: 1e-9 · max(intensity range, 1e-3·max|I|) / smallest spacing
 * (absorbs floating-point noise of the filters in flat regions).
 */
export function defaultZeroGradientTolerance(image: Volume): number {
  let lo = Infinity, hi = -Infinity;
  const d = image.data;
  for (let p = 0; p < d.length; p++) {
    const v = d[p]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(hi - lo)) return 0;
  const scale = Math.max(hi - lo, 1e-3 * Math.max(Math.abs(lo), Math.abs(hi)));
  return (1e-9 * scale) / Math.min(...image.spacing);
}

const RAD2DEG = 180 / Math.PI;

/**
 * Gradient magnitude, radial gradient and radial deviation maps on the grid of `image`.
 * The radial direction at a voxel is the unit vector from the centroid (of `mask`, or
 * `options.centroid`) to the voxel centre, in world LPS mm.
 *
 * Throws `E_MASK_GEOMETRY_MISMATCH` if the grids differ, `E_EMPTY_ROI` for an empty mask (unless
 * `options.centroid` is given).
 */
export function computeGradientMaps(image: Volume, mask: Mask, options: GradientMapsOptions = {}): GradientMapsResult {
  validateVolume(image);
  validateVolume(mask);
  assertSameGeometry(image, mask);
  const centroid: Vec3 = options.centroid ? [...options.centroid] as Vec3 : maskCentroid(mask);
  const g = computeGradient(image, options);
  const n = voxelCount(image.size);
  const tol = options.zeroGradientTolerance ?? defaultZeroGradientTolerance(image);
  const mag = new Float32Array(n), rad = new Float32Array(n), dev = new Float32Array(n);
  const [nx, ny, nz] = image.size;
  const [s0, s1, s2] = image.spacing;
  const D = image.direction;
  // Voxel centre = origin + D·(i s0, j s1, k s2); offset from the centroid built incrementally.
  const c0x = D[0]! * s0, c0y = D[3]! * s0, c0z = D[6]! * s0;
  const c1x = D[1]! * s1, c1y = D[4]! * s1, c1z = D[7]! * s1;
  const c2x = D[2]! * s2, c2y = D[5]! * s2, c2z = D[8]! * s2;
  const bx = image.origin[0] - centroid[0], by = image.origin[1] - centroid[1], bz = image.origin[2] - centroid[2];
  let zeroGrad = 0, atCentroid = 0;
  let p = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const rx0 = bx + j * c1x + k * c2x, ry0 = by + j * c1y + k * c2y, rz0 = bz + j * c1z + k * c2z;
      for (let i = 0; i < nx; i++, p++) {
        const rx = rx0 + i * c0x, ry = ry0 + i * c0y, rz = rz0 + i * c0z;
        const gx = g.x[p]!, gy = g.y[p]!, gz = g.z[p]!;
        const m = Math.sqrt(gx * gx + gy * gy + gz * gz);
        mag[p] = m;
        const rn = Math.sqrt(rx * rx + ry * ry + rz * rz);
        const zero = m <= tol;
        if (zero) zeroGrad++;
        if (rn < 1e-9) {
          atCentroid++;
          rad[p] = NaN;
          dev[p] = NaN;
          continue;
        }
        const dot = (gx * rx + gy * ry + gz * rz) / rn;
        rad[p] = dot;
        if (zero) {
          dev[p] = NaN;
        } else {
          let c = dot / m;
          if (c > 1) c = 1;
          else if (c < -1) c = -1;
          dev[p] = Math.acos(c) * RAD2DEG;
        }
      }
    }
  }
  const method = options.method ?? 'central';
  const result: GradientMapsResult = {
    magnitude: floatVolume(image, mag),
    radial: floatVolume(image, rad),
    raddev: floatVolume(image, dev),
    centroid,
    diagnostics: {
      method,
      ...(method === 'gaussian' ? { sigmaMm: options.sigmaMm ?? 1 } : {}),
      zeroGradientTolerance: tol,
      zeroGradientVoxels: zeroGrad,
      centroidVoxels: atCentroid,
    },
  };
  if (options.keepVector) result.vector = g;
  return result;
}
