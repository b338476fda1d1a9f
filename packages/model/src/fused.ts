/**
 * Fused, differentiable ops with hand-written forward and backward loops over typed arrays.
 *
 * Why: tfjs-backend-cpu evaluates a *broadcasting* binary op with an index computation and two
 * array allocations per element, so GroupNorm, per-channel scale/shift, nearest up-sampling and
 * the gradient of a partial mean written with tfjs ops dominated a training step (~70 % of it).
 * Each op here is one pass forward and one pass backward; the gradients are checked against
 * finite differences in test/gradients.test.ts. They read tensor values synchronously
 * (`dataSync`), which every Node backend supports.
 */
import * as tf from '@tensorflow/tfjs-core';
import { RadcamError } from '@radcam/core';
import { groupNormBackward, groupNormForward } from './kernels/elementwise.js';

type CustomFn = Parameters<typeof tf.customGrad>[0];

function f32(t: tf.Tensor): Float32Array {
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
}

/**
 * GroupNorm over a channels-last tensor [N, …spatial, C]: statistics per sample and per group of
 * C/G consecutive channels (over all spatial positions), then per-channel γ·x̂ + β. Identical in
 * training and inference (no running statistics). `groups` is clamped to C and must divide it.
 */
export function groupNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, groups: number, eps = 1e-5): tf.Tensor {
  const shape = x.shape.slice();
  const N = shape[0]!;
  const C = shape[shape.length - 1]!;
  const P = x.size / (N * C);
  const G = Math.min(groups, C);
  if (C % G !== 0) throw new RadcamError('E_INVALID_ARGUMENT', `GroupNorm: ${G} groups do not divide ${C} channels`);
  if (gamma.size !== C || beta.size !== C) throw new RadcamError('E_INVALID_ARGUMENT', 'GroupNorm: γ and β need one value per channel');
  const fn = (xt: tf.Tensor, gt: tf.Tensor, bt: tf.Tensor) => {
    // loops in kernels/elementwise.ts (one pass over all channels at a time, x̂ not stored)
    const xv = f32(xt);
    const gv = f32(gt);
    const bv = f32(bt);
    const out = new Float32Array(xv.length);
    const stats = groupNormForward(xv, gv, bv, N, P, C, G, eps, out);
    return {
      value: tf.tensor(out, shape, 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const dx = new Float32Array(xv.length);
        const { dgamma, dbeta } = groupNormBackward(xv, gv, stats, f32(dy), N, P, C, G, dx);
        return [tf.tensor(dx, shape, 'float32'), tf.tensor(dgamma, gt.shape, 'float32'), tf.tensor(dbeta, bt.shape, 'float32')];
      },
    };
  };
  return tf.customGrad(fn as unknown as CustomFn)(x, gamma, beta);
}

/**
 * Nearest-neighbour up-sampling by an integer factor along every spatial axis of a channels-last
 * tensor ([N, H, W, C] or [N, D, H, W, C]). Backward: the sum over each factor^dims block.
 */
