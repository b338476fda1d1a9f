import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { convTransposeSame, denseLayer, meanSquaredError, registerGradients, setConvImplementation, wasmConvAvailable } from '../src/index.js';
import { gradRelError, randn, relErr } from './gradcheck.js';

registerGradients();
const prev = setConvImplementation('auto');
afterAll(() => {
  setConvImplementation(prev);
});
const impls: ('js' | 'wasm' | 'tfjs')[] = ['js', 'tfjs', ...(wasmConvAvailable() ? (['wasm'] as const) : [])];

describe('denseLayer', () => {
  for (const impl of impls) {
    it(`${impl}: value and gradients equal tf.matMul + bias (the tfjs reference ops)`, () => {
      setConvImplementation(impl);
      for (const [N, F, L] of [[3, 7, 5], [8, 64, 4], [2, 4, 33]] as const) {
        const x = randn([N, F], N + F);
        const w = randn([F, L], L);
        const b = randn([L], 3);
        const ref = (a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) => tf.add(tf.matMul(a as tf.Tensor2D, k as tf.Tensor2D), c);
        expect(relErr(denseLayer(x, w, b).dataSync(), ref(x, w, b).dataSync())).toBeLessThan(1e-6);
        const R = randn([N, L], 5);
        const loss = (f: typeof ref) => (a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a, k, c), R)) as tf.Scalar;
        const gRef = tf.grads(loss(ref))([x, w, b]);
        const gMine = tf.grads(loss((a, k, c) => denseLayer(a, k, c)))([x, w, b]);
        for (let i = 0; i < 3; i++) expect(relErr(gMine[i]!.dataSync(), gRef[i]!.dataSync()), `grad ${i}`).toBeLessThan(1e-5);
      }
      setConvImplementation('auto');
    });
  }
  it('gradients match central finite differences; bad shapes are RadcamErrors', () => {
    const x = randn([2, 6], 1);
    const w = randn([6, 3], 2);
    const R = randn([2, 3], 3);
    expect(gradRelError((t) => tf.sum(tf.mul(denseLayer(t, w), R)) as tf.Scalar, x).rel).toBeLessThan(1e-3);
    expect(gradRelError((t) => tf.sum(tf.mul(denseLayer(x, t), R)) as tf.Scalar, w).rel).toBeLessThan(1e-3);
    expect(() => denseLayer(x, randn([5, 3], 1))).toThrow(/kernel \[F, L\]/);
  });
});

describe('bias gradients and the constant-target MSE', () => {
  for (const impl of impls) {
    it(`${impl}: the bias gradient of a convolution is the per-channel sum of dy (analytic: Σ of R over positions)`, () => {
      setConvImplementation(impl);
      for (const C of [1, 3, 8]) {
        const x = randn([2, 3, 2, 3, 4], C);
        const w = randn([3, 3, 3, C, 4], 2);
        const b = randn([C], 3);
        const outShape = [2, 6, 4, 6, C];
        const R = randn(outShape, 4);
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(convTransposeSame(x, w, 2, t), R)))(b).dataSync();
        const r = R.dataSync();
        for (let c = 0; c < C; c++) {
          let s = 0;
          for (let i = c; i < r.length; i += C) s += r[i]!;
          expect(Math.abs(g[c]! - s)).toBeLessThan(1e-4 * Math.max(1, Math.abs(s)));
        }
      }
      setConvImplementation('auto');
    });
  }
  it('meanSquaredError with constantTarget: same value, gradient 2(a − b)/n for a only', () => {
    const a = tf.tensor1d([1, 2, 3, 4]);
    const b = tf.tensor1d([0, 2, 5, 1]);
    expect(meanSquaredError(a, b, { constantTarget: true }).dataSync()[0]).toBeCloseTo((1 + 0 + 4 + 9) / 4, 6);
    const g = tf.grad((t: tf.Tensor) => meanSquaredError(t, b, { constantTarget: true }))(a).dataSync();
    expect(Array.from(g)).toEqual([0.5, 0, -1, 1.5]);
  });
});

describe('ReLU kernel override', () => {
  it('equals Math.max(0, x) element for element, NaN kept', () => {
    const v = [-2, -0.5, -0, 0, 0.25, 3, Number.NaN, -Infinity, Infinity];
    const data = Float32Array.from({ length: 37 }, (_, i) => v[i % v.length]! * (1 + i / 100));
    const y = tf.relu(tf.tensor1d(data)).dataSync();
    data.forEach((x, i) => {
      const e = Math.max(0, x);
      if (Number.isNaN(e)) expect(Number.isNaN(y[i]!)).toBe(true);
      else expect(y[i]).toBe(Math.fround(e) === 0 ? 0 : Math.fround(e));
    });
  });
});
