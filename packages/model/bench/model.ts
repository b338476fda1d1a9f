/**
 * `pnpm bench model [--steps N] [--quick] [--no-reference] [--no-threads]` — ms per training step
 * (batch 8, Adam, joint loss) and per inference batch / patch, for the default 3D (32³) and 2D
 * (64²) models and the strides-2/2/2 3D variant (the FLOP budget: CAM layer 4³), with:
 * - the tfjs-cpu reference convolution kernels (radcam's fused GroupNorm / up-sampling still on),
 * - radcam's plain JS loops (convolution and element-wise ops; the fallback without WebAssembly),
 * - radcam's WebAssembly SIMD kernels (the default), on one thread and with the worker thread
 *   (`startConvWorkers`, opt-in),
 * - the WebAssembly kernels with the model's forward written with the fused ops (groupNormAct,
 *   upsampleConv, no input gradient for the first convolution; bench/_fused.ts) and `fusedAdam`
 *   instead of tf.train.adam, i.e. what training gains once model.ts / train.ts use them.
 * Wall and process-CPU time (CPU time is more robust when the machine is shared; with the worker it
 * includes the worker's time). Prints a table and writes bench-results/model.json. The reference
 * kernels are slow (seconds per step): they are timed on one step after the warm-up unless
 * --steps is given.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  bceWithLogits,
  createModel,
  fusedAdam,
  meanSquaredError,
  selectBackend,
  setConvImplementation,
  startConvWorkers,
  stopConvWorkers,
  wasmConvAvailable,
  type ConvImplementation,
  type ModelConfig,
} from '../src/index.js';
import { fusedForward, fusedForwardAvailable } from './_fused.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const stepsArg = args.indexOf('--steps');
const stepsGiven = stepsArg >= 0;
const steps = stepsGiven ? Number(args[stepsArg + 1]) : quick ? 1 : 5;
const batch = 8;

interface Row {
  model: string;
  convKernels: string;
  params: number;
  'train step (ms)': number;
  'train step (CPU ms)': number;
  'inference batch 8 (ms)': number;
  'inference batch 8 (CPU ms)': number;
  'inference per patch (ms)': number;
}

/** Wall and process-CPU milliseconds of `f` (CPU time is robust to other load on the machine). */
function timed(f: () => void): [number, number] {
  const c = process.cpuUsage();
  const t0 = performance.now();
  f();
  const d = process.cpuUsage(c);
  return [performance.now() - t0, (d.user + d.system) / 1000];
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function run(cfg: Partial<ModelConfig>, label: string, kernels: string, steps: number, fused = false): Row | null {
  const m = createModel(cfg, { seed: 1 });
  if (fused && !fusedForwardAvailable(m)) {
    m.dispose();
    return null;
  }
  const c = m.config;
  const spatial = c.dims === 3 ? [c.inputSize, c.inputSize, c.inputSize] : [c.inputSize, c.inputSize];
  const x = tf.randomUniform([batch, ...spatial, c.inChannels], -1, 1, 'float32', 1);
  const y = Float32Array.from({ length: batch }, (_, i) => i % 2);
  const opt = fused ? fusedAdam(1e-3) : tf.train.adam(1e-3);
  const vars = [...m.params.values()];
  const step = () =>
    tf.tidy(() => {
      opt.minimize(
        () => {
          const r = fused ? fusedForward(m, x) : m.forward(x);
          return tf.add(bceWithLogits(r.logits, y), meanSquaredError(r.reconstruction, x)) as tf.Scalar;
        },
        false,
        vars,
      );
    });
  step(); // warm-up
  const ts: number[] = [];
  const tc: number[] = [];
  for (let i = 0; i < steps; i++) {
    const [w, c] = timed(step);
    ts.push(w);
    tc.push(c);
  }
  const infer = () => tf.tidy(() => m.forwardFrom(m.forwardTo(x, m.lastConvLayer), m.lastConvLayer).dataSync());
  infer();
  const ti: number[] = [];
  const tic: number[] = [];
  for (let i = 0; i < steps; i++) {
    const [w, c] = timed(infer);
    ti.push(w);
    tic.push(c);
  }
  const row: Row = {
    model: label,
    convKernels: kernels,
    params: m.parameterCount,
    'train step (ms)': +median(ts).toFixed(1),
    'train step (CPU ms)': +median(tc).toFixed(1),
    'inference batch 8 (ms)': +median(ti).toFixed(1),
    'inference batch 8 (CPU ms)': +median(tic).toFixed(1),
    'inference per patch (ms)': +(median(ti) / batch).toFixed(2),
  };
  opt.dispose();
  x.dispose();
  m.dispose();
  return row;
}

const backend = await selectBackend({ prefer: 'cpu' });
const loadStart = (await import('node:os')).loadavg();
const skipRef = args.includes('--no-reference');
const rows: Row[] = [];
const configs: [string, Partial<ModelConfig>][] = [
  ['3D 32³ 8/16/32 (default, strides 1/2/2)', { dims: 3 }],
  ['3D 32³ 8/16/32 strides 2/2/2', { dims: 3, strides: [2, 2, 2] }],
  ['2D 64² 8/16/32 (default)', { dims: 2 }],
];
const skipThreads = args.includes('--no-threads');
type Variant = { impl: ConvImplementation; name: string; threads: boolean; fused: boolean };
const variants: Variant[] = [
  { impl: 'tfjs', name: 'tfjs-cpu reference', threads: false, fused: false },
  { impl: 'js', name: 'radcam JS loops', threads: false, fused: false },
  { impl: 'wasm', name: 'radcam wasm SIMD', threads: false, fused: false },
  { impl: 'wasm', name: 'radcam wasm SIMD, 2 threads', threads: true, fused: false },
  { impl: 'wasm', name: 'radcam wasm SIMD + fused ops (forward, Adam)', threads: false, fused: true },
  { impl: 'wasm', name: 'radcam wasm SIMD + fused ops (forward, Adam), 2 threads', threads: true, fused: true },
];
if (!wasmConvAvailable()) console.warn('WebAssembly SIMD is not available: the wasm rows fall back to the JS loops');
for (const [label, cfg] of configs) {
  for (const v of variants) {
    if (v.impl === 'tfjs' && skipRef) continue;
    if (v.threads && skipThreads) continue;
    setConvImplementation(v.impl);
    if (v.threads) await startConvWorkers();
    const row = run(cfg, label, v.name, v.impl === 'tfjs' && !stepsGiven ? 1 : steps, v.fused);
    if (v.threads) await stopConvWorkers();
    if (row) rows.push(row);
  }
  setConvImplementation('auto');
}
console.table(rows);
const loadEnd = (await import('node:os')).loadavg();
const out = {
  benchmark: 'model',
  date: new Date().toISOString(),
  node: process.version,
  backend: backend.message,
  loadAverage: loadStart,
  loadAverageAtEnd: loadEnd,
  batch,
  steps,
  rows,
  targets: 'issue 6: ≤ 37 ms per 3D train step and ≤ 9 ms per 2D train step (2× PyTorch 1.13 single-threaded: 18.4 / 4.4 ms)',
  wasmSimd: wasmConvAvailable(),
  note:
    'ms per Adam step on the joint loss (BCE + MSE), median of `steps` after one warm-up; inference = logits only (no decoder). ' +
    'CPU ms = process CPU time (all threads). "fused ops" = the same network written with groupNormAct / upsampleConv / ' +
    'inputGradient:false on the first conv (bench/_fused.ts) and fusedAdam, not what AutoencoderClassifier.forward / train.ts run today.',
};
mkdirSync('bench-results', { recursive: true });
writeFileSync(join('bench-results', 'model.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log('wrote bench-results/model.json');
