/**
 * Training (Adam, joint BCE + λ·MSE loss, seeded, early stopping on a validation split) and
 * cross-validation over given fold assignments.
 */
import * as tf from '@tensorflow/tfjs-core';
import { RadcamError, createRng, type Rng } from '@radcam/core';
import {
  AutoencoderClassifier,
  batchTensor,
  defaultModelConfig,
  initialWeights,
  predict,
  type ModelConfig,
} from './model.js';
import { augmentPatch, type AugmentOptions, type PatchOptions } from './patch.js';
import { assertCanTrain } from './backend.js';
import { fusedAdam, meanSquaredError } from './fused.js';

/** Area under the ROC curve (Mann–Whitney U with tie correction). NaN when a class is absent. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPos = 0;
  let nPos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) {
      if (labels[idx[t]!] === 1) {
        rankSumPos += avgRank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Weighted binary cross-entropy on logits, mean over Σw: Σ wᵢ·(softplus(zᵢ) − yᵢzᵢ) / Σ wᵢ,
 * computed stably; gradient wᵢ(σ(zᵢ) − yᵢ)/Σw given explicitly.
 */
export function bceWithLogits(logits: tf.Tensor, labels: Float32Array, weights?: Float32Array): tf.Scalar {
  const n = labels.length;
  const w = weights ?? new Float32Array(n).fill(1);
  let wsum = 0;
  for (let i = 0; i < n; i++) wsum += w[i]!;
  const fn = (z: tf.Tensor, save: (ts: tf.Tensor[]) => void) => {
    save([z]);
    const value = tf.tidy(() => {
      const y = tf.tensor1d(labels);
      const wt = tf.tensor1d(w);
      // softplus(z) − y·z = max(z,0) − y·z + log1p(exp(−|z|))
      const l = tf.add(tf.sub(tf.relu(z), tf.mul(y, z)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
      return tf.div(tf.sum(tf.mul(l, wt)), wsum) as tf.Scalar;
    });
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.mul(dy, tf.div(tf.mul(tf.sub(tf.sigmoid(saved[0]!), tf.tensor1d(labels)), tf.tensor1d(w)), wsum)),
    };
  };
  const f = tf.customGrad(fn as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(logits) as tf.Scalar;
}

/**
 * Weighted focal loss on logits (Lin et al. 2017), mean over Σw:
 * Σ wᵢ·(1 − p_tᵢ)^γ·(−log p_tᵢ) / Σ wᵢ, p_t = σ(z) for y = 1 and 1 − σ(z) for y = 0. With
 * u = z·(1 − 2y): −log p_t = softplus(u) and 1 − p_t = σ(u), both computed stably; gradient
 * ∂/∂z = (1 − 2y)·w·σ(u)^γ·(γ·(1 − σ(u))·softplus(u) + σ(u)) / Σw given explicitly. γ = 0 is
 * `bceWithLogits`.
 */
export function focalWithLogits(logits: tf.Tensor, labels: Float32Array, weights?: Float32Array, gamma = 2): tf.Scalar {
  if (!(gamma >= 0) || !Number.isFinite(gamma)) throw new RadcamError('E_INVALID_ARGUMENT', 'focal loss: gamma must be a finite number ≥ 0', { found: String(gamma) });
  const n = labels.length;
  const w = weights ?? new Float32Array(n).fill(1);
  let wsum = 0;
  for (let i = 0; i < n; i++) wsum += w[i]!;
  const fn = (z: tf.Tensor) => {
    const zv = z.dataSync();
    let total = 0;
    const grad = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const sgn = labels[i] === 1 ? -1 : 1;
      const u = sgn * zv[i]!;
      const sp = Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u)));
      const q = u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u));
      const qg = gamma === 0 ? 1 : q ** gamma;
      total += w[i]! * qg * sp;
      grad[i] = (sgn * w[i]! * qg * (gamma * (1 - q) * sp + q)) / wsum;
    }
    return {
      value: tf.scalar(total / wsum, 'float32'),
      gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.tensor1d(grad)),
    };
  };
  return tf.customGrad(fn as unknown as Parameters<typeof tf.customGrad>[0])(logits) as tf.Scalar;
}

