/**
 * The integrated convolutional autoencoder–classifier, written on tfjs-core ops directly.
 *
 * Encoder: `widths.length` blocks `conv(k, stride) → GroupNorm → (Leaky)ReLU` named enc1…encL.
 * Optional dense bottleneck (`latent` > 0): flatten encL → dense(latent) (linear code) →
 * dense(back to encL's size) → activation.
 * Decoder (`decoder: 'upsample'`, default): for each encoder block after the first, in reverse,
 * conv (to the previous block's width, at the coarse resolution: 4–8× cheaper than convolving
 * after up-sampling) → GroupNorm → activation → nearest up-sampling by that block's stride; then
 * the first block's stride is undone and a linear conv maps back to the input channels. Each
 * "up-sample then convolve" pair runs as one fused op (`upsampleConv`, polyphase on the coarse
 * grid). `decoder: 'transpose'`: each stage is a transposed convolution with the encoder block's
 * stride (`convTransposeSame`, PyTorch's ConvTranspose with output_padding) → norm → activation,
 * and the last one maps to the input channels (linear).
 * Classifier: global average pooling of encL → dropout → dense → one logit.
 * 2D and 3D share the definition (conv2d / conv3d, channels last).
 */
import * as tf from '@tensorflow/tfjs-core';
import { RadcamError, createRng, type Rng } from '@radcam/core';
import { registerGradients } from './gradients.js';
import { denseLayer, globalAveragePool, groupNormAct, upsampleConv, upsampleNearest } from './fused.js';
import { activeConvImplementation, convSame, convTransposeSame } from './conv.js';
import { ensureBackend } from './backend.js';
import type { PatchOptions } from './patch.js';

/** The structural interface `@radcam/cam` targets. */
export interface CamTarget {
  readonly dims: 2 | 3;
  /** Layer names whose activation can be targeted, in forward order (e.g. 'enc1', 'enc2', 'enc3'). */
  readonly layerNames: readonly string[];
  /** The last convolutional layer of the encoder (the CAM default). */
  readonly lastConvLayer: string;
  /** input [N, (D,) H, W, C] (channels last) → activation of `layer` [N, (d,) h, w, K]. Inference mode (no dropout, BN in eval). */
  forwardTo(input: tf.Tensor, layer: string): tf.Tensor;
  /** activation of `layer` → classification logits of shape [N] (inference mode). */
  forwardFrom(activation: tf.Tensor, layer: string): tf.Tensor;
  /** Weights [K] and bias of the dense layer after global average pooling of `lastConvLayer` (classic CAM), or null if the head is not GAP→dense. */
  camWeights(): { weights: Float32Array; bias: number } | null;
}

/** Architecture. Everything needed to rebuild the graph; saved in model.json. */
export interface ModelConfig {
  /** 3 → conv3d on [N, D, H, W, C]; 2 → conv2d on [N, H, W, C]. */
  dims: 2 | 3;
  /** Patch side in voxels (cubic / square patches). Must be divisible by the product of `strides`. */
  inputSize: number;
  /** Input channels: 1 (image) or 2 (image + mask). */
  inChannels: number;
  /** Filters per encoder block. The last entry is the latent (and CAM) width. Default [8, 16, 32]. */
  widths: number[];
  /** Stride (1 or 2) of each encoder block's convolution. Default [1, 2, 2]. */
  strides: number[];
  /** Convolution kernel side (odd). Default 3. */
  kernelSize: number;
  /** 'group' (GroupNorm), 'instance' (= GroupNorm with one channel per group) or 'none'. */
  norm: 'group' | 'instance' | 'none';
  /** Number of groups for GroupNorm (clamped to the channel count, must divide it). Default 4. */
  groups: number;
  activation: 'relu' | 'leaky-relu';
  /** Negative slope of LeakyReLU. Default 0.1. */
  leakySlope: number;
  /** Dropout rate on the pooled features before the dense layer (training only). Default 0.2. */
  dropout: number;
  /**
   * Size of a dense bottleneck between encoder and decoder (0 = none, the default): the
   * flattened last encoder activation → dense(latent) → dense(back) → activation. Only the
   * reconstruction passes through it; the classifier reads the last conv layer.
   */
  latent: number;
  /** Decoder up-sampling: 'upsample' (nearest + conv, default) or 'transpose' (transposed convolutions). */
  decoder: 'upsample' | 'transpose';
}

