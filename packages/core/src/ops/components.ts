import { RadcamError, assertArg } from '../errors.js';
import { indexToWorld, voxelCount, type Mask, type TypedArray, type Vec3, type Volume } from '../volume.js';

export type Connectivity = 6 | 18 | 26;

export interface ConnectedComponentsResult {
  /** 0 = background, 1..count = component label (ordered by first voxel in x-fastest scan order). */
  labels: Volume<Int32Array>;
  count: number;
  /** sizes[l − 1] = voxel count of component l. */
  sizes: number[];
}

function neighbourOffsets(connectivity: Connectivity): Vec3[] {
  const out: Vec3[] = [];
  for (let dz = -1; dz <= 1; dz++) {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const m = Math.abs(dx) + Math.abs(dy) + Math.abs(dz);
        if (m === 0) continue;
        if (connectivity === 6 && m > 1) continue;
        if (connectivity === 18 && m > 2) continue;
        out.push([dx, dy, dz]);
      }
    }
  }
  return out;
}

/** Label the connected components of a mask (flood fill with an explicit typed-array stack). */
export function connectedComponents(mask: Mask, connectivity: Connectivity = 26): ConnectedComponentsResult {
  assertArg(connectivity === 6 || connectivity === 18 || connectivity === 26, 'connectivity must be 6, 18 or 26', {
    found: String(connectivity),
  });
  const [nx, ny, nz] = mask.size;
  const n = voxelCount(mask.size);
  const labels = new Int32Array(n);
  const stack = new Int32Array(n);
  const offs = neighbourOffsets(connectivity);
  const m = mask.data;
  const sizes: number[] = [];
  let count = 0;
  for (let start = 0; start < n; start++) {
    if (m[start] === 0 || labels[start] !== 0) continue;
    const label = ++count;
    let top = 0;
    stack[top++] = start;
    labels[start] = label;
    let size = 0;
    while (top > 0) {
      const p = stack[--top]!;
      size++;
      const i = p % nx;
      const j = ((p - i) / nx) % ny;
      const k = (p - i - nx * j) / (nx * ny);
      for (const [dx, dy, dz] of offs) {
        const a = i + dx, b = j + dy, c = k + dz;
        if (a < 0 || a >= nx || b < 0 || b >= ny || c < 0 || c >= nz) continue;
        const q = a + nx * (b + ny * c);
        if (m[q] !== 0 && labels[q] === 0) {
          labels[q] = label;
          stack[top++] = q;
        }
      }
    }
    sizes.push(size);
  }
  return {
    labels: {
      data: labels,
      size: [nx, ny, nz],
      spacing: [...mask.spacing] as Vec3,
      origin: [...mask.origin] as Vec3,
      direction: Float64Array.from(mask.direction),
    },
    count,
    sizes,
  };
}

/** Keep only the largest connected component (ties: the first in scan order). */
export function largestComponent(mask: Mask, connectivity: Connectivity = 26): Mask {
  const cc = connectedComponents(mask, connectivity);
  const out = new Uint8Array(cc.labels.data.length);
  if (cc.count > 0) {
    let best = 0;
    for (let l = 1; l < cc.count; l++) if (cc.sizes[l]! > cc.sizes[best]!) best = l;
    const lab = best + 1;
    const L = cc.labels.data;
    for (let i = 0; i < L.length; i++) out[i] = L[i] === lab ? 1 : 0;
  }
  return { ...cc.labels, data: out };
}

/** Centroid of the mask in continuous voxel index (optionally weighted by `weights` inside the mask). */
export function centroidIndex(mask: Mask, weights?: ArrayLike<number>): Vec3 {
  const [nx, ny, nz] = mask.size;
  const m = mask.data;
  let sx = 0, sy = 0, sz = 0, sw = 0;
  let p = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, p++) {
        if (m[p] === 0) continue;
        const w = weights ? weights[p]! : 1;
        sx += w * i;
        sy += w * j;
        sz += w * k;
        sw += w;
      }
    }
  }
  if (sw === 0 || !Number.isFinite(sw)) {
    throw new RadcamError('E_EMPTY_ROI', 'centroid of an empty mask (or zero total weight)', { expected: 'a non-empty mask' });
  }
  return [sx / sw, sy / sw, sz / sw];
}

/** Centroid of the mask in world coordinates (LPS, mm). */
export function centroid(mask: Mask, weights?: ArrayLike<number> | Volume<TypedArray>): Vec3 {
  const w = weights && 'data' in (weights as object) ? (weights as Volume).data : (weights as ArrayLike<number> | undefined);
  return indexToWorld(mask, centroidIndex(mask, w));
}
