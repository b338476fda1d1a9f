import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRng } from '@radcam/core';
import {
  createModel,
  fusedAdam,
  groupNorm,
  groupNormAct,
  meanSquaredError,
  registerGradients,
  setConvImplementation,
  upsampleConv,
  upsampleNearest,
  bceWithLogits,
} from '../src/index.js';
import { startConvWorkers, stopConvWorkers, upConvPhases, wasmGroupNormBackward, wasmGroupNormForward, wasmUpsample, wasmUpsampleGrad } from '../src/kernels/wasm.js';
import { gradRelError, relErr } from './gradcheck.js';

registerGradients();
await tf.setBackend('cpu');
const prevMode = setConvImplementation('auto');
afterAll(() => {
  setConvImplementation(prevMode);
});

function randArray(n: number, seed: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.normal() * scale);
}

const t = (shape: number[], seed: number, scale = 1) => tf.tensor(randArray(shape.reduce((a, b) => a * b, 1), seed, scale), shape, 'float32');

/** Runs `f` with radcam's plain JS loops (the fallback path), restoring 'auto'. */
function withJs<T>(f: () => T): T {
  setConvImplementation('js');
  try {
    return f();
  } finally {
    setConvImplementation('auto');
  }
}

/** Plain float64 JS loop: nearest up-sampling of [N, D, H, W, C] by (fd, f, f). */
function upsampleRef(x: Float32Array, N: number, D: number, H: number, W: number, C: number, fd: number, f: number): Float64Array {
  const out = new Float64Array(x.length * fd * f * f);
  let q = 0;
  for (let n = 0; n < N; n++)
    for (let d = 0; d < D * fd; d++)
      for (let h = 0; h < H * f; h++)
        for (let w = 0; w < W * f; w++)
          for (let c = 0; c < C; c++) out[q++] = x[((((n * D + Math.floor(d / fd)) * H + Math.floor(h / f)) * W + Math.floor(w / f)) * C) + c]!;
  return out;
}