export function upsampleNearest(x: tf.Tensor, factor = 2): tf.Tensor {
  const rank = x.rank;
  if (rank !== 4 && rank !== 5) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'upsampleNearest expects a rank-4 or rank-5 tensor', { found: `rank ${rank}` });
  }
  if (!Number.isInteger(factor) || factor < 1) throw new RadcamError('E_INVALID_ARGUMENT', 'factor must be a positive integer', { found: String(factor) });
  const shape = x.shape.slice();
  const N = shape[0]!;
  const C = shape[rank - 1]!;
  const D = rank === 5 ? shape[1]! : 1;
  const H = shape[rank - 3]!;
  const W = shape[rank - 2]!;
  const fd = rank === 5 ? factor : 1;
  const oD = D * fd;
  const oH = H * factor;
  const oW = W * factor;
  const outShape = rank === 5 ? [N, oD, oH, oW, C] : [N, oH, oW, C];
  const fn = (xt: tf.Tensor) => {
    const xv = f32(xt);
    const out = new Float32Array(N * oD * oH * oW * C);
    let q = 0;
    for (let n = 0; n < N; n++) {
      for (let d = 0; d < oD; d++) {
        const sd = (d / fd) | 0;
        for (let h = 0; h < oH; h++) {
          const sh = (h / factor) | 0;
          const row = ((n * D + sd) * H + sh) * W;
          for (let w = 0; w < oW; w++) {
            const src = (row + ((w / factor) | 0)) * C;
            for (let c = 0; c < C; c++) out[q++] = xv[src + c]!;
          }
        }
      }
    }
    return {
      value: tf.tensor(out, outShape, 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const dyv = f32(dy);
        const dx = new Float32Array(xv.length);
        let r = 0;
        for (let n = 0; n < N; n++) {
          for (let d = 0; d < oD; d++) {
            const sd = (d / fd) | 0;
            for (let h = 0; h < oH; h++) {
              const sh = (h / factor) | 0;
              const row = ((n * D + sd) * H + sh) * W;
              for (let w = 0; w < oW; w++) {
                const dst = (row + ((w / factor) | 0)) * C;
                for (let c = 0; c < C; c++) dx[dst + c] = dx[dst + c]! + dyv[r++]!;
              }
            }
          }
        }
        return tf.tensor(dx, shape, 'float32');
      },
    };
  };
  return tf.customGrad(fn as unknown as CustomFn)(x);
}

/** Global average pooling over the spatial axes: [N, …spatial, K] → [N, K]. */
export function globalAveragePool(x: tf.Tensor): tf.Tensor {
  const shape = x.shape.slice();
  const N = shape[0]!;
  const K = shape[shape.length - 1]!;
  const P = x.size / (N * K);
  const fn = (xt: tf.Tensor) => {
    const xv = f32(xt);
    const out = new Float64Array(N * K);
    for (let n = 0; n < N; n++) {
      for (let p = 0; p < P; p++) {
        const base = (n * P + p) * K;
        for (let k = 0; k < K; k++) out[n * K + k] = out[n * K + k]! + xv[base + k]!;
      }
    }
    for (let i = 0; i < out.length; i++) out[i] = out[i]! / P;
    return {
      value: tf.tensor(Float32Array.from(out), [N, K], 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const dyv = f32(dy);
        const dx = new Float32Array(xv.length);
        for (let n = 0; n < N; n++) {
          for (let p = 0; p < P; p++) {
            const base = (n * P + p) * K;
            for (let k = 0; k < K; k++) dx[base + k] = dyv[n * K + k]! / P;
          }
        }
        return tf.tensor(dx, shape, 'float32');
      },
    };
  };
  return tf.customGrad(fn as unknown as CustomFn)(x);
}

/** Mean squared error between two same-shape tensors, gradient w.r.t. both. */
export function meanSquaredError(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  if (a.size !== b.size) throw new RadcamError('E_INVALID_ARGUMENT', 'meanSquaredError: sizes differ', { found: `${a.size} vs ${b.size}` });
  const n = a.size;
  const fn = (at: tf.Tensor, bt: tf.Tensor) => {
    const av = f32(at);
    const bv = f32(bt);
    let s = 0;
    for (let i = 0; i < n; i++) {
      const e = av[i]! - bv[i]!;
      s += e * e;
    }
    return {
      value: tf.scalar(s / n, 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const g = (2 * dy.dataSync()[0]!) / n;
        const da = new Float32Array(n);
        const db = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          const e = (av[i]! - bv[i]!) * g;
          da[i] = e;
          db[i] = -e;
        }
        return [tf.tensor(da, at.shape, 'float32'), tf.tensor(db, bt.shape, 'float32')];
      },
    };
  };
  return tf.customGrad(fn as unknown as CustomFn)(a, b) as tf.Scalar;
}
