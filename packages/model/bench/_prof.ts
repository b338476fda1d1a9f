// Profile helper: [THREADS=2] node --cpu-prof --import tsx packages/model/bench/_prof.ts [ref|default] [dims] [steps]
import * as tf from '@tensorflow/tfjs-core';
import { bceWithLogits, createModel, fusedAdam, meanSquaredError, referenceModelConfig, selectBackend, startConvWorkers } from '../src/index.js';
const kind = process.argv[2] ?? 'ref';
const dims = Number(process.argv[3] ?? 3) as 2 | 3;
const steps = Number(process.argv[4] ?? 10);
await selectBackend({ prefer: 'cpu' });
if (process.env.THREADS === '2') console.log('threads', await startConvWorkers());
const m = createModel(kind === 'ref' ? referenceModelConfig(dims) : { dims }, { seed: 1 });
const c = m.config;
const spatial = c.dims === 3 ? [c.inputSize, c.inputSize, c.inputSize] : [c.inputSize, c.inputSize];
const x = tf.randomUniform([8, ...spatial, c.inChannels], -1, 1, 'float32', 1);
const y = Float32Array.from({ length: 8 }, (_, i) => i % 2);
const opt = fusedAdam(1e-3);
const vars = [...m.params.values()];
const step = () =>
  tf.tidy(() => {
    opt.minimize(() => {
      const r = m.forward(x, { inputGradient: false });
      return tf.add(bceWithLogits(r.logits, y), meanSquaredError(r.reconstruction, x, { constantTarget: true })) as tf.Scalar;
    }, false, vars);
  });
step();
const t0 = performance.now();
const c0 = process.cpuUsage();
for (let i = 0; i < steps; i++) step();
const d = process.cpuUsage(c0);
console.log(`${kind} ${dims}D: ${((performance.now() - t0) / steps).toFixed(1)} ms/step wall, ${((d.user + d.system) / 1000 / steps).toFixed(1)} CPU ms/step, tensors ${tf.memory().numTensors}`);