describe('WebAssembly element-wise kernels vs plain float64 loops', () => {
  it('up-sampling and its gradient (block sums), C not a multiple of 4 and a multiple of 4', () => {
    for (const [N, D, H, W, C, fd, f] of [
      [2, 3, 2, 5, 3, 2, 2],
      [1, 2, 3, 2, 8, 3, 3],
      [3, 1, 4, 3, 4, 1, 2],
    ] as const) {
      const x = randArray(N * D * H * W * C, N + C);
      const ref = upsampleRef(x, N, D, H, W, C, fd, f);
      expect(Array.from(wasmUpsample(x, N, D, H, W, C, fd, f))).toEqual(Array.from(ref));
      const dy = randArray(ref.length, 7 + C);
      const dxRef = new Float64Array(x.length);
      // gradient of Σ dy·up(x): each x receives the sum of the dy it was copied to
      const idx = upsampleRef(Float32Array.from(x, (_, i) => i), N, D, H, W, C, fd, f);
      idx.forEach((src, i) => (dxRef[src] = dxRef[src]! + dy[i]!));
      expect(relErr(wasmUpsampleGrad(dy, N, D, H, W, C, fd, f), dxRef)).toBeLessThan(1e-6);
    }
  });

  for (const [N, P, C, G, slope] of [
    [2, 37, 6, 3, null],
    [3, 50, 8, 4, 0.1],
    [1, 20, 5, 5, 0],
    [2, 17, 16, 4, 0.2],
  ] as const) {
    it(`GroupNorm${slope === null ? '' : ` + LeakyReLU(${slope})`} N${N} P${P} C${C} G${G}: forward and backward = textbook formulas (float64)`, () => {
      const x = randArray(N * P * C, 21 + C).map((v, i) => v * 2 + (i % C));
      const gamma = randArray(C, 22);
      const beta = randArray(C, 23);
      const dy = randArray(N * P * C, 24);
      const a = slope ?? 1;
      const { out, stats } = wasmGroupNormForward(x, gamma, beta, N, P, C, G, 1e-5, slope);
      const g = wasmGroupNormBackward(x, gamma, beta, stats, dy, N, P, C, G, slope);
      const Cg = C / G;
      const M = P * Cg;
      const refOut = new Float64Array(x.length);
      const refDx = new Float64Array(x.length);
      const refDg = new Float64Array(C);
      const refDb = new Float64Array(C);
      for (let n = 0; n < N; n++) {
        for (let gi = 0; gi < G; gi++) {
          const idx: number[] = [];
          for (let p = 0; p < P; p++) for (let c = gi * Cg; c < (gi + 1) * Cg; c++) idx.push((n * P + p) * C + c);
          const mu = idx.reduce((s, i) => s + x[i]!, 0) / M;
          const sig = Math.sqrt(idx.reduce((s, i) => s + (x[i]! - mu) ** 2, 0) / M + 1e-5);
          const xh = idx.map((i) => (x[i]! - mu) / sig);
          const pre = idx.map((i, j) => gamma[i % C]! * xh[j]! + beta[i % C]!);
          const gin = idx.map((i, j) => (slope === null || pre[j]! > 0 ? dy[i]! : a * dy[i]!)); // gradient at the GN output
          const gdy = idx.map((i, j) => gamma[i % C]! * gin[j]!);
          const m1 = gdy.reduce((s, v) => s + v, 0) / M;
          const m2 = gdy.reduce((s, v, j) => s + v * xh[j]!, 0) / M;
          idx.forEach((i, j) => {
            refOut[i] = slope === null || pre[j]! >= 0 ? pre[j]! : a * pre[j]!;
            refDx[i] = (gdy[j]! - m1 - xh[j]! * m2) / sig;
            refDg[i % C] = refDg[i % C]! + gin[j]! * xh[j]!;
            refDb[i % C] = refDb[i % C]! + gin[j]!;
          });
        }
      }
      expect(relErr(out, refOut)).toBeLessThan(1e-5);
      expect(relErr(g.dx, refDx)).toBeLessThan(1e-4);
      expect(relErr(g.dgamma, refDg)).toBeLessThan(1e-5);
      expect(relErr(g.dbeta, refDb)).toBeLessThan(1e-5);
    });
  }
});

describe('groupNormAct (GroupNorm + LeakyReLU fused)', () => {
  for (const mode of ['wasm', 'js'] as const) {
    it(`${mode}: value and gradients equal leakyRelu(groupNorm(·)) built from separate ops`, () => {
      const run = () => {
        const x = t([2, 3, 4, 5, 8], 1, 2);
        const g = t([8], 2);
        const b = t([8], 3);
        const R = t([2, 3, 4, 5, 8], 4);
        const fused = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(groupNormAct(a, c, d, 4, { slope: 0.1 }), R)) as tf.Scalar;
        const sep = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(groupNorm(a, c, d, 4), 0.1), R)) as tf.Scalar;
        expect(relErr(groupNormAct(x, g, b, 4).dataSync(), tf.leakyRelu(groupNorm(x, g, b, 4), 0.1).dataSync())).toBeLessThan(1e-6);
        const gf = tf.grads(fused)([x, g, b]);
        const gs = tf.grads(sep)([x, g, b]);
        for (let i = 0; i < 3; i++) expect(relErr(gf[i]!.dataSync(), gs[i]!.dataSync()), `grad ${i}`).toBeLessThan(1e-5);
      };
      if (mode === 'js') withJs(run);
      else run();
    });
  }

  it('gradients match central finite differences (x, γ, β; pre-activations kept away from the kink)', () => {
    // γ = 0.25 and β = ±1 per channel: |γ·x̂| < 1 for 12 values per group, so the pre-activation
    // has the sign of β (both slopes exercised) and never crosses 0 within the FD step.
    const x = t([2, 3, 2, 4], 5);
    const gamma = tf.tensor([0.25, 0.25, 0.25, 0.25]);
    const beta = tf.tensor([1, -1, 1.2, -0.9]);
    const R = t([2, 3, 2, 4], 6);
    const loss = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(groupNormAct(a, c, d, 2, { slope: 0.1 }), R)) as tf.Scalar;
    expect(gradRelError((a) => loss(a, gamma, beta), x, { eps: 1e-2 }).rel).toBeLessThan(1e-3);
    expect(gradRelError((c) => loss(x, c, beta), gamma, { eps: 1e-2 }).rel).toBeLessThan(1e-3);
    expect(gradRelError((d) => loss(x, gamma, d), beta, { eps: 1e-2 }).rel).toBeLessThan(1e-3);
  });

  it('rejects groups that do not divide the channels', () => {
    expect(() => groupNormAct(t([1, 2, 2, 6], 1), t([6], 2), t([6], 3), 4)).toThrow(/groups/);
  });
});

