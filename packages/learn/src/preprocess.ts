/**
 * Feature preprocessing fitted on training data only and applied unchanged to test data.
 * Every step either selects columns or rescales them, so a fitted pipeline collapses to
 * "take these input columns, subtract `center`, divide by `scale`" — plain data, JSON-able.
 */
import { RadcamError } from '@radcam/core';
import { type DenseMatrix, type Labels, type MatrixInput, selectCols, toDenseMatrix, toLabels } from './matrix.js';
import { midranks } from './stats.js';
import { fitLogisticL1, lambdaMaxL1 } from './logreg.js';

/** One preprocessing step, as plain data (so it can live in a study's settings file). */
export type StepSpec =
  | { type: 'zscore' }
  | { type: 'dropConstant'; /** SD ≤ tol counts as constant (default 1e-12). */ tol?: number }
  | {
      type: 'dropCorrelated';
      /** Drop a feature when |Pearson r| with an already kept one exceeds this (default 0.9). */
      threshold?: number;
      /** Which feature of a correlated pair survives: the more relevant (|AUC − ½|, default) or the earlier column. */
      keep?: 'relevance' | 'first';
    }
  | { type: 'selectUnivariate'; k: number; /** Ranking: |AUC − ½| (Mann–Whitney, default) or |Welch t|. */ method?: 'auc' | 'ttest' }
  | { type: 'mrmr'; k: number }
  | { type: 'lasso'; k: number };

/** A fitted pipeline: output column c = (X[:, columns[c]] − center[c]) / scale[c]. */
export interface FittedPipeline {
  inputCols: number;
  columns: Int32Array;
  center: Float64Array;
  scale: Float64Array;
  /** Names of the kept columns when `featureNames` were given to `fitPipeline`. */
  featureNames?: string[];
  steps: StepSpec[];
}

export interface FitPipelineOptions {
  featureNames?: string[];
}

function colStats(X: DenseMatrix): { mean: Float64Array; sd: Float64Array } {
  const { rows: n, cols: p, data } = X;
  const mean = new Float64Array(p);
  const sd = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j]! += data[i * p + j]!;
  for (let j = 0; j < p; j++) mean[j]! /= n;
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) sd[j]! += (data[i * p + j]! - mean[j]!) ** 2;
  for (let j = 0; j < p; j++) sd[j] = Math.sqrt(sd[j]! / Math.max(1, n - 1));
  return { mean, sd };
}

/** Mann–Whitney AUC of each column taken alone (0.5 = no separation). */
export function univariateAuc(Xin: MatrixInput, yin: Labels): Float64Array {
  const X = toDenseMatrix(Xin);
  const y = toLabels(yin, X.rows);
  const { rows: n, cols: p, data } = X;
  let m = 0;
  for (const v of y) m += v;
  const out = new Float64Array(p);
  const col = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < n; i++) col[i] = data[i * p + j]!;
    const r = midranks(col);
    let s = 0;
    for (let i = 0; i < n; i++) if (y[i]) s += r[i]!;
    out[j] = (s - (m * (m + 1)) / 2) / (m * (n - m));
  }
  return out;
}

/** Welch t statistic (positives − negatives) of each column. */
export function univariateT(Xin: MatrixInput, yin: Labels): Float64Array {
  const X = toDenseMatrix(Xin);
  const y = toLabels(yin, X.rows);
  const { rows: n, cols: p, data } = X;
  const out = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let s1 = 0, s0 = 0, n1 = 0, n0 = 0;
    for (let i = 0; i < n; i++) {
      const v = data[i * p + j]!;
      if (y[i]) { s1 += v; n1++; } else { s0 += v; n0++; }
    }
    const m1 = s1 / n1;
    const m0 = s0 / n0;
    let v1 = 0, v0 = 0;
    for (let i = 0; i < n; i++) {
      const v = data[i * p + j]!;
      if (y[i]) v1 += (v - m1) ** 2; else v0 += (v - m0) ** 2;
    }
    v1 /= Math.max(1, n1 - 1);
    v0 /= Math.max(1, n0 - 1);
    const se = Math.sqrt(v1 / n1 + v0 / n0);
    out[j] = se > 0 ? (m1 - m0) / se : 0;
  }
  return out;
}

/** Pearson correlation of columns a and b of a column-major standardised matrix (mean 0, SD 1). */
function corrStd(Zc: Float64Array, n: number, a: number, b: number): number {
  let s = 0;
  const oa = a * n;
  const ob = b * n;
  for (let i = 0; i < n; i++) s += Zc[oa + i]! * Zc[ob + i]!;
  return s / (n - 1);
}

