/** Finite-difference gradient checking helpers for the tests (central differences, float32). */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@radcam/core';

/** Seeded N(0,1) tensor. */
export function randn(shape: number[], seed: number, scale = 1): tf.Tensor {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal() * scale;
  return tf.tensor(v, shape, 'float32');
}

/**
 * Relative error ‖analytic − numeric‖₂ / ‖numeric‖₂ of the gradient of scalar `f` at `x`,
 * numeric by central differences on every element (or `maxElements` seeded picks).
 */
export function gradRelError(
  f: (x: tf.Tensor) => tf.Scalar,
  x: tf.Tensor,
  options: { eps?: number; maxElements?: number; seed?: number } = {},
): { rel: number; norm: number; checked: number } {
  const eps = options.eps ?? 1e-2;
  const analytic = tf.tidy(() => tf.grad(f)(x).dataSync().slice()) as Float32Array;
  const base = x.dataSync().slice() as Float32Array;
  const n = base.length;
  let idx = [...Array(n).keys()];
  if (options.maxElements !== undefined && options.maxElements < n) {
    createRng(options.seed ?? 1).shuffle(idx);
    idx = idx.slice(0, options.maxElements);
  }
  const fAt = (v: Float32Array) => tf.tidy(() => f(tf.tensor(v, x.shape, 'float32')).dataSync()[0]!);
  let num2 = 0;
  let diff2 = 0;
  const probe = Float32Array.from(base);
  for (const i of idx) {
    probe[i] = base[i]! + eps;
    const fp = fAt(probe);
    probe[i] = base[i]! - eps;
    const fm = fAt(probe);
    probe[i] = base[i]!;
    const numeric = (fp - fm) / (2 * eps);
    num2 += numeric * numeric;
    diff2 += (numeric - analytic[i]!) ** 2;
  }
  return { rel: Math.sqrt(diff2) / Math.max(Math.sqrt(num2), 1e-12), norm: Math.sqrt(num2), checked: idx.length };
}

/** Relative L2 error ‖a − b‖ / ‖b‖ (b is the reference). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i]! - b[i]!) ** 2;
    n += b[i]! ** 2;
  }
  return Math.sqrt(d) / Math.max(Math.sqrt(n), 1e-12);
}
