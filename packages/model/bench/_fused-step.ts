// What the fused ops would give the default model: the same network (same parameters) as
// AutoencoderClassifier.forward, written with groupNormAct, upsampleConv and inputGradient: false
// on the first layer; checks that the loss matches m.forward, then times both (CPU ms per step).
//   [THREADS=2] node --import tsx packages/model/bench/_fused-step.ts [dims] [steps]
import * as tf from '@tensorflow/tfjs-core';
import { bceWithLogits, createModel, meanSquaredError, selectBackend, startConvWorkers } from '../src/index.js';
import { fusedForward } from './_fused.js';

const dims = Number(process.argv[2] ?? 3) as 2 | 3;
const steps = Number(process.argv[3] ?? 5);
await selectBackend({ prefer: 'cpu' });
if (process.env.THREADS === '2') console.log('threads', await startConvWorkers());

const m = createModel({ dims }, { seed: 1 });
const s = m.config.inputSize;
const x = tf.randomUniform([8, ...(dims === 3 ? [s, s, s] : [s, s]), 1], -1, 1, 'float32', 1);
const yl = Float32Array.from({ length: 8 }, (_, i) => i % 2);
const lossOf = (r: { logits: tf.Tensor; reconstruction: tf.Tensor }) => tf.add(bceWithLogits(r.logits as tf.Tensor1D, yl), meanSquaredError(r.reconstruction, x)) as tf.Scalar;
const a = tf.tidy(() => lossOf(m.forward(x)).dataSync()[0]!);
const b = tf.tidy(() => lossOf(fusedForward(m, x)).dataSync()[0]!);
console.log(`loss model.forward ${a}, fused ${b}, rel diff ${Math.abs(a - b) / Math.abs(a)}`);
const vars = [...m.params.values()];
for (const [name, fwd] of [['model.forward', (t: tf.Tensor) => m.forward(t)], ['fused ops', (t: tf.Tensor) => fusedForward(m, t)]] as const) {
  const opt = tf.train.adam(1e-3);
  const step = () => tf.tidy(() => { opt.minimize(() => lossOf(fwd(x)), false, vars); });
  step();
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const d = process.cpuUsage(c0);
  console.log(`${dims}D ${name}: ${((performance.now() - t0) / steps).toFixed(1)} ms wall, ${((d.user + d.system) / 1000 / steps).toFixed(1)} CPU ms per step`);
  opt.dispose();
}
