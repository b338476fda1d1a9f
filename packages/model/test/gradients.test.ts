import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { GRADIENT_SPECS, bceWithLogits, focalWithLogits, globalAveragePool, groupNorm, meanSquaredError, registerGradients, upsampleNearest } from '../src/index.js';
import { gradRelError, randn } from './gradcheck.js';

registerGradients();
const TOL = 1e-3;

function expectClose(a: tf.Tensor, b: tf.Tensor): void {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - y[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(y[i]!)));
}

type Case = {
  name: string;
  kernel?: string;
  shapes: number[][];
  /** 'pos' → values in [0.5, 2.5]; 'away' → |x| ≥ 0.2 (no kink within eps). */
  domain?: ('any' | 'pos' | 'away')[];
  f: (xs: tf.Tensor[]) => tf.Tensor;
};

function input(shape: number[], seed: number, domain: 'any' | 'pos' | 'away'): tf.Tensor {
  const t = randn(shape, seed);
  if (domain === 'any') return t;
  const v = t.dataSync() as Float32Array;
  const out = Float32Array.from(v, (a) => (domain === 'pos' ? 0.5 + Math.min(2, Math.abs(a)) : Math.sign(a || 1) * (0.2 + Math.abs(a))));
  return tf.tensor(out, shape);
}

const conv2 = (stride: number, pad: 'same' | 'valid') => (xs: tf.Tensor[]) => tf.conv2d(xs[0] as tf.Tensor4D, xs[1] as tf.Tensor4D, stride, pad);
const conv3 = (stride: number, pad: 'same' | 'valid') => (xs: tf.Tensor[]) =>
  tf.conv3d(xs[0] as tf.Tensor5D, xs[1] as tf.Tensor5D, stride as 1, pad);