/** Samples to train on: channels-last patches (see `Patch.data`) and 0/1 labels. */
export interface TrainingData {
  inputs: readonly Float32Array[];
  labels: ArrayLike<number>;
  /** Optional group (patient) per sample: the validation split keeps groups together. */
  groups?: readonly (string | number)[];
}

/** One line of training history. */
export interface EpochLog {
  epoch: number;
  /** Mean joint loss / BCE / MSE over the epoch's training batches (augmented, dropout on). */
  trainLoss: number;
  trainBce: number;
  trainMse: number;
  valLoss?: number;
  valBce?: number;
  valMse?: number;
  valAuc?: number;
  /** True when this epoch improved the monitored quantity (its weights are kept). */
  improved: boolean;
  seconds: number;
}

export interface TrainOptions {
  /**
   * Architecture (dims, inputSize, inChannels must match the inputs; by default they follow
   * `preprocessing`: dims, size, maskChannel → 2 channels).
   */
  model?: Partial<ModelConfig>;
  /** Preprocessing used to make the inputs; stored with the model for `predict` on new images. */
  preprocessing?: PatchOptions;
  /** Default 50. */
  epochs?: number;
  /** Default 8. */
  batchSize?: number;
  /** Adam learning rate. Default 1e-3. */
  learningRate?: number;
  /** Weight λ of the reconstruction MSE in the joint loss. Default 1. */
  lambda?: number;
  /**
   * Decoupled weight decay (AdamW style): after every step each convolution and dense kernel is
   * multiplied by 1 − learningRate · weightDecay (biases and norm parameters are not decayed).
   * Default 0.
   */
  weightDecay?: number;
  /** 'balanced' (default: w₁ = n₀/n₁ on positives), 'none', or explicit weights. */
  classWeight?: 'balanced' | 'none' | { negative: number; positive: number };
  /**
   * Classification loss: 'bce' (default, class-weighted binary cross-entropy) or 'focal'
   * (class-weighted focal loss, `focalWithLogits`). Validation monitoring (val_bce) stays BCE.
   */
  loss?: 'bce' | 'focal';
  /** Focusing parameter γ of the focal loss. Default 2. */
  focalGamma?: number;
  /** Fraction of samples held out for early stopping (stratified, group-aware). Default 0.2; 0 disables. */
  validationFraction?: number;
  /** Explicit validation sample indices (overrides `validationFraction`). */
  validationIndices?: readonly number[];
  /** Stop after this many epochs without improvement. Default 10. */
  patience?: number;
  /** What early stopping watches. Default 'val_bce'. */
  monitor?: 'val_bce' | 'val_loss' | 'val_auc';
  /** Seed of initialisation, split, shuffling, augmentation and dropout. Default 0. */
  seed?: number;
  /** Augmentation options, or false to disable. Default: flips + rotations + ±0.1 intensity. */
  augment?: AugmentOptions | false;
  /** Called after every epoch with the log and the model being trained; return `false` to stop. */
  onEpoch?: (log: EpochLog, model: AutoencoderClassifier) => void | boolean;
}

export interface TrainResult {
  /** The trained model, with the weights of the best epoch when a validation split was used. */
  model: AutoencoderClassifier;
  history: EpochLog[];
  /** Epoch (1-based) whose weights were kept. */
  bestEpoch: number;
  stoppedEarly: boolean;
  trainIndices: number[];
  validationIndices: number[];
  /** Backend the model was trained on. */
  backend: string;
}