/** Defaults: 3D 32³ patches, 8/16/32 filters, GroupNorm(4), LeakyReLU(0.1), dropout 0.2. */
export function defaultModelConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  const dims = overrides.dims ?? 3;
  const cfg: ModelConfig = {
    dims,
    inputSize: dims === 3 ? 32 : 64,
    inChannels: 1,
    widths: [8, 16, 32],
    strides: [1, 2, 2],
    kernelSize: 3,
    norm: 'group',
    groups: 4,
    activation: 'leaky-relu',
    leakySlope: 0.1,
    dropout: 0.2,
    latent: 0,
    decoder: 'upsample',
    ...overrides,
  };
  validateConfig(cfg);
  return cfg;
}

/**
 * The architecture issue 6 times PyTorch with (its speed table: "a 32³ conv3d 8/16/32-filter
 * autoencoder–classifier, 168 258 parameters, batch 8"; and the 64² 2D twin): three stride-2
 * 3×3(×3) convolutions with bias and ReLU (no normalisation) down to 4³×32, a dense latent of 32
 * (2048 → 32 → 2048), three stride-2 transposed convolutions back to 32³×1, and GAP → dense on
 * the last conv layer. Used by `pnpm bench model` for the like-for-like comparison; radcam's
 * defaults (`defaultModelConfig`) are tuned for ~69-lesion cohorts instead.
 */
export function referenceModelConfig(dims: 2 | 3 = 3, overrides: Partial<ModelConfig> = {}): ModelConfig {
  return defaultModelConfig({
    dims,
    widths: [8, 16, 32],
    strides: [2, 2, 2],
    norm: 'none',
    activation: 'relu',
    latent: 32,
    decoder: 'transpose',
    dropout: 0,
    ...overrides,
  });
}

function bad(message: string, found: string): never {
  throw new RadcamError('E_INVALID_ARGUMENT', message, { found });
}

export function validateConfig(c: ModelConfig): void {
  if (c.dims !== 2 && c.dims !== 3) bad('dims must be 2 or 3', String(c.dims));
  if (!Number.isInteger(c.inputSize) || c.inputSize < 2) bad('inputSize must be an integer ≥ 2', String(c.inputSize));
  if (!Number.isInteger(c.inChannels) || c.inChannels < 1) bad('inChannels must be a positive integer', String(c.inChannels));
  if (c.widths.length < 1 || c.widths.some((w) => !Number.isInteger(w) || w < 1)) bad('widths must be positive integers', JSON.stringify(c.widths));
  if (c.strides.length !== c.widths.length || c.strides.some((s) => s !== 1 && s !== 2)) {
    bad('strides must have one entry (1 or 2) per width', JSON.stringify(c.strides));
  }
  if (!Number.isInteger(c.kernelSize) || c.kernelSize < 1 || c.kernelSize % 2 === 0) bad('kernelSize must be odd', String(c.kernelSize));
  const down = c.strides.reduce((a, b) => a * b, 1);
  if (c.inputSize % down !== 0) bad(`inputSize must be divisible by ${down} (product of strides)`, String(c.inputSize));
  if (c.dropout < 0 || c.dropout >= 1) bad('dropout must be in [0, 1)', String(c.dropout));
  if (!['group', 'instance', 'none'].includes(c.norm)) bad("norm must be 'group', 'instance' or 'none'", c.norm);
  if (!['relu', 'leaky-relu'].includes(c.activation)) bad("activation must be 'relu' or 'leaky-relu'", c.activation);
  if (!Number.isInteger(c.latent) || c.latent < 0) bad('latent must be a non-negative integer (0 = no dense bottleneck)', String(c.latent));
  if (c.decoder !== 'upsample' && c.decoder !== 'transpose') bad("decoder must be 'upsample' or 'transpose'", String(c.decoder));
  if (c.norm === 'group') {
    for (const w of c.widths) {
      const g = Math.min(c.groups, w);
      if (w % g !== 0) bad(`GroupNorm: ${g} groups do not divide ${w} channels`, JSON.stringify(c.widths));
    }
  }
}

