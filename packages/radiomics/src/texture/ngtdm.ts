/**
 * Neighbourhood grey tone difference matrix (IBSI 1). A voxel's neighbourhood is every ROI voxel
 * within Chebyshev distance δ (in-plane for 2D), excluding itself; voxels without any ROI
 * neighbour are left out (IBSI: "valid neighbourhood").
 */
import type { ExtractionContext, ExtractorResult, FeatureExtractor, Vec3 } from '@radcam/core';
import { checkDistance, FeatureMean, tagList, textureGridFromContext, textureResult, zoneAggregations, type TextureSettings, type ZoneAggregation } from './common.js';
import { neighbourhoodOffsets, roiSlices, type TextureGrid } from './grid.js';
import { builderGrid, paddedSlice, type BuilderOptions } from './matrix.js';

export const NGTDM_FEATURES = ['coarseness', 'contrast', 'busyness', 'complexity', 'strength'] as const;

/** Accumulators of an NGTDM over compact grey levels (index 0 unused). */
export interface NgtdmAccumulator {
  /** n_i: voxels of level i with a valid neighbourhood. */
  n: Float64Array;
  /** s_i: Σ |i − mean neighbour level|. */
  s: Float64Array;
}

/** Add the voxels of padded slice z (z < 0: the whole volume) to `acc`. */
export function accumulateNgtdm(grid: TextureGrid, offsets: Int32Array, z: number, acc: NgtdmAccumulator): void {
  const { g, roi, levelValue: lv } = grid;
  const no = offsets.length;
  const s0 = z < 0 ? 0 : grid.sliceStart[z]!;
  const e0 = z < 0 ? roi.length : grid.sliceStart[z + 1]!;
  const { n, s } = acc;
  for (let t = s0; t < e0; t++) {
    const v = roi[t]!;
    let sum = 0;
    let cnt = 0;
    for (let o = 0; o < no; o++) {
      const c = g[v + offsets[o]!]!;
      sum += lv[c]!; // lv[0] = 0 outside the ROI
      cnt += (c | -c) >>> 31;
    }
    if (cnt === 0) continue;
    const i = g[v]!;
    n[i] = n[i]! + 1;
    const dlt = lv[i]! - sum / cnt;
    s[i] = s[i]! + (dlt < 0 ? -dlt : dlt);
  }
}

/**
 * Same result as {@link accumulateNgtdm}, with the neighbourhood sums from separable box filters
 * run as contiguous passes over the padded grid (x, then y, then z only at the ROI voxels), which
 * streams memory instead of gathering (2δ+1)^3 − 1 scattered neighbours per voxel. Level and ROI
 * count are packed into one float64 (count · K + level sum, K a power of two above the largest
 * possible sum), so every pass filters a single array; all values are integers below 2^53, hence
 * exact. Returns false (and does nothing) when the packing would not be exact.
 */
export function accumulateNgtdmSeparable(grid: TextureGrid, distance: number, planar: boolean, slices: readonly number[] | null, accFor: (z: number) => NgtdmAccumulator): boolean {
  const { g, roi, levelValue: lv, nx, ny } = grid;
  const r = distance;
  const w = 2 * r + 1;
  const nbh = planar ? w * w : w * w * w;
  const maxLevel = lv[grid.nPresent]!;
  const K = 2 ** Math.ceil(Math.log2(nbh * maxLevel + 1));
  if (!(K * (nbh + 1) < 2 ** 52)) return false;
  const N = g.length;
  const a = new Float64Array(N);
  for (let v = 0; v < N; v++) {
    const c = g[v]!;
    a[v] = c === 0 ? 0 : K + lv[c]!;
  }
  // x pass (flat; row wrap-around only pollutes padding columns, never read for ROI voxels).
  const b = new Float64Array(N);
  for (let v = r; v < N - r; v++) {
    let s = 0;
    for (let k = -r; k <= r; k++) s += a[v + k]!;
    b[v] = s;
  }
  // y pass.
  const c2 = a; // reuse
  c2.fill(0);
  for (let v = r * nx; v < N - r * nx; v++) {
    let s = 0;
    for (let k = -r; k <= r; k++) s += b[v + k * nx]!;
    c2[v] = s;
  }
  const plane = nx * ny;
  const ranges: Array<[number, number, number]> = slices
    ? slices.map((z) => [z, grid.sliceStart[z]!, grid.sliceStart[z + 1]!])
    : [[-1, 0, roi.length]];
  for (const [z, s0, e0] of ranges) {
    const acc = accFor(z);
    const { n, s } = acc;
    for (let t = s0; t < e0; t++) {
      const v = roi[t]!;
      let box: number;
      if (planar) box = c2[v]!;
      else {
        box = 0;
        for (let k = -r; k <= r; k++) box += c2[v + k * plane]!;
      }
      const i = g[v]!;
      const li = lv[i]!;
      box -= K + li; // exclude the centre voxel
      const cnt = Math.floor(box / K);
      if (cnt === 0) continue;
      const sum = box - cnt * K;
      n[i] = n[i]! + 1;
      const dlt = li - sum / cnt;
      s[i] = s[i]! + (dlt < 0 ? -dlt : dlt);
    }
  }
  return true;
}

