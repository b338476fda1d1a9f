/**
 * Binary classification metrics: AUC (Mann–Whitney) with DeLong variance / CI, the paired DeLong
 * test, ROC curve points, Youden threshold, threshold metrics, Brier score, and a seeded cluster
 * (patient-level) bootstrap for confidence intervals of any metric.
 *
 * Convention: `y` is 0/1 with 1 = positive ("event"), `score` is larger for the positive class
 * (a probability or a decision value).
 */
import { RadcamError, createRng } from '@radcam/core';
import { midranks, normalCdf, normalQuantile, quantileSorted } from './stats.js';
import { toLabels } from './matrix.js';

function splitByClass(y: ArrayLike<number>, score: ArrayLike<number>): { pos: Float64Array; neg: Float64Array } {
  if (y.length !== score.length) {
    throw new RadcamError('E_DATA_SIZE_MISMATCH', 'labels and scores differ in length', {
      expected: String(y.length),
      found: String(score.length),
    });
  }
  let m = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 1) m++;
  const pos = new Float64Array(m);
  const neg = new Float64Array(y.length - m);
  let a = 0;
  let b = 0;
  for (let i = 0; i < y.length; i++) {
    const s = score[i]!;
    if (Number.isNaN(s)) throw new RadcamError('E_NON_FINITE', 'score is NaN', { found: `NaN at ${i}` });
    if (y[i] === 1) pos[a++] = s;
    else if (y[i] === 0) neg[b++] = s;
    else throw new RadcamError('E_INVALID_ARGUMENT', 'labels must be 0 or 1', { found: `${y[i]} at ${i}` });
  }
  return { pos, neg };
}

function requireBoth(m: number, n: number, what: string): void {
  if (m === 0 || n === 0) {
    throw new RadcamError('E_SINGLE_CLASS', `${what} needs both positive and negative samples`, {
      found: `${m} positives, ${n} negatives`,
    });
  }
}

/**
 * Area under the ROC curve = the Mann–Whitney probability P(score⁺ > score⁻) + ½ P(tie),
 * computed from mid-ranks in O(N log N).
 */
export function auc(y: ArrayLike<number>, score: ArrayLike<number>): number {
  const { pos, neg } = splitByClass(y, score);
  const m = pos.length;
  const n = neg.length;
  requireBoth(m, n, 'AUC');
  const all = new Float64Array(m + n);
  all.set(pos);
  all.set(neg, m);
  const r = midranks(all);
  let s = 0;
  for (let i = 0; i < m; i++) s += r[i]!;
  return (s - (m * (m + 1)) / 2) / (m * n);
}

/** DeLong structural components of one marker. */
interface Placements {
  auc: number;
  /** V10: for each positive, the fraction of negatives it beats (ties ½). */
  v10: Float64Array;
  /** V01: for each negative, the fraction of positives that beat it (ties ½). */
  v01: Float64Array;
}

function placements(pos: Float64Array, neg: Float64Array): Placements {
  const m = pos.length;
  const n = neg.length;
  const all = new Float64Array(m + n);
  all.set(pos);
  all.set(neg, m);
  const rAll = midranks(all);
  const rPos = midranks(pos);
  const rNeg = midranks(neg);
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < m; i++) {
    v10[i] = (rAll[i]! - rPos[i]!) / n;
    s += v10[i]!;
  }
  for (let j = 0; j < n; j++) v01[j] = 1 - (rAll[m + j]! - rNeg[j]!) / m;
  return { auc: s / m, v10, v01 };
}

function cov(a: Float64Array, b: Float64Array): number {
  const k = a.length;
  if (k < 2) return 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < k; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= k;
  mb /= k;
  let s = 0;
  for (let i = 0; i < k; i++) s += (a[i]! - ma) * (b[i]! - mb);
  return s / (k - 1);
}

export interface AucCiOptions {
  /** Confidence level (default 0.95). */
  level?: number;
}

export interface AucWithCi {
  auc: number;
  /** DeLong variance S10/m + S01/n (DeLong, DeLong & Clarke-Pearson 1988). */
  variance: number;
  se: number;
  /** Normal-theory CI auc ± z·se, clipped to [0, 1] (as pROC `ci.auc(method = "delong")`). */
  lower: number;
  upper: number;
  level: number;
  nPositive: number;
  nNegative: number;
}

