import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRng } from '@radcam/core';
import {
  activeConvKernels,
  convSame,
  convShape,
  registerGradients,
  setConvImplementation,
  wasmConvAvailable,
} from '../src/index.js';
import { convThreads, dxViaForward, setImplicitGemm, startConvWorkers, stopConvWorkers, wasmConvBackward, wasmConvForward } from '../src/kernels/wasm.js';
import { groupNormBackward, groupNormForward } from '../src/kernels/elementwise.js';
import { CONV_WASM_BASE64 } from '../src/kernels/generated/conv-wasm.js';
import { relErr } from './gradcheck.js';

registerGradients();
await tf.setBackend('cpu');
const prevMode = setConvImplementation('auto');
afterAll(() => {
  setConvImplementation(prevMode);
});

function randArray(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** tfjs-backend-cpu reference: forward Conv2D/Conv3D and the backprop kernels tf.conv*dBackprop*. */
function reference(dims: 2 | 3, xs: number[], ws: number[], stride: number, X: Float32Array, W: Float32Array, DY: Float32Array) {
  const f = (a: tf.Tensor, b: tf.Tensor) =>
    dims === 3 ? tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, stride as 1, 'same') : tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, 'same');
  const [y, dx, dw] = tf.tidy(() => {
    const x = tf.tensor(X, xs);
    const w = tf.tensor(W, ws);
    const out = f(x, w);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a, b))([x, w], tf.tensor(DY, out.shape));
    return [out, g[0]!, g[1]!];
  });
  const res = { y: y.dataSync().slice() as Float32Array, dx: dx.dataSync().slice() as Float32Array, dw: dw.dataSync().slice() as Float32Array };
  tf.dispose([y, dx, dw]);
  return res;
}

