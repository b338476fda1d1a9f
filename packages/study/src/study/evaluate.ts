/** Out-of-fold evaluation of the arms: tabular CV on shared folds, metrics with CIs, feature importance. */
import {
  applyPipeline,
  auc,
  clusterBootstrap,
  crossValidate,
  evaluateBinary,
  expandGrid,
  fitPipeline,
  groupedStratifiedFolds,
  resolveClassifier,
  selectRows,
  deriveSeed,
  type DenseMatrix,
  type Params,
} from '@radcam/learn';
import type { FeatureTable } from './features.js';
import type { ResolvedStudySettings } from './settings.js';
import type { ArmMetrics, MetricCi, StudyArmResult, TopFeature } from './types.js';

/** What a tabular arm produced before metrics: OOF probabilities per repeat and feature usage. */
export interface OofResult {
  oof: Float64Array[];
  /** Per fitted fold: kept feature names and |importance| (aligned), for the top-feature table. */
  usage: { names: string[]; importance: Float64Array | null }[];
}

function topFeatures(usage: OofResult['usage'], limit = 10): TopFeature[] {
  const count = new Map<string, number>();
  const imp = new Map<string, number>();
  for (const u of usage) {
    u.names.forEach((n, j) => {
      count.set(n, (count.get(n) ?? 0) + 1);
      if (u.importance) imp.set(n, (imp.get(n) ?? 0) + Math.abs(u.importance[j] ?? 0));
    });
  }
  const rows = [...count.entries()].map(([name, c]) => ({ name, selected: c / Math.max(1, usage.length), importance: (imp.get(name) ?? 0) / c }));
  rows.sort((a, b) => b.selected - a.selected || b.importance - a.importance || (a.name < b.name ? -1 : 1));
  return rows.slice(0, limit);
}

/** Tabular arm on one feature table: `@radcam/learn` `crossValidate` on the shared folds. */
export function crossValidateTable(
  table: FeatureTable,
  y: Uint8Array,
  groups: string[],
  folds: Int32Array[],
  s: ResolvedStudySettings,
): OofResult {
  const X: DenseMatrix = { data: table.data, rows: table.rows, cols: table.cols };
  const cv = crossValidate(X, y, {
    classifier: s.classifier.id,
    params: s.classifier.params,
    pipeline: s.classifier.pipeline,
    groups,
    folds,
    tune: s.classifier.tune,
    innerK: s.classifier.innerK,
    seed: s.seed,
    featureNames: table.names,
  });
  return {
    oof: cv.oof,
    usage: cv.foldResults.map((f) => ({ names: f.pipeline.featureNames ?? [], importance: f.importance ?? null })),
  };
}

/**
 * A tabular arm whose feature table differs per fold (CAM-derived features from the fold's own
 * network): fold-local pipeline + classifier (with optional nested tuning) per (repeat, fold).
 */
