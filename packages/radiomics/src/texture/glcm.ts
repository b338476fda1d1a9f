/**
 * Grey level co-occurrence matrix (IBSI 1, section "Grey level co-occurrence based features").
 */
import type { ExtractionContext, ExtractorResult, FeatureExtractor, Vec3 } from '@radcam/core';
import { RadcamError } from '@radcam/core';
import { CountMatrix, LOG2_INT } from './accumulator.js';
import { checkDistance, matrixAggregations, tagList, textureGridFromContext, textureResult, type TextureSettings } from './common.js';
import { runDirectional, type DirectionalFamily } from './directional.js';
import { checkDirection, DIRECTIONS_2D, DIRECTIONS_3D, gridOffset, type TextureGrid } from './grid.js';
import { builderGrid, paddedSlice, type BuilderOptions, type TextureMatrix } from './matrix.js';

/** GLCM feature names (IBSI tags without the `cm_` prefix and aggregation suffix), in IBSI order. */
export const GLCM_FEATURES = [
  'joint_max', 'joint_avg', 'joint_var', 'joint_entr',
  'diff_avg', 'diff_var', 'diff_entr',
  'sum_avg', 'sum_var', 'sum_entr',
  'energy', 'contrast', 'dissimilarity',
  'inv_diff', 'inv_diff_norm', 'inv_diff_mom', 'inv_diff_mom_norm', 'inv_var',
  'corr', 'auto_corr', 'clust_tend', 'clust_shade', 'clust_prom',
  'info_corr1', 'info_corr2',
] as const;

/**
 * Add the co-occurrences of one direction (offset `distance × dir`) in padded slice z (or the
 * whole volume, z < 0). With `triangular`, the symmetric GLCM is stored as its upper triangle:
 * cell (i ≤ j) holds the number of unordered pairs {i, j}, i.e. S_ij = S_ji = count for i ≠ j and
 * S_ii = 2·count (see {@link glcmFeatures}); this halves the memory traffic.
 */
export function accumulateGlcm(
  grid: TextureGrid,
  dir: Readonly<Vec3>,
  distance: number,
  triangular: boolean,
  z: number,
  acc: CountMatrix,
): void {
  const off = gridOffset(grid, dir[0] * distance, dir[1] * distance, dir[2] * distance);
  const { g, roi } = grid;
  const n = grid.nPresent;
  const s = z < 0 ? 0 : grid.sliceStart[z]!;
  const e = z < 0 ? roi.length : grid.sliceStart[z + 1]!;
  const d = acc.data;
  for (let t = s; t < e; t++) {
    const v = roi[t]!;
    const j = g[v + off]!;
    if (j === 0) continue;
    const i = g[v]!;
    let k: number;
    if (triangular) {
      const dd = i - j;
      const m = dd & (dd >> 31); // min(i − j, 0), branch-free
      k = (j + m - 1) * n + (i - m - 1); // (min(i, j), max(i, j))
    } else k = (i - 1) * n + (j - 1);
    if (d[k] === 0) acc.add(k, 1);
    else d[k] = d[k]! + 1;
  }
  acc.nVoxels += e - s;
}

/** Expand an upper-triangle symmetric GLCM into the full matrix. */
function expandTriangular(tri: CountMatrix): CountMatrix {
  const n = tri.cols;
  const full = new CountMatrix(n, n);
  for (let t = 0; t < tri.nnz; t++) {
    const k = tri.idx[t]!;
    const c = tri.data[k]!;
    const r = (k / n) | 0;
    const col = k - r * n;
    if (r === col) full.add(k, 2 * c);
    else {
      full.add(k, c);
      full.add(col * n + r, c);
    }
  }
  full.nVoxels = tri.nVoxels;
  return full;
}

/** Options of {@link buildGlcm}. */
export interface GlcmOptions extends BuilderOptions {
  /** Chebyshev distance δ: the offset is δ × direction (default 1). */
  distance?: number;
  /** Count both (i, j) and (j, i) (default true). */
  symmetric?: boolean;
  /** Directions to merge (default: the 4 in-plane ones with `slice`, else all 13). */
  directions?: ReadonlyArray<Readonly<Vec3>>;
}