describe('WebAssembly SIMD convolution kernels', () => {
  it('are available in this Node (WebAssembly SIMD) and selected by default on the cpu backend', () => {
    expect(wasmConvAvailable()).toBe(true);
    expect(activeConvKernels()).toBe('wasm');
    expect(CONV_WASM_BASE64.length).toBeGreaterThan(1000);
  });

  // random shapes: 2D and 3D, kernels 1/3/5 (and anisotropic), strides 1–3, odd/even sizes,
  // Co in the direct range (1–3), the 4-wide tail (4–7) and the 8-wide tiles (8, 12, 16)
  const rng = createRng(77);
  const cases: { dims: 2 | 3; x: number[]; k: number[]; co: number; stride: number }[] = [];
  const cos = [1, 2, 3, 4, 5, 8, 12, 16];
  // tfjs pads by a negative amount (shifts the window) when (out − 1)·s + k < in, i.e. a kernel
  // smaller than the stride; TensorFlow clamps that padding at 0, as radcam does (checked by hand
  // below). Random cases are drawn where the two conventions agree.
  const agrees = (n: number, k: number, st: number) => (Math.ceil(n / st) - 1) * st + k >= n;
  for (let t = 0; cases.length < 24; t++) {
    const dims = (t % 2 === 0 ? 3 : 2) as 2 | 3;
    const stride = 1 + rng.int(3);
    const k = Array.from({ length: dims }, () => (t % 5 === 4 ? [1, 3, 5][rng.int(3)]! : [1, 3, 5][t % 3]!));
    const sp = Array.from({ length: dims }, () => 1 + rng.int(dims === 3 ? 8 : 13));
    if (!sp.every((n, i) => agrees(n, k[i]!, stride))) continue;
    cases.push({ dims, x: [1 + rng.int(3), ...sp, 1 + rng.int(9)], k, co: cos[cases.length % cos.length]!, stride });
  }
  // the model's layer shapes (scaled down)
  cases.push({ dims: 3, x: [2, 8, 8, 8, 1], k: [3, 3, 3], co: 8, stride: 1 });
  cases.push({ dims: 3, x: [2, 8, 8, 8, 8], k: [3, 3, 3], co: 16, stride: 2 });
  cases.push({ dims: 3, x: [1, 8, 8, 8, 16], k: [3, 3, 3], co: 32, stride: 2 });
  cases.push({ dims: 3, x: [2, 8, 8, 8, 8], k: [3, 3, 3], co: 1, stride: 1 });
  cases.push({ dims: 2, x: [3, 16, 16, 8], k: [3, 3], co: 1, stride: 1 });
  cases.push({ dims: 2, x: [2, 16, 16, 16], k: [3, 3], co: 32, stride: 2 });

  for (const [ci, c] of cases.entries()) {
    it(`${c.dims}D x [${c.x.join(',')}] k ${c.k.join('×')} s${c.stride} → ${c.co}: forward, dx, dW vs tfjs (rel ≤ 1e-3)`, () => {
      const cin = c.x[c.x.length - 1]!;
      const ws = [...c.k, cin, c.co];
      const X = randArray(c.x.reduce((a, b) => a * b), 100 + ci);
      const W = randArray(ws.reduce((a, b) => a * b), 200 + ci);
      const s = convShape(c.x, ws, c.stride);
      const DY = randArray(s.N * s.oD * s.oH * s.oW * s.Co, 300 + ci);
      const ref = reference(c.dims, c.x, ws, c.stride, X, W, DY);
      const bias = randArray(c.co, 400 + ci);
      const y = wasmConvForward(s, X, W, bias);
      const yRef = ref.y.map((v, i) => v + bias[i % c.co]!);
      expect(y.length).toBe(yRef.length);
      expect(relErr(y, yRef)).toBeLessThan(1e-3);
      expect(relErr(wasmConvForward(s, X, W, null), ref.y)).toBeLessThan(1e-3);
      const g = wasmConvBackward(s, X, W, DY);
      expect(relErr(g.dx!, ref.dx), 'dx').toBeLessThan(1e-3);
      expect(relErr(g.dw, ref.dw), 'dW').toBeLessThan(1e-3);
      // float32 with a different summation order: far below the 1e-3 bound in practice
      expect(relErr(g.dw, ref.dw), 'dW').toBeLessThan(1e-5);
    });
  }

  it("use TensorFlow's 'same' padding (clamped at 0) for a kernel smaller than the stride (hand-computed)", () => {
    // x [1, 8, 2, 4, 8] = 1, 2, 3, … ; 1×1×1 kernel w = (1,2,3,1,2,3,1,2), stride 3 → out [1, 3, 1, 2, 1],
    // no padding: out(d, 0, w) = Σ_c x[d·3, 0, w·3, c]·w_c
    const xs = [1, 8, 2, 4, 8];
    const X = Float32Array.from({ length: 512 }, (_, i) => i + 1);
    const W = Float32Array.from([1, 2, 3, 1, 2, 3, 1, 2]);
    const s = convShape(xs, [1, 1, 1, 8, 1], 3);
    const expected = [0, 1, 2].flatMap((d) =>
      [0, 1].map((w) => {
        const base = ((d * 3 * 2 + 0) * 4 + w * 3) * 8;
        return W.reduce((acc, wc, c) => acc + wc * (base + c + 1), 0);
      }),
    );
    expect(expected[0]).toBe(69);
    expect(Array.from(wasmConvForward(s, X, W, null))).toEqual(expected);
  });

  it('are deterministic: the same inputs give bit-identical outputs and gradients', () => {
    const xs = [2, 6, 7, 5, 3];
    const ws = [3, 3, 3, 3, 8];
    const s = convShape(xs, ws, 2);
    const X = randArray(2 * 6 * 7 * 5 * 3, 1);
    const W = randArray(27 * 3 * 8, 2);
    const DY = randArray(s.N * s.oD * s.oH * s.oW * 8, 3);
    const a = wasmConvForward(s, X, W, null);
    const ga = wasmConvBackward(s, X, W, DY);
    // something else in between (other shapes reuse the module's memory)
    const s2 = convShape([1, 9, 9, 9, 4], [3, 3, 3, 4, 16], 1);
    wasmConvForward(s2, randArray(9 * 9 * 9 * 4, 4), randArray(27 * 64, 5), null);
    const b = wasmConvForward(s, X, W, null);
    const gb = wasmConvBackward(s, X, W, DY);
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    expect(Buffer.from(gb.dx!.buffer).equals(Buffer.from(ga.dx!.buffer))).toBe(true);
    expect(Buffer.from(gb.dw.buffer).equals(Buffer.from(ga.dw.buffer))).toBe(true);
  });

  it('input gradient as stride-phase forward convolutions (dxViaForward) = tfjs, strides 1–3', () => {
    const layers: [2 | 3, number[], number[], number][] = [
      [3, [2, 8, 7, 6, 4], [3, 3, 3, 4, 8], 2],
      [3, [1, 7, 6, 5, 3], [5, 3, 3, 3, 2], 2],
      [2, [2, 11, 9, 5], [3, 5, 5, 6], 3],
      [2, [2, 9, 8, 3], [3, 3, 3, 16], 1],
    ];
    layers.forEach(([dims, xs, ws, st], i) => {
      const s = convShape(xs, ws, st);
      const X = randArray(xs.reduce((a, b) => a * b), 850 + i);
      const W = randArray(ws.reduce((a, b) => a * b), 860 + i);
      const DY = randArray(s.N * s.oD * s.oH * s.oW * s.Co, 870 + i);
      const ref = reference(dims, xs, ws, st, X, W, DY);
      const dx = dxViaForward(s, DY, W);
      expect(dx, `layer ${i}`).not.toBeNull();
      expect(relErr(dx!, ref.dx), `layer ${i}`).toBeLessThan(1e-5);
    });
    // a 1-tap kernel with stride 2 leaves odd positions without taps: not expressible → null
    expect(dxViaForward(convShape([1, 4, 4, 2], [1, 1, 2, 3], 2), new Float32Array(12), new Float32Array(6))).toBeNull();
  });

  it('implicit GEMM / narrow kernels on the padded input = the im2col and direct kernels (forward bit-identical for ≥ 4 channels, else up to rounding)', () => {
    const layers: [number[], number[], number][] = [
      [[2, 7, 6, 5, 1], [3, 3, 3, 1, 8], 1],
      [[2, 6, 7, 5, 3], [3, 5, 1, 3, 12], 1],
      [[1, 9, 8, 6, 8], [3, 3, 3, 8, 16], 2],
      [[3, 11, 9, 5], [5, 3, 5, 6], 1],
      [[2, 6, 6, 6, 8], [3, 3, 3, 8, 2], 1],
    ];
    layers.forEach(([xs, ws, st], i) => {
      const s = convShape(xs, ws, st);
      const X = randArray(xs.reduce((a, b) => a * b), 800 + i);
      const W = randArray(ws.reduce((a, b) => a * b), 810 + i);
      const DY = randArray(s.N * s.oD * s.oH * s.oW * s.Co, 820 + i);
      const b = randArray(s.Co, 830 + i);
      const prev = setImplicitGemm(false);
      const y0 = wasmConvForward(s, X, W, b);
      const g0 = wasmConvBackward(s, X, W, DY);
      setImplicitGemm(true);
      const y1 = wasmConvForward(s, X, W, b);
      const g1 = wasmConvBackward(s, X, W, DY);
      setImplicitGemm(prev);
      // GEMM path (≥ 4 output channels): same summation order → bit-identical; narrow: rounding
      if (s.Co >= 4) expect(Buffer.from(y1.buffer).equals(Buffer.from(y0.buffer)), `layer ${i} forward`).toBe(true);
      expect(relErr(y1, y0), `layer ${i} forward`).toBeLessThan(1e-6);
      expect(relErr(g1.dx!, g0.dx!), `layer ${i} dx`).toBeLessThan(1e-6);
      expect(relErr(g1.dw, g0.dw), `layer ${i} dW`).toBeLessThan(1e-6);
    });
  });

  for (const impl of ['wasm', 'js'] as const) {
    it(`convSame with setConvImplementation('${impl}'): value and tf.grads w.r.t. x, kernel, bias match tfjs`, () => {
      setConvImplementation(impl);
      try {
        expect(activeConvKernels()).toBe(impl);
        const x = tf.tensor(randArray(2 * 5 * 6 * 7 * 3, 9), [2, 5, 6, 7, 3]);
        const w = tf.tensor(randArray(27 * 3 * 8, 10), [3, 3, 3, 3, 8]);
        const b = tf.tensor(randArray(8, 11), [8]);
        const ref = (a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) => tf.add(tf.conv3d(a as tf.Tensor5D, k as tf.Tensor5D, 2, 'same'), c);
        const R = tf.tensor(randArray(2 * 3 * 3 * 4 * 8, 12), [2, 3, 3, 4, 8]);
        const loss = (f: typeof ref) => (a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a, k, c), R)) as tf.Scalar;
        expect(relErr(convSame(x, w, 2, b).dataSync(), ref(x, w, b).dataSync())).toBeLessThan(1e-5);
        const gRef = tf.grads(loss(ref))([x, w, b]);
        const gMine = tf.grads(loss((a, k, c) => convSame(a, k, 2, c)))([x, w, b]);
        for (let i = 0; i < 3; i++) expect(relErr(gMine[i]!.dataSync(), gRef[i]!.dataSync()), `grad ${i}`).toBeLessThan(1e-5);
      } finally {
        setConvImplementation('auto');
      }
    });
  }

  it('inputGradient: false returns zeros for dx and the same kernel/bias gradients', () => {
    const x = tf.tensor(randArray(2 * 6 * 6 * 6, 31), [2, 6, 6, 6, 1]);
    const w = tf.tensor(randArray(27 * 8, 32), [3, 3, 3, 1, 8]);
    const b = tf.tensor(randArray(8, 33), [8]);
    const f = (opt: { inputGradient?: boolean }) => (a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) => tf.sum(tf.square(convSame(a, k, 1, c, opt))) as tf.Scalar;
    const full = tf.grads(f({}))([x, w, b]);
    const lean = tf.grads(f({ inputGradient: false }))([x, w, b]);
    expect(Array.from(lean[0]!.dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(lean[1]!.dataSync())).toEqual(Array.from(full[1]!.dataSync()));
    expect(Array.from(lean[2]!.dataSync())).toEqual(Array.from(full[2]!.dataSync()));
  });

  it('rejects an unknown implementation name', () => {
    expect(() => setConvImplementation('gpu' as 'js')).toThrow(/conv implementation/);
  });
});