function checkData(data: TrainingData, cfg: ModelConfig): void {
  const per = cfg.inputSize ** cfg.dims * cfg.inChannels;
  if (data.inputs.length !== data.labels.length) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'inputs and labels differ in length', {
      expected: `${data.inputs.length} labels`,
      found: `${data.labels.length}`,
    });
  }
  if (data.inputs.length === 0) throw new RadcamError('E_INVALID_ARGUMENT', 'no training samples');
  data.inputs.forEach((x, i) => {
    if (x.length !== per) {
      throw new RadcamError('E_INVALID_ARGUMENT', `sample ${i}: patch size does not match the architecture`, {
        expected: `${per} values (${cfg.inputSize}^${cfg.dims} × ${cfg.inChannels})`,
        found: `${x.length}`,
      });
    }
    const y = data.labels[i];
    if (y !== 0 && y !== 1) throw new RadcamError('E_INVALID_ARGUMENT', `sample ${i}: label must be 0 or 1`, { found: String(y) });
  });
}

/** Stratified (or group-aware) validation split; deterministic given `rng`. */
export function splitValidation(
  labels: ArrayLike<number>,
  fraction: number,
  rng: Rng,
  groups?: readonly (string | number)[],
): { train: number[]; validation: number[] } {
  const n = labels.length;
  if (fraction <= 0) return { train: [...Array(n).keys()], validation: [] };
  const val = new Set<number>();
  if (groups) {
    const byGroup = new Map<string | number, number[]>();
    for (let i = 0; i < n; i++) {
      const g = groups[i]!;
      if (!byGroup.has(g)) byGroup.set(g, []);
      byGroup.get(g)!.push(i);
    }
    const keys = rng.shuffle([...byGroup.keys()].sort((a, b) => String(a).localeCompare(String(b))));
    const target = Math.round(n * fraction);
    for (const k of keys) {
      if (val.size >= target) break;
      for (const i of byGroup.get(k)!) val.add(i);
    }
  } else {
    for (const cls of [0, 1]) {
      const idx: number[] = [];
      for (let i = 0; i < n; i++) if (labels[i] === cls) idx.push(i);
      rng.shuffle(idx);
      const take = idx.length >= 2 ? Math.max(1, Math.round(idx.length * fraction)) : 0;
      for (let t = 0; t < take; t++) val.add(idx[t]!);
    }
  }
  const train: number[] = [];
  const validation: number[] = [];
  for (let i = 0; i < n; i++) (val.has(i) ? validation : train).push(i);
  return { train, validation };
}

function classWeights(labels: ArrayLike<number>, idx: number[], opt: TrainOptions['classWeight']): [number, number] {
  if (opt === 'none') return [1, 1];
  if (opt && typeof opt === 'object') return [opt.negative, opt.positive];
  let pos = 0;
  for (const i of idx) if (labels[i] === 1) pos++;
  const neg = idx.length - pos;
  return pos > 0 && neg > 0 ? [1, neg / pos] : [1, 1];
}

interface EvalResult {
  bce: number;
  mse: number;
  auc: number;
  probabilities: Float32Array;
}

function evaluate(model: AutoencoderClassifier, data: TrainingData, idx: number[], batchSize: number): EvalResult {
  const probs = new Float32Array(idx.length);
  let bce = 0;
  let sse = 0;
  let count = 0;
  for (let s = 0; s < idx.length; s += batchSize) {
    const b = idx.slice(s, s + batchSize);
    const x = batchTensor(model.config, b.map((i) => data.inputs[i]!));
    const [z, se] = tf.tidy(() => {
      const r = model.forward(x);
      return [r.logits.dataSync().slice(), tf.sum(tf.squaredDifference(r.reconstruction, x)).dataSync()[0]!] as const;
    });
    x.dispose();
    sse += se;
    count += x.size;
    b.forEach((i, t) => {
      const zi = z[t]!;
      const y = data.labels[i]!;
      bce += Math.max(zi, 0) - y * zi + Math.log1p(Math.exp(-Math.abs(zi)));
      probs[s + t] = 1 / (1 + Math.exp(-zi));
    });
  }
  return {
    bce: bce / idx.length,
    mse: sse / count,
    auc: rocAuc(probs, idx.map((i) => data.labels[i]!)),
    probabilities: probs,
  };
}

