/**
 * Fused, differentiable ops with hand-written forward and backward loops over typed arrays.
 *
 * The heavy loops run in WebAssembly SIMD (src/kernels/wasm.ts, assembly/ops.ts) where available
 * and not disabled with `setConvImplementation('js')`, else in the JS loops here and in
 * kernels/elementwise.ts (same results up to float rounding).
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
import {
  wasmGroupNormBackward,
  wasmGroupNormForward,
  wasmUpsample,
  wasmUpsampleConvBackward,
  wasmUpsampleConvForward,
  wasmDenseBackward,
  wasmDenseForward,
  wasmMse,
  wasmUpsampleGrad,
  type UpConvGeometry,
} from './kernels/wasm.js';
import { activeConvKernels, convSame, useWasmKernels } from './conv.js';

type CustomFn = Parameters<typeof tf.customGrad>[0];

/** Adam with a fused update (bit-identical to tf.train.adam on the cpu backend). */
export { FusedAdamOptimizer, fusedAdam } from './kernels/adam.js';
/** Faster cpu-backend kernels (called by registerGradients). */
export { registerCpuKernelOverrides } from './kernels/cpu-overrides.js';

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
  return groupNormImpl(x, gamma, beta, groups, eps, null);
}

/** Options of `groupNormAct`. */
export interface GroupNormActOptions {
  /** Negative slope of the LeakyReLU after the normalisation (0 → ReLU). Default 0.1. */
  slope?: number;
  /** Variance epsilon. Default 1e-5. */
  eps?: number;
}

/**
 * GroupNorm followed by a (leaky) ReLU as one fused op: `leakyRelu(groupNorm(x, γ, β, groups), slope)`
 * (slope 0: ReLU) with the same values and gradients, in two passes forward and two backward (the
 * pre-activation is recomputed from x and the saved statistics, not stored). The activation's
 * derivative at exactly 0 is `slope`, as tfjs' LeakyReLU gradient.
 */
export function groupNormAct(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, groups: number, options: GroupNormActOptions = {}): tf.Tensor {
  const slope = options.slope ?? 0.1;
  if (!Number.isFinite(slope)) throw new RadcamError('E_INVALID_ARGUMENT', 'groupNormAct: slope must be finite', { found: String(slope) });
  return groupNormImpl(x, gamma, beta, groups, options.eps ?? 1e-5, slope);
}

