import * as tf from '@tensorflow/tfjs-core';
import { RadcamError, globalRegistry, type Registry } from '@radcam/core';
import { resizeLinear, spatialToSize } from './grid.js';
import type { CamContext, CamMethod } from './types.js';

/**
 * The global CAM-method registry (shared through `Symbol.for('radcam.registry.cam-methods')`).
 * Built-in methods are always resolvable by id even before `registerCamMethods()` puts them here;
 * user methods are added with `camMethodRegistry.register({ id: 'acme/mycam', … })`.
 */
export const camMethodRegistry: Registry<CamMethod> = globalRegistry<CamMethod>('cam-methods', 'CAM method');

/** Σ_k w[n,k]·A[n,v,k] for each sample/voxel, optionally followed by ReLU. */
function weightedSum(ctx: CamContext, weights: Float64Array, relu: boolean): Float32Array {
  const { data: A, batch, voxels: V, channels: K } = ctx.activation;
  const out = new Float32Array(batch * V);
  for (let n = 0; n < batch; n++) {
    const wOff = n * K;
    for (let v = 0; v < V; v++) {
      const base = (n * V + v) * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += weights[wOff + k]! * A[base + k]!;
      out[n * V + v] = relu && s < 0 ? 0 : s;
    }
  }
  return out;
}

/** Classic CAM (Zhou et al. 2016): map_v = ReLU(Σ_k w_k A_kv), w = the dense weights after GAP. */
export const camMethod: CamMethod = {
  id: 'radcam/cam',
  label: 'CAM',
  usesGradients: false,
  compute(ctx) {
    const cw = ctx.target.camWeights();
    if (!cw) {
      throw new RadcamError('E_UNSUPPORTED', 'classic CAM needs a GAP → dense head', {
        expected: 'target.camWeights() to return dense weights',
        found: 'null',
      });
    }
    if (ctx.layer !== ctx.target.lastConvLayer) {
      throw new RadcamError('E_INVALID_ARGUMENT', 'classic CAM is defined only on the last convolutional layer', {
        expected: ctx.target.lastConvLayer,
        found: ctx.layer,
      });
    }
    const { batch, channels: K } = ctx.activation;
    if (cw.weights.length !== K) {
      throw new RadcamError('E_MODEL_INCOMPATIBLE', 'CAM weights do not match the layer channels', {
        expected: `${K}`,
        found: `${cw.weights.length}`,
      });
    }
    if (ctx.classIndex !== 0 && ctx.classIndex !== 1) {
      throw new RadcamError('E_INVALID_ARGUMENT', 'classic CAM on a single-logit head needs class 0 or 1', {
        found: `${ctx.classIndex}`,
      });
    }
    const sign = ctx.classIndex === 1 ? 1 : -1;
    const w = new Float64Array(batch * K);
    for (let n = 0; n < batch; n++) for (let k = 0; k < K; k++) w[n * K + k] = sign * cw.weights[k]!;
    return weightedSum(ctx, w, true);
  },
};

/** Grad-CAM (Selvaraju et al. 2017): w_k = mean_v g_kv, map = ReLU(Σ_k w_k A_k). */
export const gradCamMethod: CamMethod = {
  id: 'radcam/gradcam',
  label: 'Grad-CAM',
  usesGradients: true,
  compute(ctx) {
    const g = ctx.gradient();
    const { batch, voxels: V, channels: K } = ctx.activation;
    const w = new Float64Array(batch * K);
    for (let n = 0; n < batch; n++) {
      for (let v = 0; v < V; v++) {
        const base = (n * V + v) * K;
        for (let k = 0; k < K; k++) w[n * K + k]! += g[base + k]!;
      }
      for (let k = 0; k < K; k++) w[n * K + k]! /= V;
    }
    return weightedSum(ctx, w, true);
  },
};

/**
 * Grad-CAM++ (Chattopadhyay et al. 2018) with the closed-form α of an exponential score
 * Y = exp(y): α_kv = g²/(2g² + (Σ_u A_ku)·g³) (0 where g = 0 or the denominator vanishes),
 * w_k = Σ_v α_kv·ReLU(g_kv), map = ReLU(Σ_k w_k A_k). The positive per-sample factor exp(y) of
 * ∂Y/∂A is omitted (as in pytorch-grad-cam), so raw maps are on the scale of ∂y/∂A. Sums run over
 * every spatial voxel, so 2D and 3D layers are handled alike.
 */