/**
 * Train a new model. Seeded: the same data, options and seed give identical weights on the same
 * backend. Refuses the wasm backend (`E_BACKEND`).
 */
export async function trainModel(data: TrainingData, options: TrainOptions = {}): Promise<TrainResult> {
  assertCanTrain();
  const pre = options.preprocessing;
  const cfg = defaultModelConfig({
    // the patch options decide the input shape unless the architecture says otherwise
    ...(pre?.dims !== undefined ? { dims: pre.dims } : {}),
    ...(pre?.size !== undefined ? { inputSize: pre.size } : {}),
    ...(pre?.maskChannel !== undefined ? { inChannels: pre.maskChannel ? 2 : 1 } : {}),
    ...(options.model ?? {}),
  });
  checkData(data, cfg);
  const epochs = options.epochs ?? 50;
  const batchSize = Math.max(1, options.batchSize ?? 8);
  const lambda = options.lambda ?? 1;
  const patience = options.patience ?? 10;
  const monitor = options.monitor ?? 'val_bce';
  const root = createRng(options.seed ?? 0);
  const initRng = root.fork();
  const splitRng = root.fork();
  const shuffleRng = root.fork();
  const augRng = root.fork();
  const dropRng = root.fork();

  let split: { train: number[]; validation: number[] };
  if (options.validationIndices) {
    const v = new Set(options.validationIndices);
    split = { train: [], validation: [...v].sort((a, b) => a - b) };
    for (let i = 0; i < data.inputs.length; i++) if (!v.has(i)) split.train.push(i);
  } else {
    split = splitValidation(data.labels, options.validationFraction ?? 0.2, splitRng, data.groups);
  }
  if (split.train.length === 0) throw new RadcamError('E_INVALID_ARGUMENT', 'no samples left for training after the validation split');
  const [w0, w1] = classWeights(data.labels, split.train, options.classWeight ?? 'balanced');

  const model = new AutoencoderClassifier(cfg, initialWeights(cfg, initRng));
  if (options.preprocessing) model.preprocessing = { ...options.preprocessing };
  // tf.train.adam with the update of each variable fused into one loop (bit-identical on cpu)
  const optimizer = fusedAdam(options.learningRate ?? 1e-3);
  const lossKind = options.loss ?? 'bce';
  if (lossKind !== 'bce' && lossKind !== 'focal') throw new RadcamError('E_INVALID_ARGUMENT', "loss must be 'bce' or 'focal'", { found: String(lossKind) });
  const focal = lossKind === 'focal';
  const focalGamma = options.focalGamma ?? 2;
  const varList = [...model.params.values()];
  const weightDecay = options.weightDecay ?? 0;
  if (!(weightDecay >= 0)) throw new RadcamError('E_INVALID_ARGUMENT', 'weightDecay must be ≥ 0', { found: String(weightDecay) });
  const decayFactor = 1 - (options.learningRate ?? 1e-3) * weightDecay;
  const decayed = [...model.params.entries()].filter(([k]) => k.endsWith('/kernel')).map(([, v]) => v);
  const history: EpochLog[] = [];
  let best = monitor === 'val_auc' ? -Infinity : Infinity;
  let bestEpoch = 0;
  let bestWeights: Map<string, Float32Array> | null = null;
  let sinceBest = 0;
  let stoppedEarly = false;
  const augment = options.augment === false ? null : (options.augment ?? {});
  const order = [...split.train];

  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const t0 = performance.now();
      shuffleRng.shuffle(order);
      let sumLoss = 0;
      let sumBce = 0;
      let sumMse = 0;
      let nb = 0;
      for (let s = 0; s < order.length; s += batchSize) {
        const b = order.slice(s, s + batchSize);
        const patches = b.map((i) => {
          const x = data.inputs[i]!;
          return augment ? augmentPatch(x, cfg.dims, cfg.inputSize, cfg.inChannels, augRng, augment) : x;
        });
        const y = Float32Array.from(b, (i) => data.labels[i]!);
        const w = Float32Array.from(y, (v) => (v === 1 ? w1 : w0));
        const x = batchTensor(cfg, patches);
        let bceT: tf.Scalar | null = null;
        let mseT: tf.Scalar | null = null;
        const cost = optimizer.minimize(
          () => {
            const r = model.forward(x, { training: true, rng: dropRng, inputGradient: false });
            const bce = focal ? focalWithLogits(r.logits, y, w, focalGamma) : bceWithLogits(r.logits, y, w);
            const mse = meanSquaredError(r.reconstruction, x, { constantTarget: true });
            bceT = tf.keep(bce);
            mseT = tf.keep(mse);
            return tf.add(bce, tf.mul(mse, lambda)) as tf.Scalar;
          },
          true,
          varList,
        );
        if (weightDecay > 0) {
          for (const v of decayed) {
            const nv = tf.tidy(() => tf.mul(v, decayFactor));
            v.assign(nv);
            nv.dispose();
          }
        }
        sumLoss += cost!.dataSync()[0]!;
        sumBce += (bceT as tf.Scalar | null)!.dataSync()[0]!;
        sumMse += (mseT as tf.Scalar | null)!.dataSync()[0]!;
        cost!.dispose();
        (bceT as tf.Scalar | null)?.dispose();
        (mseT as tf.Scalar | null)?.dispose();
        x.dispose();
        nb++;
      }
      const log: EpochLog = {
        epoch,
        trainLoss: sumLoss / nb,
        trainBce: sumBce / nb,
        trainMse: sumMse / nb,
        improved: false,
        seconds: 0,
      };
      if (split.validation.length > 0) {
        const ev = evaluate(model, data, split.validation, batchSize);
        log.valBce = ev.bce;
        log.valMse = ev.mse;
        log.valLoss = ev.bce + lambda * ev.mse;
        log.valAuc = ev.auc;
        const m = monitor === 'val_auc' ? (Number.isNaN(ev.auc) ? -Infinity : ev.auc) : monitor === 'val_loss' ? log.valLoss : ev.bce;
        const better = monitor === 'val_auc' ? m > best : m < best;
        if (better) {
          best = m;
          bestEpoch = epoch;
          bestWeights = model.getWeights();
          sinceBest = 0;
          log.improved = true;
        } else sinceBest++;
      } else {
        bestEpoch = epoch;
        log.improved = true;
      }
      log.seconds = (performance.now() - t0) / 1000;
      history.push(log);
      const cont = options.onEpoch?.(log, model);
      if (cont === false) break;
      if (split.validation.length > 0 && sinceBest >= patience) {
        stoppedEarly = epoch < epochs;
        break;
      }
      await new Promise<void>((r) => setImmediate(r));
    }
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    optimizer.dispose();
  }
  if (bestWeights) model.setWeights(bestWeights);
  model.training = { seed: options.seed ?? 0, epochs: history.length, bestEpoch, lambda, samples: data.inputs.length };
  return {
    model,
    history,
    bestEpoch,
    stoppedEarly,
    trainIndices: split.train,
    validationIndices: split.validation,
    backend: tf.getBackend(),
  };
}