interface BlockParams {
  w: tf.Variable;
  b: tf.Variable | null;
  gamma: tf.Variable | null;
  beta: tf.Variable | null;
  stride: number;
}

/** Options of a forward pass. */
export interface ForwardOptions {
  /** Training mode: dropout active. Default false. */
  training?: boolean;
  /** Random source for dropout (required when training with dropout > 0). */
  rng?: Rng;
  /**
   * Whether gradients w.r.t. the input are needed (default true). Training passes false: the first
   * convolution then skips its input back-prop (the largest one); ∂/∂input reads as zeros.
   */
  inputGradient?: boolean;
}

/** Result of a full forward pass. */
export interface ForwardResult {
  /** Classification logits [N]. */
  logits: tf.Tensor1D;
  /** Reconstruction of the input, same shape as the input. */
  reconstruction: tf.Tensor;
}

let modelCounter = 0;

/** The model: trainable parameters (tf.Variable) plus pure forward functions. Implements `CamTarget`. */
export class AutoencoderClassifier implements CamTarget {
  readonly config: Readonly<ModelConfig>;
  readonly dims: 2 | 3;
  readonly layerNames: readonly string[];
  readonly decoderLayerNames: readonly string[];
  readonly lastConvLayer: string;
  /** All parameters in a fixed order (the order of the weights manifest). */
  readonly params: ReadonlyMap<string, tf.Variable>;
  private readonly enc: BlockParams[] = [];
  private readonly dec: (BlockParams & { up: number })[] = [];
  private readonly out: BlockParams;
  private readonly denseW: tf.Variable;
  private readonly denseB: tf.Variable;
  private readonly latentParams: { encW: tf.Variable; encB: tf.Variable; decW: tf.Variable; decB: tf.Variable } | null;
  private disposed = false;
  /** Preprocessing that produced the inputs (saved in model.json); null when unknown. */
  preprocessing: PatchOptions | null = null;
  /** Training metadata (seed, epochs, …; saved in model.json). */
  training: Record<string, unknown> | null = null;