function groupNormImpl(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, groups: number, eps: number, slope: number | null): tf.Tensor {
  const shape = x.shape.slice();
  const N = shape[0]!;
  const C = shape[shape.length - 1]!;
  const P = x.size / (N * C);
  const G = Math.min(groups, C);
  if (!Number.isInteger(G) || G < 1 || C % G !== 0) throw new RadcamError('E_INVALID_ARGUMENT', `GroupNorm: ${G} groups do not divide ${C} channels`);
  if (gamma.size !== C || beta.size !== C) throw new RadcamError('E_INVALID_ARGUMENT', 'GroupNorm: γ and β need one value per channel');
  const wasm = useWasmKernels();
  const fn = (xt: tf.Tensor, gt: tf.Tensor, bt: tf.Tensor) => {
    const xv = f32(xt);
    const gv = f32(gt);
    const bv = f32(bt);
    if (wasm) {
      // WebAssembly SIMD (assembly/ops.ts): GroupNorm (+ activation) in one module call each way
      const { out, stats } = wasmGroupNormForward(xv, gv, bv, N, P, C, G, eps, slope);
      return {
        value: tf.tensor(out, shape, 'float32'),
        gradFunc: (dy: tf.Tensor) => {
          const g = wasmGroupNormBackward(xv, gv, bv, stats, f32(dy), N, P, C, G, slope);
          return [tf.tensor(g.dx, shape, 'float32'), tf.tensor(g.dgamma, gt.shape, 'float32'), tf.tensor(g.dbeta, bt.shape, 'float32')];
        },
      };
    }
    // JS loops in kernels/elementwise.ts (one pass over all channels at a time, x̂ not stored)
    const out = new Float32Array(xv.length);
    const stats = groupNormForward(xv, gv, bv, N, P, C, G, eps, out);
    let pre: Float32Array | null = null;
    if (slope !== null) {
      pre = out.slice();
      const a = Math.fround(slope);
      for (let i = 0; i < out.length; i++) if (out[i]! < 0) out[i] = out[i]! * a;
    }
    return {
      value: tf.tensor(out, shape, 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        let d = f32(dy);
        if (pre) {
          const a = Math.fround(slope!);
          const m = new Float32Array(d.length);
          for (let i = 0; i < d.length; i++) m[i] = pre[i]! > 0 ? d[i]! : d[i]! * a;
          d = m;
        }
        const dx = new Float32Array(xv.length);
        const { dgamma, dbeta } = groupNormBackward(xv, gv, stats, d, N, P, C, G, dx);
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
  const wasm = useWasmKernels();
  const fn = (xt: tf.Tensor) => {
    const xv = f32(xt);
    if (wasm) {
      return {
        value: tf.tensor(wasmUpsample(xv, N, D, H, W, C, fd, factor), outShape, 'float32'),
        gradFunc: (dy: tf.Tensor) => tf.tensor(wasmUpsampleGrad(f32(dy), N, D, H, W, C, fd, factor), shape, 'float32'),
      };
    }
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

/** Options of `meanSquaredError`. */
export interface MeanSquaredErrorOptions {
  /**
   * Treat `b` as a constant (e.g. the input an autoencoder reconstructs): no gradient is computed
   * for it (saves a full-size array per step). Default false (gradients w.r.t. both).
   */
  constantTarget?: boolean;
}

/** Mean squared error between two same-shape tensors, gradient w.r.t. both (or only `a`, see options). */
export function meanSquaredError(a: tf.Tensor, b: tf.Tensor, options: MeanSquaredErrorOptions = {}): tf.Scalar {
  if (a.size !== b.size) throw new RadcamError('E_INVALID_ARGUMENT', 'meanSquaredError: sizes differ', { found: `${a.size} vs ${b.size}` });
  const n = a.size;
  const constant = options.constantTarget === true;
  const wasm = useWasmKernels();
  const fn = (at: tf.Tensor, bt: tf.Tensor) => {
    const av = f32(at);
    const bv = f32(bt);
    let mse: number;
    if (wasm) mse = wasmMse(av, bv).mse;
    else {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const e = av[i]! - bv[i]!;
        s += e * e;
      }
      mse = s / n;
    }
    return {
      value: tf.scalar(mse, 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const g = (2 * dy.dataSync()[0]!) / n;
        let da: Float32Array;
        if (wasm) da = wasmMse(av, bv, g).grad!;
        else {
          da = new Float32Array(n);
          for (let i = 0; i < n; i++) da[i] = (av[i]! - bv[i]!) * g;
        }
        const ga = tf.tensor(da, at.shape, 'float32');
        if (constant) return [ga];
        const db = new Float32Array(n);
        for (let i = 0; i < n; i++) db[i] = -da[i]!;
        return [ga, tf.tensor(db, bt.shape, 'float32')];
      },
    };
  };
  if (constant) return tf.customGrad(((at: tf.Tensor) => fn(at, b)) as unknown as CustomFn)(a) as tf.Scalar;
  return tf.customGrad(fn as unknown as CustomFn)(a, b) as tf.Scalar;
}

function denseForwardJs(X: Float32Array, W: Float32Array, N: number, F: number, L: number): Float32Array {
  const Y = new Float32Array(N * L);
  const acc = new Float64Array(L);
  for (let n = 0; n < N; n++) {
    acc.fill(0);
    for (let f = 0; f < F; f++) {
      const a = X[n * F + f]!;
      const wo = f * L;
      for (let l = 0; l < L; l++) acc[l] = acc[l]! + a * W[wo + l]!;
    }
    for (let l = 0; l < L; l++) Y[n * L + l] = acc[l]!;
  }
  return Y;
}

function denseBackwardJs(X: Float32Array, W: Float32Array, DY: Float32Array, N: number, F: number, L: number): { dx: Float32Array; dw: Float32Array } {
  const dx = new Float32Array(N * F);
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      let s = 0;
      for (let l = 0; l < L; l++) s += DY[n * L + l]! * W[f * L + l]!;
      dx[n * F + f] = s;
    }
  }
  const dw = new Float32Array(F * L);
  const row = new Float64Array(L);
  for (let f = 0; f < F; f++) {
    row.fill(0);
    for (let n = 0; n < N; n++) {
      const a = X[n * F + f]!;
      for (let l = 0; l < L; l++) row[l] = row[l]! + a * DY[n * L + l]!;
    }
    for (let l = 0; l < L; l++) dw[f * L + l] = row[l]!;
  }
  return { dx, dw };
}

/**
 * Fully connected layer `x · kernel + bias` for x [N, F], kernel [F, L], bias [L] (or null), with
 * its gradients, as one op over typed arrays. tfjs-cpu's BatchMatMul (plus its transposes in the
 * backward pass) runs the wide, short products of a dense bottleneck (e.g. [8, 2048] · [2048, 32])
 * several times slower. WebAssembly SIMD SGEMM where available (float32 accumulation), else JS
 * loops with float64 accumulation; with the 'tfjs' kernels (e.g. tfjs-node) the backend's matMul.
 */
export function denseLayer(x: tf.Tensor, kernel: tf.Tensor, bias?: tf.Tensor | null): tf.Tensor2D {
  if (x.rank !== 2 || kernel.rank !== 2 || kernel.shape[0] !== x.shape[1]) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'denseLayer: x must be [N, F] and the kernel [F, L]', {
      found: `x [${x.shape.join(', ')}], kernel [${kernel.shape.join(', ')}]`,
    });
  }
  const N = x.shape[0]!;
  const F = x.shape[1]!;
  const L = kernel.shape[1]!;
  if (bias && bias.size !== L) throw new RadcamError('E_INVALID_ARGUMENT', 'denseLayer: bias needs one value per output', { found: String(bias.size) });
  if (activeConvKernels() === 'tfjs') {
    // a native backend (tfjs-node) or setConvImplementation('tfjs'): the backend's own ops
    const y = tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D);
    return (bias ? tf.add(y, bias) : y) as tf.Tensor2D;
  }
  const wasm = useWasmKernels();
  const fn = (xt: tf.Tensor, wt: tf.Tensor, bt?: tf.Tensor) => {
    const X = f32(xt);
    const W = f32(wt);
    const B = bt ? f32(bt) : null;
    const Y = wasm ? wasmDenseForward(X, W, N, F, L) : denseForwardJs(X, W, N, F, L);
    if (B) for (let i = 0; i < N * L; i++) Y[i] = Y[i]! + B[i % L]!;
    return {
      value: tf.tensor2d(Y, [N, L], 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const DY = f32(dy);
        const { dx, dw } = wasm ? wasmDenseBackward(X, W, DY, N, F, L) : denseBackwardJs(X, W, DY, N, F, L);
        const grads = [tf.tensor(dx, xt.shape, 'float32'), tf.tensor(dw, wt.shape, 'float32')];
        if (!bt) return grads;
        const DB = new Float32Array(L);
        for (let l = 0; l < L; l++) {
          let s = 0;
          for (let n = 0; n < N; n++) s += DY[n * L + l]!;
          DB[l] = s;
        }
        return [...grads, tf.tensor(DB, bt.shape, 'float32')];
      },
    };
  };
  if (bias) return tf.customGrad(fn as unknown as CustomFn)(x, kernel, bias) as tf.Tensor2D;
  return tf.customGrad(((xt: tf.Tensor, wt: tf.Tensor) => fn(xt, wt)) as unknown as CustomFn)(x, kernel) as tf.Tensor2D;
}

