import { RadcamError, type Vec3 } from '@radcam/core';
import type { MapGrid } from './types.js';

function axisTable(nIn: number, nOut: number): { i0: Int32Array; i1: Int32Array; w: Float32Array } {
  const i0 = new Int32Array(nOut);
  const i1 = new Int32Array(nOut);
  const w = new Float32Array(nOut);
  const scale = nIn / nOut;
  for (let o = 0; o < nOut; o++) {
    // voxel centres aligned: output centre (o + ½) maps to input coordinate (o + ½)·nIn/nOut − ½
    let x = (o + 0.5) * scale - 0.5;
    if (x < 0) x = 0;
    if (x > nIn - 1) x = nIn - 1;
    const f = Math.floor(x);
    const a = Math.min(f, nIn - 1);
    i0[o] = a;
    i1[o] = Math.min(a + 1, nIn - 1);
    w[o] = x - a;
  }
  return { i0, i1, w };
}

/**
 * Trilinear (bilinear in 2D) resize of a grid, voxel centres aligned (the half-pixel convention
 * of `align_corners = false`): output voxel centre o maps to input coordinate (o + ½)·n_in/n_out − ½,
 * clamped to the first/last input centre. A new buffer is returned.
 */
export function resizeLinear(src: Float32Array, srcSize: Readonly<Vec3>, dstSize: Readonly<Vec3>): Float32Array {
  const [sx, sy, sz] = srcSize;
  const [dx, dy, dz] = dstSize;
  if (src.length !== sx * sy * sz) {
    throw new RadcamError('E_DATA_SIZE_MISMATCH', 'map data length does not match its size', {
      expected: `${sx * sy * sz}`,
      found: `${src.length}`,
    });
  }
  const out = new Float32Array(dx * dy * dz);
  if (sx === dx && sy === dy && sz === dz) {
    out.set(src);
    return out;
  }
  const tx = axisTable(sx, dx);
  const ty = axisTable(sy, dy);
  const tz = axisTable(sz, dz);
  const sxy = sx * sy;
  let p = 0;
  for (let z = 0; z < dz; z++) {
    const z0 = tz.i0[z]! * sxy;
    const z1 = tz.i1[z]! * sxy;
    const wz = tz.w[z]!;
    for (let y = 0; y < dy; y++) {
      const y0 = ty.i0[y]! * sx;
      const y1 = ty.i1[y]! * sx;
      const wy = ty.w[y]!;
      const a00 = z0 + y0;
      const a01 = z0 + y1;
      const a10 = z1 + y0;
      const a11 = z1 + y1;
      for (let x = 0; x < dx; x++) {
        const x0 = tx.i0[x]!;
        const x1 = tx.i1[x]!;
        const wx = tx.w[x]!;
        const c00 = src[a00 + x0]! + wx * (src[a00 + x1]! - src[a00 + x0]!);
        const c01 = src[a01 + x0]! + wx * (src[a01 + x1]! - src[a01 + x0]!);
        const c10 = src[a10 + x0]! + wx * (src[a10 + x1]! - src[a10 + x0]!);
        const c11 = src[a11 + x0]! + wx * (src[a11 + x1]! - src[a11 + x0]!);
        const c0 = c00 + wy * (c01 - c00);
        const c1 = c10 + wy * (c11 - c10);
        out[p++] = c0 + wz * (c1 - c0);
      }
    }
  }
  return out;
}

/** Up-sample a map to `size` (trilinear, voxel centres aligned). */
export function upsampleMap(map: MapGrid, size: Readonly<Vec3>): MapGrid {
  return { data: resizeLinear(map.data, map.size, size), size: [size[0], size[1], size[2]] };
}

/**
 * Flip a grid along the given axes (0 = x, 1 = y, 2 = z) into `out` (a new buffer by default).
 * Flipping twice is the identity.
 */
export function flipGrid(
  src: Float32Array,
  size: Readonly<Vec3>,
  axes: readonly number[],
  out: Float32Array = new Float32Array(src.length),
): Float32Array {
  const [sx, sy, sz] = size;
  const fx = axes.includes(0);
  const fy = axes.includes(1);
  const fz = axes.includes(2);
  let p = 0;
  for (let z = 0; z < sz; z++) {
    const zz = fz ? sz - 1 - z : z;
    for (let y = 0; y < sy; y++) {
      const yy = fy ? sy - 1 - y : y;
      const base = (zz * sy + yy) * sx;
      if (fx) for (let x = 0; x < sx; x++) out[p++] = src[base + sx - 1 - x]!;
      else for (let x = 0; x < sx; x++) out[p++] = src[base + x]!;
    }
  }
  return out;
}

/** Spatial tensor shape ([d, h, w] or [h, w]) → grid size [x, y, z] = [w, h, d] (d = 1 in 2D). */
export function spatialToSize(spatial: readonly number[]): Vec3 {
  if (spatial.length === 2) return [spatial[1]!, spatial[0]!, 1];
  if (spatial.length === 3) return [spatial[2]!, spatial[1]!, spatial[0]!];
  throw new RadcamError('E_INVALID_ARGUMENT', 'expected 2 or 3 spatial dimensions', {
    found: `${spatial.length} (${spatial.join('×')})`,
  });
}
