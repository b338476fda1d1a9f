import { describe, expect, it } from 'vitest';
import { createRng } from '@radcam/core';
import {
  auc,
  builtinClassifiers,
  classifierRegistry,
  crossValidate,
  groupedStratifiedFolds,
  registerBuiltinClassifiers,
  repeatedGroupedFolds,
  resolveClassifier,
  type DenseMatrix,
} from '../src/index.js';

/** A cohort like the study's: 39 patients, 1–4 lesions each (69 lesions). */
function cohort(seed: number, p: number, signal: number): { X: DenseMatrix; y: Uint8Array; groups: string[] } {
  const rng = createRng(seed);
  const sizes = [...Array(21).fill(1), ...Array(9).fill(2), ...Array(6).fill(3), ...Array(3).fill(4)] as number[];
  const groups: string[] = [];
  const yl: number[] = [];
  sizes.forEach((s, g) => {
    for (let k = 0; k < s; k++) {
      groups.push(`P${g}`);
      yl.push(rng.next() < 0.45 ? 1 : 0);
    }
  });
  const n = groups.length;
  const d = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) d[i * p + j] = rng.normal();
    for (let j = 0; j < 3; j++) d[i * p + j]! += signal * (yl[i]! - 0.5);
  }
  return { X: { data: d, rows: n, cols: p }, y: Uint8Array.from(yl), groups };
}

describe('grouped stratified folds', () => {
  it('never splits a patient and balances classes', () => {
    const { y, groups } = cohort(1, 2, 0);
    expect(y.length).toBe(69);
    for (let seed = 0; seed < 10; seed++) {
      const f = groupedStratifiedFolds(y, groups, { k: 5, seed });
      const foldOf = new Map<string, number>();
      groups.forEach((g, i) => {
        if (foldOf.has(g)) expect(f[i]).toBe(foldOf.get(g));
        foldOf.set(g, f[i]!);
      });
      // per-class counts within ± the largest group size (4) of each other
      for (const c of [0, 1]) {
        const cnt = [0, 0, 0, 0, 0];
        y.forEach((v, i) => v === c && cnt[f[i]!]!++);
        expect(Math.max(...cnt) - Math.min(...cnt)).toBeLessThanOrEqual(4);
      }
    }
  });

  it('with one sample per patient the per-class fold counts differ by at most one', () => {
    const rng = createRng(9);
    for (let t = 0; t < 20; t++) {
      const n = 30 + t * 3;
      const y = Array.from({ length: n }, () => (rng.next() < 0.3 ? 1 : 0));
      y[0] = 1;
      y[1] = 0;
      const k = 3 + (t % 5);
      const f = groupedStratifiedFolds(y, undefined, { k, seed: t });
      for (const c of [0, 1]) {
        const cnt = new Array(k).fill(0);
        y.forEach((v, i) => v === c && cnt[f[i]!]++);
        expect(Math.max(...cnt) - Math.min(...cnt)).toBeLessThanOrEqual(1);
      }
      const tot = new Array(k).fill(0);
      f.forEach((v) => tot[v]++);
      expect(Math.max(...tot) - Math.min(...tot)).toBeLessThanOrEqual(1);
    }
  });

  it('is deterministic for a seed; repeats differ', () => {
    const { y, groups } = cohort(2, 2, 0);
    expect(groupedStratifiedFolds(y, groups, { seed: 4 })).toEqual(groupedStratifiedFolds(y, groups, { seed: 4 }));
    const reps = repeatedGroupedFolds(y, groups, { k: 5, repeats: 3, seed: 4 });
    expect(reps).toHaveLength(3);
    expect(reps[0]).not.toEqual(reps[1]);
    expect(repeatedGroupedFolds(y, groups, { k: 5, repeats: 3, seed: 4 })).toEqual(reps);
  });

  it('rejects more folds than patients', () => {
    expect(() => groupedStratifiedFolds([0, 1, 0, 1], ['a', 'a', 'b', 'b'], { k: 3 })).toThrow(
      expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }),
    );
  });
});

