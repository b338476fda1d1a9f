// Kernel micro-benchmark for the reference architecture (referenceModelConfig(3), batch 8):
// CPU ms of the forward, input-gradient and kernel-gradient passes of every conv / transposed conv.
//   node --import tsx packages/model/bench/_conv-ref.ts
import { convShape } from '../src/conv.js';
import { wasmConvBackpropInput, wasmConvBackward, wasmConvForward } from '../src/kernels/wasm.js';
// [big input of the equivalent convolution, kernel, stride, transposed?]
const layers: [string, number[], number[], number, boolean][] = [
  ['enc1', [8, 32, 32, 32, 1], [3, 3, 3, 1, 8], 2, false],
  ['enc2', [8, 16, 16, 16, 8], [3, 3, 3, 8, 16], 2, false],
  ['enc3', [8, 8, 8, 8, 16], [3, 3, 3, 16, 32], 2, false],
  ['dec1 (T)', [8, 8, 8, 8, 16], [3, 3, 3, 16, 32], 2, true],
  ['dec2 (T)', [8, 16, 16, 16, 8], [3, 3, 3, 8, 16], 2, true],
  ['out (T)', [8, 32, 32, 32, 1], [3, 3, 3, 1, 8], 2, true],
];
const rnd = (n: number) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
const cpu = (f: () => void, reps = 10) => { f(); const c = process.cpuUsage(); for (let i = 0; i < reps; i++) f(); const d = process.cpuUsage(c); return (d.user + d.system) / 1000 / reps; };
let total = 0;
for (const [name, xs, ws, st, t] of layers) {
  const s = convShape(xs, ws, st);
  const big = rnd(xs.reduce((a, b) => a * b));
  const W = rnd(ws.reduce((a, b) => a * b));
  const small = wasmConvForward(s, big, W, null);
  const fwd = cpu(() => wasmConvForward(s, big, W, null));
  const bin = cpu(() => wasmConvBackpropInput(s, small, W));
  const bfw = cpu(() => wasmConvBackward(s, big, W, small, false));
  // conv: forward + (dx unless enc1) + dW; transposed: backprop-input (forward) + forward (dx) + dW
  const step = t ? bin + fwd + bfw : fwd + (name === 'enc1' ? 0 : bin) + bfw;
  total += step;
  const mmac = (s.N * s.oD * s.oH * s.oW * s.Co * 27 * s.Ci) / 1e6;
  console.log(`${name.padEnd(9)} ${mmac.toFixed(1).padStart(5)} MMAC  conv fwd ${fwd.toFixed(2)}  dx ${bin.toFixed(2)}  dW ${bfw.toFixed(2)}  → per step ${step.toFixed(2)} ms`);
}
console.log(`conv CPU ms per reference train step: ${total.toFixed(1)}`);
