import * as tf from '@tensorflow/tfjs-core';
import { RadcamError, createRng, type Registry, type Vec3, type Volume } from '@radcam/core';
import { registerGradients } from '@radcam/model';
import { flipGrid, spatialToSize } from './grid.js';
import { camMethodRegistry, resolveCamMethod } from './methods.js';
import { pearson, spearman } from './stats.js';
import type { ActivationBlock, CamContext, CamMethod, CamTarget, MapGrid } from './types.js';

/** The class score y of each sample: ±logit for a single-logit head, the class's logit otherwise. */
export function classScore(logits: tf.Tensor, classIndex: number): tf.Tensor {
  const n = logits.shape[0]!;
  const c = logits.rank === 1 ? 1 : logits.size / n;
  if (c === 1) {
    if (classIndex !== 0 && classIndex !== 1) {
      throw new RadcamError('E_INVALID_ARGUMENT', 'a single-logit head has classes 0 and 1', { found: `${classIndex}` });
    }
    const flat = tf.reshape(logits, [n]);
    return classIndex === 1 ? flat : tf.neg(flat);
  }
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= c) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'class index out of range', { expected: `0…${c - 1}`, found: `${classIndex}` });
  }
  // one-hot product instead of a slice: only kernels with registered gradients on the path
  const onehot = new Float32Array(c);
  onehot[classIndex] = 1;
  return tf.sum(tf.mul(tf.reshape(logits, [n, c]), tf.tensor2d(onehot, [1, c])), 1);
}

function checkInput(target: CamTarget, input: tf.Tensor): void {
  if (input.rank !== target.dims + 2) {
    throw new RadcamError('E_INVALID_ARGUMENT', `a ${target.dims}D model needs input [N, ${target.dims === 3 ? 'D, ' : ''}H, W, C]`, {
      expected: `rank ${target.dims + 2}`,
      found: `shape [${input.shape.join(', ')}]`,
    });
  }
}

function checkLayer(target: CamTarget, layer: string): void {
  if (!target.layerNames.includes(layer)) {
    throw new RadcamError('E_INVALID_ARGUMENT', `unknown layer "${layer}"`, {
      expected: `one of ${target.layerNames.join(', ')}`,
    });
  }
}

/** A context that holds a tfjs activation tensor until `dispose()`. */
export type CamContextHandle = CamContext & { dispose(): void };

/**
 * A context with the activation computed and the gradient/scores computed lazily (once). Call
 * `dispose()` when done (it frees the activation tensor).
 */
export function createCamContext(
  target: CamTarget,
  input: tf.Tensor,
  layer: string = target.lastConvLayer,
  classIndex = 1,
  batchSize = 16,
): CamContextHandle {
  checkInput(target, input);
  checkLayer(target, layer);
  const act = tf.tidy(() => target.forwardTo(input, layer));
  const shape = act.shape;
  const data = Float32Array.from(act.dataSync() as Float32Array);
  if (shape.length !== target.dims + 2) {
    act.dispose();
    throw new RadcamError('E_MODEL_INCOMPATIBLE', `layer "${layer}" is not a ${target.dims}D convolutional activation`, {
      expected: `rank ${target.dims + 2} [N, …, K]`,
      found: `shape [${shape.join(', ')}]`,
    });
  }
  const spatial = shape.slice(1, -1);
  const activation: ActivationBlock = {
    data,
    batch: shape[0]!,
    spatial,
    voxels: spatial.reduce((a, b) => a * b, 1),
    channels: shape[shape.length - 1]!,
  };
  let grad: Float32Array | null = null;
  let scores: Float32Array | null = null;
  const compute = () => {
    // tfjs-core's Node bundle registers no gradients; @radcam/model ports the ones a model needs.
    registerGradients();
    const [y, g] = tf.tidy(() => {
      const f = (a: tf.Tensor) => tf.sum(classScore(target.forwardFrom(a, layer), classIndex));
      const gr = tf.grad(f)(act);
      return [classScore(target.forwardFrom(act, layer), classIndex), gr] as const;
    });
    scores = Float32Array.from(y.dataSync() as Float32Array);
    grad = Float32Array.from(g.dataSync() as Float32Array);
    y.dispose();
    g.dispose();
  };
  const ctx: CamContextHandle = {
    target,
    input,
    layer,
    classIndex,
    batchSize,
    activation,
    gradient() {
      if (!grad) compute();
      return grad!;
    },
    scores() {
      if (!scores) {
        const y = tf.tidy(() => classScore(target.forwardFrom(act, layer), classIndex));
        scores = Float32Array.from(y.dataSync() as Float32Array);
        y.dispose();
      }
      return scores;
    },
    dispose() {
      act.dispose();
    },
  };
  return ctx;
}

