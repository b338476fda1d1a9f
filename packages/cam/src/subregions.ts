import {
  RadcamError,
  assertSameGeometry,
  connectedComponents,
  indexToWorld,
  type Connectivity,
  type Mask,
  type Vec3,
  type Volume,
} from '@radcam/core';
import { otsuThreshold, percentile } from './stats.js';

export type SubregionThreshold = 'otsu' | 'percentile' | 'value';

export interface ExtractSubregionsOptions {
  /** How the threshold is chosen (default `otsu`): voxels with map ≥ threshold (> for Otsu) are kept. */
  method?: SubregionThreshold;
  /** Threshold for `value`. */
  threshold?: number;
  /** Percentile (0–100) of the in-lesion map for `percentile`. Default 75. */
  percentile?: number;
  /** Components smaller than this (mm³) are dropped. Default 0. */
  minVolumeMm3?: number;
  /** Voxel connectivity of the components. Default 26. */
  connectivity?: Connectivity;
}

export interface Subregion {
  /** Label in the label volume, 1 = largest. */
  label: number;
  voxels: number;
  volumeMm3: number;
  /** Centroid, world LPS mm. */
  centroid: Vec3;
  /** Share of the lesion's volume. */
  lesionShare: number;
  /** Share of the in-lesion map energy (Σ of the positive map) inside the subregion. */
  energyShare: number;
  meanValue: number;
  maxValue: number;
}

export interface SubregionsResult {
  /** 0 outside, 1…count inside subregions (largest first); image geometry. */
  labels: Volume<Uint16Array>;
  /** Union of the kept subregions. */
  mask: Mask;
  subregions: Subregion[];
  method: SubregionThreshold;
  threshold: number;
  lesionVoxels: number;
  lesionVolumeMm3: number;
}

/** Voxel volume in mm³ (direction cosines are orthonormal, so the spacing product). */
export function voxelVolumeMm3(geom: { spacing: Vec3; direction: Float64Array }): number {
  const d = geom.direction;
  const det = Math.abs(
    d[0]! * (d[4]! * d[8]! - d[5]! * d[7]!) - d[1]! * (d[3]! * d[8]! - d[5]! * d[6]!) + d[2]! * (d[3]! * d[7]! - d[4]! * d[6]!),
  );
  return geom.spacing[0] * geom.spacing[1] * geom.spacing[2] * (det > 0 ? det : 1);
}

/**
 * Response-related subregions of a lesion from a CAM in image space: threshold the map inside the
 * lesion (by value, by a percentile of the in-lesion map, or by Otsu), split into connected
 * components, drop those below `minVolumeMm3`, and report each one's volume, LPS centroid, share
 * of the lesion and of the map energy. `map` and `lesionMask` must share a grid.
 */
export function extractSubregions(
  map: Volume<Float32Array>,
  lesionMask: Mask,
  options: ExtractSubregionsOptions = {},
): SubregionsResult {
  assertSameGeometry(lesionMask, map);
  const method = options.method ?? 'otsu';
  const L = lesionMask.data;
  const M = map.data;
  const n = L.length;
  let lesionVoxels = 0;
  for (let i = 0; i < n; i++) if (L[i] !== 0) lesionVoxels++;
  if (lesionVoxels === 0) {
    throw new RadcamError('E_EMPTY_ROI', 'lesion mask is empty', { expected: 'at least one voxel inside the lesion' });
  }
  const inside = new Float32Array(lesionVoxels);
  let energy = 0;
  for (let i = 0, p = 0; i < n; i++) {
    if (L[i] === 0) continue;
    const v = M[i]!;
    inside[p++] = v;
    if (v > 0) energy += v;
  }
  let threshold: number;
  let strict = false;
  if (method === 'value') {
    if (typeof options.threshold !== 'number' || !Number.isFinite(options.threshold)) {
      throw new RadcamError('E_INVALID_ARGUMENT', 'threshold method "value" needs a finite `threshold`', {
        found: String(options.threshold),
      });
    }
    threshold = options.threshold;
  } else if (method === 'percentile') {
    threshold = percentile(inside, options.percentile ?? 75);
  } else if (method === 'otsu') {
    threshold = otsuThreshold(inside);
    strict = true;
  } else {
    throw new RadcamError('E_INVALID_ARGUMENT', `unknown threshold method "${String(method)}"`, {
      expected: 'otsu, percentile or value',
    });
  }
  const sel = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (L[i] === 0) continue;
    const v = M[i]!;
    if (strict ? v > threshold : v >= threshold) sel[i] = 1;
  }
  const selMask: Mask = { ...lesionMask, data: sel };
  const cc = connectedComponents(selMask, options.connectivity ?? 26);
  const vox = voxelVolumeMm3(lesionMask);
  const minVox = (options.minVolumeMm3 ?? 0) / vox;
  const kept: number[] = [];
  for (let l = 0; l < cc.count; l++) if (cc.sizes[l]! >= minVox - 1e-9) kept.push(l + 1);
  kept.sort((a, b) => cc.sizes[b - 1]! - cc.sizes[a - 1]! || a - b);
  const relabel = new Uint16Array(cc.count + 1);
  if (kept.length > 65535) throw new RadcamError('E_UNSUPPORTED', 'more than 65535 subregions', { found: `${kept.length}` });
  kept.forEach((l, i) => (relabel[l] = i + 1));
  const labels = new Uint16Array(n);
  const mask = new Uint8Array(n);
  const K = kept.length;
  const sx = new Float64Array(K + 1);
  const sy = new Float64Array(K + 1);
  const sz = new Float64Array(K + 1);
  const cnt = new Float64Array(K + 1);
  const sum = new Float64Array(K + 1);
  const pos = new Float64Array(K + 1);
  const mx = new Float64Array(K + 1).fill(-Infinity);
  const [nx, ny, nz] = lesionMask.size;
  const CL = cc.labels.data;
  let p = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, p++) {
        const c = CL[p]!;
        if (c === 0) continue;
        const r = relabel[c]!;
        if (r === 0) continue;
        labels[p] = r;
        mask[p] = 1;
        const v = M[p]!;
        sx[r]! += i;
        sy[r]! += j;
        sz[r]! += k;
        cnt[r]!++;
        sum[r]! += v;
        if (v > 0) pos[r]! += v;
        if (v > mx[r]!) mx[r] = v;
      }
    }
  }
  const subregions: Subregion[] = [];
  for (let r = 1; r <= K; r++) {
    const c = cnt[r]!;
    subregions.push({
      label: r,
      voxels: c,
      volumeMm3: c * vox,
      centroid: indexToWorld(lesionMask, [sx[r]! / c, sy[r]! / c, sz[r]! / c]),
      lesionShare: c / lesionVoxels,
      energyShare: energy > 0 ? pos[r]! / energy : 0,
      meanValue: sum[r]! / c,
      maxValue: mx[r]!,
    });
  }
  const geom = {
    size: [...lesionMask.size] as Vec3,
    spacing: [...lesionMask.spacing] as Vec3,
    origin: [...lesionMask.origin] as Vec3,
  };
  return {
    labels: { ...geom, direction: Float64Array.from(lesionMask.direction), data: labels },
    mask: { ...geom, direction: Float64Array.from(lesionMask.direction), data: mask },
    subregions,
    method,
    threshold,
    lesionVoxels,
    lesionVolumeMm3: lesionVoxels * vox,
  };
}
