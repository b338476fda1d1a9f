import { RadcamError } from './errors.js';

/** Numeric typed arrays a volume may hold. */
export type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

export type Vec3 = [number, number, number];

/**
 * A 3D image on a regular grid. Plain data: structured-clone-able and transferable to workers.
 *
 * - `data` is x-fastest: voxel (i, j, k) is at `i + size[0] * (j + size[1] * k)` (as NIfTI / ITK).
 * - `spacing` is in mm, `origin` is the world position (mm) of voxel (0,0,0)'s centre.
 * - `direction` is the 3×3 direction cosine matrix, row-major: column c is the world direction of
 *   index axis c, so `world = origin + D · (index ∘ spacing)`.
 * - **World coordinates are LPS** (DICOM / ITK convention: +x towards the patient's Left, +y
 *   Posterior, +z Superior). Readers of RAS formats (NIfTI) convert on read and back on write.
 *
 * Ownership: functions that take a Volume never modify its `data` unless their name says so
 * (`…InPlace`). Functions returning a Volume return a new buffer unless documented as a view.
 */
export interface Volume<T extends TypedArray = TypedArray> {
  data: T;
  size: Vec3;
  spacing: Vec3;
  origin: Vec3;
  direction: Float64Array;
}

/** A binary mask: a Volume of 0/1 bytes (any non-zero byte counts as inside). */
export type Mask = Volume<Uint8Array>;

/** The geometry of a Volume without its data. */
export type Geometry = Omit<Volume, 'data'>;

export const IDENTITY_DIRECTION: Readonly<Float64Array> = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);

export function voxelCount(size: Readonly<Vec3>): number {
  return size[0] * size[1] * size[2];
}

export interface CreateVolumeOptions {
  spacing?: Vec3;
  origin?: Vec3;
  direction?: ArrayLike<number>;
}

/** Build a validated Volume around `data` (not copied). */
export function createVolume<T extends TypedArray>(data: T, size: Vec3, options: CreateVolumeOptions = {}): Volume<T> {
  const vol: Volume<T> = {
    data,
    size: [size[0], size[1], size[2]],
    spacing: options.spacing ? [...options.spacing] as Vec3 : [1, 1, 1],
    origin: options.origin ? [...options.origin] as Vec3 : [0, 0, 0],
    direction: options.direction ? Float64Array.from(options.direction) : Float64Array.from(IDENTITY_DIRECTION),
  };
  validateVolume(vol);
  return vol;
}

/** A zero-filled volume of type `ctor` with the geometry of `geom`. */
export function allocLike<T extends TypedArray>(
  geom: Geometry,
  ctor: { new (n: number): T },
): Volume<T> {
  return {
    data: new ctor(voxelCount(geom.size)),
    size: [...geom.size] as Vec3,
    spacing: [...geom.spacing] as Vec3,
    origin: [...geom.origin] as Vec3,
    direction: Float64Array.from(geom.direction),
  };
}

export function geometryOf(vol: Geometry): Geometry {
  return {
    size: [...vol.size] as Vec3,
    spacing: [...vol.spacing] as Vec3,
    origin: [...vol.origin] as Vec3,
    direction: Float64Array.from(vol.direction),
  };
}

/** Throws `E_BAD_DIMENSIONS`, `E_BAD_SPACING` or `E_DATA_SIZE_MISMATCH` on an invalid volume. */
export function validateVolume(vol: Volume): void {
  const { size, spacing, origin, direction, data } = vol;
  if (!Array.isArray(size) || size.length !== 3 || size.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new RadcamError('E_BAD_DIMENSIONS', 'volume dimensions must be three positive integers', {
      found: JSON.stringify(size),
    });
  }
  if (!Array.isArray(spacing) || spacing.length !== 3 || spacing.some((s) => !Number.isFinite(s) || s <= 0)) {
    throw new RadcamError('E_BAD_SPACING', 'voxel spacing must be three finite positive numbers', {
      found: JSON.stringify(spacing),
    });
  }
  if (!Array.isArray(origin) || origin.length !== 3 || origin.some((s) => !Number.isFinite(s))) {
    throw new RadcamError('E_INVALID_VOLUME', 'origin must be three finite numbers', { found: JSON.stringify(origin) });
  }
  if (direction.length !== 9 || direction.some((d) => !Number.isFinite(d))) {
    throw new RadcamError('E_INVALID_VOLUME', 'direction must be 9 finite numbers (3×3, row-major)', {
      found: `${direction.length} values`,
    });
  }
  if (data.length !== voxelCount(size)) {
    throw new RadcamError('E_DATA_SIZE_MISMATCH', 'voxel data length does not match the dimensions', {
      expected: `${voxelCount(size)} voxels (${size.join('×')})`,
      found: `${data.length}`,
    });
  }
}