  /** Use `createModel` (seeded initialisation) or `loadModel`. `values` supplies every parameter. */
  constructor(config: ModelConfig, values: ReadonlyMap<string, Float32Array>) {
    validateConfig(config);
    registerGradients();
    ensureBackend();
    this.config = Object.freeze({ ...config, widths: [...config.widths], strides: [...config.strides] });
    this.dims = config.dims;
    const params = new Map<string, tf.Variable>();
    const id = ++modelCounter;
    const mk = (name: string, shape: number[]): tf.Variable => {
      const v = values.get(name);
      const size = shape.reduce((a, b) => a * b, 1);
      if (!v || v.length !== size) {
        throw new RadcamError('E_MODEL', `parameter ${name} is missing or has the wrong size`, {
          expected: `${size} values (${shape.join('×')})`,
          found: v ? `${v.length}` : 'nothing',
        });
      }
      const variable = tf.variable(tf.tensor(v, shape, 'float32'), true, `radcam${id}/${name}`);
      params.set(name, variable);
      return variable;
    };
    // every variable is created in manifest order (paramSpecs), then picked by name
    for (const sp of paramSpecs(config)) mk(sp.name, sp.shape);
    const get = (name: string) => {
      const v = params.get(name);
      if (!v) throw new Error(`internal: no parameter ${name}`);
      return v;
    };
    const block = (prefix: string, stride: number, norm: boolean, bias: boolean): BlockParams => ({
      w: get(`${prefix}/conv/kernel`),
      b: bias ? get(`${prefix}/conv/bias`) : null,
      gamma: norm ? get(`${prefix}/norm/gamma`) : null,
      beta: norm ? get(`${prefix}/norm/beta`) : null,
      stride,
    });
    const useNorm = config.norm !== 'none';
    const L = config.widths.length;
    const names: string[] = [];
    for (let i = 0; i < L; i++) {
      names.push(`enc${i + 1}`);
      const norm = useNorm && i < L - 1; // see paramSpecs: the CAM layer is not normalised
      this.enc.push(block(`enc${i + 1}`, config.strides[i]!, norm, !norm));
    }
    const decNames: string[] = [];
    for (let j = 0; j < L - 1; j++) {
      const i = L - 1 - j;
      decNames.push(`dec${j + 1}`);
      this.dec.push({ ...block(`dec${j + 1}`, 1, useNorm, !useNorm), up: config.strides[i]! });
    }
    this.out = block('out', 1, false, true);
    this.denseW = get('head/dense/kernel');
    this.denseB = get('head/dense/bias');
    this.latentParams =
      config.latent > 0
        ? { encW: get('latent/dense/kernel'), encB: get('latent/dense/bias'), decW: get('latent/decode/kernel'), decB: get('latent/decode/bias') }
        : null;
    this.layerNames = Object.freeze(names);
    this.decoderLayerNames = Object.freeze([...decNames, 'reconstruction']);
    this.lastConvLayer = names[L - 1]!;
    this.params = params;
  }