/** NGTDM result: one row per grey level present with a valid neighbourhood. */
export interface NgtdmMatrix {
  levels: Float64Array;
  n: Float64Array;
  s: Float64Array;
}

export interface NgtdmOptions extends BuilderOptions {
  /** Neighbourhood Chebyshev distance (default 1). */
  distance?: number;
}

/** The NGTDM of `levels` in one slice (2D) or the whole volume (3D). */
export function buildNgtdm(levels: ArrayLike<number>, size: Readonly<Vec3>, nLevels: number, options: NgtdmOptions = {}): NgtdmMatrix {
  const distance = checkDistance(options.distance);
  const grid = builderGrid(levels, size, nLevels, distance);
  const planar = options.slice !== undefined;
  const acc: NgtdmAccumulator = { n: new Float64Array(grid.nPresent + 1), s: new Float64Array(grid.nPresent + 1) };
  const z = planar ? paddedSlice(grid, options.slice!) : -1;
  if (!planar || z >= 0) accumulateNgtdm(grid, neighbourhoodOffsets(grid, distance, planar), z, acc);
  const lv: number[] = [], n: number[] = [], s: number[] = [];
  for (let i = 1; i <= grid.nPresent; i++) {
    if (acc.n[i]! > 0) {
      lv.push(grid.levelValue[i]!);
      n.push(acc.n[i]!);
      s.push(acc.s[i]!);
    }
  }
  return { levels: Float64Array.from(lv), n: Float64Array.from(n), s: Float64Array.from(s) };
}

/**
 * The 5 IBSI NGTDM features. IBSI conventions: coarseness 10⁶ when Σ p_i s_i = 0; contrast and
 * busyness 0 when a single grey level is present; strength 0 when Σ s_i = 0. NaN when no voxel has
 * a valid neighbourhood.
 */
export function ngtdmFeatures(acc: NgtdmAccumulator, lv: Float64Array, out: Float64Array): void {
  const { n, s } = acc;
  let nvc = 0;
  const pres: number[] = [];
  for (let i = 1; i < n.length; i++) {
    if (n[i]! > 0) {
      nvc += n[i]!;
      pres.push(i);
    }
  }
  const ngp = pres.length;
  if (ngp === 0) {
    out.fill(NaN);
    return;
  }
  const p = new Float64Array(ngp);
  const v = new Float64Array(ngp);
  const si = new Float64Array(ngp);
  let sumPS = 0, sumS = 0, m1 = 0, m2 = 0, sv = 0, sv2 = 0;
  for (let k = 0; k < ngp; k++) {
    const i = pres[k]!;
    p[k] = n[i]! / nvc;
    v[k] = lv[i]!;
    si[k] = s[i]!;
    sumPS += p[k]! * si[k]!;
    sumS += si[k]!;
    m1 += p[k]! * v[k]!;
    m2 += p[k]! * v[k]! * v[k]!;
    sv += v[k]!;
    sv2 += v[k]! * v[k]!;
  }
  // Coarseness.
  out[0] = sumPS > 0 ? 1 / sumPS : 1e6;
  // Contrast: Σ_i Σ_j p_i p_j (i − j)² = 2 (E[v²] − E[v]²).
  out[1] = ngp > 1 ? ((2 * (m2 - m1 * m1)) / (ngp * (ngp - 1))) * (sumS / nvc) : 0;
  // Busyness: Σ p s / Σ_i Σ_j |i p_i − j p_j| (sorted-prefix form of the pairwise sum).
  if (ngp > 1) {
    const a = new Float64Array(ngp);
    for (let k = 0; k < ngp; k++) a[k] = v[k]! * p[k]!;
    a.sort();
    let den = 0;
    for (let k = 0; k < ngp; k++) den += a[k]! * (2 * k - ngp + 1);
    den *= 2;
    out[2] = den > 0 ? sumPS / den : 0;
  } else out[2] = 0;
  // Complexity (pairwise, over present levels).
  let cx = 0;
  for (let a = 0; a < ngp; a++) {
    const pa = p[a]!, va = v[a]!, psa = pa * si[a]!;
    for (let b = a + 1; b < ngp; b++) {
      const pb = p[b]!;
      const dv = va - v[b]!;
      cx += (dv < 0 ? -dv : dv) * (psa + pb * si[b]!) / (pa + pb);
    }
  }
  out[3] = (2 * cx) / nvc;
  // Strength: Σ_i Σ_j (p_i + p_j)(i − j)² / Σ s = 2 Σ_i p_i Σ_j (i − j)² / Σ s.
  if (sumS > 0) {
    let num = 0;
    for (let k = 0; k < ngp; k++) {
      const vi = v[k]!;
      num += p[k]! * (ngp * vi * vi - 2 * vi * sv + sv2);
    }
    out[4] = (2 * num) / sumS;
  } else out[4] = 0;
}

