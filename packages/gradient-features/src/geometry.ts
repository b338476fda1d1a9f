/**
 * Small geometry helpers local to this package (crop to a box, mask centroid in world LPS,
 * the index-space → world gradient matrix).
 */
import { RadcamError, boundingBox, countMask, indexToWorld, invert3x3, type Mask, type TypedArray, type Vec3, type Volume } from '@radcam/core';

/** Inclusive voxel box. */
export interface IndexBox {
  min: Vec3;
  max: Vec3;
}

/** Inclusive bounding box of the non-zero voxels (core `boundingBox`) and their count, or null when empty. */
export function maskBox(mask: Mask): (IndexBox & { count: number }) | null {
  const box = boundingBox(mask);
  return box && { min: box.min, max: box.max, count: countMask(mask) };
}

/** Grow `box` by `pad` voxels per axis, clamped to `size`. */
export function growBox(box: IndexBox, pad: Readonly<Vec3>, size: Readonly<Vec3>): IndexBox {
  const min: Vec3 = [0, 0, 0];
  const max: Vec3 = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    min[c] = Math.max(0, box.min[c]! - pad[c]!);
    max[c] = Math.min(size[c]! - 1, box.max[c]! + pad[c]!);
  }
  return { min, max };
}

/** Copy of the inclusive sub-box of `vol`; the origin moves to the world position of `box.min`. */
export function cropBox<T extends TypedArray>(vol: Volume<T>, box: IndexBox): Volume<T> {
  const [nx, ny] = vol.size;
  const sx = box.max[0] - box.min[0] + 1;
  const sy = box.max[1] - box.min[1] + 1;
  const sz = box.max[2] - box.min[2] + 1;
  const out = new (vol.data.constructor as { new (n: number): T })(sx * sy * sz);
  let p = 0;
  for (let k = 0; k < sz; k++) {
    for (let j = 0; j < sy; j++) {
      const src = box.min[0] + nx * (box.min[1] + j + ny * (box.min[2] + k));
      out.set(vol.data.subarray(src, src + sx) as never, p);
      p += sx;
    }
  }
  return {
    data: out,
    size: [sx, sy, sz],
    spacing: [...vol.spacing] as Vec3,
    origin: indexToWorld(vol, box.min),
    direction: Float64Array.from(vol.direction),
  };
}

/** Centroid (world LPS, mm) of the non-zero voxels; throws `E_EMPTY_ROI` on an empty mask. */
export function maskCentroid(mask: Mask): Vec3 {
  const [nx, ny, nz] = mask.size;
  const d = mask.data;
  let si = 0, sj = 0, sk = 0, n = 0;
  let p = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, p++) {
        if (d[p] !== 0) {
          si += i;
          sj += j;
          sk += k;
          n++;
        }
      }
    }
  }
  if (n === 0) throw new RadcamError('E_EMPTY_ROI', 'mask is empty', { expected: 'at least one voxel inside the ROI', found: '0' });
  return indexToWorld(mask, [si / n, sj / n, sk / n]);
}

/**
 * The matrix M (row-major) with ∇_world I = M · g, where g_c = ∂I/∂(index_c · spacing_c) is the
 * derivative along index axis c in mm. Since world = origin + D·u, ∂I/∂u = Dᵀ ∇_world I, so
 * M = D⁻ᵀ (= D for an orthonormal direction matrix).
 */
export function gradientToWorldMatrix(direction: ArrayLike<number>): Float64Array {
  const inv = invert3x3(direction);
  return Float64Array.of(inv[0]!, inv[3]!, inv[6]!, inv[1]!, inv[4]!, inv[7]!, inv[2]!, inv[5]!, inv[8]!);
}

/** True when the 3×3 row-major matrix is the identity. */
export function isIdentity(m: ArrayLike<number>): boolean {
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) if (m[3 * r + c] !== (r === c ? 1 : 0)) return false;
  return true;
}