describe('GroupNorm kernels (kernels/elementwise.ts) vs the textbook formulas', () => {
  it('forward = γ·(x − μ_g)/√(σ²_g + ε) + β and backward = the analytic GroupNorm gradient', () => {
    const N = 2;
    const P = 37;
    const C = 6;
    const G = 3;
    const x = randArray(N * P * C, 21).map((v, i) => v * 2 + (i % C)); // per-channel offsets
    const gamma = randArray(C, 22);
    const beta = randArray(C, 23);
    const dy = randArray(N * P * C, 24);
    const out = new Float32Array(x.length);
    const stats = groupNormForward(x, gamma, beta, N, P, C, G, 1e-5, out);
    const dx = new Float32Array(x.length);
    const { dgamma, dbeta } = groupNormBackward(x, gamma, stats, dy, N, P, C, G, dx);
    // reference: direct two-pass formulas per (sample, group) in float64
    const Cg = C / G;
    const M = P * Cg;
    const refOut = new Float64Array(x.length);
    const refDx = new Float64Array(x.length);
    const refDg = new Float64Array(C);
    const refDb = new Float64Array(C);
    for (let n = 0; n < N; n++) {
      for (let g = 0; g < G; g++) {
        const idx: number[] = [];
        for (let p = 0; p < P; p++) for (let c = g * Cg; c < (g + 1) * Cg; c++) idx.push((n * P + p) * C + c);
        const mu = idx.reduce((s, i) => s + x[i]!, 0) / M;
        const vr = idx.reduce((s, i) => s + (x[i]! - mu) ** 2, 0) / M;
        const sig = Math.sqrt(vr + 1e-5);
        const xh = idx.map((i) => (x[i]! - mu) / sig);
        const gdy = idx.map((i) => gamma[i % C]! * dy[i]!);
        const m1 = gdy.reduce((s, v) => s + v, 0) / M;
        const m2 = gdy.reduce((s, v, j) => s + v * xh[j]!, 0) / M;
        idx.forEach((i, j) => {
          refOut[i] = gamma[i % C]! * xh[j]! + beta[i % C]!;
          refDx[i] = (gdy[j]! - m1 - xh[j]! * m2) / sig;
          refDg[i % C] = refDg[i % C]! + dy[i]! * xh[j]!;
          refDb[i % C] = refDb[i % C]! + dy[i]!;
        });
      }
    }
    expect(relErr(out, refOut)).toBeLessThan(1e-5);
    expect(relErr(dx, refDx)).toBeLessThan(1e-4);
    expect(relErr(dgamma, refDg)).toBeLessThan(1e-5);
    expect(relErr(dbeta, refDb)).toBeLessThan(1e-5);
  });
});

