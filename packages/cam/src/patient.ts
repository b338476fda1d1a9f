import {
  RadcamError,
  allocLike,
  indexToWorld,
  validateVolume,
  worldToIndex,
  type Geometry,
  type Vec3,
  type Volume,
} from '@radcam/core';
import { resizeLinear } from './grid.js';
import type { MapGrid } from './types.js';

export interface CamToPatientSpaceOptions {
  /** Value outside the patch's extent. Default 0. */
  fill?: number;
}

/** Affine map image index → patch index: p = t + M·i (columns of M = images of the unit steps). */
function indexAffine(from: Geometry, to: Geometry): { t: Vec3; m: Float64Array } {
  const w: Vec3 = [0, 0, 0];
  const t = worldToIndex(to, indexToWorld(from, [0, 0, 0], w)) as Vec3;
  const m = new Float64Array(9);
  for (let c = 0; c < 3; c++) {
    const e: Vec3 = [0, 0, 0];
    e[c] = 1;
    const p = worldToIndex(to, indexToWorld(from, e, w));
    for (let r = 0; r < 3; r++) m[r * 3 + c] = p[r]! - t[r]!;
  }
  return { t: [t[0], t[1], t[2]], m };
}

/**
 * Map a CAM back onto the original image grid. The map is first up-sampled to the patch size
 * (trilinear, voxel centres aligned) when it is on a coarser layer grid; then every image voxel
 * whose centre falls inside the patch's extent (voxel centres ± ½ voxel) samples the patch map
 * trilinearly at that world position (LPS, through `indexToWorld`/`worldToIndex`, so any
 * spacing, origin and direction of either grid is honoured). Voxels outside get `fill` (0).
 * The result has exactly `imageGeometry`'s size, spacing, origin and direction.
 */
export function camToPatientSpace(
  map: MapGrid,
  patchGeometry: Geometry,
  imageGeometry: Geometry,
  options: CamToPatientSpaceOptions = {},
): Volume<Float32Array> {
  validateVolume({ ...patchGeometry, data: new Uint8Array(patchGeometry.size[0] * patchGeometry.size[1] * patchGeometry.size[2]) });
  const out = allocLike(imageGeometry, Float32Array);
  validateVolume(out);
  const fill = options.fill ?? 0;
  if (fill !== 0) out.data.fill(fill);
  const ps = patchGeometry.size;
  const sameSize = map.size[0] === ps[0] && map.size[1] === ps[1] && map.size[2] === ps[2];
  if (!sameSize && map.size[2] === 1 && ps[2] !== 1) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'a 2D map needs a single-slice patch geometry', {
      found: `map ${map.size.join('×')}, patch ${ps.join('×')}`,
    });
  }
  const src = sameSize ? map.data : resizeLinear(map.data, map.size, ps);
  const [sx, sy, sz] = ps;
  const sxy = sx * sy;

  // image-index bounding box of the patch extent
  const inv = indexAffine(patchGeometry, imageGeometry);
  const lo: Vec3 = [Infinity, Infinity, Infinity];
  const hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (let c = 0; c < 8; c++) {
    const q: Vec3 = [c & 1 ? sx - 0.5 : -0.5, c & 2 ? sy - 0.5 : -0.5, c & 4 ? sz - 0.5 : -0.5];
    for (let r = 0; r < 3; r++) {
      const v = inv.t[r]! + inv.m[r * 3]! * q[0] + inv.m[r * 3 + 1]! * q[1] + inv.m[r * 3 + 2]! * q[2];
      if (v < lo[r]!) lo[r] = v;
      if (v > hi[r]!) hi[r] = v;
    }
  }
  const is = imageGeometry.size;
  const i0 = lo.map((v) => Math.max(0, Math.floor(v))) as Vec3;
  const i1 = hi.map((v, r) => Math.min(is[r]! - 1, Math.ceil(v))) as Vec3;

  const { t, m } = indexAffine(imageGeometry, patchGeometry);
  const eps = 1e-6;
  const data = out.data;
  for (let k = i0[2]; k <= i1[2]; k++) {
    for (let j = i0[1]; j <= i1[1]; j++) {
      for (let i = i0[0]; i <= i1[0]; i++) {
        const px = t[0] + m[0]! * i + m[1]! * j + m[2]! * k;
        const py = t[1] + m[3]! * i + m[4]! * j + m[5]! * k;
        const pz = t[2] + m[6]! * i + m[7]! * j + m[8]! * k;
        if (px < -0.5 - eps || py < -0.5 - eps || pz < -0.5 - eps) continue;
        if (px > sx - 0.5 + eps || py > sy - 0.5 + eps || pz > sz - 0.5 + eps) continue;
        const cx = px < 0 ? 0 : px > sx - 1 ? sx - 1 : px;
        const cy = py < 0 ? 0 : py > sy - 1 ? sy - 1 : py;
        const cz = pz < 0 ? 0 : pz > sz - 1 ? sz - 1 : pz;
        const x0 = Math.floor(cx);
        const y0 = Math.floor(cy);
        const z0 = Math.floor(cz);
        const x1 = x0 + 1 < sx ? x0 + 1 : x0;
        const y1 = y0 + 1 < sy ? y0 + 1 : y0;
        const z1 = z0 + 1 < sz ? z0 + 1 : z0;
        const fx = cx - x0;
        const fy = cy - y0;
        const fz = cz - z0;
        const a = z0 * sxy;
        const b = z1 * sxy;
        const r0 = y0 * sx;
        const r1 = y1 * sx;
        const c00 = src[a + r0 + x0]! + fx * (src[a + r0 + x1]! - src[a + r0 + x0]!);
        const c01 = src[a + r1 + x0]! + fx * (src[a + r1 + x1]! - src[a + r1 + x0]!);
        const c10 = src[b + r0 + x0]! + fx * (src[b + r0 + x1]! - src[b + r0 + x0]!);
        const c11 = src[b + r1 + x0]! + fx * (src[b + r1 + x1]! - src[b + r1 + x0]!);
        const c0 = c00 + fy * (c01 - c00);
        const c1 = c10 + fy * (c11 - c10);
        data[i + is[0] * (j + is[1] * k)] = c0 + fz * (c1 - c0);
      }
    }
  }
  return out;
}
