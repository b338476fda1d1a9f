import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectArraysClose, expectClose } from '@radcam/core/testing';
import { deletionCurve, insertionCurve, linearImpute, roadScores } from '../src/index.js';
import { pixelLinearTarget, useCpu } from './helpers.js';

beforeAll(useCpu);

describe('deletion / insertion (per-voxel linear model, exact attribution u∘x)', () => {
  // y = Σ x (u = 1) on 2×2 inputs; map = x; contributions sorted 4, 3, 2, 1
  const target = pixelLinearTarget(2, tf.ones([1, 2, 2, 1]));
  const x = tf.tensor(Float32Array.of(1, 2, 3, 4, 4, 3, 2, 1), [2, 2, 2, 1]);
  const maps = [
    { data: Float32Array.of(1, 2, 3, 4), size: [2, 2, 1] as [number, number, number] },
    { data: Float32Array.of(4, 3, 2, 1), size: [2, 2, 1] as [number, number, number] },
  ];

  it('deletion: 10, 6, 3, 1, 0 with AUC 3.75 (both samples, logit score)', () => {
    const r = deletionCurve(target, x, maps, { steps: 4, score: 'logit' });
    expectArraysClose(r.fractions, [0, 0.25, 0.5, 0.75, 1]);
    expectArraysClose(r.curves[0]!, [10, 6, 3, 1, 0], { rtol: 1e-6 });
    expectArraysClose(r.curves[1]!, [10, 6, 3, 1, 0], { rtol: 1e-6 });
    expectArraysClose(r.auc, [3.75, 3.75], { rtol: 1e-6 });
    expectClose(r.meanAuc, 3.75, { rtol: 1e-6 });
  });

  it('insertion: 0, 4, 7, 9, 10 with AUC 6.25; probability score is sigmoid(y)', () => {
    const r = insertionCurve(target, x, maps, { steps: 4, score: 'logit' });
    expectArraysClose(r.curves[0]!, [0, 4, 7, 9, 10], { rtol: 1e-6 });
    expectClose(r.auc[0]!, 6.25, { rtol: 1e-6 });
    const p = insertionCurve(target, x, maps, { steps: 4 });
    expectArraysClose(p.curves[0]!, [0, 4, 7, 9, 10].map((y) => 1 / (1 + Math.exp(-y))), { rtol: 1e-6 });
    const p0 = insertionCurve(target, x, maps, { steps: 4, classIndex: 0 });
    expectArraysClose(p0.curves[0]!, [0, 4, 7, 9, 10].map((y) => 1 / (1 + Math.exp(y))), { rtol: 1e-6 });
  });

  it('a mask restricts the perturbation (lesion-only deletion)', () => {
    const r = deletionCurve(target, x, maps, { steps: 2, score: 'logit', mask: [1, 1, 0, 0], batchSize: 2 });
    // sample 0: masked voxels hold 1 and 2 → delete 2 then 1
    expectArraysClose(r.curves[0]!, [10, 8, 7], { rtol: 1e-6 });
    // sample 1: masked voxels hold 4 and 3
    expectArraysClose(r.curves[1]!, [10, 6, 3], { rtol: 1e-6 });
  });
});

describe('linearImpute (ROAD noisy linear imputation)', () => {
  it('reproduces a linear function on a removed interior block (3D, harmonic)', () => {
    const n = 6;
    const f = (i: number, j: number, k: number) => i + 2 * j - 3 * k + 0.5;
    const data = new Float32Array(n ** 3);
    const removed = new Uint8Array(n ** 3);
    let p = 0;
    for (let k = 0; k < n; k++)
      for (let j = 0; j < n; j++)
        for (let i = 0; i < n; i++, p++) {
          data[p] = f(i, j, k);
          if (i >= 1 && i <= 4 && j >= 2 && j <= 4 && k >= 1 && k <= 3) {
            removed[p] = 1;
            data[p] = 999; // the removed value must not leak
          }
        }
    const out = linearImpute(data, [n, n, n], removed);
    p = 0;
    for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++, p++) expectClose(out[p]!, f(i, j, k), { atol: 1e-4 });
  });

  it('1D: a single removed voxel becomes the mean of its neighbours; a fully removed grid takes the kept mean', () => {
    expectArraysClose(linearImpute([0, 1, 7, 3, 4], [5, 1, 1], Uint8Array.of(0, 0, 1, 0, 0)), [0, 1, 2, 3, 4], { atol: 1e-6 });
    expectArraysClose(linearImpute([1, 2, 3], [3, 1, 1], Uint8Array.of(1, 1, 1)), [0, 0, 0]);
  });

  it('noise is seeded and scaled by the kept SD', () => {
    const d = [0, 2, 5, 0, 2];
    const rm = Uint8Array.of(0, 0, 1, 0, 0);
    const a = linearImpute(d, [5, 1, 1], rm, { noise: 0.1, seed: 3 });
    const b = linearImpute(d, [5, 1, 1], rm, { noise: 0.1, seed: 3 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a[2]).not.toBe(1);
    expect(Math.abs(a[2]! - 1)).toBeLessThan(0.1 * 1 * 6); // SD of kept {0,2,0,2} is 1
    expectArraysClose([a[0]!, a[1]!, a[3]!, a[4]!], [0, 2, 0, 2]);
  });
});

describe('ROAD', () => {
  it('MoRF removes the bright block (imputed from zeros), LeRF keeps it', () => {
    const d = new Float32Array(36);
    for (const [i, j] of [[2, 2], [3, 2], [2, 3], [3, 3]] as const) d[i + 6 * j] = 10;
    const x = tf.tensor(d, [1, 6, 6, 1]);
    const target = pixelLinearTarget(2, tf.ones([1, 6, 6, 1]));
    const r = roadScores(target, x, [{ data: d, size: [6, 6, 1] }], { fractions: [4 / 36], noise: 0, score: 'logit' });
    expectArraysClose(r.morf[0]!, [0], { atol: 1e-4 });
    expectArraysClose(r.lerf[0]!, [40], { rtol: 1e-6 });
    expectClose(r.meanGap, 40, { rtol: 1e-5 });
  });
});
