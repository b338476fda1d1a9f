/**
 * Grey level run length matrix (IBSI 1, section "Grey level run length based features").
 */
import type { ExtractionContext, ExtractorResult, FeatureExtractor, Vec3 } from '@radcam/core';
import { RadcamError } from '@radcam/core';
import { CountMatrix } from './accumulator.js';
import { checkDistance, matrixAggregations, tagList, textureGridFromContext, textureResult, type TextureSettings } from './common.js';
import { runDirectional, type DirectionalFamily } from './directional.js';
import { checkDirection, DIRECTIONS_2D, DIRECTIONS_3D, gridOffset, type TextureGrid } from './grid.js';
import {
  builderGrid, oneToN, paddedSlice, runLikeFeatures, runLikeWorkspace, RUN_LIKE_COUNT,
  type BuilderOptions, type TextureMatrix,
} from './matrix.js';

/** GLRLM feature names (IBSI tags without `rlm_` and the aggregation suffix). */
export const GLRLM_FEATURES = [
  'sre', 'lre', 'lgre', 'hgre', 'srlge', 'srhge', 'lrlge', 'lrhge',
  'glnu', 'glnu_norm', 'rlnu', 'rlnu_norm', 'r_perc', 'gl_var', 'rl_var', 'rl_entr',
] as const;

/** Longest possible run on the grid (number of columns of a GLRLM). */
export function maxRunLength(grid: TextureGrid): number {
  return Math.max(grid.nx, grid.ny, grid.nz) - 2 * grid.pad;
}

/** Reusable buffers of the whole-volume run-length pass (allocated on first use). */
export interface GlrlmScratch {
  len?: Int32Array;
  hist?: Float64Array;
}

/**
 * Add the runs along `dir` in padded slice z (or the whole volume, z < 0). Columns: length − 1.
 * Pass the same `scratch` object to successive calls on one grid to reuse its buffers.
 */
export function accumulateGlrlm(grid: TextureGrid, dir: Readonly<Vec3>, z: number, acc: CountMatrix, scratch: GlrlmScratch = {}): void {
  const off = gridOffset(grid, dir[0], dir[1], dir[2]);
  if (z < 0 && off > 0) {
    accumulateGlrlmVolume(grid, off, acc, scratch);
    return;
  }
  const { g, roi } = grid;
  const cols = acc.cols;
  const s = z < 0 ? 0 : grid.sliceStart[z]!;
  const e = z < 0 ? roi.length : grid.sliceStart[z + 1]!;
  for (let t = s; t < e; t++) {
    const v = roi[t]!;
    const i = g[v]!;
    if (g[v - off] === i) continue; // not the start of a run
    let len = 1;
    let w = v + off;
    while (g[w] === i) {
      len++;
      w += off;
    }
    acc.add((i - 1) * cols + (len - 1), 1);
  }
  acc.nVoxels += e - s;
}

/**
 * Whole-volume runs without data-dependent branches (faster when runs are short and grey levels
 * alternate unpredictably). Voxels are visited in raster order, so with a positive offset the
 * predecessor along the run comes first: len[v] = len[v − off] + 1 when it has the same level.
 * Each voxel adds +1 at (level, len[v]) and −1 at (level, len[v] − 1) when it extends a run, which
 * telescopes to +1 at (level, run length) per run.
 */
function accumulateGlrlmVolume(grid: TextureGrid, off: number, acc: CountMatrix, scratch: GlrlmScratch): void {
  const { g, roi } = grid;
  const cols = acc.cols;
  const w = cols + 1; // column 0 of the scratch histogram is a dummy sink
  const need = acc.rows * w;
  if (!scratch.len || scratch.len.length < g.length) scratch.len = new Int32Array(g.length);
  if (!scratch.hist || scratch.hist.length < need) scratch.hist = new Float64Array(need);
  const len = scratch.len;
  const hist = scratch.hist;
  for (let t = 0; t < roi.length; t++) {
    const v = roi[t]!;
    const i = g[v]!;
    const x = g[v - off]! - i;
    const eq = ((x | -x) >>> 31) ^ 1;
    const l = eq * len[v - off]! + 1;
    len[v] = l;
    const base = (i - 1) * w + l;
    hist[base] = hist[base]! + 1;
    hist[base - 1] = hist[base - 1]! - eq;
  }
  for (let r = 0; r < acc.rows; r++) {
    const b = r * w;
    hist[b] = 0;
    for (let c = 1; c <= cols; c++) {
      const h = hist[b + c]!;
      if (h !== 0) {
        acc.add(r * cols + (c - 1), h);
        hist[b + c] = 0;
      }
    }
  }
  acc.nVoxels += roi.length;
}

