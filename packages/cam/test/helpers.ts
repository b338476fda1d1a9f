/**
 * Test fixtures: tiny CamTargets built from plain tfjs ops with fixed weights, so that gradients
 * and maps have closed forms. The cpu backend is a dependency of @radcam/model, loaded from there.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import type { CamTarget } from '../src/index.js';

createRequire(new URL('../../model/package.json', import.meta.url))('@tensorflow/tfjs-backend-cpu');

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Deterministic pseudo-random numbers in [-1, 1) (a fixed LCG; only to fill fixture weights). */
export function fixture(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

export type Head = 'linear' | 'square' | 'deep';

export interface ConvTargetSpec {
  dims: 2 | 3;
  inChannels: number;
  channels: number;
  head: Head;
  /** Dense weights w_k (length = channels). */
  w: number[];
  bias?: number;
  seed?: number;
}

/**
 * conv (k = 3, 'same', fixed weights) → 'conv' ; ReLU → 'feat' (the last conv layer) ; head:
 *   linear: y = Σ_k w_k mean_v A_kv + b          (g_kv = w_k / V)
 *   square: y = Σ_k w_k mean_v A_kv² + b         (g_kv = 2 w_k A_kv / V)
 *   deep:   y = Σ_j mean_v tanh(Σ_k A_kv W2_kj) · w_j + b   (no closed form; finite differences)
 * Layer 'input' is the identity (forwardFrom('input') is the whole network).
 */
export function convTarget(spec: ConvTargetSpec): CamTarget & { W1: tf.Tensor; W2: tf.Tensor } {
  const { dims, inChannels: C, channels: K, head } = spec;
  const seed = spec.seed ?? 1;
  const kshape = dims === 3 ? [3, 3, 3, C, K] : [3, 3, C, K];
  const kn = kshape.reduce((a, b) => a * b, 1);
  const W1 = tf.keep(tf.tensor(fixture(kn, seed), kshape));
  const b1 = tf.keep(tf.tensor1d(fixture(K, seed + 1).map((v) => 0.2 * v)));
  const W2 = tf.keep(tf.tensor(fixture(K * K, seed + 2), [K, K]));
  const w = tf.keep(tf.tensor1d(spec.w));
  const bias = spec.bias ?? 0.1;
  const spatialAxes = dims === 3 ? [1, 2, 3] : [1, 2];
  const conv = (x: tf.Tensor) =>
    tf.add(
      dims === 3
        ? tf.conv3d(x as tf.Tensor5D, W1 as tf.Tensor5D, 1, 'same')
        : tf.conv2d(x as tf.Tensor4D, W1 as tf.Tensor4D, 1, 'same'),
      b1,
    );
  const headFn = (a: tf.Tensor): tf.Tensor => {
    if (head === 'linear') return tf.add(tf.sum(tf.mul(tf.mean(a, spatialAxes), w), -1), bias);
    if (head === 'square') return tf.add(tf.sum(tf.mul(tf.mean(tf.square(a), spatialAxes), w), -1), bias);
    const n = a.shape[0]!;
    const flat = tf.reshape(a, [-1, K]);
    const t = tf.tanh(tf.matMul(flat, W2 as tf.Tensor2D));
    const back = tf.reshape(t, a.shape);
    return tf.add(tf.reshape(tf.sum(tf.mul(tf.mean(back, spatialAxes), w), -1), [n]), bias);
  };
  return {
    dims,
    layerNames: ['input', 'conv', 'feat'],
    lastConvLayer: 'feat',
    W1,
    W2,
    forwardTo(x, layer) {
      if (layer === 'input') return tf.clone(x);
      const c = conv(x);
      return layer === 'conv' ? c : tf.relu(c);
    },
    forwardFrom(a, layer) {
      if (layer === 'feat') return headFn(a);
      if (layer === 'conv') return headFn(tf.relu(a));
      return headFn(tf.relu(conv(a)));
    },
    camWeights() {
      return head === 'linear' ? { weights: Float32Array.from(spec.w), bias } : null;
    },
  };
}

/**
 * A per-voxel linear model on the input itself: y = Σ_{v,c} u_vc x_vc + b. Only layer 'input'.
 * Its exact attribution is u∘x, and g = u.
 */
export function pixelLinearTarget(dims: 2 | 3, u: tf.Tensor, bias = 0): CamTarget {
  const kept = tf.keep(u);
  const axes = dims === 3 ? [1, 2, 3, 4] : [1, 2, 3];
  return {
    dims,
    layerNames: ['input'],
    lastConvLayer: 'input',
    forwardTo: (x) => tf.clone(x),
    forwardFrom: (a) => tf.add(tf.sum(tf.mul(a, kept), axes), bias),
    camWeights: () => null,
  };
}

export function toArray(t: tf.Tensor): Float32Array {
  const d = Float32Array.from(t.dataSync() as Float32Array);
  return d;
}