/** Column-standardised copy of X (row-major, constant columns → 0). */
function standardise(X: DenseMatrix): Float64Array {
  const { mean, sd } = colStats(X);
  const { rows: n, cols: p, data } = X;
  const Z = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) Z[i * p + j] = sd[j]! > 0 ? (data[i * p + j]! - mean[j]!) / sd[j]! : 0;
  return Z;
}

/** Column-standardised copy of X in COLUMN-major order (for fast column correlations). */
function standardiseColumns(X: DenseMatrix): Float64Array {
  const { mean, sd } = colStats(X);
  const { rows: n, cols: p, data } = X;
  const Z = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) Z[j * n + i] = sd[j]! > 0 ? (data[i * p + j]! - mean[j]!) / sd[j]! : 0;
  return Z;
}

function topK(score: Float64Array, k: number): number[] {
  const idx = Array.from(score.keys());
  idx.sort((a, b) => score[b]! - score[a]! || a - b);
  return idx.slice(0, Math.min(k, idx.length)).sort((a, b) => a - b);
}

/**
 * mRMR (Peng, Long & Ding 2005), continuous "MID"-style variant: relevance = |AUC − ½| scaled to
 * [0, 1] (2·|AUC − ½|), redundancy = mean |Pearson r| with the already selected features;
 * greedily add the feature maximising relevance − redundancy. Returns column indices in
 * selection order.
 */
export function mrmrSelect(Xin: MatrixInput, yin: Labels, k: number): number[] {
  const X = toDenseMatrix(Xin);
  const rel = univariateAuc(X, yin).map((a) => 2 * Math.abs(a - 0.5));
  const { rows: n, cols: p } = X;
  const Z = standardiseColumns(X);
  const chosen: number[] = [];
  const redSum = new Float64Array(p);
  const used = new Uint8Array(p);
  const kk = Math.min(k, p);
  while (chosen.length < kk) {
    let best = -1;
    let bestScore = -Infinity;
    for (let j = 0; j < p; j++) {
      if (used[j]) continue;
      const sc = rel[j]! - (chosen.length > 0 ? redSum[j]! / chosen.length : 0);
      if (sc > bestScore) {
        bestScore = sc;
        best = j;
      }
    }
    used[best] = 1;
    chosen.push(best);
    for (let j = 0; j < p; j++) if (!used[j]) redSum[j]! += Math.abs(corrStd(Z, n, best, j));
  }
  return chosen;
}

/**
 * LASSO selection: decrease λ from λmax geometrically (on standardised columns) until at least
 * k coefficients are non-zero, then keep the k largest |β|.
 */
export function lassoSelect(Xin: MatrixInput, yin: Labels, k: number): number[] {
  const X = toDenseMatrix(Xin);
  const y = toLabels(yin, X.rows);
  const Zd = standardise(X);
  const Z: DenseMatrix = { data: Zd, rows: X.rows, cols: X.cols };
  const kk = Math.min(k, X.cols);
  const lmax = lambdaMaxL1(Z, y);
  let best: Float64Array | null = null;
  for (let s = 1; s <= 60; s++) {
    const lambda = lmax * Math.pow(0.85, s);
    const m = fitLogisticL1(Z, y, { lambda, maxIter: 500, tol: 1e-5 });
    best = m.coef;
    let nz = 0;
    for (const v of m.coef) if (v !== 0) nz++;
    if (nz >= kk) break;
  }
  const score = best!.map(Math.abs);
  // Ties at zero (too few non-zeros even at the end of the path) fall back to relevance.
  const rel = univariateAuc(Z, y);
  for (let j = 0; j < score.length; j++) if (score[j] === 0) score[j] = -1 + Math.abs(rel[j]! - 0.5) * 1e-3;
  return topK(score, kk);
}

