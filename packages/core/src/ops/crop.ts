import { RadcamError, assertArg } from '../errors.js';
import { indexToWorld, voxelCount, type Mask, type TypedArray, type Vec3, type Volume, assertSameGeometry } from '../volume.js';

export interface BoundingBox {
  /** Inclusive lower voxel index. */
  min: Vec3;
  /** Inclusive upper voxel index. */
  max: Vec3;
}

/** Inclusive index bounding box of the non-zero voxels, or null for an empty mask. */
export function boundingBox(mask: Mask): BoundingBox | null {
  const [nx, ny, nz] = mask.size;
  const d = mask.data;
  let x0 = nx, y0 = ny, z0 = nz, x1 = -1, y1 = -1, z1 = -1;
  let p = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, p++) {
        if (d[p] !== 0) {
          if (i < x0) x0 = i;
          if (i > x1) x1 = i;
          if (j < y0) y0 = j;
          if (j > y1) y1 = j;
          if (k < z0) z0 = k;
          if (k > z1) z1 = k;
        }
      }
    }
  }
  if (x1 < 0) return null;
  return { min: [x0, y0, z0], max: [x1, y1, z1] };
}

function sameCtor<T extends TypedArray>(data: T, n: number): T {
  return new (data.constructor as { new (n: number): T })(n);
}

/**
 * Copy of the sub-volume between inclusive indices `min` and `max` (clamped to the volume).
 * The origin moves to the world position of `min`; spacing and direction are kept.
 */
export function crop<T extends TypedArray>(vol: Volume<T>, min: Readonly<Vec3>, max: Readonly<Vec3>): Volume<T> {
  const lo: Vec3 = [0, 0, 0];
  const hi: Vec3 = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    lo[c] = Math.max(0, Math.floor(min[c]!));
    hi[c] = Math.min(vol.size[c]! - 1, Math.floor(max[c]!));
    if (hi[c]! < lo[c]!) {
      throw new RadcamError('E_INVALID_ARGUMENT', 'crop box does not intersect the volume', {
        found: `min ${min.join(',')} max ${max.join(',')} for size ${vol.size.join('×')}`,
      });
    }
  }
  const size: Vec3 = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
  const out = sameCtor(vol.data, voxelCount(size));
  const [nx, ny] = vol.size;
  let q = 0;
  for (let k = lo[2]; k <= hi[2]; k++) {
    for (let j = lo[1]; j <= hi[1]; j++) {
      const start = lo[0] + nx * (j + ny * k);
      out.set(vol.data.subarray(start, start + size[0]) as never, q);
      q += size[0];
    }
  }
  return {
    data: out,
    size,
    spacing: [...vol.spacing] as Vec3,
    origin: indexToWorld(vol, lo),
    direction: Float64Array.from(vol.direction),
  };
}

export interface CropToMaskOptions {
  /** Margin around the mask's bounding box in mm (per axis converted with the spacing). */
  marginMm?: number | Vec3;
  /** Margin in voxels (added to marginMm). */
  marginVoxels?: number | Vec3;
}

export interface CropToMaskResult<T extends TypedArray> {
  image: Volume<T>;
  mask: Mask;
  /** Inclusive index box in the original grid. */
  min: Vec3;
  max: Vec3;
}

/** Crop image and mask to the mask's bounding box plus a margin (clamped to the image). */
export function cropToMask<T extends TypedArray>(
  image: Volume<T>,
  mask: Mask,
  options: CropToMaskOptions = {},
): CropToMaskResult<T> {
  assertSameGeometry(image, mask);
  const box = boundingBox(mask);
  if (!box) throw new RadcamError('E_EMPTY_ROI', 'cannot crop to an empty mask', { expected: 'at least one voxel' });
  const mm = options.marginMm ?? 0;
  const vx = options.marginVoxels ?? 0;
  const min: Vec3 = [0, 0, 0];
  const max: Vec3 = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const m = (typeof mm === 'number' ? mm : mm[c]!) / image.spacing[c]! + (typeof vx === 'number' ? vx : vx[c]!);
    assertArg(Number.isFinite(m) && m >= 0, 'crop margin must be a finite non-negative number');
    const r = Math.ceil(m - 1e-9);
    min[c] = Math.max(0, box.min[c]! - r);
    max[c] = Math.min(image.size[c]! - 1, box.max[c]! + r);
  }
  return { image: crop(image, min, max), mask: crop(mask, min, max), min, max };
}

export interface PadOptions {
  /** `constant` fills with `value` (default 0); `nearest` repeats the edge voxel. */
  mode?: 'constant' | 'nearest';
  value?: number;
}

/** Pad by `before`/`after` voxels per axis; the origin moves so world positions are kept. */
export function pad<T extends TypedArray>(
  vol: Volume<T>,
  before: Readonly<Vec3>,
  after: Readonly<Vec3>,
  options: PadOptions = {},
): Volume<T> {
  for (let c = 0; c < 3; c++) {
    assertArg(Number.isInteger(before[c]) && before[c]! >= 0 && Number.isInteger(after[c]) && after[c]! >= 0,
      'padding must be non-negative integers', { found: `${before.join(',')} / ${after.join(',')}` });
  }
  const size: Vec3 = [vol.size[0] + before[0] + after[0], vol.size[1] + before[1] + after[1], vol.size[2] + before[2] + after[2]];
  const out = sameCtor(vol.data, voxelCount(size));
  const mode = options.mode ?? 'constant';
  if (mode === 'constant' && (options.value ?? 0) !== 0) out.fill(options.value as never);
  const [nx, ny, nz] = vol.size;
  const src = vol.data;
  if (mode === 'constant') {
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < ny; j++) {
        const s = nx * (j + ny * k);
        const d = before[0] + size[0] * (j + before[1] + size[1] * (k + before[2]));
        out.set(src.subarray(s, s + nx) as never, d);
      }
    }
  } else {
    let q = 0;
    for (let k = 0; k < size[2]; k++) {
      const sk = Math.min(nz - 1, Math.max(0, k - before[2]));
      for (let j = 0; j < size[1]; j++) {
        const sj = Math.min(ny - 1, Math.max(0, j - before[1]));
        const row = nx * (sj + ny * sk);
        for (let i = 0; i < size[0]; i++, q++) {
          const si = Math.min(nx - 1, Math.max(0, i - before[0]));
          out[q] = src[row + si]!;
        }
      }
    }
  }
  return {
    data: out,
    size,
    spacing: [...vol.spacing] as Vec3,
    origin: indexToWorld(vol, [-before[0], -before[1], -before[2]]),
    direction: Float64Array.from(vol.direction),
  };
}
