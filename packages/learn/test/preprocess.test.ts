import { describe, expect, it } from 'vitest';
import { createRng } from '@radcam/core';
import { expectArraysClose } from '@radcam/core/testing';
import { applyPipeline, fitPipeline, mrmrSelect, lassoSelect, univariateAuc, type DenseMatrix } from '../src/index.js';

describe('fold-local preprocessing', () => {
  it('z-scoring uses training statistics only', () => {
    // Train column: [1, 2, 3] → mean 2, SD 1. Test value 5 → (5 − 2)/1 = 3 (not re-centred).
    const fp = fitPipeline([{ type: 'zscore' }], [[1], [2], [3]], [0, 1, 0]);
    expectArraysClose(applyPipeline(fp, [[5], [2]]).data, [3, 0]);
    expectArraysClose(applyPipeline(fp, [[1], [3]]).data, [-1, 1]);
  });

  it('drops constant and highly correlated features, keeping the more relevant of a pair', () => {
    // col0: informative; col1: constant; col2 = 2·col0 + 1 (|r| = 1, less relevant by tie → the
    // earlier, more relevant col0 is kept); col3: weakly informative, uncorrelated enough.
    const X = [
      [1, 7, 3, 0.3],
      [2, 7, 5, -0.2],
      [3, 7, 7, 0.1],
      [4, 7, 9, 0.5],
      [5, 7, 11, -0.4],
      [6, 7, 13, 0.2],
    ];
    const y = [0, 0, 0, 1, 1, 1];
    const fp = fitPipeline([{ type: 'dropConstant' }, { type: 'dropCorrelated', threshold: 0.9 }], X, y, {
      featureNames: ['a', 'const', 'a2', 'b'],
    });
    expect(Array.from(fp.columns)).toEqual([0, 3]);
    expect(fp.featureNames).toEqual(['a', 'b']);
  });

  it('univariate selection keeps the k most separating features; composition maps back to input columns', () => {
    const X: number[][] = [];
    const y: number[] = [];
    const rng = createRng(1);
    for (let i = 0; i < 40; i++) {
      const c = i % 2;
      X.push([rng.normal(), rng.normal() + 3 * c, rng.normal(), rng.normal() - 2 * c, rng.normal()]);
      y.push(c);
    }
    const fp = fitPipeline([{ type: 'zscore' }, { type: 'selectUnivariate', k: 2 }], X, y);
    expect(Array.from(fp.columns)).toEqual([1, 3]);
    const t = fitPipeline([{ type: 'selectUnivariate', k: 2, method: 'ttest' }, { type: 'zscore' }], X, y);
    expect(Array.from(t.columns)).toEqual([1, 3]);
    // Both orders give z-scores of the same columns.
    expectArraysClose(applyPipeline(fp, X).data, applyPipeline(t, X).data, { rtol: 1e-10, atol: 1e-12 });
  });

  it('mRMR skips a redundant copy that plain univariate ranking would keep', () => {
    const rng = createRng(2);
    const n = 60;
    const d = new Float64Array(n * 4);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % 2;
      y[i] = c;
      const a = rng.normal() + 2 * c;
      d[i * 4] = a;
      d[i * 4 + 1] = a + 0.01 * rng.normal(); // near-duplicate of col 0
      d[i * 4 + 2] = rng.normal() + 1.2 * c; // independent, less relevant
      d[i * 4 + 3] = rng.normal();
    }
    const X: DenseMatrix = { data: d, rows: n, cols: 4 };
    const rel = univariateAuc(X, y);
    expect(Math.abs(rel[1]! - 0.5)).toBeGreaterThan(Math.abs(rel[2]! - 0.5));
    const sel = mrmrSelect(X, y, 2);
    expect(sel).toContain(2);
    expect(sel.includes(0) !== sel.includes(1)).toBe(true);
  });

  it('LASSO selection returns k informative columns', () => {
    const rng = createRng(3);
    const n = 80;
    const p = 30;
    const d = new Float64Array(n * p);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < p; j++) d[i * p + j] = rng.normal();
      y[i] = 2 * d[i * p + 5]! - 2 * d[i * p + 17]! + 0.5 * rng.normal() > 0 ? 1 : 0;
    }
    expect(lassoSelect({ data: d, rows: n, cols: p }, y, 2)).toEqual([5, 17]);
  });

  it('rejects a test matrix with the wrong number of columns', () => {
    const fp = fitPipeline([{ type: 'zscore' }], [[1, 2], [2, 3], [3, 5]], [0, 1, 1]);
    expect(() => applyPipeline(fp, [[1]])).toThrow(expect.objectContaining({ code: 'E_DATA_SIZE_MISMATCH' }));
  });
});