/** AUC with its DeLong variance and normal-theory confidence interval. */
export function aucDeLong(y: ArrayLike<number>, score: ArrayLike<number>, options: AucCiOptions = {}): AucWithCi {
  const level = options.level ?? 0.95;
  const { pos, neg } = splitByClass(y, score);
  const m = pos.length;
  const n = neg.length;
  requireBoth(m, n, 'DeLong AUC');
  const p = placements(pos, neg);
  const variance = cov(p.v10, p.v10) / m + cov(p.v01, p.v01) / n;
  const se = Math.sqrt(variance);
  const z = normalQuantile(1 - (1 - level) / 2);
  return {
    auc: p.auc,
    variance,
    se,
    lower: Math.max(0, p.auc - z * se),
    upper: Math.min(1, p.auc + z * se),
    level,
    nPositive: m,
    nNegative: n,
  };
}

export interface DeLongTestResult {
  auc1: number;
  auc2: number;
  /** auc1 − auc2. */
  difference: number;
  var1: number;
  var2: number;
  covariance: number;
  /** Standard error of the difference. */
  se: number;
  z: number;
  /** Two-sided p-value. */
  p: number;
  /** CI of the difference at `level`. */
  lower: number;
  upper: number;
  level: number;
}

/**
 * Paired DeLong test of H0: AUC₁ = AUC₂ for two scores of the SAME samples (e.g. two arms'
 * out-of-fold predictions), DeLong et al. 1988 (Biometrics 44:837–845).
 */
export function deLongTest(
  y: ArrayLike<number>,
  score1: ArrayLike<number>,
  score2: ArrayLike<number>,
  options: AucCiOptions = {},
): DeLongTestResult {
  const level = options.level ?? 0.95;
  const a = splitByClass(y, score1);
  const b = splitByClass(y, score2);
  const m = a.pos.length;
  const n = a.neg.length;
  requireBoth(m, n, 'DeLong test');
  const pa = placements(a.pos, a.neg);
  const pb = placements(b.pos, b.neg);
  const var1 = cov(pa.v10, pa.v10) / m + cov(pa.v01, pa.v01) / n;
  const var2 = cov(pb.v10, pb.v10) / m + cov(pb.v01, pb.v01) / n;
  const c12 = cov(pa.v10, pb.v10) / m + cov(pa.v01, pb.v01) / n;
  const vd = Math.max(0, var1 + var2 - 2 * c12);
  const se = Math.sqrt(vd);
  const difference = pa.auc - pb.auc;
  const z = se > 0 ? difference / se : difference === 0 ? 0 : Math.sign(difference) * Infinity;
  const p = Number.isFinite(z) ? Math.min(1, 2 * normalCdf(-Math.abs(z))) : 0;
  const q = normalQuantile(1 - (1 - level) / 2);
  return {
    auc1: pa.auc,
    auc2: pb.auc,
    difference,
    var1,
    var2,
    covariance: c12,
    se,
    z,
    p,
    lower: difference - q * se,
    upper: difference + q * se,
    level,
  };
}

/**
 * Hanley & McNeil (1982) approximate standard error of an AUC from the AUC and the class sizes
 * (their eq. 2 with Q1 = A/(2−A), Q2 = 2A²/(1+A)).
 */
export function hanleyMcNeilSe(a: number, nPositive: number, nNegative: number): number {
  const q1 = a / (2 - a);
  const q2 = (2 * a * a) / (1 + a);
  const v = (a * (1 - a) + (nPositive - 1) * (q1 - a * a) + (nNegative - 1) * (q2 - a * a)) / (nPositive * nNegative);
  return Math.sqrt(v);
}

export interface RocPoint {
  /** Predict positive when score ≥ threshold. */
  threshold: number;
  fpr: number;
  tpr: number;
}

/**
 * ROC curve points, from (0,0) (threshold +∞) to (1,1); one point per distinct score
 * (ties move diagonally), so the trapezoidal area equals `auc()`.
 */