  /** Number of scalar parameters. */
  get parameterCount(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  private conv(x: tf.Tensor, p: BlockParams, inputGradient = true): tf.Tensor {
    if (activeConvImplementation() === 'js') return convSame(x, p.w, p.stride, p.b, { inputGradient });
    let y: tf.Tensor;
    if (this.dims === 3) {
      y = tf.conv3d(x as tf.Tensor5D, p.w as unknown as tf.Tensor5D, p.stride as 1, 'same');
    } else {
      y = tf.conv2d(x as tf.Tensor4D, p.w as unknown as tf.Tensor4D, p.stride, 'same');
    }
    if (p.b) y = tf.add(y, p.b);
    return y;
  }

  /** Transposed convolution (decoder 'transpose'); `p.stride` is the up-sampling factor. */
  private convT(x: tf.Tensor, p: BlockParams): tf.Tensor {
    if (activeConvImplementation() === 'js') return convTransposeSame(x, p.w, p.stride, p.b);
    const s = p.stride;
    const outShape = [x.shape[0]!, ...x.shape.slice(1, this.dims + 1).map((v) => v * s), p.w.shape[this.dims]!];
    let y: tf.Tensor;
    if (this.dims === 3) {
      y = tf.conv3dTranspose(x as tf.Tensor5D, p.w as unknown as tf.Tensor5D, outShape as [number, number, number, number, number], s, 'same');
    } else {
      y = tf.conv2dTranspose(x as tf.Tensor4D, p.w as unknown as tf.Tensor4D, outShape as [number, number, number, number], s, 'same');
    }
    if (p.b) y = tf.add(y, p.b);
    return y;
  }

  /** `conv(upsampleNearest(x, up))` (fused when up > 1). */
  private upConv(x: tf.Tensor, p: BlockParams, up: number): tf.Tensor {
    if (up <= 1) return this.conv(x, p);
    return upsampleConv(x, p.w, up, p.b);
  }

  /** Normalisation (if the block has one) and activation, fused into one op where possible. */
  private normAct(y: tf.Tensor, p: BlockParams): tf.Tensor {
    const slope = this.config.activation === 'relu' ? 0 : this.config.leakySlope;
    if (p.gamma && p.beta) {
      const c = y.shape[y.rank - 1]!;
      const groups = this.config.norm === 'instance' ? c : this.config.groups;
      return groupNormAct(y, p.gamma, p.beta, groups, { slope });
    }
    return this.act(y);
  }

  private act(y: tf.Tensor): tf.Tensor {
    return this.config.activation === 'relu' ? tf.relu(y) : tf.leakyRelu(y, this.config.leakySlope);
  }

  private block(x: tf.Tensor, p: BlockParams, inputGradient = true): tf.Tensor {
    return this.normAct(this.conv(x, p, inputGradient), p);
  }

  private checkInput(input: tf.Tensor): void {
    this.assertAlive();
    const r = this.dims + 2;
    if (input.rank !== r) {
      bad(`input must be rank ${r} [N, ${this.dims === 3 ? 'D, ' : ''}H, W, C]`, `shape [${input.shape.join(', ')}]`);
    }
    if (input.shape[r - 1] !== this.config.inChannels) {
      bad(`input must have ${this.config.inChannels} channel(s) (channels last)`, `shape [${input.shape.join(', ')}]`);
    }
    const down = this.config.strides.reduce((a, b) => a * b, 1);
    for (let i = 1; i < r - 1; i++) {
      if (input.shape[i]! % down !== 0) bad(`spatial sizes must be divisible by ${down}`, `shape [${input.shape.join(', ')}]`);
    }
  }

  private layerIndex(layer: string): number {
    const i = this.layerNames.indexOf(layer);
    if (i < 0) {
      throw new RadcamError('E_INVALID_ARGUMENT', `unknown layer '${layer}'`, { expected: this.layerNames.join(', '), found: layer });
    }
    return i;
  }

  private assertAlive(): void {
    if (this.disposed) throw new RadcamError('E_MODEL', 'model has been disposed');
  }

  private encodeRange(x: tf.Tensor, from: number, to: number, inputGradient = true): tf.Tensor {
    let y = x;
    for (let i = from; i <= to; i++) y = this.block(y, this.enc[i]!, i > 0 || inputGradient);
    return y;
  }

  /** The dense bottleneck (identity when `latent` is 0); `code` receives the latent code. */
  private bottleneck(last: tf.Tensor, code?: (z: tf.Tensor) => void): tf.Tensor {
    const lp = this.latentParams;
    if (!lp) return last;
    const n = last.shape[0]!;
    const flat = tf.reshape(last, [n, last.size / n]) as tf.Tensor2D;
    const z = denseLayer(flat, lp.encW, lp.encB);
    code?.(z);
    const back = denseLayer(z, lp.decW, lp.decB);
    return tf.reshape(this.act(back), last.shape);
  }

  private head(last: tf.Tensor, options: ForwardOptions): tf.Tensor1D {
    let f = globalAveragePool(last);
    const rate = this.config.dropout;
    if (options.training && rate > 0) {
      if (!options.rng) bad('training forward with dropout needs an rng', 'no rng');
      const mask = new Float32Array(f.size);
      const scale = 1 / (1 - rate);
      for (let i = 0; i < mask.length; i++) mask[i] = options.rng.next() < rate ? 0 : scale;
      f = tf.mul(f, tf.tensor(mask, f.shape, 'float32'));
    }
    const z = denseLayer(f, this.denseW, this.denseB);
    return tf.reshape(z, [z.shape[0]!]) as tf.Tensor1D;
  }

  /**
   * Decoder from the last encoder activation to the reconstruction. `record` receives every
   * decoder stage's output (after its up-sampling) and the bottleneck's code.
   */
  private decode(last: tf.Tensor, record?: (name: string, t: tf.Tensor) => void): tf.Tensor {
    let y = this.bottleneck(last, record ? (z) => record('latent', z) : undefined);
    if (this.config.decoder === 'transpose') {
      this.dec.forEach((p, j) => {
        y = this.normAct(this.convT(y, { ...p, stride: p.up }), p);
        record?.(`dec${j + 1}`, y);
      });
      return this.convT(y, { ...this.out, stride: this.config.strides[0]! });
    }
    let up = 1;
    this.dec.forEach((p, j) => {
      y = this.normAct(this.upConv(y, p, up), p);
      up = p.up;
      if (record) record(`dec${j + 1}`, up > 1 ? upsampleNearest(y, up) : y);
    });
    return this.upConv(y, this.out, up * this.config.strides[0]!);
  }

  /** Full forward pass: logits and reconstruction. Not wrapped in tidy (so it can be differentiated). */
  forward(input: tf.Tensor, options: ForwardOptions = {}): ForwardResult {
    this.checkInput(input);
    const last = this.encodeRange(input, 0, this.enc.length - 1, options.inputGradient ?? true);
    return { logits: this.head(last, options), reconstruction: this.decode(last) };
  }

  forwardTo(input: tf.Tensor, layer: string): tf.Tensor {
    this.checkInput(input);
    return this.encodeRange(input, 0, this.layerIndex(layer));
  }

  forwardFrom(activation: tf.Tensor, layer: string): tf.Tensor {
    this.assertAlive();
    const i = this.layerIndex(layer);
    const expectedC = this.config.widths[i]!;
    if (activation.rank !== this.dims + 2 || activation.shape[activation.rank - 1] !== expectedC) {
      bad(`activation of ${layer} must be rank ${this.dims + 2} with ${expectedC} channels`, `shape [${activation.shape.join(', ')}]`);
    }
    return this.head(this.encodeRange(activation, i + 1, this.enc.length - 1), {});
  }

  /**
   * Every named activation of an inference pass: the encoder layers, 'latent' (the bottleneck's
   * code, when `latent` > 0), the decoder stages (after their up-sampling) and 'reconstruction'.
   */
  activations(input: tf.Tensor): Map<string, tf.Tensor> {
    this.checkInput(input);
    const out = new Map<string, tf.Tensor>();
    let y = input;
    this.enc.forEach((p, i) => {
      y = this.block(y, p);
      out.set(this.layerNames[i]!, y);
    });
    out.set('reconstruction', this.decode(y, (name, t) => out.set(name, t)));
    return out;
  }

  camWeights(): { weights: Float32Array; bias: number } | null {
    this.assertAlive();
    return { weights: Float32Array.from(this.denseW.dataSync()), bias: this.denseB.dataSync()[0]! };
  }

  /** Copy of every parameter's values, in manifest order. */
  getWeights(): Map<string, Float32Array> {
    this.assertAlive();
    const out = new Map<string, Float32Array>();
    for (const [k, v] of this.params) out.set(k, Float32Array.from(v.dataSync() as Float32Array));
    return out;
  }

  /** Overwrite parameters from `values` (same names and sizes). */
  setWeights(values: ReadonlyMap<string, Float32Array>): void {
    this.assertAlive();
    for (const [k, v] of this.params) {
      const src = values.get(k);
      if (!src || src.length !== v.size) throw new RadcamError('E_MODEL', `setWeights: parameter ${k} missing or wrong size`);
      v.assign(tf.tensor(src, v.shape, 'float32'));
    }
  }

  /** Free the variables. */
  dispose(): void {
    if (this.disposed) return;
    for (const v of this.params.values()) v.dispose();
    this.disposed = true;
  }
}

/** Name, shape and initialiser of one parameter. */
export interface ParamSpec {
  name: string;
  shape: number[];
  init: 'he' | 'glorot' | 'zeros' | 'ones';
  fanIn: number;
  fanOut: number;
}

/** The parameters of an architecture, in manifest order. */
export function paramSpecs(c: ModelConfig): ParamSpec[] {
  const k = c.kernelSize;
  const kk = c.dims === 3 ? [k, k, k] : [k, k];
  const kvol = kk.reduce((a, b) => a * b, 1);
  const useNorm = c.norm !== 'none';
  const specs: ParamSpec[] = [];
  const conv = (prefix: string, cin: number, cout: number, norm: boolean, bias: boolean, init: 'he' | 'glorot') => {
    specs.push({ name: `${prefix}/conv/kernel`, shape: [...kk, cin, cout], init, fanIn: kvol * cin, fanOut: kvol * cout });
    if (bias) specs.push({ name: `${prefix}/conv/bias`, shape: [cout], init: 'zeros', fanIn: 0, fanOut: 0 });
    if (norm) {
      specs.push({ name: `${prefix}/norm/gamma`, shape: [cout], init: 'ones', fanIn: 0, fanOut: 0 });
      specs.push({ name: `${prefix}/norm/beta`, shape: [cout], init: 'zeros', fanIn: 0, fanOut: 0 });
    }
  };
  const L = c.widths.length;
  let cin = c.inChannels;
  for (let i = 0; i < L; i++) {
    // The last encoder block (the CAM layer, read by global average pooling) has a bias and no
    // normalisation: per-sample GroupNorm right before GAP would remove the per-sample channel
    // means the classifier reads (with instance norm, GAP would be the constant β).
    const norm = useNorm && i < L - 1;
    conv(`enc${i + 1}`, cin, c.widths[i]!, norm, !norm, 'he');
    cin = c.widths[i]!;
  }
  if (c.latent > 0) {
    const down = c.strides.reduce((a, b) => a * b, 1);
    const F = (c.inputSize / down) ** c.dims * c.widths[L - 1]!;
    specs.push({ name: 'latent/dense/kernel', shape: [F, c.latent], init: 'glorot', fanIn: F, fanOut: c.latent });
    specs.push({ name: 'latent/dense/bias', shape: [c.latent], init: 'zeros', fanIn: 0, fanOut: 0 });
    specs.push({ name: 'latent/decode/kernel', shape: [c.latent, F], init: 'he', fanIn: c.latent, fanOut: F });
    specs.push({ name: 'latent/decode/bias', shape: [F], init: 'zeros', fanIn: 0, fanOut: 0 });
  }
  // transposed kernels are [(k,) k, k, Cout, Cin] (tfjs' layout); a stride-s transposed conv
  // sums kvol/s^dims taps per output voxel on average: that is its fan-in
  const convT = (prefix: string, cin: number, cout: number, stride: number, norm: boolean, bias: boolean, init: 'he' | 'glorot') => {
    const fan = Math.max(1, Math.round((kvol * cin) / stride ** c.dims));
    specs.push({ name: `${prefix}/conv/kernel`, shape: [...kk, cout, cin], init, fanIn: fan, fanOut: kvol * cout });
    if (bias) specs.push({ name: `${prefix}/conv/bias`, shape: [cout], init: 'zeros', fanIn: 0, fanOut: 0 });
    if (norm) {
      specs.push({ name: `${prefix}/norm/gamma`, shape: [cout], init: 'ones', fanIn: 0, fanOut: 0 });
      specs.push({ name: `${prefix}/norm/beta`, shape: [cout], init: 'zeros', fanIn: 0, fanOut: 0 });
    }
  };
  const transpose = c.decoder === 'transpose';
  for (let j = 0; j < L - 1; j++) {
    const i = L - 1 - j;
    if (transpose) convT(`dec${j + 1}`, c.widths[i]!, c.widths[i - 1]!, c.strides[i]!, useNorm, !useNorm, 'he');
    else conv(`dec${j + 1}`, c.widths[i]!, c.widths[i - 1]!, useNorm, !useNorm, 'he');
  }
  if (transpose) convT('out', c.widths[0]!, c.inChannels, c.strides[0]!, false, true, 'glorot');
  else conv('out', c.widths[0]!, c.inChannels, false, true, 'glorot');
  const K = c.widths[L - 1]!;
  specs.push({ name: 'head/dense/kernel', shape: [K, 1], init: 'glorot', fanIn: K, fanOut: 1 });
  specs.push({ name: 'head/dense/bias', shape: [1], init: 'zeros', fanIn: 0, fanOut: 0 });
  return specs;
}

/** Seeded initial values: He-normal for conv + activation, Glorot-normal for linear layers. */
export function initialWeights(config: ModelConfig, seed: number | Rng = 0): Map<string, Float32Array> {
  const rng = typeof seed === 'number' ? createRng(seed) : seed;
  const slope = config.activation === 'leaky-relu' ? config.leakySlope : 0;
  const out = new Map<string, Float32Array>();
  for (const p of paramSpecs(config)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    if (p.init === 'ones') v.fill(1);
    else if (p.init === 'he' || p.init === 'glorot') {
      const std = p.init === 'he' ? Math.sqrt(2 / ((1 + slope * slope) * p.fanIn)) : Math.sqrt(2 / (p.fanIn + p.fanOut));
      for (let i = 0; i < n; i++) v[i] = rng.normal() * std;
    }
    out.set(p.name, v);
  }
  return out;
}

/** Options of `createModel`. */
export interface CreateModelOptions {
  /** Seed of the weight initialisation. Default 0. */
  seed?: number;
}

/** A freshly initialised model (seeded: same config + seed → identical weights). */
export function createModel(config: Partial<ModelConfig> = {}, options: CreateModelOptions = {}): AutoencoderClassifier {
  const cfg = defaultModelConfig(config);
  return new AutoencoderClassifier(cfg, initialWeights(cfg, options.seed ?? 0));
}

/** Options of `predict`. */
export interface PredictOptions {
  /** Samples per forward pass when `input` is an array of patches. Default 8. */
  batchSize?: number;
}

/**
 * P(label = 1) for each sample: `input` is a batch tensor [N, (D,) H, W, C] or an array of
 * channels-last patches (Float32Array of inputSize^dims × inChannels values each).
 */
export function predict(model: AutoencoderClassifier, input: tf.Tensor | readonly Float32Array[], options: PredictOptions = {}): Float32Array {
  const probs = (x: tf.Tensor): Float32Array =>
    tf.tidy(() => {
      const last = model.lastConvLayer;
      return tf.sigmoid(model.forwardFrom(model.forwardTo(x, last), last)).dataSync() as Float32Array;
    });
  if (input instanceof tf.Tensor) return Float32Array.from(probs(input));
  const bs = Math.max(1, options.batchSize ?? 8);
  const out = new Float32Array(input.length);
  for (let start = 0; start < input.length; start += bs) {
    const batch = input.slice(start, start + bs);
    const x = batchTensor(model.config, batch);
    out.set(probs(x), start);
    x.dispose();
  }
  return out;
}

/** Stack channels-last patches into one input tensor, checking their length. */
export function batchTensor(config: Readonly<ModelConfig>, patches: readonly Float32Array[]): tf.Tensor {
  const s = config.inputSize;
  const per = s ** config.dims * config.inChannels;
  const buf = new Float32Array(per * patches.length);
  patches.forEach((p, i) => {
    if (p.length !== per) {
      throw new RadcamError('E_INVALID_ARGUMENT', `patch ${i} has the wrong number of values`, {
        expected: `${per} (${s}^${config.dims} × ${config.inChannels} channel(s))`,
        found: `${p.length}`,
      });
    }
    buf.set(p, i * per);
  });
  const spatial = config.dims === 3 ? [s, s, s] : [s, s];
  return tf.tensor(buf, [patches.length, ...spatial, config.inChannels], 'float32');
}
