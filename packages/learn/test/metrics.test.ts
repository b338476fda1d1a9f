import { describe, expect, it } from 'vitest';
import { createRng } from '@radcam/core';
import { expectClose } from '@radcam/core/testing';
import {
  auc,
  aucDeLong,
  brierScore,
  clusterBootstrap,
  deLongTest,
  evaluateBinary,
  hanleyMcNeilSe,
  normalCdf,
  normalQuantile,
  rocCurve,
  thresholdMetrics,
  youdenThreshold,
} from '../src/index.js';

/**
 * Hanley & McNeil (1982), Radiology 143:29–36, Table I: CT ratings (1 = definitely normal …
 * 5 = definitely abnormal) of 58 truly normal and 51 truly abnormal patients.
 */
function hanleyMcNeil(): { y: number[]; s: number[] } {
  const normal = [33, 6, 6, 11, 2];
  const abnormal = [3, 2, 2, 11, 33];
  const y: number[] = [];
  const s: number[] = [];
  normal.forEach((c, k) => {
    for (let i = 0; i < c; i++) (y.push(0), s.push(k + 1));
  });
  abnormal.forEach((c, k) => {
    for (let i = 0; i < c; i++) (y.push(1), s.push(k + 1));
  });
  return { y, s };
}

describe('normal distribution helpers', () => {
  it('match tabulated values', () => {
    // Φ⁻¹(0.975) = 1.959963984540054 (Abramowitz & Stegun 26.2; any statistical table).
    expectClose(normalQuantile(0.975), 1.959963984540054, { rtol: 1e-8 });
    expectClose(normalQuantile(0.5), 0, { atol: 1e-12 });
    expectClose(normalQuantile(0.001), -3.090232306167813, { rtol: 1e-8 });
    // Φ(1.96) = 0.9750021048517795, Φ(−1) = 0.15865525393145705.
    expectClose(normalCdf(1.96), 0.9750021048517795, { atol: 2e-7 });
    expectClose(normalCdf(-1), 0.15865525393145705, { atol: 2e-7 });
  });
});

describe('AUC and DeLong variance', () => {
  it('reproduces the Hanley & McNeil (1982) worked example', () => {
    const { y, s } = hanleyMcNeil();
    // Hanley & McNeil 1982, Table I / text: area (Wilcoxon W) = 0.893, SE(W) = 0.032.
    expectClose(auc(y, s), 0.893, { atol: 5e-4 });
    expectClose(hanleyMcNeilSe(auc(y, s), 51, 58), 0.032, { atol: 5e-4 });
  });

  it('matches Stata roctab (DeLong SE, asymptotic normal CI) on the Hanley & McNeil data', () => {
    // StataCorp, Stata Base Reference Manual, [R] roctab, Example 1 (hanley.dta = the data
    // above): "ROC Area 0.8932, Std. Err. 0.0307, Asymptotic Normal 95% CI 0.83295 0.95339";
    // roctab's default standard error is DeLong, DeLong & Clarke-Pearson (1988).
    const { y, s } = hanleyMcNeil();
    const r = aucDeLong(y, s);
    expectClose(r.auc, 0.8932, { atol: 5e-5 });
    expectClose(r.se, 0.0307, { atol: 5e-5 });
    expectClose(r.lower, 0.83295, { atol: 5e-6 });
    expectClose(r.upper, 0.95339, { atol: 5e-6 });
  });

  it('handles perfect, reversed and tied scores', () => {
    expect(auc([0, 0, 1, 1], [1, 2, 3, 4])).toBe(1);
    expect(auc([0, 0, 1, 1], [4, 3, 2, 1])).toBe(0);
    expect(auc([0, 0, 1, 1], [1, 1, 1, 1])).toBe(0.5);
    // one tie between classes out of 4 pairs: (3 + ½)/4
    expect(auc([0, 0, 1, 1], [1, 2, 2, 3])).toBe(0.875);
  });

  it('paired DeLong test: hand-computed structural components', () => {
    // y = [1,1,1,0,0]; marker 1 = [.9,.6,.3,.5,.1]; marker 2 = [.8,.2,.7,.4,.6].
    // Marker 1: V10 = [1, 1, ½], V01 = [⅔, 1] ⇒ AUC₁ = 5/6, S10 = 1/12, S01 = 1/18,
    //   Var₁ = (1/12)/3 + (1/18)/2 = 1/18.
    // Marker 2: V10 = [1, 0, 1], V01 = [⅔, ⅔] ⇒ AUC₂ = 2/3, S10 = 1/3, S01 = 0, Var₂ = 1/9.
    // Cov: S10(1,2) = −1/12, S01(1,2) = 0 ⇒ Cov = −1/36.
    // Var(Δ) = 1/18 + 1/9 + 2/36 = 2/9; z = (1/6)/√(2/9) = 1/(2√2) = 0.353553…;
    // two-sided p = 2(1 − Φ(0.35355)) = 0.7237 (standard normal table).
    const y = [1, 1, 1, 0, 0];
    const t = deLongTest(y, [0.9, 0.6, 0.3, 0.5, 0.1], [0.8, 0.2, 0.7, 0.4, 0.6]);
    expectClose(t.auc1, 5 / 6, { rtol: 1e-12 });
    expectClose(t.auc2, 2 / 3, { rtol: 1e-12 });
    expectClose(t.var1, 1 / 18, { rtol: 1e-12 });
    expectClose(t.var2, 1 / 9, { rtol: 1e-12 });
    expectClose(t.covariance, -1 / 36, { rtol: 1e-12 });
    expectClose(t.z, 1 / (2 * Math.SQRT2), { rtol: 1e-12 });
    expectClose(t.p, 0.7237, { atol: 1e-4 });
  });

  it('paired DeLong test of a marker with itself gives Z = 0, p = 1 (as pROC roc.test)', () => {
    const { y, s } = hanleyMcNeil();
    const t = deLongTest(y, s, s);
    expect(t.z).toBe(0);
    expect(t.p).toBe(1);
  });

  it('throws a typed error for a single class', () => {
    expect(() => auc([1, 1], [0.2, 0.3])).toThrow(expect.objectContaining({ code: 'E_SINGLE_CLASS' }));
  });
});