/**
 * The GLCM of `levels` (0 outside the ROI, 1..nLevels inside; x fastest on `size`), summed over
 * `directions`, within one slice or the whole volume.
 */
export function buildGlcm(levels: ArrayLike<number>, size: Readonly<Vec3>, nLevels: number, options: GlcmOptions = {}): TextureMatrix {
  const distance = checkDistance(options.distance);
  const grid = builderGrid(levels, size, nLevels, distance);
  const n = grid.nPresent;
  const symmetric = options.symmetric ?? true;
  let acc = new CountMatrix(n, n);
  const dirs = options.directions ?? (options.slice !== undefined ? DIRECTIONS_2D : DIRECTIONS_3D);
  const z = options.slice !== undefined ? paddedSlice(grid, options.slice) : -1;
  if (options.slice === undefined || z >= 0) {
    for (const dir of dirs) {
      checkDirection(dir);
      if (options.slice !== undefined && dir[2] !== 0) {
        throw new RadcamError('E_SETTINGS', 'a 2D (single-slice) GLCM needs in-plane directions', { found: JSON.stringify(dir) });
      }
      accumulateGlcm(grid, dir, distance, symmetric, z, acc);
    }
  }
  if (symmetric) acc = expandTriangular(acc);
  const lv = grid.levelValue.subarray(1);
  return { rowLevels: lv, colValues: lv, counts: acc, nVoxels: acc.nVoxels };
}

/** Scratch buffers for {@link glcmFeatures}. */
export interface GlcmWorkspace {
  /** Integer grey level of each row / column. */
  levelInt: Int32Array;
  px: Float64Array;
  py: Float64Array;
  pdiff: Float64Array;
  psum: Float64Array;
}

/** Workspace for matrices whose rows / columns have the integer grey levels `levels` (ascending). */
export function glcmWorkspace(levels: ArrayLike<number>, nLevels: number): GlcmWorkspace {
  const levelInt = Int32Array.from(levels);
  const maxLevel = levelInt.length ? levelInt[levelInt.length - 1]! : 0;
  const span = Math.max(nLevels, maxLevel);
  return {
    levelInt,
    px: new Float64Array(levelInt.length),
    py: new Float64Array(levelInt.length),
    pdiff: new Float64Array(span + 1),
    psum: new Float64Array(2 * span + 2),
  };
}

/**
 * The 25 IBSI GLCM features of a count matrix whose rows / columns are compact grey levels with
 * values `ws.levelInt[r]` (0-based rows). `ng` is N_g (used by the normalised inverse differences).
 * `triangular`: the matrix holds the upper triangle of a symmetric GLCM as produced by
 * {@link accumulateGlcm} (off-diagonal cell = count of both (i, j) and (j, i), diagonal = half).
 * Writes NaN everywhere for an empty matrix; correlation is NaN when a marginal has zero
 * variance, information correlation 1 is NaN when the marginal entropy is 0.
 */