/** Fit the steps on (X, y) in order; every statistic comes from these rows only. */
export function fitPipeline(steps: readonly StepSpec[], Xin: MatrixInput, yin: Labels, options: FitPipelineOptions = {}): FittedPipeline {
  const X0 = toDenseMatrix(Xin);
  const y = toLabels(yin, X0.rows);
  if (options.featureNames && options.featureNames.length !== X0.cols) {
    throw new RadcamError('E_DATA_SIZE_MISMATCH', 'featureNames: one name per column', {
      expected: String(X0.cols),
      found: String(options.featureNames.length),
    });
  }
  let cols = Int32Array.from({ length: X0.cols }, (_, j) => j);
  let center = new Float64Array(X0.cols);
  let scale = new Float64Array(X0.cols).fill(1);
  let X = X0;
  const keep = (idx: number[]): void => {
    cols = Int32Array.from(idx, (j) => cols[j]!);
    center = Float64Array.from(idx, (j) => center[j]!);
    scale = Float64Array.from(idx, (j) => scale[j]!);
    X = selectCols(X, idx);
  };
  for (const step of steps) {
    switch (step.type) {
      case 'zscore': {
        const { mean, sd } = colStats(X);
        const d = new Float64Array(X.data);
        const p = X.cols;
        for (let j = 0; j < p; j++) {
          const s = sd[j]! > 0 ? sd[j]! : 1;
          // compose: ((x − c)/s₁ − m)/s = (x − (c + m s₁)) / (s₁ s)
          center[j] = center[j]! + mean[j]! * scale[j]!;
          scale[j] = scale[j]! * s;
          for (let i = 0; i < X.rows; i++) d[i * p + j] = (d[i * p + j]! - mean[j]!) / s;
        }
        X = { data: d, rows: X.rows, cols: p };
        break;
      }
      case 'dropConstant': {
        const tol = step.tol ?? 1e-12;
        const { sd } = colStats(X);
        const idx: number[] = [];
        for (let j = 0; j < X.cols; j++) if (sd[j]! > tol) idx.push(j);
        keep(idx);
        break;
      }
      case 'dropCorrelated': {
        const thr = step.threshold ?? 0.9;
        const p = X.cols;
        const orderIdx = Array.from({ length: p }, (_, j) => j);
        if ((step.keep ?? 'relevance') === 'relevance') {
          const rel = univariateAuc(X, y);
          orderIdx.sort((a, b) => Math.abs(rel[b]! - 0.5) - Math.abs(rel[a]! - 0.5) || a - b);
        }
        const Z = standardiseColumns(X);
        const { sd } = colStats(X);
        const kept: number[] = [];
        for (const j of orderIdx) {
          let ok = true;
          if (sd[j]! > 0) {
            for (const k of kept) {
              if (sd[k]! > 0 && Math.abs(corrStd(Z, X.rows, j, k)) > thr) {
                ok = false;
                break;
              }
            }
          }
          if (ok) kept.push(j);
        }
        keep(kept.sort((a, b) => a - b));
        break;
      }
      case 'selectUnivariate': {
        const sc = (step.method ?? 'auc') === 'auc' ? univariateAuc(X, y).map((a) => Math.abs(a - 0.5)) : univariateT(X, y).map(Math.abs);
        keep(topK(sc, step.k));
        break;
      }
      case 'mrmr':
        keep(mrmrSelect(X, y, step.k).sort((a, b) => a - b));
        break;
      case 'lasso':
        keep(lassoSelect(X, y, step.k));
        break;
      default:
        throw new RadcamError('E_INVALID_ARGUMENT', 'unknown preprocessing step', {
          expected: 'zscore, dropConstant, dropCorrelated, selectUnivariate, mrmr, lasso',
          found: JSON.stringify(step),
        });
    }
  }
  const fitted: FittedPipeline = { inputCols: X0.cols, columns: cols, center, scale, steps: [...steps] };
  if (options.featureNames) fitted.featureNames = Array.from(cols, (j) => options.featureNames![j]!);
  return fitted;
}

/** Apply a fitted pipeline to new rows (test fold). */
export function applyPipeline(fitted: FittedPipeline, Xin: MatrixInput): DenseMatrix {
  const X = toDenseMatrix(Xin);
  if (X.cols !== fitted.inputCols) {
    throw new RadcamError('E_DATA_SIZE_MISMATCH', 'feature count differs from the fitted pipeline', {
      expected: String(fitted.inputCols),
      found: String(X.cols),
    });
  }
  const k = fitted.columns.length;
  const out = new Float64Array(X.rows * k);
  for (let i = 0; i < X.rows; i++) {
    for (let c = 0; c < k; c++) {
      out[i * k + c] = (X.data[i * X.cols + fitted.columns[c]!]! - fitted.center[c]!) / fitted.scale[c]!;
    }
  }
  return { data: out, rows: X.rows, cols: k };
}