describe('ROC curve, Youden, threshold metrics, Brier', () => {
  it('ROC points integrate to the AUC (trapezoids)', () => {
    const { y, s } = hanleyMcNeil();
    const pts = rocCurve(y, s);
    let area = 0;
    for (let i = 1; i < pts.length; i++) area += ((pts[i]!.fpr - pts[i - 1]!.fpr) * (pts[i]!.tpr + pts[i - 1]!.tpr)) / 2;
    expectClose(area, auc(y, s), { rtol: 1e-12 });
    expect(pts[0]).toEqual({ threshold: Infinity, fpr: 0, tpr: 0 });
    expect(pts.at(-1)!.fpr).toBe(1);
    expect(pts.at(-1)!.tpr).toBe(1);
  });

  it('Youden threshold on the Hanley & McNeil data (by hand from Table I)', () => {
    // Rating ≥ 4: sensitivity (11+33)/51 = 0.8627, specificity (33+6+6)/58 = 0.7759, J = 0.6386;
    // ≥ 3: 46/51 − 19/58 = 0.5744; ≥ 5: 33/51 − 2/58 = 0.6126. Best: threshold 4.
    const { y, s } = hanleyMcNeil();
    const yd = youdenThreshold(y, s);
    expect(yd.threshold).toBe(4);
    expectClose(yd.sensitivity, 44 / 51, { rtol: 1e-12 });
    expectClose(yd.specificity, 45 / 58, { rtol: 1e-12 });
  });

  it('confusion metrics and Brier score by hand', () => {
    const y = [1, 1, 1, 0, 0, 0, 0];
    const p = [0.9, 0.6, 0.4, 0.7, 0.2, 0.1, 0.3];
    const m = thresholdMetrics(y, p, 0.5);
    // TP = 2, FN = 1, FP = 1, TN = 3.
    expect([m.tp, m.fn, m.fp, m.tn]).toEqual([2, 1, 1, 3]);
    expectClose(m.accuracy, 5 / 7, { rtol: 1e-12 });
    expectClose(m.sensitivity, 2 / 3, { rtol: 1e-12 });
    expectClose(m.specificity, 3 / 4, { rtol: 1e-12 });
    expectClose(m.f1, 4 / 6, { rtol: 1e-12 });
    expectClose(m.balancedAccuracy, (2 / 3 + 3 / 4) / 2, { rtol: 1e-12 });
    // Brier = (0.01 + 0.16 + 0.36 + 0.49 + 0.04 + 0.01 + 0.09) / 7 = 1.16 / 7
    expectClose(brierScore(y, p), 1.16 / 7, { rtol: 1e-12 });
  });
});