export const gradCamPlusPlusMethod: CamMethod = {
  id: 'radcam/gradcampp',
  label: 'Grad-CAM++',
  usesGradients: true,
  compute(ctx) {
    const g = ctx.gradient();
    const { data: A, batch, voxels: V, channels: K } = ctx.activation;
    const sumA = new Float64Array(K);
    const w = new Float64Array(batch * K);
    for (let n = 0; n < batch; n++) {
      sumA.fill(0);
      for (let v = 0; v < V; v++) {
        const base = (n * V + v) * K;
        for (let k = 0; k < K; k++) sumA[k]! += A[base + k]!;
      }
      for (let v = 0; v < V; v++) {
        const base = (n * V + v) * K;
        for (let k = 0; k < K; k++) {
          const gk = g[base + k]!;
          if (gk <= 0) continue; // ReLU(g) = 0 → no contribution
          const g2 = gk * gk;
          const denom = 2 * g2 + sumA[k]! * g2 * gk;
          if (denom === 0) continue;
          w[n * K + k]! += (g2 / denom) * gk;
        }
      }
    }
    return weightedSum(ctx, w, true);
  },
};

/** LayerCAM / pixel-wise CAM (Jiang et al. 2021): map_v = ReLU(Σ_k ReLU(g_kv)·A_kv). */
export const layerCamMethod: CamMethod = {
  id: 'radcam/layercam',
  label: 'LayerCAM (pixel-wise CAM)',
  usesGradients: true,
  compute(ctx) {
    const g = ctx.gradient();
    const { data: A, batch, voxels: V, channels: K } = ctx.activation;
    const out = new Float32Array(batch * V);
    for (let i = 0; i < batch * V; i++) {
      const base = i * K;
      let s = 0;
      for (let k = 0; k < K; k++) {
        const gk = g[base + k]!;
        if (gk > 0) s += gk * A[base + k]!;
      }
      out[i] = s > 0 ? s : 0;
    }
    return out;
  },
};

/** HiResCAM (Draelos & Carin 2020): map_v = Σ_k g_kv·A_kv (signed, no ReLU). */
export const hiResCamMethod: CamMethod = {
  id: 'radcam/hirescam',
  label: 'HiResCAM',
  usesGradients: true,
  compute(ctx) {
    const g = ctx.gradient();
    const { data: A, batch, voxels: V, channels: K } = ctx.activation;
    const out = new Float32Array(batch * V);
    for (let i = 0; i < batch * V; i++) {
      const base = i * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += g[base + k]! * A[base + k]!;
      out[i] = s;
    }
    return out;
  },
};

/** Element-wise Grad-CAM: map_v = Σ_k ReLU(g_kv·A_kv). */
export const gradCamElementwiseMethod: CamMethod = {
  id: 'radcam/gradcam-elementwise',
  label: 'Grad-CAM (element-wise)',
  usesGradients: true,
  compute(ctx) {
    const g = ctx.gradient();
    const { data: A, batch, voxels: V, channels: K } = ctx.activation;
    const out = new Float32Array(batch * V);
    for (let i = 0; i < batch * V; i++) {
      const base = i * K;
      let s = 0;
      for (let k = 0; k < K; k++) {
        const p = g[base + k]! * A[base + k]!;
        if (p > 0) s += p;
      }
      out[i] = s;
    }
    return out;
  },
};

/** Probability of `classIndex` from logits [M] (single logit: sigmoid(±logit)) or [M, C] (softmax). */
export function classProbabilities(logits: Float32Array, shape: readonly number[], classIndex: number): Float64Array {
  const m = shape[0]!;
  const c = shape.length === 1 ? 1 : shape[1]!;
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    if (c === 1) {
      const y = classIndex === 1 ? logits[i]! : -logits[i]!;
      out[i] = 1 / (1 + Math.exp(-y));
    } else {
      let mx = -Infinity;
      for (let j = 0; j < c; j++) mx = Math.max(mx, logits[i * c + j]!);
      let s = 0;
      for (let j = 0; j < c; j++) s += Math.exp(logits[i * c + j]! - mx);
      out[i] = Math.exp(logits[i * c + classIndex]! - mx) / s;
    }
  }
  return out;
}

/** Full forward pass input → class probabilities, in chunks of the batch. */
export function predictProbabilities(
  target: { forwardTo(x: tf.Tensor, l: string): tf.Tensor; forwardFrom(a: tf.Tensor, l: string): tf.Tensor },
  layer: string,
  data: Float32Array,
  sampleShape: readonly number[],
  classIndex: number,
): Float64Array {
  const per = sampleShape.reduce((a, b) => a * b, 1);
  const m = data.length / per;
  const logits = tf.tidy(() => {
    const x = tf.tensor(data, [m, ...sampleShape]);
    return target.forwardFrom(target.forwardTo(x, layer), layer);
  });
  try {
    return classProbabilities(logits.dataSync() as Float32Array, logits.shape, classIndex);
  } finally {
    logits.dispose();
  }
}

