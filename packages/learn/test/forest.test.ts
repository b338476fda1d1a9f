import { describe, expect, it } from 'vitest';
import { createRng } from '@radcam/core';
import { auc, fitForest, predictForest, type DenseMatrix } from '../src/index.js';

function data(n: number, p: number, seed: number): { X: DenseMatrix; y: Uint8Array } {
  const rng = createRng(seed);
  const d = new Float64Array(n * p);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) d[i * p + j] = rng.normal();
    y[i] = d[i * p + 3]! > 0.2 ? 1 : 0;
  }
  return { X: { data: d, rows: n, cols: p }, y };
}

describe('random forest', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const { X, y } = data(60, 10, 1);
    const a = predictForest(fitForest(X, y, { nTrees: 30, seed: 5 }), X);
    const b = predictForest(fitForest(X, y, { nTrees: 30, seed: 5 }), X);
    const c = predictForest(fitForest(X, y, { nTrees: 30, seed: 6 }), X);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('learns a threshold rule on held-out data and ranks the informative feature first', () => {
    const tr = data(120, 10, 2);
    const te = data(80, 10, 3);
    const m = fitForest(tr.X, tr.y, { nTrees: 100, seed: 1 });
    expect(auc(te.y, predictForest(m, te.X))).toBeGreaterThan(0.95);
    const imp = Array.from(m.importance);
    expect(imp.indexOf(Math.max(...imp))).toBe(3);
    let s = 0;
    for (const v of imp) s += v;
    expect(s).toBeCloseTo(1, 12);
  });

  it('probabilities are in [0, 1]; a pure training set leaf gives 0/1 on a separable set', () => {
    const X = [[0], [1], [2], [10], [11], [12]];
    const y = [0, 0, 0, 1, 1, 1];
    const m = fitForest(X, y, { nTrees: 50, seed: 0, mtry: 1 });
    const p = predictForest(m, [[-5], [20]]);
    // Every bootstrap sample holding both classes splits between 2 and 10; a one-class sample
    // (probability 2·(1/2)⁶ ≈ 3 %) predicts its class everywhere.
    expect(p[0]!).toBeLessThan(0.2);
    expect(p[1]!).toBeGreaterThan(0.8);
  });
});