function ngtdmAggregate(grid: TextureGrid, aggs: readonly ZoneAggregation[], distance: number): Map<ZoneAggregation, Float64Array> {
  const res = new Map<ZoneAggregation, Float64Array>();
  const nf = NGTDM_FEATURES.length;
  const out = new Float64Array(nf);
  const lv = grid.levelValue;
  const mk = (): NgtdmAccumulator => ({ n: new Float64Array(grid.nPresent + 1), s: new Float64Array(grid.nPresent + 1) });
  if (aggs.includes('2D') || aggs.includes('2_5D')) {
    const slices = roiSlices(grid);
    const merged = mk();
    const mean = new FeatureMean(nf);
    // Per-slice accumulators (n, s over compact levels): small, so all slices are kept.
    const perSlice = new Map<number, NgtdmAccumulator>();
    for (const z of slices) perSlice.set(z, mk());
    if (!accumulateNgtdmSeparable(grid, distance, true, slices, (z) => perSlice.get(z)!)) {
      const offs = neighbourhoodOffsets(grid, distance, true);
      for (const z of slices) accumulateNgtdm(grid, offs, z, perSlice.get(z)!);
    }
    for (const z of slices) {
      const slice = perSlice.get(z)!;
      let any = false;
      for (let i = 1; i <= grid.nPresent; i++) {
        if (slice.n[i]! > 0) any = true;
        merged.n[i] = merged.n[i]! + slice.n[i]!;
        merged.s[i] = merged.s[i]! + slice.s[i]!;
      }
      if (any) {
        ngtdmFeatures(slice, lv, out);
        mean.push(out);
      }
    }
    if (aggs.includes('2D')) res.set('2D', mean.mean());
    if (aggs.includes('2_5D')) {
      ngtdmFeatures(merged, lv, out);
      res.set('2_5D', Float64Array.from(out));
    }
  }
  if (aggs.includes('3D')) {
    const acc = mk();
    if (!accumulateNgtdmSeparable(grid, distance, false, null, () => acc)) {
      accumulateNgtdm(grid, neighbourhoodOffsets(grid, distance, false), -1, acc);
    }
    ngtdmFeatures(acc, lv, out);
    res.set('3D', Float64Array.from(out));
  }
  return res;
}

/** IBSI NGTDM features (`ngt_*`), aggregations 2D / 2.5D / 3D. */
export const ngtdmExtractor: FeatureExtractor<TextureSettings> = {
  id: 'ibsi/ngtdm',
  family: 'ngtdm',
  description: 'IBSI neighbourhood grey tone difference matrix features (2D / 2.5D / 3D)',
  featureNames(settings: Partial<TextureSettings> = {}): string[] {
    return tagList('ngt', NGTDM_FEATURES, zoneAggregations(settings));
  },
  extract(context: ExtractionContext, settings: Partial<TextureSettings> = {}): ExtractorResult {
    const distance = checkDistance(settings.distance);
    const aggs = zoneAggregations(settings);
    const grid = textureGridFromContext(context, settings, distance);
    const res = ngtdmAggregate(grid, aggs, distance);
    return textureResult('ngt', NGTDM_FEATURES, aggs, res, grid, { distance }, 'no voxel has a neighbour inside the ROI');
  },
};
