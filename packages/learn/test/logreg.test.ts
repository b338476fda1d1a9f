import { describe, expect, it } from 'vitest';
import { createRng } from '@radcam/core';
import { expectClose } from '@radcam/core/testing';
import { fitLogisticL1, fitLogisticL2, lambdaMaxL1, predictLogistic, sigmoid, type DenseMatrix } from '../src/index.js';

/**
 * Montgomery & Runger, "Applied Statistics and Probability for Engineers" (3rd ed., Wiley 2003),
 * supplemental section S11-9: launch temperature (°F) and O-ring failure (≥ 1 failure) for the 24
 * shuttle launches before Challenger. Minitab output quoted there:
 *   Constant 10.875 (SE 5.703), Temperature −0.17132 (SE 0.08344), Log-Likelihood = −11.515.
 */
const TEMP = [53, 56, 57, 63, 66, 67, 67, 67, 68, 69, 70, 70, 70, 70, 72, 73, 75, 75, 76, 76, 78, 79, 80, 81];
const FAIL = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];

function randomData(n: number, p: number, seed: number): { X: DenseMatrix; y: Uint8Array } {
  const rng = createRng(seed);
  const data = new Float64Array(n * p);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) data[i * p + j] = rng.normal();
    y[i] = data[i * p]! + 0.5 * data[i * p + 1]! + 0.8 * rng.normal() > 0 ? 1 : 0;
  }
  return { X: { data, rows: n, cols: p }, y };
}

/** Gradient of Σℓ w.r.t. (b, β) at the fitted model: r = μ − y. */
function residuals(X: DenseMatrix, y: Uint8Array, m: { intercept: number; coef: Float64Array }): Float64Array {
  const r = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    let e = m.intercept;
    for (let j = 0; j < X.cols; j++) e += X.data[i * X.cols + j]! * m.coef[j]!;
    r[i] = sigmoid(e) - y[i]!;
  }
  return r;
}

describe('L2 logistic regression', () => {
  it('reproduces the textbook maximum-likelihood fit (Challenger O-rings, Montgomery & Runger)', () => {
    const m = fitLogisticL2(TEMP.map((t) => [t]), FAIL, { lambda: 0 });
    expect(m.converged).toBe(true);
    expectClose(m.intercept, 10.875, { atol: 5e-4 });
    expectClose(m.coef[0]!, -0.17132, { atol: 5e-6 });
    expectClose(m.stdErrors![0]!, 5.703, { atol: 5e-4 });
    expectClose(m.stdErrors![1]!, 0.08344, { atol: 5e-6 });
    expectClose(m.logLikelihood, -11.515, { atol: 5e-4 });
  });

  it('2×2 table: slope = log odds ratio, intercept = log odds of the reference group (closed form)', () => {
    // x = 0: 10 events / 20 non-events; x = 1: 30 events / 15 non-events.
    // MLE: b = log(10/20), β = log((30·20)/(10·15)) = log 4; Woolf SE(β) = √(1/10+1/20+1/30+1/15) = 0.5.
    const X: number[][] = [];
    const y: number[] = [];
    const add = (x: number, v: number, c: number): void => {
      for (let i = 0; i < c; i++) (X.push([x]), y.push(v));
    };
    add(0, 1, 10);
    add(0, 0, 20);
    add(1, 1, 30);
    add(1, 0, 15);
    const m = fitLogisticL2(X, y, { lambda: 0 });
    expectClose(m.intercept, Math.log(0.5), { rtol: 1e-9 });
    expectClose(m.coef[0]!, Math.log(4), { rtol: 1e-9 });
    expectClose(m.stdErrors![1]!, 0.5, { rtol: 1e-8 });
  });

  it('satisfies the ridge optimality conditions in the primal (n > p) and dual (p ≥ n) solvers', () => {
    for (const [n, p] of [
      [80, 10],
      [30, 200],
    ] as const) {
      const { X, y } = randomData(n, p, n + p);
      const lambda = 2.5;
      const m = fitLogisticL2(X, y, { lambda });
      expect(m.converged).toBe(true);
      const r = residuals(X, y, m);
      // ∂/∂b: Σ rᵢ = 0 ; ∂/∂βⱼ: Σ rᵢ xᵢⱼ + λβⱼ = 0
      expectClose(r.reduce((a, b) => a + b, 0), 0, { atol: 1e-6 });
      for (let j = 0; j < p; j++) {
        let g = lambda * m.coef[j]!;
        for (let i = 0; i < n; i++) g += r[i]! * X.data[i * p + j]!;
        expectClose(g, 0, { atol: 1e-6, label: `grad ${j} (n=${n}, p=${p})` });
      }
    }
  });

  it('predicts probabilities in (0,1) and is deterministic', () => {
    const { X, y } = randomData(40, 5, 1);
    const a = predictLogistic(fitLogisticL2(X, y), X);
    const b = predictLogistic(fitLogisticL2(X, y), X);
    expect(a).toEqual(b);
    for (const v of a) expect(v > 0 && v < 1).toBe(true);
  });
});

describe('L1 logistic regression', () => {
  it('λ ≥ λmax gives all-zero coefficients and the intercept logit(ȳ)', () => {
    const { X, y } = randomData(50, 20, 5);
    const lmax = lambdaMaxL1(X, y);
    const m = fitLogisticL1(X, y, { lambda: lmax * 1.0001 });
    expect(Array.from(m.coef).every((v) => v === 0)).toBe(true);
    const ybar = y.reduce((a, b) => a + b, 0) / y.length;
    expectClose(m.intercept, Math.log(ybar / (1 - ybar)), { atol: 1e-6 });
  });

  it('satisfies the LASSO KKT conditions and is sparse', () => {
    const { X, y } = randomData(60, 100, 9);
    const lambda = 0.25 * lambdaMaxL1(X, y);
    const m = fitLogisticL1(X, y, { lambda, tol: 1e-9, maxIter: 20000 });
    expect(m.converged).toBe(true);
    const r = residuals(X, y, m);
    expectClose(r.reduce((a, b) => a + b, 0), 0, { atol: 1e-5 });
    let nz = 0;
    for (let j = 0; j < X.cols; j++) {
      let g = 0;
      for (let i = 0; i < X.rows; i++) g += r[i]! * X.data[i * X.cols + j]!;
      const b = m.coef[j]!;
      if (b !== 0) {
        nz++;
        expectClose(g, -lambda * Math.sign(b), { atol: 1e-4, label: `active ${j}` });
      } else {
        expect(Math.abs(g)).toBeLessThanOrEqual(lambda * (1 + 1e-6));
      }
    }
    expect(nz).toBeGreaterThan(0);
    expect(nz).toBeLessThan(30);
    // the informative features 0 and 1 are selected
    expect(m.coef[0]).not.toBe(0);
  });
});