export function glcmFeatures(m: CountMatrix, ng: number, out: Float64Array, ws: GlcmWorkspace, triangular = false): void {
  const li = ws.levelInt;
  const d = m.data;
  const ix = m.idx;
  const n = m.cols;
  const nnz = m.nnz;
  let total = 0;
  for (let t = 0; t < nnz; t++) total += d[ix[t]!]!;
  if (triangular) total *= 2;
  if (!(total > 0)) {
    out.fill(NaN);
    return;
  }
  const inv = 1 / total;
  const { px, py, pdiff, psum } = ws;
  const lt = LOG2_INT;
  const ltn = lt.length;
  const logT = Math.log2(total);
  // One pass over the non-zero cells; every other feature follows from the marginals p_x, p_y
  // and the difference / sum distributions p_{x−y}, p_{x+y}.
  let cmax = 0, mux = 0, muy = 0, clogc = 0, sumc2 = 0, autoCorr = 0;
  let maxLevelSeen = 0;
  for (let t = 0; t < nnz; t++) {
    const k = ix[t]!;
    const c = d[k]!;
    const r = (k / n) | 0;
    const col = k - r * n;
    const vi = li[r]!;
    const vj = li[col]!;
    const logc = c < ltn && (c | 0) === c ? lt[c]! : Math.log2(c);
    const sm = vi + vj;
    if (vj > maxLevelSeen) maxLevelSeen = vj;
    if (vi > maxLevelSeen) maxLevelSeen = vi;
    if (!triangular) {
      if (c > cmax) cmax = c;
      mux += vi * c;
      muy += vj * c;
      clogc += c * (logT - logc);
      sumc2 += c * c;
      autoCorr += vi * vj * c;
      px[r] = px[r]! + c;
      py[col] = py[col]! + c;
      const ad = vi > vj ? vi - vj : vj - vi;
      pdiff[ad] = pdiff[ad]! + c;
      psum[sm] = psum[sm]! + c;
    } else if (r !== col) {
      // Two cells (i, j) and (j, i), each with count c.
      if (c > cmax) cmax = c;
      const c2 = 2 * c;
      mux += sm * c;
      clogc += c2 * (logT - logc);
      sumc2 += c2 * c;
      autoCorr += vi * vj * c2;
      px[r] = px[r]! + c;
      px[col] = px[col]! + c;
      const ad = vj - vi; // rows ≤ columns and levels ascend with the index
      pdiff[ad] = pdiff[ad]! + c2;
      psum[sm] = psum[sm]! + c2;
    } else {
      // Diagonal cell with count 2c.
      const c2 = 2 * c;
      if (c2 > cmax) cmax = c2;
      mux += vi * c2;
      clogc += c2 * (logT - (c2 < ltn && (c2 | 0) === c2 ? lt[c2]! : Math.log2(c2)));
      sumc2 += c2 * c2;
      autoCorr += vi * vi * c2;
      px[r] = px[r]! + c2;
      pdiff[0] = pdiff[0]! + c2;
      psum[sm] = psum[sm]! + c2;
    }
  }
  if (triangular) {
    muy = mux;
    py.set(px);
  }
  mux *= inv;
  muy *= inv;
  autoCorr *= inv;
  const hxy = clogc * inv; // −Σ p log2 p = Σ (c / T)(log2 T − log2 c)
  // Marginal moments and entropies.
  let varx = 0, vary = 0, hx = 0, hy = 0;
  for (let r = 0; r < px.length; r++) {
    const a = px[r]!;
    if (a > 0) {
      const p = a * inv;
      const dv = li[r]! - mux;
      varx += dv * dv * p;
      hx -= p * Math.log2(p);
      px[r] = 0;
    }
    const b = py[r]!;
    if (b > 0) {
      const p = b * inv;
      const dv = li[r]! - muy;
      vary += dv * dv * p;
      hy -= p * Math.log2(p);
      py[r] = 0;
    }
  }
  // Difference distribution: k = |i − j| ∈ [0, max level − 1].
  let diffAvg = 0, diffEntr = 0, invVar = 0, contrast = 0, invDiff = 0, invDiffNorm = 0, invDiffMom = 0, invDiffMomNorm = 0;
  const ng2 = ng * ng;
  const kmax = maxLevelSeen;
  for (let k = 0; k < kmax; k++) {
    const c = pdiff[k]!;
    if (c > 0) {
      const p = c * inv;
      const k2 = k * k;
      diffAvg += k * p;
      diffEntr -= p * Math.log2(p);
      contrast += k2 * p;
      invDiff += p / (1 + k);
      invDiffNorm += p / (1 + k / ng);
      invDiffMom += p / (1 + k2);
      invDiffMomNorm += p / (1 + k2 / ng2);
      if (k > 0) invVar += p / k2;
    }
  }
  let diffVar = 0;
  for (let k = 0; k < kmax; k++) {
    const c = pdiff[k]!;
    if (c > 0) {
      diffVar += (k - diffAvg) * (k - diffAvg) * c * inv;
      pdiff[k] = 0;
    }
  }
  // Sum distribution: k = i + j ∈ [2, 2 · max level]; cluster features use (i + j − μx − μy).
  let sumAvg = 0, sumEntr = 0;
  const smax = 2 * maxLevelSeen;
  for (let k = 2; k <= smax; k++) {
    const c = psum[k]!;
    if (c > 0) {
      const p = c * inv;
      sumAvg += k * p;
      sumEntr -= p * Math.log2(p);
    }
  }
  let sumVar = 0, clustTend = 0, clustShade = 0, clustProm = 0;
  const mxy = mux + muy;
  for (let k = 2; k <= smax; k++) {
    const c = psum[k]!;
    if (c > 0) {
      const p = c * inv;
      sumVar += (k - sumAvg) * (k - sumAvg) * p;
      const s = k - mxy;
      const s2 = s * s;
      clustTend += s2 * p;
      clustShade += s2 * s * p;
      clustProm += s2 * s2 * p;
      psum[k] = 0;
    }
  }
  const sd = Math.sqrt(varx * vary);
  const hmax = Math.max(hx, hy);
  // HXY1 = −Σ p_ij log2(p_i p_j) and HXY2 = −Σ p_i p_j log2(p_i p_j) both reduce to H_x + H_y.
  const hxy12 = hx + hy;
  out[0] = cmax * inv;
  out[1] = mux;
  out[2] = varx;
  out[3] = hxy;
  out[4] = diffAvg;
  out[5] = diffVar;
  out[6] = diffEntr;
  out[7] = sumAvg;
  out[8] = sumVar;
  out[9] = sumEntr;
  out[10] = sumc2 * inv * inv;
  out[11] = contrast;
  out[12] = diffAvg;
  out[13] = invDiff;
  out[14] = invDiffNorm;
  out[15] = invDiffMom;
  out[16] = invDiffMomNorm;
  out[17] = invVar;
  out[18] = sd > 0 ? (autoCorr - mux * muy) / sd : NaN;
  out[19] = autoCorr;
  out[20] = clustTend;
  out[21] = clustShade;
  out[22] = clustProm;
  out[23] = hmax > 0 ? (hxy - hxy12) / hmax : NaN;
  out[24] = Math.sqrt(Math.max(0, 1 - Math.exp(-2 * Math.max(0, hxy12 - hxy))));
}