describe('crossValidate', () => {
  it('gives every sample one out-of-fold prediction per repeat and detects real signal', () => {
    const { X, y, groups } = cohort(3, 20, 2.5);
    const r = crossValidate(X, y, { groups, k: 5, repeats: 2, seed: 1, classifier: 'learn/logreg-l2' });
    expect(r.oof).toHaveLength(2);
    for (const p of r.oof) for (const v of p) expect(v >= 0 && v <= 1).toBe(true);
    expect(auc(y, r.meanOof)).toBeGreaterThan(0.85);
    for (const fr of r.foldResults) {
      const trainPatients = new Set(Array.from(fr.trainIndex, (i) => groups[i]));
      for (const i of fr.testIndex) expect(trainPatients.has(groups[i]!)).toBe(false);
    }
  });

  it('feature selection inside the folds keeps pure noise at chance level (no leakage)', () => {
    // 69 samples × 1000 noise features: selecting the top 10 on ALL data before CV famously gives
    // an optimistic AUC; selecting inside each training fold must not.
    const { X, y, groups } = cohort(4, 1000, 0);
    const r = crossValidate(X, y, {
      groups,
      k: 5,
      repeats: 3,
      seed: 2,
      classifier: 'learn/logreg-l2',
      pipeline: [{ type: 'zscore' }, { type: 'selectUnivariate', k: 10 }],
    });
    const mean = r.repeatAuc.reduce((a, b) => a + b, 0) / r.repeatAuc.length;
    expect(mean).toBeLessThan(0.68);
    expect(mean).toBeGreaterThan(0.32);
  });

  it('nested CV picks hyper-parameters per fold from the grid and is deterministic', () => {
    const { X, y, groups } = cohort(5, 15, 2);
    const opts = { groups, k: 4, seed: 3, classifier: 'learn/logreg-l1', tune: { lambdaRatio: [0.05, 0.3, 0.9] } } as const;
    const a = crossValidate(X, y, opts);
    const b = crossValidate(X, y, opts);
    expect(a.oof).toEqual(b.oof);
    for (const fr of a.foldResults) {
      expect(fr.innerScores).toHaveLength(3);
      const best = Math.max(...fr.innerScores!.map((s) => s.auc));
      expect(fr.innerScores!.find((s) => s.params.lambdaRatio === fr.params.lambdaRatio)!.auc).toBe(best);
    }
  });

  it('reuses given folds exactly and runs every built-in classifier', () => {
    const { X, y, groups } = cohort(6, 12, 2);
    const folds = repeatedGroupedFolds(y, groups, { k: 3, repeats: 1, seed: 8 });
    for (const c of builtinClassifiers) {
      const params = c.id === 'learn/random-forest' ? { nTrees: 40 } : {};
      const r = crossValidate(X, y, { folds, classifier: c, params, seed: 1 });
      expect(r.folds[0]).toBe(folds[0]);
      expect(auc(y, r.oof[0]!)).toBeGreaterThan(0.7);
    }
  });
});

describe('classifier registry', () => {
  it('registers the built-ins under learn/* ids and resolves them', () => {
    const dispose = registerBuiltinClassifiers();
    try {
      expect(classifierRegistry().ids()).toEqual(
        expect.arrayContaining(['learn/logreg-l2', 'learn/logreg-l1', 'learn/svm-linear', 'learn/svm-rbf', 'learn/random-forest']),
      );
      expect(resolveClassifier('learn/svm-rbf').id).toBe('learn/svm-rbf');
    } finally {
      dispose();
    }
    expect(classifierRegistry().has('learn/logreg-l2')).toBe(false);
    // built-ins resolve without registration; unknown ids throw the registry's typed error
    expect(resolveClassifier('learn/logreg-l2').id).toBe('learn/logreg-l2');
    expect(() => resolveClassifier('acme/nothing')).toThrow(expect.objectContaining({ code: 'E_REGISTRY_UNKNOWN' }));
  });
});
