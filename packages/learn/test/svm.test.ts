import { describe, expect, it } from 'vitest';
import { expectClose } from '@radcam/core/testing';
import { auc, fitPlatt, fitSvm, predictSvm, svmDecision } from '../src/index.js';

describe('SVM (SMO)', () => {
  it('finds the analytic hard-margin solution of a separable toy set', () => {
    // Negatives (0,0); positives (2,0), (0,2). Maximum-margin hyperplane: x₁ + x₂ = 1 with
    // canonical scaling w = (1, 1), b = −1 (all three points are support vectors at |f| = 1).
    const X = [
      [0, 0],
      [2, 0],
      [0, 2],
    ];
    const m = fitSvm(X, [0, 1, 1], { kernel: 'linear', C: 1e6, tol: 1e-8, probability: false });
    expectClose(m.w![0]!, 1, { atol: 1e-6 });
    expectClose(m.w![1]!, 1, { atol: 1e-6 });
    expectClose(m.rho, 1, { atol: 1e-6 });
    const d = svmDecision(m, X);
    expectClose(d[0]!, -1, { atol: 1e-6 });
    expectClose(d[1]!, 1, { atol: 1e-6 });
  });

  it('RBF kernel separates XOR, which no linear classifier can', () => {
    const X: number[][] = [];
    const y: number[] = [];
    for (const [a, b] of [
      [0, 0],
      [1, 1],
      [0, 1],
      [1, 0],
    ]) {
      for (let k = 0; k < 5; k++) {
        X.push([a! + 0.05 * Math.sin(7 * k + a!), b! + 0.05 * Math.cos(5 * k + b!)]);
        y.push(a === b ? 0 : 1);
      }
    }
    const m = fitSvm(X, y, { kernel: 'rbf', C: 100, gamma: 2, probability: false });
    const d = svmDecision(m, X);
    y.forEach((v, i) => expect(d[i]! > 0).toBe(v === 1));
    const lin = fitSvm(X, y, { kernel: 'linear', C: 100, probability: false });
    const dl = svmDecision(lin, X);
    expect(y.every((v, i) => dl[i]! > 0 === (v === 1))).toBe(false);
  });

  it('Platt probabilities are monotone in the decision value and seeded', () => {
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t = (i % 20) / 20;
      X.push([t + (i < 20 ? 0 : 0.3), Math.sin(i)]);
      y.push(i < 20 ? 0 : 1);
    }
    const a = fitSvm(X, y, { kernel: 'linear', C: 1, seed: 4 });
    const b = fitSvm(X, y, { kernel: 'linear', C: 1, seed: 4 });
    expect(a).toEqual(b);
    expect(a.plattA!).toBeLessThan(0);
    const p = predictSvm(a, X);
    const d = svmDecision(a, X);
    expectClose(auc(y, p), auc(y, d), { rtol: 1e-12 });
  });

  it('fitPlatt recovers a known sigmoid from large calibrated samples', () => {
    // Decision values f on a grid; labels drawn deterministically with P = 1/(1+exp(−2f)) by
    // quota per value, so the MLE is A ≈ −2, B ≈ 0.
    const f: number[] = [];
    const y: number[] = [];
    for (let v = -2; v <= 2.0001; v += 0.25) {
      const p = 1 / (1 + Math.exp(-2 * v));
      const pos = Math.round(400 * p);
      for (let i = 0; i < 400; i++) (f.push(v), y.push(i < pos ? 1 : 0));
    }
    const { A, B } = fitPlatt(f, y);
    expectClose(A, -2, { atol: 0.03 });
    expectClose(B, 0, { atol: 0.03 });
  });
});
