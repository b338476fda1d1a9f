import type { Volume } from '@radcam/core';
import type { FamilyResult } from './statistics.js';

export const LOCAL_INTENSITY_FEATURES = ['loc_peak_loc', 'loc_peak_glob'] as const;

/** Radius (mm) of a 1 cm³ sphere: (3 / (4π))^(1/3) cm. */
export const PEAK_RADIUS_MM = 10 * Math.cbrt(3 / (4 * Math.PI));

/**
 * Local and global intensity peak (IBSI 1 §3.2): the mean of all image voxels (inside the image,
 * ROI or not) whose centres lie within `radiusMm` of an ROI voxel centre; local = at the
 * maximum-intensity voxel(s) (highest mean wins), global = the highest over all ROI voxels.
 * Sphere sums use per-row prefix sums: O(N_roi × rows-in-sphere).
 */
export function localIntensityFeatures(image: Volume, indices: Int32Array, radiusMm = PEAK_RADIUS_MM): FamilyResult {
  const [nx, ny, nz] = image.size;
  const [sx, sy, sz] = image.spacing;
  const nxy = nx * ny;
  const data = image.data;
  const ry = Math.floor(radiusMm / sy + 1e-9), rz = Math.floor(radiusMm / sz + 1e-9);
  // sphere rows: (dy, dz, half-width in x)
  const rows: number[] = [];
  const r2 = radiusMm * radiusMm * (1 + 1e-12);
  for (let dz = -rz; dz <= rz; dz++) for (let dy = -ry; dy <= ry; dy++) {
    const rest = r2 - (dy * sy) ** 2 - (dz * sz) ** 2;
    if (rest < 0) continue;
    rows.push(dy, dz, Math.floor(Math.sqrt(rest) / sx + 1e-9));
  }
  // bounding box of ROI, expanded by the sphere, clipped to the image
  let x0 = nx, y0 = ny, z0 = nz, x1 = -1, y1 = -1, z1 = -1;
  for (let t = 0; t < indices.length; t++) {
    const l = indices[t]!;
    const k = Math.floor(l / nxy), r = l - k * nxy, j = Math.floor(r / nx), i = r - j * nx;
    if (i < x0) x0 = i; if (i > x1) x1 = i; if (j < y0) y0 = j; if (j > y1) y1 = j; if (k < z0) z0 = k; if (k > z1) z1 = k;
  }
  const Y0 = Math.max(0, y0 - ry), Y1 = Math.min(ny - 1, y1 + ry), Z0 = Math.max(0, z0 - rz), Z1 = Math.min(nz - 1, z1 + rz);
  const byy = Y1 - Y0 + 1, bzz = Z1 - Z0 + 1;
  const stride = nx + 1;
  // prefix[(y - Y0) + byy (z - Z0)][x] = Σ data[0..x-1] of that row
  const prefix = new Float64Array(stride * byy * bzz);
  for (let z = Z0; z <= Z1; z++) for (let y = Y0; y <= Y1; y++) {
    const base = stride * ((y - Y0) + byy * (z - Z0));
    const src = nx * (y + ny * z);
    let acc = 0;
    for (let x = 0; x < nx; x++) { acc += data[src + x]!; prefix[base + x + 1] = acc; }
  }
  // Row table as typed arrays: prefix-row offset relative to the centre row, and half-width.
  const nRows = rows.length / 3;
  const rOff = new Int32Array(nRows), rW = new Int32Array(nRows), rDy = new Int32Array(nRows), rDz = new Int32Array(nRows);
  let wMax = 0, fullCount = 0;
  for (let q = 0; q < nRows; q++) {
    rDy[q] = rows[3 * q]!; rDz[q] = rows[3 * q + 1]!; rW[q] = rows[3 * q + 2]!;
    rOff[q] = stride * (rDy[q]! + byy * rDz[q]!);
    if (rW[q]! > wMax) wMax = rW[q]!;
    fullCount += 2 * rW[q]! + 1;
  }
  let maxV = -Infinity;
  for (let t = 0; t < indices.length; t++) { const v = data[indices[t]!]!; if (v > maxV) maxV = v; }
  let local = -Infinity, global = -Infinity;
  for (let t = 0; t < indices.length; t++) {
    const l = indices[t]!;
    const k = Math.floor(l / nxy), r = l - k * nxy, j = Math.floor(r / nx), i = r - j * nx;
    const base = stride * ((j - Y0) + byy * (k - Z0)) + i;
    let s = 0, c: number;
    if (i - wMax >= 0 && i + wMax < nx && j - ry >= 0 && j + ry < ny && k - rz >= 0 && k + rz < nz) {
      // whole sphere inside the image
      for (let q = 0; q < nRows; q++) {
        const o = base + rOff[q]!, w = rW[q]!;
        s += prefix[o + w + 1]! - prefix[o - w]!;
      }
      c = fullCount;
    } else {
      c = 0;
      for (let q = 0; q < nRows; q++) {
        const y = j + rDy[q]!, z = k + rDz[q]!;
        if (y < 0 || y >= ny || z < 0 || z >= nz) continue;
        const w = rW[q]!;
        const a = i - w < 0 ? 0 : i - w;
        const b = i + w + 1 > nx ? nx : i + w + 1;
        const o = base - i + rOff[q]!;
        s += prefix[o + b]! - prefix[o + a]!;
        c += b - a;
      }
    }
    const m = s / c;
    if (m > global) global = m;
    if (data[l] === maxV && m > local) local = m;
  }
  return {
    features: { loc_peak_loc: local, loc_peak_glob: global },
    diagnostics: { loc_radius_mm: radiusMm, loc_sphere_voxels: fullCount },
  };
}