/** GLCM family for the directional aggregation driver. */
export function glcmFamily(grid: TextureGrid, distance: number, symmetric: boolean, ng: number): DirectionalFamily {
  const ws = glcmWorkspace(grid.levelValue.subarray(1), ng);
  return {
    nFeatures: GLCM_FEATURES.length,
    newMatrix: () => new CountMatrix(grid.nPresent, grid.nPresent),
    accumulate: (dir, z, acc) => accumulateGlcm(grid, dir, distance, symmetric, z, acc),
    features: (acc, out) => glcmFeatures(acc, ng, out, ws, symmetric),
  };
}

/** IBSI GLCM features (`cm_*`) with the six aggregations. */
export const glcmExtractor: FeatureExtractor<TextureSettings> = {
  id: 'ibsi/glcm',
  family: 'glcm',
  description: 'IBSI grey level co-occurrence matrix features (2D / 2.5D / 3D, averaged and merged)',
  featureNames(settings: Partial<TextureSettings> = {}): string[] {
    return tagList('cm', GLCM_FEATURES, matrixAggregations(settings));
  },
  extract(context: ExtractionContext, settings: Partial<TextureSettings> = {}): ExtractorResult {
    const distance = checkDistance(settings.distance);
    const aggs = matrixAggregations(settings);
    const grid = textureGridFromContext(context, settings, distance);
    const symmetric = settings.symmetric ?? true;
    const res = runDirectional(grid, glcmFamily(grid, distance, symmetric, grid.nLevels), aggs);
    return textureResult(
      'cm', GLCM_FEATURES, aggs, res.values, grid, { distance, symmetric, matricesAveraged: res.units },
      'no co-occurring voxel pairs (empty matrix), a constant marginal (correlation) or zero marginal entropy (information correlation 1)',
    );
  },
};
