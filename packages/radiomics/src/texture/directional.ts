/**
 * IBSI aggregation of the directional families (GLCM, GLRLM): per-slice / per-direction matrices,
 * merged over directions, slices or both, and 3D matrices per direction or merged.
 *
 * Memory: at most three matrices are alive at a time (a scratch matrix, a per-direction sum and a
 * merged sum). The 3D matrices of the 4 in-plane directions equal the per-direction sums over
 * slices, so they are reused rather than recomputed.
 */
import type { Vec3 } from '@radcam/core';
import { CountMatrix } from './accumulator.js';
import { FeatureMean, type MatrixAggregation } from './common.js';
import { DIRECTIONS_2D, DIRECTIONS_3D, roiSlices, type TextureGrid } from './grid.js';

export interface DirectionalFamily {
  readonly nFeatures: number;
  newMatrix(): CountMatrix;
  /** Add the counts of direction `dir` in padded slice `z` (or the whole volume when z < 0). */
  accumulate(dir: Readonly<Vec3>, z: number, acc: CountMatrix): void;
  /** Features of a non-empty matrix. */
  features(acc: CountMatrix, out: Float64Array): void;
}

export interface DirectionalResult {
  values: Map<MatrixAggregation, Float64Array>;
  /** Number of matrices averaged (empty matrices are skipped) per aggregation. */
  units: Record<string, number>;
}

export function runDirectional(grid: TextureGrid, fam: DirectionalFamily, aggs: readonly MatrixAggregation[]): DirectionalResult {
  const want = new Set(aggs);
  const nf = fam.nFeatures;
  const out = new Float64Array(nf);
  const values = new Map<MatrixAggregation, Float64Array>();
  const units: Record<string, number> = {};
  const slices = roiSlices(grid);
  const need2Davg = want.has('2D_avg');
  const need25avg = want.has('2_5D_avg');
  const need25comb = want.has('2_5D_comb');
  const need3Davg = want.has('3D_avg');
  const need3Dcomb = want.has('3D_comb');
  const needDirSums = need2Davg || need25avg || need25comb || need3Davg || need3Dcomb;

  const tmp = fam.newMatrix();
  const mean2D = new FeatureMean(nf);
  const mean25 = new FeatureMean(nf);
  const mean3D = new FeatureMean(nf);
  const pushIfNonEmpty = (m: CountMatrix, mean: FeatureMean): void => {
    if (m.nnz === 0) return;
    fam.features(m, out);
    mean.push(out);
  };

  let comb: CountMatrix | undefined;
  if (needDirSums) {
    const dirSum = fam.newMatrix();
    if (need25comb || need3Dcomb) comb = fam.newMatrix();
    for (const dir of DIRECTIONS_2D) {
      dirSum.clear();
      if (need2Davg) {
        for (const z of slices) {
          tmp.clear();
          fam.accumulate(dir, z, tmp);
          pushIfNonEmpty(tmp, mean2D);
          dirSum.addFrom(tmp);
        }
      } else {
        // An in-plane direction never crosses slices: the whole-volume matrix is the slice sum.
        fam.accumulate(dir, -1, dirSum);
      }
      if (need25avg) pushIfNonEmpty(dirSum, mean25);
      if (need3Davg) pushIfNonEmpty(dirSum, mean3D);
      if (comb) comb.addFrom(dirSum);
    }
    if (need2Davg) {
      values.set('2D_avg', mean2D.mean());
      units['2D_avg'] = mean2D.units;
    }
    if (need25avg) {
      values.set('2_5D_avg', mean25.mean());
      units['2_5D_avg'] = mean25.units;
    }
    if (need25comb && comb) {
      values.set('2_5D_comb', comb.nnz > 0 ? (fam.features(comb, out), Float64Array.from(out)) : new Float64Array(nf).fill(NaN));
      units['2_5D_comb'] = comb.nnz > 0 ? 1 : 0;
    }
  }
  if (want.has('2D_comb')) {
    const mean = new FeatureMean(nf);
    for (const z of slices) {
      tmp.clear();
      for (const dir of DIRECTIONS_2D) fam.accumulate(dir, z, tmp);
      pushIfNonEmpty(tmp, mean);
    }
    values.set('2D_comb', mean.mean());
    units['2D_comb'] = mean.units;
  }
  if (need3Davg || need3Dcomb) {
    for (let d = DIRECTIONS_2D.length; d < DIRECTIONS_3D.length; d++) {
      tmp.clear();
      fam.accumulate(DIRECTIONS_3D[d]!, -1, tmp);
      if (need3Davg) pushIfNonEmpty(tmp, mean3D);
      if (comb) comb.addFrom(tmp);
    }
    if (need3Davg) {
      values.set('3D_avg', mean3D.mean());
      units['3D_avg'] = mean3D.units;
    }
    if (need3Dcomb && comb) {
      values.set('3D_comb', comb.nnz > 0 ? (fam.features(comb, out), Float64Array.from(out)) : new Float64Array(nf).fill(NaN));
      units['3D_comb'] = comb.nnz > 0 ? 1 : 0;
    }
  }
  return { values, units };
}