export interface ComputeCamOptions {
  /** Method id (`radcam/layercam` or the short `layercam`) or a method object. Default `radcam/layercam`. */
  method?: string | CamMethod;
  /** Target layer; default the target's `lastConvLayer`. */
  layer?: string;
  /** Class to explain: 1 (default) → y = logit, 0 → y = −logit for a single-logit head. */
  classIndex?: number;
  /**
   * Test-time augmentation: average the maps of flipped inputs (each map flipped back). `true` uses
   * every combination of spatial flips (4 in 2D, 8 in 3D); or give the list of axis sets
   * (0 = x/W, 1 = y/H, 2 = z/D), e.g. `[[], [0]]`.
   */
  tta?: boolean | number[][];
  /** Samples per forward pass for forward-only methods (Score-CAM). Default 16. */
  batchSize?: number;
  /** Registry to resolve method ids from (default the global CAM registry). */
  registry?: Registry<CamMethod>;
}

export interface CamResult {
  method: string;
  layer: string;
  classIndex: number;
  /** Raw (un-normalised) maps of all samples, sample-major, x fastest: [N × voxels]. */
  data: Float32Array;
  batch: number;
  /** Grid size of one map [x, y, z] = [w, h, d] of the layer (d = 1 in 2D). */
  size: Vec3;
  voxels: number;
  /** Class score y per sample on the un-augmented input. */
  scores: Float32Array;
  /** Per-sample views into `data`. */
  maps: MapGrid[];
}

function tensorAxisOf(dims: 2 | 3, gridAxis: number): number {
  // tensor [N, (D,) H, W, C]: x ↔ W, y ↔ H, z ↔ D
  if (dims === 3) return [3, 2, 1][gridAxis]!;
  if (gridAxis === 2) throw new RadcamError('E_INVALID_ARGUMENT', 'a 2D input has no z axis to flip');
  return [2, 1][gridAxis]!;
}

/** All subsets of the spatial axes: 4 flip sets in 2D, 8 in 3D (the identity first). */
export function allFlips(dims: 2 | 3): number[][] {
  const axes = dims === 3 ? [0, 1, 2] : [0, 1];
  const out: number[][] = [];
  for (let m = 0; m < 1 << axes.length; m++) out.push(axes.filter((_, i) => (m >> i) & 1));
  return out;
}

function runOnce(target: CamTarget, input: tf.Tensor, method: CamMethod, layer: string, classIndex: number, batchSize: number) {
  const ctx = createCamContext(target, input, layer, classIndex, batchSize);
  try {
    const maps = method.compute(ctx);
    const { batch, voxels } = ctx.activation;
    if (maps.length !== batch * voxels) {
      throw new RadcamError('E_INVALID_ARGUMENT', `CAM method "${method.id}" returned a map of the wrong length`, {
        expected: `${batch * voxels}`,
        found: `${maps.length}`,
      });
    }
    return { maps, ctx, scores: ctx.scores() };
  } finally {
    ctx.dispose();
  }
}