describe('cluster bootstrap', () => {
  it('is deterministic for a seed', () => {
    const { y, s } = hanleyMcNeil();
    const a = clusterBootstrap(y, s, (yy, ss) => auc(yy, ss), { seed: 7, replicates: 300 });
    const b = clusterBootstrap(y, s, (yy, ss) => auc(yy, ss), { seed: 7, replicates: 300 });
    expect(a).toEqual(b);
  });

  it('resamples patients: duplicated lesions give exactly the de-duplicated bootstrap', () => {
    // Each patient contributes two identical lesions. Resampling patients must reproduce,
    // draw for draw, the sample-level bootstrap of one lesion per patient (AUC is invariant to
    // duplicating every sample).
    const { y, s } = hanleyMcNeil();
    const y2 = y.flatMap((v) => [v, v]);
    const s2 = s.flatMap((v) => [v, v]);
    const g2 = y.flatMap((_, i) => [i, i]);
    const stat = (yy: Uint8Array, ss: Float64Array): number => auc(yy, ss);
    const single = clusterBootstrap(y, s, stat, { seed: 3, replicates: 400 });
    const clustered = clusterBootstrap(y2, s2, stat, { seed: 3, replicates: 400, groups: g2 });
    expectClose(clustered.lower, single.lower, { rtol: 1e-12 });
    expectClose(clustered.upper, single.upper, { rtol: 1e-12 });
    // Ignoring the clusters would understate the uncertainty.
    const naive = clusterBootstrap(y2, s2, stat, { seed: 3, replicates: 400 });
    expect(naive.upper - naive.lower).toBeLessThan(0.85 * (clustered.upper - clustered.lower));
  });

  it('95 % CIs cover the true AUC and sensitivity on synthetic binormal data (~95 %)', () => {
    // Negatives ~ N(0,1), positives ~ N(d,1): true AUC = Φ(d/√2); at threshold d/2 the true
    // sensitivity = specificity = Φ(d/2). With d = 1: AUC = 0.76025, sens = 0.69146.
    const d = 1;
    const trueAuc = normalCdf(d / Math.SQRT2);
    const trueSens = normalCdf(d / 2);
    const rng = createRng(2024);
    const sims = 120;
    let covB = 0;
    let covD = 0;
    let covS = 0;
    for (let r = 0; r < sims; r++) {
      const y: number[] = [];
      const s: number[] = [];
      for (let i = 0; i < 40; i++) (y.push(0), s.push(rng.normal()));
      for (let i = 0; i < 40; i++) (y.push(1), s.push(d + rng.normal()));
      const b = clusterBootstrap(y, s, (yy, ss) => auc(yy, ss), { seed: r, replicates: 250 });
      if (b.lower <= trueAuc && trueAuc <= b.upper) covB++;
      const dl = aucDeLong(y, s);
      if (dl.lower <= trueAuc && trueAuc <= dl.upper) covD++;
      const sb = clusterBootstrap(y, s, (yy, ss) => thresholdMetrics(yy, ss, d / 2).sensitivity, { seed: r, replicates: 250 });
      if (sb.lower <= trueSens && trueSens <= sb.upper) covS++;
    }
    // Binomial(120, 0.95): 2.5 % quantile ≈ 109 → allow ≥ 0.87 to keep the test robust.
    expect(covB / sims).toBeGreaterThan(0.87);
    expect(covD / sims).toBeGreaterThan(0.87);
    expect(covS / sims).toBeGreaterThan(0.87);
    expect(covB / sims).toBeLessThanOrEqual(1);
  });

  it('evaluateBinary reports every metric with a CI containing the point estimate', () => {
    const { y, s } = hanleyMcNeil();
    const prob = s.map((v) => (v - 0.5) / 5);
    const e = evaluateBinary(y, prob, { seed: 1, replicates: 300 });
    for (const key of ['auc', 'accuracy', 'sensitivity', 'specificity', 'f1', 'balancedAccuracy', 'brier'] as const) {
      const m = e[key];
      expect(m.lower).toBeLessThanOrEqual(m.value + 1e-12);
      expect(m.upper).toBeGreaterThanOrEqual(m.value - 1e-12);
    }
    expectClose(e.auc.deLongLower, 0.83295, { atol: 5e-6 });
    expect(e.nGroups).toBe(109);
  });
});