/**
 * Score-CAM (Wang et al. 2020), forward-only: each activation channel is up-sampled to the input
 * (trilinear, voxel centres aligned), min–max scaled to [0, 1] and multiplied into the input
 * (all input channels); its weight is the increase of confidence w_k = p(X∘H_k) − p(0), with p the
 * target class probability and an all-zero baseline input; map = ReLU(Σ_k w_k A_k).
 */
export const scoreCamMethod: CamMethod = {
  id: 'radcam/scorecam',
  label: 'Score-CAM',
  usesGradients: false,
  compute(ctx) {
    const { batch, voxels: V, channels: K, data: A, spatial } = ctx.activation;
    const inShape = ctx.input.shape;
    const sampleShape = inShape.slice(1);
    const C = inShape[inShape.length - 1]!;
    const inSize = spatialToSize(inShape.slice(1, -1));
    const fSize = spatialToSize(spatial);
    const inVox = inSize[0] * inSize[1] * inSize[2];
    const X = ctx.input.dataSync() as Float32Array;
    const baseline = predictProbabilities(ctx.target, ctx.layer, new Float32Array(inVox * C), sampleShape, ctx.classIndex)[0]!;
    const chunk = Math.max(1, ctx.batchSize);
    const w = new Float64Array(batch * K);
    const chan = new Float32Array(V);
    const buf = new Float32Array(chunk * inVox * C);
    const jobs: Array<[number, number]> = [];
    for (let n = 0; n < batch; n++) for (let k = 0; k < K; k++) jobs.push([n, k]);
    for (let j0 = 0; j0 < jobs.length; j0 += chunk) {
      const j1 = Math.min(jobs.length, j0 + chunk);
      for (let j = j0; j < j1; j++) {
        const [n, k] = jobs[j]!;
        let lo = Infinity;
        let hi = -Infinity;
        for (let v = 0; v < V; v++) {
          const a = A[(n * V + v) * K + k]!;
          chan[v] = a;
          if (a < lo) lo = a;
          if (a > hi) hi = a;
        }
        const up = resizeLinear(chan, fSize, inSize);
        const range = hi - lo;
        const off = (j - j0) * inVox * C;
        const xOff = n * inVox * C;
        for (let v = 0; v < inVox; v++) {
          const m = range > 0 ? (up[v]! - lo) / range : 0;
          for (let c = 0; c < C; c++) buf[off + v * C + c] = X[xOff + v * C + c]! * m;
        }
      }
      const p = predictProbabilities(
        ctx.target,
        ctx.layer,
        buf.subarray(0, (j1 - j0) * inVox * C),
        sampleShape,
        ctx.classIndex,
      );
      for (let j = j0; j < j1; j++) {
        const [n, k] = jobs[j]!;
        w[n * K + k] = p[j - j0]! - baseline;
      }
    }
    return weightedSum(ctx, w, true);
  },
};

/** The built-in methods, by id. */
export const builtinCamMethods: readonly CamMethod[] = [
  camMethod,
  gradCamMethod,
  gradCamPlusPlusMethod,
  layerCamMethod,
  hiResCamMethod,
  gradCamElementwiseMethod,
  scoreCamMethod,
];

/**
 * Put the built-in methods into the global registry (idempotent; a user override of the same id
 * is kept). Returns a disposer that removes what this call added.
 */
export function registerCamMethods(registry: Registry<CamMethod> = camMethodRegistry): () => void {
  const disposers: Array<() => void> = [];
  for (const m of builtinCamMethods) if (!registry.has(m.id)) disposers.push(registry.register(m));
  return () => {
    for (const d of disposers) d();
  };
}

/** Short aliases accepted wherever a method id is: `layercam` → `radcam/layercam`. */
export function resolveCamMethod(method: string | CamMethod, registry: Registry<CamMethod> = camMethodRegistry): CamMethod {
  if (typeof method !== 'string') return method;
  const id = method.includes('/') ? method : `radcam/${method}`;
  const found = registry.find(id) ?? builtinCamMethods.find((m) => m.id === id);
  if (!found) {
    throw new RadcamError('E_REGISTRY_UNKNOWN', `unknown CAM method "${method}"`, {
      expected: `one of ${[...new Set([...builtinCamMethods.map((m) => m.id), ...registry.ids()])].join(', ')}`,
    });
  }
  return found;
}