/** Linear index of voxel (i, j, k). */
export function linearIndex(size: Readonly<Vec3>, i: number, j: number, k: number): number {
  return i + size[0] * (j + size[1] * k);
}

/** Continuous index → world (LPS, mm). Writes into `out` when given. */
export function indexToWorld(geom: Geometry, index: Readonly<Vec3>, out: Vec3 = [0, 0, 0]): Vec3 {
  const d = geom.direction;
  const a = index[0] * geom.spacing[0];
  const b = index[1] * geom.spacing[1];
  const c = index[2] * geom.spacing[2];
  out[0] = geom.origin[0] + d[0]! * a + d[1]! * b + d[2]! * c;
  out[1] = geom.origin[1] + d[3]! * a + d[4]! * b + d[5]! * c;
  out[2] = geom.origin[2] + d[6]! * a + d[7]! * b + d[8]! * c;
  return out;
}

/** Inverse of a 3×3 row-major matrix. Throws on a singular matrix. */
export function invert3x3(m: ArrayLike<number>): Float64Array {
  const [a, b, c, d, e, f, g, h, i] = [m[0]!, m[1]!, m[2]!, m[3]!, m[4]!, m[5]!, m[6]!, m[7]!, m[8]!];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) {
    throw new RadcamError('E_INVALID_VOLUME', 'direction matrix is singular', { found: `determinant ${det}` });
  }
  return Float64Array.of(
    A / det, -(b * i - c * h) / det, (b * f - c * e) / det,
    B / det, (a * i - c * g) / det, -(a * f - c * d) / det,
    C / det, -(a * h - b * g) / det, (a * e - b * d) / det,
  );
}

/** World (LPS, mm) → continuous index. */
export function worldToIndex(geom: Geometry, world: Readonly<Vec3>, out: Vec3 = [0, 0, 0]): Vec3 {
  const inv = invert3x3(geom.direction);
  const x = world[0] - geom.origin[0];
  const y = world[1] - geom.origin[1];
  const z = world[2] - geom.origin[2];
  out[0] = (inv[0]! * x + inv[1]! * y + inv[2]! * z) / geom.spacing[0];
  out[1] = (inv[3]! * x + inv[4]! * y + inv[5]! * z) / geom.spacing[1];
  out[2] = (inv[6]! * x + inv[7]! * y + inv[8]! * z) / geom.spacing[2];
  return out;
}

export interface GeometryTolerance {
  /** Absolute tolerance on spacing and origin, mm. Default 1e-4. */
  mm?: number;
  /** Absolute tolerance on direction cosines. Default 1e-5. */
  direction?: number;
}

/** True when two geometries describe the same grid (within tolerance). */
export function sameGeometry(a: Geometry, b: Geometry, tol: GeometryTolerance = {}): boolean {
  const mm = tol.mm ?? 1e-4;
  const dt = tol.direction ?? 1e-5;
  for (let c = 0; c < 3; c++) {
    if (a.size[c] !== b.size[c]) return false;
    if (Math.abs(a.spacing[c]! - b.spacing[c]!) > mm) return false;
    if (Math.abs(a.origin[c]! - b.origin[c]!) > mm) return false;
  }
  for (let c = 0; c < 9; c++) if (Math.abs(a.direction[c]! - b.direction[c]!) > dt) return false;
  return true;
}

/** Throws `E_MASK_GEOMETRY_MISMATCH` unless `mask` lies on `image`'s grid. */
export function assertSameGeometry(image: Geometry, mask: Geometry, tol: GeometryTolerance = {}): void {
  if (!sameGeometry(image, mask, tol)) {
    const fmt = (g: Geometry) =>
      `size ${g.size.join('×')}, spacing ${g.spacing.map((s) => +s.toFixed(4)).join('×')}, origin ${g.origin
        .map((s) => +s.toFixed(3))
        .join(',')}`;
    throw new RadcamError('E_MASK_GEOMETRY_MISMATCH', 'mask and image are not on the same voxel grid', {
      expected: fmt(image),
      found: fmt(mask),
    });
  }
}

/** Number of non-zero voxels of a mask. */
export function countMask(mask: Mask): number {
  let n = 0;
  const d = mask.data;
  for (let i = 0; i < d.length; i++) if (d[i] !== 0) n++;
  return n;
}

/** Throws `E_EMPTY_ROI` when the mask has no voxel inside. Returns the voxel count. */
export function assertNonEmptyMask(mask: Mask, what = 'mask'): number {
  const n = countMask(mask);
  if (n === 0) {
    throw new RadcamError('E_EMPTY_ROI', `${what} is empty`, { expected: 'at least one voxel inside the ROI', found: '0' });
  }
  return n;
}