export function crossValidatePerFold(
  tableOf: (repeat: number, fold: number) => FeatureTable,
  y: Uint8Array,
  groups: string[],
  folds: Int32Array[],
  s: ResolvedStudySettings,
): OofResult {
  const clf = resolveClassifier(s.classifier.id);
  const base: Params = { ...clf.defaults, ...s.classifier.params };
  const grid =
    s.classifier.tune === true
      ? expandGrid(clf.grid as Record<string, ReadonlyArray<number | string | boolean | null>>)
      : s.classifier.tune
        ? expandGrid(s.classifier.tune)
        : null;
  const n = y.length;
  const oof: Float64Array[] = [];
  const usage: OofResult['usage'] = [];
  folds.forEach((assign, r) => {
    const pred = new Float64Array(n).fill(NaN);
    const K = Math.max(...assign) + 1;
    for (let f = 0; f < K; f++) {
      const table = tableOf(r, f);
      const X: DenseMatrix = { data: table.data, rows: table.rows, cols: table.cols };
      const tr: number[] = [];
      const te: number[] = [];
      for (let i = 0; i < n; i++) (assign[i] === f ? te : tr).push(i);
      if (!te.length) continue;
      const Xtr = selectRows(X, tr);
      const ytr = Uint8Array.from(tr, (i) => y[i]!);
      const gtr = tr.map((i) => groups[i]!);
      const fitSeed = deriveSeed(s.seed, 1000 * r + f + 1);
      let params: Params = { ...base, seed: fitSeed };
      if (grid && grid.length > 1) {
        const inner = groupedStratifiedFolds(ytr, gtr, { k: Math.min(s.classifier.innerK, new Set(gtr).size), seed: fitSeed });
        let best = -Infinity;
        for (const g of grid) {
          const cv = crossValidate(Xtr, ytr, { classifier: clf, params: { ...base, ...g }, pipeline: s.classifier.pipeline, groups: gtr, folds: [inner], seed: fitSeed });
          const a = auc(ytr, cv.meanOof);
          if (a > best) (best = a), (params = { ...base, ...g, seed: fitSeed });
        }
      }
      const pipe = fitPipeline(s.classifier.pipeline, Xtr, ytr, { featureNames: table.names });
      const model = clf.fit(applyPipeline(pipe, Xtr), ytr, params);
      const p = clf.predictProba(model, applyPipeline(pipe, selectRows(X, te)));
      te.forEach((i, z) => (pred[i] = p[z]!));
      usage.push({ names: pipe.featureNames ?? [], importance: clf.importance ? clf.importance(model) : null });
    }
    oof.push(pred);
  });
  return { oof, usage };
}

/** Mean over repeats of the out-of-fold probabilities. */
export function meanOof(oof: readonly Float64Array[]): Float64Array {
  const n = oof[0]?.length ?? 0;
  const m = new Float64Array(n);
  for (const p of oof) for (let i = 0; i < n; i++) m[i]! += p[i]! / oof.length;
  return m;
}

const pickCi = (m: { value: number; lower: number; upper: number }): MetricCi => ({ value: m.value, lower: m.lower, upper: m.upper });

/** Metrics with patient-bootstrap CIs (and the DeLong AUC CI) of an arm's mean OOF predictions. */
export function summariseArm(
  base: Pick<StudyArmResult, 'name' | 'kind'> & Partial<StudyArmResult>,
  res: OofResult,
  y: Uint8Array,
  groups: string[],
  s: ResolvedStudySettings,
): StudyArmResult {
  const m = meanOof(res.oof);
  const e = evaluateBinary(y, m, { groups, threshold: s.metrics.threshold, replicates: s.metrics.replicates, level: s.metrics.level, seed: s.seed });
  const metrics: ArmMetrics = {
    auc: { ...pickCi(e.auc), deLongLower: e.auc.deLongLower, deLongUpper: e.auc.deLongUpper, deLongSe: e.auc.deLongSe },
    accuracy: pickCi(e.accuracy),
    sensitivity: pickCi(e.sensitivity),
    specificity: pickCi(e.specificity),
    f1: pickCi(e.f1),
    balancedAccuracy: pickCi(e.balancedAccuracy),
    brier: pickCi(e.brier),
  };
  return {
    ...base,
    repeats: res.oof.length,
    metrics,
    threshold: e.threshold,
    repeatAuc: res.oof.map((p) => auc(y, p)),
    oof: Array.from(m),
    roc: e.roc,
    topFeatures: res.usage.length ? topFeatures(res.usage) : [],
  };
}

/** Mean of `values` with a patient-bootstrap percentile CI. */
export function meanWithCi(values: readonly number[], groups: readonly string[], s: ResolvedStudySettings, seedOffset = 0): MetricCi {
  const v = Float64Array.from(values);
  if (v.length === 0) return { value: NaN, lower: NaN, upper: NaN };
  const mean = (_y: Uint8Array, x: Float64Array) => {
    let t = 0;
    for (const a of x) t += a;
    return t / x.length;
  };
  const r = clusterBootstrap(new Uint8Array(v.length), v, mean, {
    groups: groups as string[],
    replicates: s.metrics.replicates,
    level: s.metrics.level,
    seed: deriveSeed(s.seed, 7000 + seedOffset),
    requireBothClasses: false,
  });
  return { value: r.value, lower: r.lower, upper: r.upper };
}
