// Kernel micro-benchmark (CPU ms per conv layer of the default 3D model, batch 8, JS loops vs wasm SIMD):
//   node --import tsx packages/model/bench/_conv.ts
import { convShape, convForward, convBackpropInput, convBackpropFilter } from '../src/conv.js';
import { setImplicitGemm, wasmConvBackward, wasmConvForward } from '../src/kernels/wasm.js';
const layers: [number[], number[], number][] = [
  [[8, 32, 32, 32, 1], [3, 3, 3, 1, 8], 1],
  [[8, 32, 32, 32, 8], [3, 3, 3, 8, 16], 2],
  [[8, 16, 16, 16, 16], [3, 3, 3, 16, 32], 2],
  [[8, 8, 8, 8, 32], [3, 3, 3, 32, 16], 1],
  [[8, 16, 16, 16, 16], [3, 3, 3, 16, 8], 1],
  [[8, 32, 32, 32, 8], [3, 3, 3, 8, 1], 1],
];
const rnd = (n: number) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
const cpu = (f: () => void, reps = 3) => { f(); const c = process.cpuUsage(); for (let i = 0; i < reps; i++) f(); const d = process.cpuUsage(c); return (d.user + d.system) / 1000 / reps; };
const skipJs = process.argv.includes('--no-js');
const tot = { js: 0, wasm: 0, im2col: 0 };
for (const [xs, ws, st] of layers) {
  const s = convShape(xs, ws, st);
  const X = rnd(xs.reduce((a, b) => a * b)); const W = rnd(ws.reduce((a, b) => a * b));
  const macs = s.N * s.oD * s.oH * s.oW * s.Co * 27 * s.Ci;
  const O = wasmConvForward(s, X, W, null);
  const jf = skipJs ? 0 : cpu(() => convForward(s, X, W, null), 1);
  const jb = skipJs ? 0 : cpu(() => { convBackpropInput(s, O, W); convBackpropFilter(s, X, O); }, 1);
  setImplicitGemm(false);
  const wf0 = cpu(() => wasmConvForward(s, X, W, null));
  setImplicitGemm(true);
  const wf = cpu(() => wasmConvForward(s, X, W, null));
  const wb = cpu(() => wasmConvBackward(s, X, W, O));
  tot.js += jf + jb;
  tot.wasm += wf + wb;
  tot.im2col += wf0 + wb;
  console.log(`${xs.join('x')} -> ${s.Co} s${st} ${(macs / 1e6).toFixed(1)} MMAC | JS fwd ${jf.toFixed(0)} bwd ${jb.toFixed(0)} ms | wasm fwd ${wf.toFixed(1)} (im2col ${wf0.toFixed(1)}) bwd ${wb.toFixed(1)} ms (${((2 * macs) / wf / 1e6).toFixed(1)} / ${((4 * macs) / wb / 1e6).toFixed(1)} GFLOP/s)`);
}
console.log(`conv CPU ms per train step: JS ${tot.js.toFixed(0)}, wasm ${tot.wasm.toFixed(0)} (forward with im2col: ${tot.im2col.toFixed(0)})`);