export function rocCurve(y: ArrayLike<number>, score: ArrayLike<number>): RocPoint[] {
  const { pos, neg } = splitByClass(y, score);
  requireBoth(pos.length, neg.length, 'ROC curve');
  const n = y.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => score[b]! - score[a]!);
  const P = pos.length;
  const N = neg.length;
  const pts: RocPoint[] = [{ threshold: Infinity, fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  let i = 0;
  while (i < n) {
    const t = score[order[i]!]!;
    while (i < n && score[order[i]!]! === t) {
      if (y[order[i]!] === 1) tp++;
      else fp++;
      i++;
    }
    pts.push({ threshold: t, fpr: fp / N, tpr: tp / P });
  }
  return pts;
}

export interface YoudenResult {
  threshold: number;
  /** J = sensitivity + specificity − 1. */
  j: number;
  sensitivity: number;
  specificity: number;
}

/** The ROC point maximising Youden's J (first one on ties, i.e. the highest threshold). */
export function youdenThreshold(y: ArrayLike<number>, score: ArrayLike<number>): YoudenResult {
  const pts = rocCurve(y, score);
  let best: YoudenResult = { threshold: Infinity, j: -Infinity, sensitivity: 0, specificity: 1 };
  for (const p of pts) {
    const j = p.tpr - p.fpr;
    if (j > best.j + 1e-15) best = { threshold: p.threshold, j, sensitivity: p.tpr, specificity: 1 - p.fpr };
  }
  return best;
}

export interface ThresholdMetrics {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  accuracy: number;
  sensitivity: number;
  specificity: number;
  /** Positive predictive value (NaN without predicted positives). */
  precision: number;
  f1: number;
  balancedAccuracy: number;
}

/** Confusion-matrix metrics when predicting positive for score ≥ threshold. */
export function thresholdMetrics(y: ArrayLike<number>, score: ArrayLike<number>, threshold = 0.5): ThresholdMetrics {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < y.length; i++) {
    const pred = score[i]! >= threshold;
    if (y[i] === 1) pred ? tp++ : fn++;
    else pred ? fp++ : tn++;
  }
  const sensitivity = tp / (tp + fn);
  const specificity = tn / (tn + fp);
  const precision = tp / (tp + fp);
  const f1 = (2 * tp) / (2 * tp + fp + fn);
  return {
    tp,
    fp,
    tn,
    fn,
    accuracy: (tp + tn) / y.length,
    sensitivity,
    specificity,
    precision,
    f1,
    balancedAccuracy: (sensitivity + specificity) / 2,
  };
}

/** Brier score: mean squared difference between probability and label. */
export function brierScore(y: ArrayLike<number>, prob: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (prob[i]! - y[i]!) ** 2;
  return s / y.length;
}

export interface ClusterBootstrapOptions {
  /** Cluster (patient) id per sample; default: every sample its own cluster. */
  groups?: ArrayLike<string | number>;
  /** Number of bootstrap replicates (default 2000). */
  replicates?: number;
  seed?: number;
  level?: number;
  /**
   * Require both classes in a replicate (default true): replicates without them are redrawn,
   * up to 10 × replicates draws in all.
   */
  requireBothClasses?: boolean;
}

export interface BootstrapCi {
  value: number;
  lower: number;
  upper: number;
  level: number;
  /** Replicates used (finite statistic values). */
  replicates: number;
  /** Percentile-bootstrap standard error (SD of the replicates). */
  se: number;
}

/** Cluster ids → dense indices 0..G−1 and the sample indices of each cluster. */
export function clusterIndex(groups: ArrayLike<string | number> | undefined, n: number): { id: Int32Array; members: Int32Array[] } {
  const id = new Int32Array(n);
  if (!groups) {
    const members: Int32Array[] = [];
    for (let i = 0; i < n; i++) {
      id[i] = i;
      members.push(Int32Array.of(i));
    }
    return { id, members };
  }
  if (groups.length !== n) {
    throw new RadcamError('E_DATA_SIZE_MISMATCH', 'one group (patient) id per sample', {
      expected: String(n),
      found: String(groups.length),
    });
  }
  const map = new Map<string | number, number>();
  const lists: number[][] = [];
  for (let i = 0; i < n; i++) {
    const g = groups[i]!;
    let k = map.get(g);
    if (k === undefined) {
      k = lists.length;
      map.set(g, k);
      lists.push([]);
    }
    id[i] = k;
    lists[k]!.push(i);
  }
  return { id, members: lists.map((l) => Int32Array.from(l)) };
}

/**
 * Percentile bootstrap CI of `stat(y, score)` resampling CLUSTERS (patients) with replacement,
 * so that lesions of one patient stay together (cluster bootstrap; Davison & Hinkley 1997 §3.8).
 * Seeded and deterministic.
 */
