/**
 * Neighbouring grey level dependence matrix (IBSI 1). The dependence j of a voxel is 1 plus the
 * number of ROI voxels within Chebyshev distance δ (in-plane for 2D) whose grey level differs by
 * at most α; column j − 1 of the matrix counts voxels of dependence j.
 */
import type { ExtractionContext, ExtractorResult, FeatureExtractor, Vec3 } from '@radcam/core';
import { RadcamError } from '@radcam/core';
import { CountMatrix } from './accumulator.js';
import { checkDistance, FeatureMean, tagList, textureGridFromContext, textureResult, zoneAggregations, type TextureSettings, type ZoneAggregation } from './common.js';
import { neighbourhoodOffsets, roiSlices, type TextureGrid } from './grid.js';
import {
  builderGrid, oneToN, paddedSlice, runLikeFeatures, runLikeWorkspace, RUN_LIKE_COUNT,
  type BuilderOptions, type TextureMatrix,
} from './matrix.js';

export const NGLDM_FEATURES = [
  'lde', 'hde', 'lgce', 'hgce', 'ldlge', 'ldhge', 'hdlge', 'hdhge',
  'glnu', 'glnu_norm', 'dcnu', 'dcnu_norm', 'dc_perc', 'gl_var', 'dc_var', 'dc_entr', 'dc_energy',
] as const;

/** Add the dependences of the voxels of padded slice z (z < 0: whole volume). Columns: j − 1. */
export function accumulateNgldm(grid: TextureGrid, offsets: Int32Array, alpha: number, z: number, acc: CountMatrix): void {
  const { g, roi, levelValue: lv } = grid;
  const no = offsets.length;
  const cols = acc.cols;
  const s = z < 0 ? 0 : grid.sliceStart[z]!;
  const e = z < 0 ? roi.length : grid.sliceStart[z + 1]!;
  for (let t = s; t < e; t++) {
    const v = roi[t]!;
    const i = g[v]!;
    let j = 1;
    if (alpha === 0) {
      // Branch-free count of equal neighbours: x ≠ 0 ⇔ ((x | −x) >>> 31) = 1.
      for (let o = 0; o < no; o++) {
        const x = g[v + offsets[o]!]! - i;
        j += ((x | -x) >>> 31) ^ 1;
      }
    } else {
      const vi = lv[i]!;
      for (let o = 0; o < no; o++) {
        const c = g[v + offsets[o]!]!;
        if (c !== 0 && Math.abs(lv[c]! - vi) <= alpha) j++;
      }
    }
    acc.add((i - 1) * cols + (j - 1), 1);
  }
  acc.nVoxels += e - s;
}

function checkAlpha(a: unknown): number {
  const v = a ?? 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new RadcamError('E_SETTINGS', 'ngldmAlpha must be a non-negative number', { found: String(a) });
  }
  return v;
}

export interface NgldmOptions extends BuilderOptions {
  /** Neighbourhood Chebyshev distance δ (default 1). */
  distance?: number;
  /** Coarseness α (default 0). */
  alpha?: number;
}

/** The NGLDM of `levels` in one slice (2D) or the whole volume (3D); columns are j = 1..(2δ+1)^d. */
export function buildNgldm(levels: ArrayLike<number>, size: Readonly<Vec3>, nLevels: number, options: NgldmOptions = {}): TextureMatrix {
  const distance = checkDistance(options.distance);
  const alpha = checkAlpha(options.alpha);
  const grid = builderGrid(levels, size, nLevels, distance);
  const planar = options.slice !== undefined;
  const offs = neighbourhoodOffsets(grid, distance, planar);
  const acc = new CountMatrix(grid.nPresent, offs.length + 1);
  const z = planar ? paddedSlice(grid, options.slice!) : -1;
  if (!planar || z >= 0) accumulateNgldm(grid, offs, alpha, z, acc);
  return { rowLevels: grid.levelValue.subarray(1), colValues: oneToN(offs.length + 1), counts: acc, nVoxels: acc.nVoxels };
}

function ngldmAggregate(grid: TextureGrid, aggs: readonly ZoneAggregation[], distance: number, alpha: number): Map<ZoneAggregation, Float64Array> {
  const res = new Map<ZoneAggregation, Float64Array>();
  const nf = NGLDM_FEATURES.length;
  const out = new Float64Array(RUN_LIKE_COUNT);
  const lv = grid.levelValue.subarray(1);
  if (aggs.includes('2D') || aggs.includes('2_5D')) {
    const offs = neighbourhoodOffsets(grid, distance, true);
    const cols = offs.length + 1;
    const colVal = oneToN(cols);
    const ws = runLikeWorkspace(grid.nPresent, cols);
    const slice = new CountMatrix(grid.nPresent, cols);
    const merged = new CountMatrix(grid.nPresent, cols);
    const mean = new FeatureMean(nf);
    for (const z of roiSlices(grid)) {
      slice.clear();
      accumulateNgldm(grid, offs, alpha, z, slice);
      runLikeFeatures(slice, lv, colVal, out, ws);
      mean.push(out);
      merged.addFrom(slice);
    }
    if (aggs.includes('2D')) res.set('2D', mean.mean());
    if (aggs.includes('2_5D')) {
      runLikeFeatures(merged, lv, colVal, out, ws);
      res.set('2_5D', Float64Array.from(out));
    }
  }
  if (aggs.includes('3D')) {
    const offs = neighbourhoodOffsets(grid, distance, false);
    const cols = offs.length + 1;
    const acc = new CountMatrix(grid.nPresent, cols);
    accumulateNgldm(grid, offs, alpha, -1, acc);
    runLikeFeatures(acc, lv, oneToN(cols), out, runLikeWorkspace(grid.nPresent, cols));
    res.set('3D', Float64Array.from(out));
  }
  return res;
}

/** IBSI NGLDM features (`ngl_*`), aggregations 2D / 2.5D / 3D. */
export const ngldmExtractor: FeatureExtractor<TextureSettings> = {
  id: 'ibsi/ngldm',
  family: 'ngldm',
  description: 'IBSI neighbouring grey level dependence matrix features (2D / 2.5D / 3D)',
  featureNames(settings: Partial<TextureSettings> = {}): string[] {
    return tagList('ngl', NGLDM_FEATURES, zoneAggregations(settings));
  },
  extract(context: ExtractionContext, settings: Partial<TextureSettings> = {}): ExtractorResult {
    const distance = checkDistance(settings.distance);
    const alpha = checkAlpha(settings.ngldmAlpha);
    const aggs = zoneAggregations(settings);
    const grid = textureGridFromContext(context, settings, distance);
    const res = ngldmAggregate(grid, aggs, distance, alpha);
    return textureResult('ngl', NGLDM_FEATURES, aggs, res, grid, { distance, alpha }, 'empty matrix for this aggregation');
  },
};
