/**
 * Patient-grouped, stratified, repeated k-fold cross-validation with optional nested CV for
 * hyper-parameters and fold-local preprocessing.
 *
 * The fold assignment is a separate, exported function (`groupedStratifiedFolds`) so that every
 * arm of a study — including the CNN arm in `@radcam/model` — uses IDENTICAL folds.
 */
import { RadcamError, createRng } from '@radcam/core';
import { type DenseMatrix, type Labels, type MatrixInput, selectRows, toDenseMatrix, toLabels } from './matrix.js';
import { clusterIndex, auc } from './metrics.js';
import { type StepSpec, type FittedPipeline, applyPipeline, fitPipeline } from './preprocess.js';
import { type Classifier, type Params, resolveClassifier } from './classifier.js';

export interface FoldOptions {
  /** Number of folds (default 5). Must not exceed the number of groups. */
  k?: number;
  seed?: number;
}

/**
 * Assign each sample a fold 0..k−1 such that all samples of a group (patient) share a fold and
 * every fold's class counts are as balanced as the groups allow.
 *
 * Algorithm: groups are shuffled (seeded), then sorted by size (largest first, stable); each
 * group goes to the fold minimising Σ_c ((n_fc + g_c) / N_c)² — the normalised per-class load —
 * with ties broken by fewest samples, then by a seeded fold order. With one sample per group
 * this yields per-class fold counts that differ by at most one.
 */
export function groupedStratifiedFolds(y: Labels, groups?: ArrayLike<string | number>, options: FoldOptions = {}): Int32Array {
  const yy = toLabels(y);
  const n = yy.length;
  const k = options.k ?? 5;
  const { members } = clusterIndex(groups, n);
  const G = members.length;
  if (!Number.isInteger(k) || k < 2 || k > G) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'invalid number of folds', {
      expected: `an integer in [2, ${G}] (number of groups)`,
      found: String(k),
    });
  }
  const rng = createRng(options.seed ?? 0);
  const order = rng.shuffle(Array.from({ length: G }, (_, g) => g));
  // counts per group per class
  const gc = members.map((m) => {
    let pos = 0;
    for (const i of m) pos += yy[i]!;
    return [m.length - pos, pos] as const;
  });
  order.sort((a, b) => members[b]!.length - members[a]!.length); // stable: keeps shuffled order within a size
  const N = [0, 0];
  for (const v of yy) N[v]!++;
  const load = Array.from({ length: k }, () => [0, 0]);
  const size = new Int32Array(k);
  const foldRank = rng.shuffle(Array.from({ length: k }, (_, f) => f));
  const out = new Int32Array(n);
  for (const g of order) {
    const [c0, c1] = gc[g]!;
    let best = -1;
    let bestCost = Infinity;
    for (const f of foldRank) {
      const l = load[f]!;
      // Increase of Σ_c (load/N)² caused by adding the group.
      const cost =
        (N[0]! > 0 ? ((l[0]! + c0) ** 2 - l[0]! ** 2) / N[0]! ** 2 : 0) +
        (N[1]! > 0 ? ((l[1]! + c1) ** 2 - l[1]! ** 2) / N[1]! ** 2 : 0);
      if (cost < bestCost - 1e-15 || (Math.abs(cost - bestCost) <= 1e-15 && size[f]! < size[best]!)) {
        bestCost = cost;
        best = f;
      }
    }
    load[best]![0]! += c0;
    load[best]![1]! += c1;
    size[best]! += c0 + c1;
    for (const i of members[g]!) out[i] = best;
  }
  return out;
}

export interface RepeatedFoldOptions extends FoldOptions {
  /** Number of repeats (default 1). */
  repeats?: number;
}

/** R independent fold assignments (one per repeat); repeat r uses seed `deriveSeed(seed, r)`. */
export function repeatedGroupedFolds(y: Labels, groups?: ArrayLike<string | number>, options: RepeatedFoldOptions = {}): Int32Array[] {
  const R = options.repeats ?? 1;
  const base = options.seed ?? 0;
  const out: Int32Array[] = [];
  for (let r = 0; r < R; r++) out.push(groupedStratifiedFolds(y, groups, { k: options.k ?? 5, seed: deriveSeed(base, r) }));
  return out;
}