describe('upsampleConv (polyphase nearest up-sampling + convolution)', () => {
  it('phases: factor 2, kernel 3 → 2 effective taps per axis with paddings 1 / 0', () => {
    const ph = upConvPhases(1, 4, 4, 4, 1, 3, 3, 3, 1, 2, 2);
    expect(ph.length).toBe(8);
    expect(ph[0]!.shape).toMatchObject({ kd: 2, kh: 2, kw: 2, pd: 1, ph: 1, pw: 1 });
    expect(ph[7]!.shape).toMatchObject({ kd: 2, kh: 2, kw: 2, pd: 0, ph: 0, pw: 0 });
    // phase 0: taps (−1, 0, +1) fall on coarse offsets (−1, 0, 0); phase 1: (0, 0, +1)
    expect(ph[0]!.taps[2]).toEqual([0, 1, 1]);
    expect(ph[1]!.taps[2]).toEqual([0, 0, 1]);
  });

  const rng = createRng(5);
  const cases: { x: number[]; k: number[]; co: number; f: number }[] = [
    { x: [2, 4, 4, 4, 8], k: [3, 3, 3], co: 1, f: 2 }, // the model's reconstruction layer (scaled down)
    { x: [1, 3, 2, 4, 3], k: [3, 3, 3], co: 8, f: 2 },
    { x: [2, 2, 3, 3, 5], k: [5, 3, 1], co: 2, f: 3 },
    { x: [2, 5, 6, 8], k: [3, 3], co: 1, f: 2 },
    { x: [1, 4, 3, 4], k: [5, 5], co: 12, f: 2 },
    { x: [3, 3, 5, 2], k: [1, 3], co: 4, f: 3 },
  ];
  for (let i = 0; i < 4; i++) {
    const dims = i % 2 === 0 ? 3 : 2;
    const sp = Array.from({ length: dims }, () => 1 + rng.int(4));
    cases.push({ x: [1 + rng.int(2), ...sp, 1 + rng.int(6)], k: Array.from({ length: dims }, () => [1, 3, 5][rng.int(3)]!), co: 1 + rng.int(9), f: 2 + rng.int(2) });
  }
  for (const [ci, c] of cases.entries()) {
    it(`x [${c.x.join(',')}] k ${c.k.join('×')} → ${c.co}, ×${c.f}: value and gradients vs tfjs up-sample + conv (rel ≤ 1e-3)`, () => {
      const rank = c.x.length;
      const cin = c.x[rank - 1]!;
      const x = t(c.x, 10 + ci);
      const w = t([...c.k, cin, c.co], 20 + ci, 0.5);
      const b = t([c.co], 30 + ci);
      const fine = [c.x[0]!, ...c.x.slice(1, rank - 1).map((v) => v * c.f), c.co];
      const R = t(fine, 40 + ci);
      // reference entirely from tfjs ops: resizeNearestNeighbor-free up-sampling by tile/reshape
      const upRef = (a: tf.Tensor) => {
        const s = a.shape;
        if (rank === 4) {
          const e = tf.reshape(a, [s[0]!, s[1]!, 1, s[2]!, 1, s[3]!]);
          return tf.reshape(tf.tile(e, [1, 1, c.f, 1, c.f, 1]), [s[0]!, s[1]! * c.f, s[2]! * c.f, s[3]!]);
        }
        const e = tf.reshape(a, [s[0]!, s[1]!, 1, s[2]!, 1, s[3]!, 1, s[4]!]);
        return tf.reshape(tf.tile(e, [1, 1, c.f, 1, c.f, 1, c.f, 1]), [s[0]!, s[1]! * c.f, s[2]! * c.f, s[3]! * c.f, s[4]!]);
      };
      const ref = (a: tf.Tensor, k: tf.Tensor, d: tf.Tensor) => {
        const u = upRef(a);
        const y = rank === 5 ? tf.conv3d(u as tf.Tensor5D, k as tf.Tensor5D, 1, 'same') : tf.conv2d(u as tf.Tensor4D, k as tf.Tensor4D, 1, 'same');
        return tf.add(y, d);
      };
      const mine = (a: tf.Tensor, k: tf.Tensor, d: tf.Tensor) => upsampleConv(a, k, c.f, d);
      const yr = ref(x, w, b);
      const ym = mine(x, w, b);
      expect(ym.shape).toEqual(yr.shape);
      expect(relErr(ym.dataSync(), yr.dataSync())).toBeLessThan(1e-5);
      const loss = (f: typeof ref) => (a: tf.Tensor, k: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(f(a, k, d), R)) as tf.Scalar;
      const gr = tf.grads(loss(ref))([x, w, b]);
      const gm = tf.grads(loss(mine))([x, w, b]);
      for (let i = 0; i < 3; i++) expect(relErr(gm[i]!.dataSync(), gr[i]!.dataSync()), `grad ${i}`).toBeLessThan(1e-3);
      // the JS fallback is the plain composition: same values
      const yj = withJs(() => upsampleConv(x, w, c.f, b).dataSync());
      expect(relErr(yj, yr.dataSync())).toBeLessThan(1e-5);
    });
  }

  it('gradients match central finite differences (x and kernel)', () => {
    const x = t([1, 3, 2, 3, 2], 50);
    const w = t([3, 3, 3, 2, 1], 51, 0.5);
    const R = t([1, 6, 4, 6, 1], 52);
    const loss = (a: tf.Tensor, k: tf.Tensor) => tf.sum(tf.mul(upsampleConv(a, k, 2), R)) as tf.Scalar;
    expect(gradRelError((a) => loss(a, w), x).rel).toBeLessThan(1e-3);
    expect(gradRelError((k) => loss(x, k), w, { maxElements: 30 }).rel).toBeLessThan(1e-3);
  });

  it('inputGradient: false gives zero dx and the same kernel gradient', () => {
    const x = t([2, 3, 3, 3, 4], 60);
    const w = t([3, 3, 3, 4, 1], 61);
    const f = (o: { inputGradient?: boolean }) => (a: tf.Tensor, k: tf.Tensor) => tf.sum(tf.square(upsampleConv(a, k, 2, null, o))) as tf.Scalar;
    const full = tf.grads(f({}))([x, w]);
    const lean = tf.grads(f({ inputGradient: false }))([x, w]);
    expect(Array.from(lean[0]!.dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(lean[1]!.dataSync())).toEqual(Array.from(full[1]!.dataSync()));
  });

  it('rejects even kernels and mismatched channels', () => {
    expect(() => upsampleConv(t([1, 2, 2, 3], 1), t([2, 2, 3, 1], 2), 2)).toThrow(/odd/);
    expect(() => upsampleConv(t([1, 2, 2, 3], 1), t([3, 3, 2, 1], 2), 2)).toThrow(/channels/);
  });
});

describe('LeakyRelu cpu kernel override and end-to-end determinism', () => {
  it('tf.leakyRelu = x < 0 ? α·x : x (odd length, signed zeros kept finite)', () => {
    const v = randArray(1001, 70);
    v[0] = 0;
    const y = tf.leakyRelu(tf.tensor(v), 0.2).dataSync();
    for (let i = 0; i < v.length; i++) expect(y[i]).toBe(Math.fround(v[i]! < 0 ? Math.fround(0.2) * v[i]! : v[i]!));
  });

  it('wasm and JS element-wise paths agree on a training step of the 3D model', () => {
    const step = () => {
      const m = createModel({ dims: 3, inputSize: 8, widths: [4, 8], strides: [1, 2] }, { seed: 3 });
      const x = t([2, 8, 8, 8, 1], 80);
      const vars = [...m.params.values()];
      const g = tf.grads(() => {
        const r = m.forward(x);
        return tf.add(bceWithLogits(r.logits, new Float32Array([0, 1])), meanSquaredError(r.reconstruction, x)) as tf.Scalar;
      })(vars);
      const out = g.map((a) => a.dataSync().slice() as Float32Array);
      m.dispose();
      return out;
    };
    const a = step();
    const b = step();
    const j = withJs(step);
    a.forEach((ga, i) => {
      expect(Buffer.from(b[i]!.buffer).equals(Buffer.from(ga.buffer)), `param ${i} bit-identical`).toBe(true);
      expect(relErr(j[i]!, ga), `param ${i} wasm vs JS`).toBeLessThan(1e-4);
    });
  });

  it('with the worker thread: model gradients and upsampleConv repeatable (bit-identical) and equal to one thread up to rounding', async () => {
    const grads = () => {
      const m = createModel({ dims: 3, inputSize: 8, widths: [4, 8], strides: [1, 2] }, { seed: 3 });
      const x = t([4, 8, 8, 8, 1], 81);
      const vars = [...m.params.values()];
      const g = tf.grads(() => {
        const r = m.forward(x);
        return tf.add(bceWithLogits(r.logits, new Float32Array([0, 1, 1, 0])), meanSquaredError(r.reconstruction, x)) as tf.Scalar;
      })(vars);
      const xu = t([3, 4, 4, 4, 8], 82);
      const wu = t([3, 3, 3, 8, 1], 83);
      const R = t([3, 8, 8, 8, 1], 84);
      const gu = tf.grads((a: tf.Tensor, k: tf.Tensor) => tf.sum(tf.mul(upsampleConv(a, k, 2), R)) as tf.Scalar)([xu, wu]);
      const out = [...g, ...gu].map((a) => a.dataSync().slice() as Float32Array);
      m.dispose();
      return out;
    };
    const one = grads();
    expect(await startConvWorkers()).toBe(2);
    try {
      const a = grads();
      const b = grads();
      a.forEach((ga, i) => {
        expect(Buffer.from(b[i]!.buffer).equals(Buffer.from(ga.buffer)), `grad ${i} repeatable`).toBe(true);
        expect(relErr(ga, one[i]!), `grad ${i} vs one thread`).toBeLessThan(1e-5);
      });
    } finally {
      await stopConvWorkers();
    }
  });

  it('upsampleNearest (wasm) equals the JS loop', () => {
    const x = t([2, 3, 2, 4, 6], 90);
    const a = upsampleNearest(x, 2).dataSync();
    const b = withJs(() => upsampleNearest(x, 2).dataSync());
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

describe('binary cpu kernel overrides (Add, Sub, Multiply, RealDiv)', () => {
  const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, (x: number, y: number) => number][] = [
    ['add', tf.add, (x, y) => x + y],
    ['sub', tf.sub, (x, y) => x - y],
    ['mul', tf.mul, (x, y) => x * y],
    ['div', tf.div, (x, y) => x / y],
  ];
  // fast paths (same shape, scalar, trailing block, swapped operands) and a general broadcast
  // that goes to the original kernel; expected values from a plain broadcasting loop
  const shapes: [number[], number[]][] = [
    [[3, 4], [3, 4]],
    [[2, 3, 5], []],
    [[], [2, 3, 5]],
    [[2, 3, 4], [4]],
    [[4], [2, 3, 4]],
    [[2, 3, 4], [1, 3, 4]],
    [[2, 3, 4], [3, 1]],
    [[1, 1], [5]],
  ];
  const bshape = (a: number[], b: number[]) => {
    const r = Math.max(a.length, b.length);
    const pa = [...Array(r - a.length).fill(1), ...a];
    const pb = [...Array(r - b.length).fill(1), ...b];
    return { out: pa.map((v, i) => Math.max(v, pb[i]!)), pa, pb };
  };
  for (const [name, op, f] of ops) {
    it(`${name}: every broadcast case equals a plain broadcasting loop (float32)`, () => {
      shapes.forEach(([sa, sb], k) => {
        const av = randArray(sa.reduce((x, y) => x * y, 1), 100 + k);
        const bv = randArray(sb.reduce((x, y) => x * y, 1), 200 + k).map((v) => v + 3);
        const y = op(tf.tensor(av, sa), tf.tensor(bv, sb));
        const { out, pa, pb } = bshape(sa, sb);
        expect(y.shape).toEqual(out);
        const n = out.reduce((x, z) => x * z, 1);
        const got = y.dataSync();
        for (let i = 0; i < n; i++) {
          let r = i;
          let ia = 0;
          let ib = 0;
          let sA = 1;
          let sB = 1;
          for (let d = out.length - 1; d >= 0; d--) {
            const c = r % out[d]!;
            r = (r - c) / out[d]!;
            ia += (pa[d] === 1 ? 0 : c) * sA;
            ib += (pb[d] === 1 ? 0 : c) * sB;
            sA *= pa[d]!;
            sB *= pb[d]!;
          }
          expect(got[i]).toBe(Math.fround(f(av[ia]!, bv[ib]!)));
        }
      });
    });
  }

  it('int32 tensors keep their dtype and values (original kernel)', () => {
    const y = tf.add(tf.tensor([1, 2, 3], [3], 'int32'), tf.scalar(2, 'int32'));
    expect(y.dtype).toBe('int32');
    expect(Array.from(y.dataSync())).toEqual([3, 4, 5]);
  });
});

describe('fusedAdam', () => {
  it('gives bit-identical weights to tf.train.adam after several steps (model, joint loss)', () => {
    const train = (opt: tf.Optimizer) => {
      const m = createModel({ dims: 2, inputSize: 8, widths: [4, 8], strides: [1, 2] }, { seed: 9 });
      const x = t([3, 8, 8, 1], 91);
      const vars = [...m.params.values()];
      for (let s = 0; s < 4; s++) {
        tf.tidy(() => {
          opt.minimize(() => {
            const r = m.forward(x);
            return tf.add(bceWithLogits(r.logits, new Float32Array([0, 1, 1])), meanSquaredError(r.reconstruction, x)) as tf.Scalar;
          }, false, vars);
        });
      }
      const w = [...m.getWeights().values()];
      m.dispose();
      opt.dispose();
      return w;
    };
    const ref = train(tf.train.adam(0.01));
    const mine = train(fusedAdam(0.01));
    expect(mine.length).toBe(ref.length);
    ref.forEach((r, i) => expect(Buffer.from(mine[i]!.buffer).equals(Buffer.from(r.buffer)), `param ${i}`).toBe(true));
    // and the weights did move
    expect(relErr(ref[0]!, train(tf.train.adam(0))[0]!)).toBeGreaterThan(1e-3);
  });
});