export function clusterBootstrap(
  y: ArrayLike<number>,
  score: ArrayLike<number>,
  stat: (y: Uint8Array, score: Float64Array) => number,
  options: ClusterBootstrapOptions = {},
): BootstrapCi {
  const yy = toLabels(y);
  const n = yy.length;
  const s = Float64Array.from(score);
  if (s.length !== n) {
    throw new RadcamError('E_DATA_SIZE_MISMATCH', 'labels and scores differ in length', {
      expected: String(n),
      found: String(s.length),
    });
  }
  const B = options.replicates ?? 2000;
  const level = options.level ?? 0.95;
  const needBoth = options.requireBothClasses ?? true;
  const { members } = clusterIndex(options.groups, n);
  const G = members.length;
  const rng = createRng(options.seed ?? 0);
  const value = stat(yy, s);
  const reps: number[] = [];
  const by = new Uint8Array(n * 4);
  const bs = new Float64Array(n * 4);
  let draws = 0;
  while (reps.length < B && draws < 10 * B) {
    draws++;
    let len = 0;
    let pos = 0;
    let yb = by;
    let sb = bs;
    for (let g = 0; g < G; g++) {
      const mem = members[rng.int(G)]!;
      if (len + mem.length > yb.length) {
        const ny = new Uint8Array(yb.length * 2);
        ny.set(yb);
        const ns = new Float64Array(sb.length * 2);
        ns.set(sb);
        yb = ny;
        sb = ns;
      }
      for (let k = 0; k < mem.length; k++) {
        const i = mem[k]!;
        yb[len] = yy[i]!;
        sb[len] = s[i]!;
        pos += yy[i]!;
        len++;
      }
    }
    if (needBoth && (pos === 0 || pos === len)) continue;
    const v = stat(yb.subarray(0, len), sb.subarray(0, len));
    if (Number.isFinite(v)) reps.push(v);
  }
  reps.sort((a, b) => a - b);
  let m = 0;
  for (const v of reps) m += v;
  m /= reps.length || 1;
  let ss = 0;
  for (const v of reps) ss += (v - m) ** 2;
  const a = (1 - level) / 2;
  return {
    value,
    lower: quantileSorted(reps, a),
    upper: quantileSorted(reps, 1 - a),
    level,
    replicates: reps.length,
    se: reps.length > 1 ? Math.sqrt(ss / (reps.length - 1)) : NaN,
  };
}

export interface EvaluateOptions extends ClusterBootstrapOptions {
  /**
   * Threshold for accuracy / sensitivity / specificity / F1 / balanced accuracy (default 0.5 on
   * probabilities). `'youden'` picks it on the same data, which is optimistic — prefer a number.
   */
  threshold?: number | 'youden';
}

export interface MetricWithCi {
  value: number;
  /** Cluster-bootstrap percentile CI. */
  lower: number;
  upper: number;
}

export interface BinaryEvaluation {
  n: number;
  nPositive: number;
  nNegative: number;
  nGroups: number;
  threshold: number;
  level: number;
  replicates: number;
  seed: number;
  /** AUC with cluster-bootstrap CI, plus the DeLong CI (which assumes independent samples). */
  auc: MetricWithCi & { deLongLower: number; deLongUpper: number; deLongSe: number };
  accuracy: MetricWithCi;
  sensitivity: MetricWithCi;
  specificity: MetricWithCi;
  f1: MetricWithCi;
  balancedAccuracy: MetricWithCi;
  brier: MetricWithCi;
  roc: RocPoint[];
  youden: YoudenResult;
}

/**
 * Every metric the study reports, each with a cluster-bootstrap CI over patients (one shared set
 * of bootstrap replicates per metric, same seed → identical resamples across metrics).
 */
export function evaluateBinary(y: ArrayLike<number>, score: ArrayLike<number>, options: EvaluateOptions = {}): BinaryEvaluation {
  const yy = toLabels(y);
  const s = Float64Array.from(score);
  const seed = options.seed ?? 0;
  const level = options.level ?? 0.95;
  const replicates = options.replicates ?? 2000;
  const youden = youdenThreshold(yy, s);
  const thr = options.threshold === 'youden' ? youden.threshold : options.threshold ?? 0.5;
  const dl = aucDeLong(yy, s, { level });
  const boot = (f: (y: Uint8Array, s: Float64Array) => number): MetricWithCi => {
    const r = clusterBootstrap(yy, s, f, { ...options, seed, level, replicates });
    return { value: r.value, lower: r.lower, upper: r.upper };
  };
  const tm = (key: keyof ThresholdMetrics) => (a: Uint8Array, b: Float64Array) => thresholdMetrics(a, b, thr)[key];
  const aucB = boot((a, b) => auc(a, b));
  let pos = 0;
  for (const v of yy) pos += v;
  return {
    n: yy.length,
    nPositive: pos,
    nNegative: yy.length - pos,
    nGroups: clusterIndex(options.groups, yy.length).members.length,
    threshold: thr,
    level,
    replicates,
    seed,
    auc: { ...aucB, deLongLower: dl.lower, deLongUpper: dl.upper, deLongSe: dl.se },
    accuracy: boot(tm('accuracy')),
    sensitivity: boot(tm('sensitivity')),
    specificity: boot(tm('specificity')),
    f1: boot(tm('f1')),
    balancedAccuracy: boot(tm('balancedAccuracy')),
    brier: boot((a, b) => brierScore(a, b)),
    roc: rocCurve(yy, s),
    youden,
  };
}