/** A deterministic 32-bit seed derived from a base seed and an index. */
export function deriveSeed(base: number, index: number): number {
  let h = (Math.imul(base | 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Cartesian product of a grid `{a: [1,2], b: ['x']}` → [{a:1,b:'x'}, {a:2,b:'x'}]. */
export function expandGrid(grid: Record<string, ReadonlyArray<number | string | boolean | null>>): Params[] {
  let out: Params[] = [{}];
  for (const [key, values] of Object.entries(grid)) {
    if (!values || values.length === 0) continue;
    const next: Params[] = [];
    for (const o of out) for (const v of values) next.push({ ...o, [key]: v });
    out = next;
  }
  return out;
}

export interface CrossValidateOptions {
  /** Classifier object or registered id (default `learn/logreg-l2`). */
  classifier?: string | Classifier<any>;
  /** Fixed hyper-parameters (merged over the classifier's defaults). */
  params?: Params;
  /** Preprocessing fitted inside every training fold (default: [dropConstant, zscore]). */
  pipeline?: readonly StepSpec[];
  /** Patient id per sample: a patient's samples never straddle train and test. */
  groups?: ArrayLike<string | number>;
  k?: number;
  repeats?: number;
  seed?: number;
  /** Precomputed fold assignments (one Int32Array per repeat), e.g. shared with another arm. */
  folds?: Int32Array[];
  /**
   * Nested CV: tune these hyper-parameters on inner grouped folds of each training fold
   * (`true` = the classifier's default grid). Selection maximises pooled inner out-of-fold AUC.
   */
  tune?: boolean | Record<string, ReadonlyArray<number | string | boolean | null>>;
  /** Inner folds for tuning (default 3). */
  innerK?: number;
  featureNames?: string[];
  /** Called after each outer fold (for progress bars). */
  onFold?: (info: { repeat: number; fold: number; done: number; total: number }) => void;
}

export interface FoldResult {
  repeat: number;
  fold: number;
  trainIndex: Int32Array;
  testIndex: Int32Array;
  params: Params;
  /** Inner-CV AUC of every grid point tried (nested CV only). */
  innerScores?: Array<{ params: Params; auc: number }>;
  pipeline: FittedPipeline;
  /** Importance per kept feature (if the classifier provides it), aligned with `pipeline.columns`. */
  importance?: Float64Array;
}

export interface CrossValidateResult {
  classifierId: string;
  k: number;
  repeats: number;
  seed: number;
  folds: Int32Array[];
  /** Out-of-fold P(y=1) per repeat: oof[r][i] for sample i. */
  oof: Float64Array[];
  /** Mean over repeats of the out-of-fold probability per sample. */
  meanOof: Float64Array;
  /** AUC of each repeat's out-of-fold predictions. */
  repeatAuc: number[];
  foldResults: FoldResult[];
}

function fitPredict(
  clf: Classifier<any>,
  Xtr: DenseMatrix,
  ytr: Uint8Array,
  Xte: DenseMatrix,
  steps: readonly StepSpec[],
  params: Params,
  featureNames?: string[],
): { prob: Float64Array; pipe: FittedPipeline; model: unknown } {
  const pipe = fitPipeline(steps, Xtr, ytr, featureNames ? { featureNames } : {});
  const model = clf.fit(applyPipeline(pipe, Xtr), ytr, params);
  return { prob: clf.predictProba(model, applyPipeline(pipe, Xte)), pipe, model };
}

/**
 * Repeated, patient-grouped, stratified k-fold CV (optionally nested) returning out-of-fold
 * predictions for every sample in every repeat. Deterministic for a given seed.
 */
export function crossValidate(Xin: MatrixInput, yin: Labels, options: CrossValidateOptions = {}): CrossValidateResult {
  const X = toDenseMatrix(Xin);
  const y = toLabels(yin, X.rows);
  const n = X.rows;
  const clf = resolveClassifier(options.classifier ?? 'learn/logreg-l2');
  const steps = options.pipeline ?? [{ type: 'dropConstant' }, { type: 'zscore' }];
  const seed = options.seed ?? 0;
  const k = options.k ?? 5;
  const folds = options.folds ?? repeatedGroupedFolds(y, options.groups, { k, repeats: options.repeats ?? 1, seed });
  for (const f of folds) {
    if (f.length !== n) {
      throw new RadcamError('E_DATA_SIZE_MISMATCH', 'fold assignment length differs from the sample count', {
        expected: String(n),
        found: String(f.length),
      });
    }
  }
  const baseParams: Params = { ...clf.defaults, ...(options.params ?? {}) };
  const grid =
    options.tune === true
      ? expandGrid(clf.grid as Record<string, ReadonlyArray<number | string | boolean | null>>)
      : options.tune
        ? expandGrid(options.tune)
        : null;
  const innerK = options.innerK ?? 3;
  const oof: Float64Array[] = [];
  const foldResults: FoldResult[] = [];
  const repeatAuc: number[] = [];
  const kOf = (f: Int32Array): number => {
    let m = 0;
    for (const v of f) m = Math.max(m, v);
    return m + 1;
  };
  const total = folds.reduce((s, f) => s + kOf(f), 0);
  let done = 0;
  folds.forEach((assign, r) => {
    const pred = new Float64Array(n).fill(NaN);
    const K = kOf(assign);
    for (let f = 0; f < K; f++) {
      const tr: number[] = [];
      const te: number[] = [];
      for (let i = 0; i < n; i++) (assign[i] === f ? te : tr).push(i);
      if (te.length === 0) continue;
      const trainIndex = Int32Array.from(tr);
      const testIndex = Int32Array.from(te);
      const Xtr = selectRows(X, trainIndex);
      const ytr = Uint8Array.from(tr, (i) => y[i]!);
      const Xte = selectRows(X, testIndex);
      const fitSeed = deriveSeed(seed, 1000 * r + f + 1);
      let params: Params = { ...baseParams, seed: fitSeed };
      let innerScores: FoldResult['innerScores'];
      if (grid && grid.length > 1) {
        const trGroups = options.groups ? Array.from(tr, (i) => options.groups![i]!) : undefined;
        const inner = groupedStratifiedFolds(ytr, trGroups, { k: Math.min(innerK, new Set(trGroups ?? tr).size), seed: fitSeed });
        innerScores = [];
        let best = -Infinity;
        for (const g of grid) {
          const pg: Params = { ...baseParams, ...g, seed: fitSeed };
          const ip = new Float64Array(tr.length);
          for (let h = 0; h < Math.max(...inner) + 1; h++) {
            const itr: number[] = [];
            const ite: number[] = [];
            for (let q = 0; q < tr.length; q++) (inner[q] === h ? ite : itr).push(q);
            const res = fitPredict(clf, selectRows(Xtr, itr), Uint8Array.from(itr, (q) => ytr[q]!), selectRows(Xtr, ite), steps, pg);
            ite.forEach((q, z) => (ip[q] = res.prob[z]!));
          }
          const a = auc(ytr, ip);
          innerScores.push({ params: pg, auc: a });
          if (a > best) {
            best = a;
            params = pg;
          }
        }
      }
      const res = fitPredict(clf, Xtr, ytr, Xte, steps, params, options.featureNames);
      te.forEach((i, z) => (pred[i] = res.prob[z]!));
      const fr: FoldResult = { repeat: r, fold: f, trainIndex, testIndex, params, pipeline: res.pipe };
      if (innerScores) fr.innerScores = innerScores;
      if (clf.importance) fr.importance = clf.importance(res.model);
      foldResults.push(fr);
      done++;
      options.onFold?.({ repeat: r, fold: f, done, total });
    }
    oof.push(pred);
    repeatAuc.push(auc(y, pred));
  });
  const meanOof = new Float64Array(n);
  for (const p of oof) for (let i = 0; i < n; i++) meanOof[i]! += p[i]! / oof.length;
  return { classifierId: clf.id, k, repeats: folds.length, seed, folds, oof, meanOof, repeatAuc, foldResults };
}