const cases: Case[] = [
  { name: 'add (broadcast bias)', kernel: 'Add', shapes: [[2, 3, 4], [4]], f: ([a, b]) => tf.add(a!, b!) },
  { name: 'addN', kernel: 'AddN', shapes: [[3, 4], [3, 4], [3, 4]], f: (xs) => tf.addN(xs) },
  { name: 'sub (broadcast)', kernel: 'Sub', shapes: [[2, 3, 4], [3, 1]], f: ([a, b]) => tf.sub(a!, b!) },
  { name: 'mul (broadcast)', kernel: 'Multiply', shapes: [[2, 3, 4], [1, 3, 4]], f: ([a, b]) => tf.mul(a!, b!) },
  { name: 'div', kernel: 'RealDiv', shapes: [[3, 4], [4]], domain: ['any', 'pos'], f: ([a, b]) => tf.div(a!, b!) },
  { name: 'squaredDifference', kernel: 'SquaredDifference', shapes: [[2, 5], [5]], f: ([a, b]) => tf.squaredDifference(a!, b!) },
  { name: 'neg', kernel: 'Neg', shapes: [[7]], f: ([a]) => tf.neg(a!) },
  { name: 'square', kernel: 'Square', shapes: [[7]], f: ([a]) => tf.square(a!) },
  { name: 'sqrt', kernel: 'Sqrt', shapes: [[7]], domain: ['pos'], f: ([a]) => tf.sqrt(a!) },
  { name: 'rsqrt', kernel: 'Rsqrt', shapes: [[7]], domain: ['pos'], f: ([a]) => tf.rsqrt(a!) },
  { name: 'exp', kernel: 'Exp', shapes: [[7]], f: ([a]) => tf.exp(a!) },
  { name: 'log', kernel: 'Log', shapes: [[7]], domain: ['pos'], f: ([a]) => tf.log(a!) },
  { name: 'log1p', kernel: 'Log1p', shapes: [[7]], domain: ['pos'], f: ([a]) => tf.log1p(a!) },
  { name: 'abs', kernel: 'Abs', shapes: [[9]], domain: ['away'], f: ([a]) => tf.abs(a!) },
  { name: 'relu', kernel: 'Relu', shapes: [[9]], domain: ['away'], f: ([a]) => tf.relu(a!) },
  { name: 'leakyRelu', kernel: 'LeakyRelu', shapes: [[9]], domain: ['away'], f: ([a]) => tf.leakyRelu(a!, 0.1) },
  { name: 'sigmoid', kernel: 'Sigmoid', shapes: [[9]], f: ([a]) => tf.sigmoid(a!) },
  { name: 'tanh', kernel: 'Tanh', shapes: [[9]], f: ([a]) => tf.tanh(a!) },
  { name: 'clipByValue', kernel: 'ClipByValue', shapes: [[9]], domain: ['pos'], f: ([a]) => tf.clipByValue(a!, 1.03, 1.97) },
  { name: 'sum (axes 0, 2)', kernel: 'Sum', shapes: [[2, 3, 4]], f: ([a]) => tf.sum(a!, [0, 2]) },
  { name: 'mean (keepDims)', kernel: 'Mean', shapes: [[2, 3, 4]], f: ([a]) => tf.mean(a!, [1, 2], true) },
  { name: 'reshape', kernel: 'Reshape', shapes: [[2, 6]], f: ([a]) => tf.reshape(a!, [3, 4]) },
  { name: 'expandDims', kernel: 'ExpandDims', shapes: [[2, 3]], f: ([a]) => tf.expandDims(a!, 1) },
  { name: 'transpose', kernel: 'Transpose', shapes: [[2, 3, 4]], f: ([a]) => tf.transpose(a!, [2, 0, 1]) },
  { name: 'identity (clone)', kernel: 'Identity', shapes: [[5]], f: ([a]) => tf.clone(a!) },
  { name: 'broadcastTo', kernel: 'BroadcastTo', shapes: [[3, 1]], f: ([a]) => tf.broadcastTo(a!, [2, 3, 4]) },
  { name: 'tile (rank 5)', kernel: 'Tile', shapes: [[1, 2, 2, 1, 2]], f: ([a]) => tf.tile(a!, [2, 1, 3, 2, 1]) },
  { name: 'matMul', kernel: 'BatchMatMul', shapes: [[3, 4], [4, 2]], f: ([a, b]) => tf.matMul(a! as tf.Tensor2D, b! as tf.Tensor2D) },
  { name: 'matMul Aᵀ', kernel: 'BatchMatMul', shapes: [[4, 3], [4, 2]], f: ([a, b]) => tf.matMul(a! as tf.Tensor2D, b! as tf.Tensor2D, true, false) },
  { name: 'matMul Bᵀ', kernel: 'BatchMatMul', shapes: [[3, 4], [2, 4]], f: ([a, b]) => tf.matMul(a! as tf.Tensor2D, b! as tf.Tensor2D, false, true) },
  { name: 'matMul AᵀBᵀ', kernel: 'BatchMatMul', shapes: [[4, 3], [2, 4]], f: ([a, b]) => tf.matMul(a! as tf.Tensor2D, b! as tf.Tensor2D, true, true) },
  { name: 'conv2d same s1', kernel: 'Conv2D', shapes: [[2, 5, 6, 2], [3, 3, 2, 3]], f: conv2(1, 'same') },
  { name: 'conv2d same s2', kernel: 'Conv2D', shapes: [[1, 6, 6, 2], [3, 3, 2, 2]], f: conv2(2, 'same') },
  { name: 'conv2d valid s2', kernel: 'Conv2D', shapes: [[1, 7, 5, 1], [3, 3, 1, 2]], f: conv2(2, 'valid') },
  { name: 'conv3d same s1', kernel: 'Conv3D', shapes: [[2, 4, 3, 4, 2], [3, 3, 3, 2, 2]], f: conv3(1, 'same') },
  { name: 'conv3d same s2', kernel: 'Conv3D', shapes: [[1, 4, 4, 4, 2], [3, 3, 3, 2, 3]], f: conv3(2, 'same') },
  { name: 'conv3d valid s1', kernel: 'Conv3D', shapes: [[1, 5, 4, 4, 1], [3, 3, 3, 1, 2]], f: conv3(1, 'valid') },
  {
    name: 'conv2dTranspose same s2',
    kernel: 'Conv2DBackpropInput',
    shapes: [[1, 3, 2, 3], [3, 3, 2, 3]],
    f: ([a, w]) => tf.conv2dTranspose(a! as tf.Tensor4D, w! as tf.Tensor4D, [1, 6, 4, 2], 2, 'same'),
  },
  {
    name: 'conv3dTranspose same s2',
    kernel: 'Conv3DBackpropInputV2',
    shapes: [[1, 2, 3, 2, 3], [3, 3, 3, 2, 3]],
    f: ([a, w]) => tf.conv3dTranspose(a! as tf.Tensor5D, w! as tf.Tensor5D, [1, 4, 6, 4, 2], 2, 'same'),
  },
  { name: 'upsampleNearest 2D ×2', shapes: [[2, 3, 2, 3]], f: ([a]) => upsampleNearest(a!, 2) },
  { name: 'upsampleNearest 3D ×2', shapes: [[2, 2, 3, 2, 3]], f: ([a]) => upsampleNearest(a!, 2) },
  { name: 'upsampleNearest 3D ×3', shapes: [[1, 2, 2, 2, 1]], f: ([a]) => upsampleNearest(a!, 3) },
  { name: 'groupNorm 3D (x, γ, β)', shapes: [[2, 2, 3, 2, 4], [4], [4]], f: ([x, g, b]) => groupNorm(x!, g!, b!, 2) },
  { name: 'groupNorm 2D, 1 group', shapes: [[2, 3, 3, 4], [4], [4]], f: ([x, g, b]) => groupNorm(x!, g!, b!, 1) },
  { name: 'groupNorm 2D, instance', shapes: [[1, 3, 4, 3], [3], [3]], f: ([x, g, b]) => groupNorm(x!, g!, b!, 3) },
  { name: 'globalAveragePool 3D', shapes: [[2, 2, 3, 2, 3]], f: ([x]) => globalAveragePool(x!) },
  { name: 'meanSquaredError', shapes: [[2, 3, 4], [2, 3, 4]], f: ([a, b]) => meanSquaredError(a!, b!) },
];