/**
 * Compute raw CAMs of a batch: `input` [N, (D,) H, W, C] → one map per sample on the target
 * layer's grid. Normalisation is a separate step (`normalizeMap`); up-sampling to the patch
 * (`upsampleMap`) and to the image grid (`camToPatientSpace`) too. The caller owns `input`.
 */
export function computeCam(target: CamTarget, input: tf.Tensor, options: ComputeCamOptions = {}): CamResult {
  const method = resolveCamMethod(options.method ?? 'radcam/layercam', options.registry ?? camMethodRegistry);
  const layer = options.layer ?? target.lastConvLayer;
  const classIndex = options.classIndex ?? 1;
  const batchSize = options.batchSize ?? 16;
  const base = runOnce(target, input, method, layer, classIndex, batchSize);
  const { batch, voxels, spatial } = base.ctx.activation;
  const size = spatialToSize(spatial);
  let data = base.maps;
  const flips = options.tta === true ? allFlips(target.dims) : Array.isArray(options.tta) ? options.tta : null;
  if (flips) {
    const acc = new Float64Array(batch * voxels);
    let count = 0;
    const tmp = new Float32Array(voxels);
    for (const axes of flips) {
      let maps: Float32Array;
      if (axes.length === 0) maps = base.maps;
      else {
        const flipped = tf.reverse(input, axes.map((a) => tensorAxisOf(target.dims, a)));
        try {
          maps = runOnce(target, flipped, method, layer, classIndex, batchSize).maps;
        } finally {
          flipped.dispose();
        }
      }
      for (let n = 0; n < batch; n++) {
        const view = maps.subarray(n * voxels, (n + 1) * voxels);
        const back = axes.length === 0 ? view : flipGrid(view, size, axes, tmp);
        for (let v = 0; v < voxels; v++) acc[n * voxels + v]! += back[v]!;
      }
      count++;
    }
    data = new Float32Array(batch * voxels);
    for (let i = 0; i < data.length; i++) data[i] = acc[i]! / count;
  }
  const maps: MapGrid[] = [];
  for (let n = 0; n < batch; n++) maps.push({ data: data.subarray(n * voxels, (n + 1) * voxels), size: [...size] as Vec3 });
  return { method: method.id, layer, classIndex, data, batch, size, voxels, scores: base.scores, maps };
}

export interface NormalizeMapOptions {
  /** `minmax` (default): (m − min)/(max − min); `max`: m / max|m|. */
  mode?: 'minmax' | 'max';
  /** Only voxels where mask ≠ 0 set the range (all voxels are scaled). Same length as the map. */
  mask?: ArrayLike<number>;
}