export interface CrossValidateOptions extends TrainOptions {
  /** Called when a fold finishes. */
  onFold?: (result: FoldResult) => void;
  /** Keep each fold's model (default false: disposed after predicting its test fold). */
  keepModels?: boolean;
  /**
   * Models trained per fold (seeds `seed + fold + 1000·m`, m = 0…n−1); the fold's test
   * probabilities are their mean. Averaging seeds reduces the variance of a small-data CNN.
   * Default 1. With `keepModels`, the first model is kept.
   */
  ensemble?: number;
}

export interface FoldResult {
  fold: number;
  trainIndices: number[];
  testIndices: number[];
  /** P(label = 1) of the test samples, in `testIndices` order. */
  probabilities: Float32Array;
  auc: number;
  bestEpoch: number;
  history: EpochLog[];
  model?: AutoencoderClassifier;
}

export interface CrossValidateResult {
  folds: FoldResult[];
  /** Out-of-fold probability per sample (NaN for samples with a negative fold id). */
  outOfFold: Float32Array;
  /** AUC of the pooled out-of-fold probabilities. */
  auc: number;
  /** Mean of the per-fold AUCs (folds with one class only are skipped). */
  meanFoldAuc: number;
}

/**
 * Cross-validation over given fold assignments (`folds[i]` = fold id of sample i, as produced by
 * `@radcam/learn`; ids < 0 are never tested). Each fold trains on the others (with its own inner
 * validation split for early stopping) with seed `seed + fold`.
 */