/** Options of {@link buildGlrlm}. */
export interface GlrlmOptions extends BuilderOptions {
  /** Directions to merge (default: the 4 in-plane ones with `slice`, else all 13). */
  directions?: ReadonlyArray<Readonly<Vec3>>;
}

/** The GLRLM of `levels` summed over `directions`, in one slice or the whole volume. */
export function buildGlrlm(levels: ArrayLike<number>, size: Readonly<Vec3>, nLevels: number, options: GlrlmOptions = {}): TextureMatrix {
  const grid = builderGrid(levels, size, nLevels, 1);
  const cols = maxRunLength(grid);
  const acc = new CountMatrix(grid.nPresent, cols);
  const dirs = options.directions ?? (options.slice !== undefined ? DIRECTIONS_2D : DIRECTIONS_3D);
  const z = options.slice !== undefined ? paddedSlice(grid, options.slice) : -1;
  const scratch: GlrlmScratch = {};
  if (options.slice === undefined || z >= 0) {
    for (const dir of dirs) {
      checkDirection(dir);
      if (options.slice !== undefined && dir[2] !== 0) {
        throw new RadcamError('E_SETTINGS', 'a 2D (single-slice) GLRLM needs in-plane directions', { found: JSON.stringify(dir) });
      }
      accumulateGlrlm(grid, dir, z, acc, scratch);
    }
  }
  return { rowLevels: grid.levelValue.subarray(1), colValues: oneToN(cols), counts: acc, nVoxels: acc.nVoxels };
}

export function glrlmFamily(grid: TextureGrid): DirectionalFamily {
  const cols = maxRunLength(grid);
  const lv = grid.levelValue.subarray(1);
  const colVal = oneToN(cols);
  const ws = runLikeWorkspace(grid.nPresent, cols);
  const full = new Float64Array(RUN_LIKE_COUNT);
  const scratch: GlrlmScratch = {};
  return {
    nFeatures: GLRLM_FEATURES.length,
    newMatrix: () => new CountMatrix(grid.nPresent, cols),
    accumulate: (dir, z, acc) => accumulateGlrlm(grid, dir, z, acc, scratch),
    features: (acc, out) => {
      runLikeFeatures(acc, lv, colVal, full, ws);
      out.set(full.subarray(0, GLRLM_FEATURES.length));
    },
  };
}

/** IBSI GLRLM features (`rlm_*`) with the six aggregations. */
export const glrlmExtractor: FeatureExtractor<TextureSettings> = {
  id: 'ibsi/glrlm',
  family: 'glrlm',
  description: 'IBSI grey level run length matrix features (2D / 2.5D / 3D, averaged and merged)',
  featureNames(settings: Partial<TextureSettings> = {}): string[] {
    return tagList('rlm', GLRLM_FEATURES, matrixAggregations(settings));
  },
  extract(context: ExtractionContext, settings: Partial<TextureSettings> = {}): ExtractorResult {
    checkDistance(settings.distance); // validated for consistency; runs do not use a distance
    const aggs = matrixAggregations(settings);
    const grid = textureGridFromContext(context, settings, 1);
    const res = runDirectional(grid, glrlmFamily(grid), aggs);
    return textureResult('rlm', GLRLM_FEATURES, aggs, res.values, grid, { matricesAveraged: res.units }, 'no runs for this aggregation (empty matrix)');
  },
};