describe('convolution kernels on two threads (worker_threads, split by sample)', () => {
  afterAll(async () => {
    await stopConvWorkers();
  });

  it('forward and dx are bit-identical to one thread, dW equal up to rounding, repeatable runs bit-identical', async () => {
    const layers: [number[], number[], number][] = [
      [[4, 6, 7, 5, 3], [3, 3, 3, 3, 8], 2], // im2col + GEMM
      [[3, 6, 6, 6, 8], [3, 3, 3, 8, 1], 1], // direct (Co ≤ 3), odd batch
      [[5, 9, 8, 4], [3, 3, 4, 12], 1], // 2D
      [[1, 5, 5, 5, 2], [3, 3, 3, 2, 4], 1], // batch 1: not split
    ];
    const one = layers.map(([xs, ws, st], i) => {
      const s = convShape(xs, ws, st);
      const X = randArray(xs.reduce((a, b) => a * b), 500 + i);
      const W = randArray(ws.reduce((a, b) => a * b), 600 + i);
      const DY = randArray(s.N * s.oD * s.oH * s.oW * s.Co, 700 + i);
      return { s, X, W, DY, y: wasmConvForward(s, X, W, null), g: wasmConvBackward(s, X, W, DY) };
    });
    expect(await startConvWorkers()).toBe(2);
    expect(convThreads()).toBe(2);
    for (const r of one) {
      const y = wasmConvForward(r.s, r.X, r.W, null);
      const g = wasmConvBackward(r.s, r.X, r.W, r.DY);
      const g2 = wasmConvBackward(r.s, r.X, r.W, r.DY);
      expect(Buffer.from(y.buffer).equals(Buffer.from(r.y.buffer))).toBe(true);
      expect(Buffer.from(g.dx!.buffer).equals(Buffer.from(r.g.dx!.buffer))).toBe(true);
      expect(relErr(g.dw, r.g.dw)).toBeLessThan(1e-6);
      expect(Buffer.from(g2.dw.buffer).equals(Buffer.from(g.dw.buffer))).toBe(true);
    }
    await stopConvWorkers();
    expect(convThreads()).toBe(1);
  });
});