describe('registered gradients match central finite differences (rel. error ≤ 1e-3)', () => {
  it('every registered kernel has a case', () => {
    const covered = new Set(cases.map((c) => c.kernel));
    const missing = GRADIENT_SPECS.map((s) => s.kernelName).filter((k) => k !== 'Cast' && !covered.has(k));
    expect(missing).toEqual([]);
  });
  for (const c of cases) {
    it(c.name, () => {
      const xs = c.shapes.map((s, i) => input(s, 17 + 31 * i + c.name.length, c.domain?.[i] ?? 'any'));
      const outShape = tf.tidy(() => c.f(xs).shape);
      const R = randn(outShape, 99);
      for (let i = 0; i < xs.length; i++) {
        const f = (x: tf.Tensor) => tf.sum(tf.mul(c.f(xs.map((t, j) => (j === i ? x : t))), R)) as tf.Scalar;
        const { rel, norm } = gradRelError(f, xs[i]!, { eps: 1e-2 });
        expect(norm).toBeGreaterThan(0);
        expect(rel, `${c.name} input ${i}`).toBeLessThan(TOL);
      }
    });
  }
  it('upsampleNearest equals the analytic nearest-neighbour copy', () => {
    // [1, 2, 2, 1] → [1, 4, 4, 1]: each value fills its 2×2 block.
    const y = upsampleNearest(tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]), 2);
    expect(Array.from(y.dataSync())).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    // 3D: [1, 1, 1, 2, 1] → depth, height and width doubled
    const z = upsampleNearest(tf.tensor5d([5, 7], [1, 1, 1, 2, 1]), 2);
    expect(z.shape).toEqual([1, 2, 2, 4, 1]);
    expect(Array.from(z.dataSync())).toEqual([5, 5, 7, 7, 5, 5, 7, 7, 5, 5, 7, 7, 5, 5, 7, 7]);
  });
  it('fused GroupNorm / GAP / MSE forward equal the same formulas written with tfjs ops', () => {
    const x = randn([2, 3, 2, 2, 4], 3);
    const g = randn([4], 4);
    const b = randn([4], 5);
    // reference: reshape to [N, P, G, C/G], moments over axes 1 and 3
    const ref = tf.tidy(() => {
      const xr = tf.reshape(x, [2, 12, 2, 2]);
      const { mean, variance } = tf.moments(xr, [1, 3], true);
      const xn = tf.reshape(tf.div(tf.sub(xr, mean), tf.sqrt(tf.add(variance, 1e-5))), x.shape);
      return tf.add(tf.mul(xn, g), b);
    });
    expectClose(groupNorm(x, g, b, 2), ref);
    expectClose(globalAveragePool(x), tf.mean(x, [1, 2, 3]));
    const y = randn([2, 3, 2, 2, 4], 6);
    expectClose(meanSquaredError(x, y), tf.mean(tf.squaredDifference(x, y)));
  });
  it('focalWithLogits: value is the textbook focal loss, γ = 0 is BCE, gradient matches finite differences', () => {
    const zs = [-1.5, 0.3, 2.0, -0.2];
    const z = tf.tensor1d(zs);
    const y = Float32Array.of(0, 1, 1, 0);
    const w = Float32Array.of(1, 2, 2, 1);
    for (const gamma of [0, 0.5, 2]) {
      // −Σ w (1 − p_t)^γ log p_t / Σw with p_t = p (y = 1) or 1 − p (y = 0), p = 1/(1 + e^−z)
      let expected = 0;
      zs.forEach((v, i) => {
        const p = 1 / (1 + Math.exp(-v));
        const pt = y[i] === 1 ? p : 1 - p;
        expected += -w[i]! * (1 - pt) ** gamma * Math.log(pt);
      });
      expected /= 6;
      expect(focalWithLogits(z, y, w, gamma).dataSync()[0]).toBeCloseTo(expected, 5);
      const { rel } = gradRelError((x) => focalWithLogits(x, y, w, gamma), z, { eps: 1e-2 });
      expect(rel, `γ = ${gamma}`).toBeLessThan(TOL);
    }
    expect(focalWithLogits(z, y, w, 0).dataSync()[0]).toBeCloseTo(bceWithLogits(z, y, w).dataSync()[0]!, 6);
    expect(() => focalWithLogits(z, y, w, -1)).toThrow(/gamma/);
  });
  it('bceWithLogits: value is the textbook BCE and its gradient matches finite differences', () => {
    const z = tf.tensor1d([-1.5, 0.3, 2.0, -0.2]);
    const y = Float32Array.of(0, 1, 1, 0);
    const w = Float32Array.of(1, 2, 2, 1);
    const p = [-1.5, 0.3, 2.0, -0.2].map((v) => 1 / (1 + Math.exp(-v)));
    let expected = 0;
    p.forEach((pi, i) => (expected += -w[i]! * (y[i]! * Math.log(pi) + (1 - y[i]!) * Math.log(1 - pi))));
    expected /= 6;
    expect(bceWithLogits(z, y, w).dataSync()[0]).toBeCloseTo(expected, 5);
    const { rel } = gradRelError((x) => bceWithLogits(x, y, w), z, { eps: 1e-2 });
    expect(rel).toBeLessThan(TOL);
  });
});