/** Options of `upsampleConv`. */
export interface UpsampleConvOptions {
  /** Compute the gradient w.r.t. x (default true); false returns zeros for it (see `convSame`). */
  inputGradient?: boolean;
}

/**
 * `convSame(upsampleNearest(x, factor), kernel, 1, bias)` as one op: nearest up-sampling by
 * `factor` along every spatial axis followed by a stride-1 'same' convolution with an odd kernel.
 * With radcam's WebAssembly kernels it is computed in polyphase form on the coarse grid — for
 * each of the factor^dims output phases a stride-1 convolution with that phase's effective kernel
 * (the taps that fall on the same coarse voxel summed: 2×2×2 instead of 3×3×3 for factor 2) —
 * so the up-sampled tensor is never built and the multiply-adds drop 3.4× (3D, k = 3). Same
 * values as the two-op composition up to float rounding (the merged taps are summed first), and
 * exact gradients for x, kernel and bias. Elsewhere ('js' / 'tfjs' kernels) it is that
 * composition.
 */
export function upsampleConv(
  x: tf.Tensor,
  kernel: tf.Tensor,
  factor: number,
  bias?: tf.Tensor | null,
  options: UpsampleConvOptions = {},
): tf.Tensor {
  const rank = x.rank;
  if (rank !== 4 && rank !== 5) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'upsampleConv expects a rank-4 or rank-5 tensor', { found: `rank ${rank}` });
  }
  if (!Number.isInteger(factor) || factor < 1) throw new RadcamError('E_INVALID_ARGUMENT', 'factor must be a positive integer', { found: String(factor) });
  const dims = rank - 2;
  if (kernel.rank !== rank) throw new RadcamError('E_INVALID_ARGUMENT', 'upsampleConv: kernel rank must equal x rank', { found: `kernel rank ${kernel.rank}` });
  const ks = kernel.shape;
  const Ci = x.shape[rank - 1]!;
  if (ks[dims] !== Ci) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'upsampleConv: kernel input channels differ from x channels', { expected: String(Ci), found: String(ks[dims]) });
  }
  for (let i = 0; i < dims; i++) {
    if (ks[i]! % 2 !== 1) throw new RadcamError('E_INVALID_ARGUMENT', 'upsampleConv: kernel sizes must be odd', { found: `[${ks.join(', ')}]` });
  }
  const Co = ks[dims + 1]!;
  if (bias && bias.size !== Co) throw new RadcamError('E_INVALID_ARGUMENT', 'upsampleConv: bias needs one value per output channel', { found: String(bias.size) });
  const impl = activeConvKernels();
  if (impl !== 'wasm') {
    const up = upsampleNearest(x, factor);
    if (impl === 'js') return convSame(up, kernel, 1, bias, options);
    let y = dims === 3 ? tf.conv3d(up as tf.Tensor5D, kernel as tf.Tensor5D, 1, 'same') : tf.conv2d(up as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'same');
    if (bias) y = tf.add(y, bias);
    return y;
  }
  const shape = x.shape.slice();
  const g: UpConvGeometry = {
    N: shape[0]!,
    D: dims === 3 ? shape[1]! : 1,
    H: shape[rank - 3]!,
    W: shape[rank - 2]!,
    Ci,
    kd: dims === 3 ? ks[0]! : 1,
    kh: ks[dims - 2]!,
    kw: ks[dims - 1]!,
    Co,
    fd: dims === 3 ? factor : 1,
    f: factor,
  };
  const outShape = dims === 3 ? [g.N, g.D * factor, g.H * factor, g.W * factor, Co] : [g.N, g.H * factor, g.W * factor, Co];
  const needDx = options.inputGradient ?? true;
  const forward = (xt: tf.Tensor, wt: tf.Tensor, bt?: tf.Tensor) => {
    const X = f32(xt);
    const Wt = f32(wt);
    const out = wasmUpsampleConvForward(g, X, Wt, bt ? f32(bt) : null);
    return {
      value: tf.tensor(out, outShape, 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const r = wasmUpsampleConvBackward(g, X, Wt, f32(dy), needDx);
        const dx = r.dx ? tf.tensor(r.dx, shape, 'float32') : tf.zeros(shape, 'float32');
        const dw = tf.tensor(r.dw, ks, 'float32');
        return bt ? [dx, dw, tf.tensor(r.db, bt.shape, 'float32')] : [dx, dw];
      },
    };
  };
  if (bias) return tf.customGrad(forward as unknown as CustomFn)(x, kernel, bias);
  return tf.customGrad(((xt: tf.Tensor, wt: tf.Tensor) => forward(xt, wt)) as unknown as CustomFn)(x, kernel);
}