export async function crossValidate(
  data: TrainingData,
  folds: readonly number[],
  options: CrossValidateOptions = {},
): Promise<CrossValidateResult> {
  if (folds.length !== data.inputs.length) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'one fold id per sample is required', {
      expected: `${data.inputs.length}`,
      found: `${folds.length}`,
    });
  }
  const ids = [...new Set(folds.filter((f) => f >= 0))].sort((a, b) => a - b);
  if (ids.length < 2) throw new RadcamError('E_INVALID_ARGUMENT', 'cross-validation needs at least two folds', { found: `${ids.length}` });
  const outOfFold = new Float32Array(data.inputs.length).fill(NaN);
  const results: FoldResult[] = [];
  for (const fold of ids) {
    const trainIdx: number[] = [];
    const testIdx: number[] = [];
    folds.forEach((f, i) => (f === fold ? testIdx : trainIdx).push(i));
    const sub: TrainingData = {
      inputs: trainIdx.map((i) => data.inputs[i]!),
      labels: trainIdx.map((i) => data.labels[i]!),
      ...(data.groups ? { groups: trainIdx.map((i) => data.groups![i]!) } : {}),
    };
    const { onFold: _onFold, keepModels: _keep, ensemble: _ens, ...trainOpts } = options;
    const members = Math.max(1, Math.floor(options.ensemble ?? 1));
    const probs = new Float32Array(testIdx.length);
    let first: TrainResult | null = null;
    for (let m = 0; m < members; m++) {
      const tr = await trainModel(sub, { ...trainOpts, seed: (options.seed ?? 0) + fold + 1000 * m });
      const pm = predict(tr.model, testIdx.map((i) => data.inputs[i]!), { batchSize: options.batchSize ?? 8 });
      for (let t = 0; t < probs.length; t++) probs[t]! += pm[t]! / members;
      if (m === 0) first = tr;
      if (!(m === 0 && options.keepModels)) tr.model.dispose();
    }
    const tr = first!;
    testIdx.forEach((i, t) => (outOfFold[i] = probs[t]!));
    const res: FoldResult = {
      fold,
      trainIndices: trainIdx,
      testIndices: testIdx,
      probabilities: probs,
      auc: rocAuc(probs, testIdx.map((i) => data.labels[i]!)),
      bestEpoch: tr.bestEpoch,
      history: tr.history,
    };
    if (options.keepModels) res.model = tr.model;
    results.push(res);
    options.onFold?.(res);
  }
  const tested: number[] = [];
  folds.forEach((f, i) => f >= 0 && tested.push(i));
  const fa = results.map((r) => r.auc).filter((a) => !Number.isNaN(a));
  return {
    folds: results,
    outOfFold,
    auc: rocAuc(tested.map((i) => outOfFold[i]!), tested.map((i) => data.labels[i]!)),
    meanFoldAuc: fa.length > 0 ? fa.reduce((a, b) => a + b, 0) / fa.length : NaN,
  };
}