/** Explicit normalisation of a raw map to [0, 1] (a new buffer). A constant map becomes zeros. */
export function normalizeMap(map: Float32Array, options: NormalizeMapOptions = {}): Float32Array {
  const mask = options.mask;
  if (mask && mask.length !== map.length) {
    throw new RadcamError('E_DATA_SIZE_MISMATCH', 'mask length does not match the map', {
      expected: `${map.length}`,
      found: `${mask.length}`,
    });
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < map.length; i++) {
    if (mask && mask[i] === 0) continue;
    const v = map[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const out = new Float32Array(map.length);
  if (!(hi > lo) && options.mode !== 'max') return out;
  if (options.mode === 'max') {
    const m = Math.max(Math.abs(lo), Math.abs(hi));
    if (!(m > 0)) return out;
    for (let i = 0; i < map.length; i++) out[i] = map[i]! / m;
    return out;
  }
  const r = hi - lo;
  for (let i = 0; i < map.length; i++) out[i] = (map[i]! - lo) / r;
  return out;
}

/**
 * Stack patch volumes (same size) into a model input [N, (D,) H, W, 1]: the x-fastest voxel order
 * of a Volume is the memory order of a channels-last tensor with W = size[0], H = size[1],
 * D = size[2]. 2D needs size[2] = 1.
 */
export function volumesToInput(volumes: readonly Volume[], dims: 2 | 3): tf.Tensor {
  if (volumes.length === 0) throw new RadcamError('E_INVALID_ARGUMENT', 'no volumes given', { expected: 'at least one' });
  const size = volumes[0]!.size;
  const per = size[0] * size[1] * size[2];
  if (dims === 2 && size[2] !== 1) {
    throw new RadcamError('E_INVALID_ARGUMENT', '2D input needs single-slice volumes', { found: size.join('×') });
  }
  const buf = new Float32Array(per * volumes.length);
  volumes.forEach((v, i) => {
    if (v.size[0] !== size[0] || v.size[1] !== size[1] || v.size[2] !== size[2]) {
      throw new RadcamError('E_BAD_DIMENSIONS', 'all patches must have the same size', {
        expected: size.join('×'),
        found: v.size.join('×'),
      });
    }
    buf.set(v.data, i * per);
  });
  const shape = dims === 3 ? [volumes.length, size[2], size[1], size[0], 1] : [volumes.length, size[1], size[0], 1];
  return tf.tensor(buf, shape);
}

export interface CamStabilityOptions extends ComputeCamOptions {
  /** Noise SD as a fraction of each sample's input SD. Default 0.05. */
  noise?: number;
  /** Noisy copies per sample. Default 5. */
  repeats?: number;
  /** RNG seed. Default 0. */
  seed?: number;
}

export interface CamStabilityResult {
  /** Per sample: mean Pearson correlation between the clean map and the maps of noisy copies. */
  pearson: Float64Array;
  /** Per sample: mean Spearman rank correlation (average ranks for ties). */
  spearman: Float64Array;
  meanPearson: number;
  meanSpearman: number;
}

/**
 * Stability of a CAM under small input noise: Gaussian noise (seeded, SD = `noise` × the sample's
 * input SD) is added `repeats` times, and the noisy maps are correlated with the clean one.
 * 1 = unchanged ranking. Two constant maps count as correlation 1 when equal, else 0.
 */
export function camStability(target: CamTarget, input: tf.Tensor, options: CamStabilityOptions = {}): CamStabilityResult {
  const repeats = options.repeats ?? 5;
  const noise = options.noise ?? 0.05;
  if (!(repeats >= 1) || !(noise >= 0)) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'stability needs repeats ≥ 1 and noise ≥ 0', {
      found: `repeats ${repeats}, noise ${noise}`,
    });
  }
  const rng = createRng(options.seed ?? 0);
  const clean = computeCam(target, input, options);
  const { batch, voxels } = clean;
  const x = input.dataSync() as Float32Array;
  const per = x.length / batch;
  const sd = new Float64Array(batch);
  for (let n = 0; n < batch; n++) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < per; i++) {
      const v = x[n * per + i]!;
      s += v;
      s2 += v * v;
    }
    const m = s / per;
    sd[n] = Math.sqrt(Math.max(0, s2 / per - m * m));
  }
  const pr = new Float64Array(batch);
  const sp = new Float64Array(batch);
  const noisy = new Float32Array(x.length);
  for (let r = 0; r < repeats; r++) {
    for (let n = 0; n < batch; n++) {
      const s = noise * sd[n]!;
      for (let i = 0; i < per; i++) noisy[n * per + i] = x[n * per + i]! + s * rng.normal();
    }
    const t = tf.tensor(noisy, input.shape);
    let res: CamResult;
    try {
      res = computeCam(target, t, options);
    } finally {
      t.dispose();
    }
    for (let n = 0; n < batch; n++) {
      const a = clean.data.subarray(n * voxels, (n + 1) * voxels);
      const b = res.data.subarray(n * voxels, (n + 1) * voxels);
      pr[n]! += pearson(a, b) / repeats;
      sp[n]! += spearman(a, b) / repeats;
    }
  }
  const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
  return { pearson: pr, spearman: sp, meanPearson: mean(pr), meanSpearman: mean(sp) };
}
