import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectArraysClose } from '@radcam/core/testing';
import { computeCam, createCamContext } from '../src/index.js';
import { convTarget, fixture, toArray, useCpu } from './helpers.js';

beforeAll(useCpu);

const W = [0.8, -0.5, 0.3, 1.2];

function input(dims: 2 | 3, n: number, C: number, s: number): tf.Tensor {
  const shape = dims === 3 ? [n, 4, 5, 6, C] : [n, 6, 7, C];
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(fixture(size, 100 + s), shape);
}

/** Activation of `layer` from the fixture network, as [N][V][K]. */
function acts(target: ReturnType<typeof convTarget>, x: tf.Tensor, layer: string) {
  const a = target.forwardTo(x, layer);
  const data = toArray(a);
  const [n] = a.shape;
  const K = a.shape[a.shape.length - 1]!;
  const V = data.length / n! / K;
  a.dispose();
  const get = (s: number, v: number, k: number) => data[(s * V + v) * K + k]!;
  return { data, n: n!, V, K, get };
}

type G = (s: number, v: number, k: number) => number;

/** Reference formulas of the issue, written independently as plain loops. */
const ref = {
  weighted(A: ReturnType<typeof acts>, wk: (s: number, k: number) => number, relu: boolean) {
    const out: number[] = [];
    for (let s = 0; s < A.n; s++)
      for (let v = 0; v < A.V; v++) {
        let t = 0;
        for (let k = 0; k < A.K; k++) t += wk(s, k) * A.get(s, v, k);
        out.push(relu ? Math.max(0, t) : t);
      }
    return out;
  },
  gradcam(A: ReturnType<typeof acts>, g: G) {
    return ref.weighted(A, (s, k) => {
      let m = 0;
      for (let v = 0; v < A.V; v++) m += g(s, v, k);
      return m / A.V;
    }, true);
  },
  gradcampp(A: ReturnType<typeof acts>, g: G) {
    return ref.weighted(A, (s, k) => {
      let S = 0;
      for (let v = 0; v < A.V; v++) S += A.get(s, v, k);
      let wk = 0;
      for (let v = 0; v < A.V; v++) {
        const gv = g(s, v, k);
        const den = 2 * gv ** 2 + S * gv ** 3;
        const alpha = gv !== 0 && den !== 0 ? gv ** 2 / den : 0;
        wk += alpha * Math.max(0, gv);
      }
      return wk;
    }, true);
  },
  pixel(A: ReturnType<typeof acts>, g: G, f: (gv: number, a: number) => number, outer: (t: number) => number) {
    const out: number[] = [];
    for (let s = 0; s < A.n; s++)
      for (let v = 0; v < A.V; v++) {
        let t = 0;
        for (let k = 0; k < A.K; k++) t += f(g(s, v, k), A.get(s, v, k));
        out.push(outer(t));
      }
    return out;
  },
  layercam: (A: ReturnType<typeof acts>, g: G) => ref.pixel(A, g, (gv, a) => Math.max(0, gv) * a, (t) => Math.max(0, t)),
  hirescam: (A: ReturnType<typeof acts>, g: G) => ref.pixel(A, g, (gv, a) => gv * a, (t) => t),
  elementwise: (A: ReturnType<typeof acts>, g: G) => ref.pixel(A, g, (gv, a) => Math.max(0, gv * a), (t) => t),
};

const close = { rtol: 1e-4, atol: 1e-6 };

describe.each([2, 3] as const)('%iD analytic GAP → dense head', (dims) => {
  it('CAM is proportional to Grad-CAM (factor V) and every gradient method matches g = ±w_k/V', () => {
    const target = convTarget({ dims, inChannels: 2, channels: 4, head: 'linear', w: W });
    const x = input(dims, 2, 2, dims);
    const A = acts(target, x, 'feat');
    for (const cls of [1, 0]) {
      const sign = cls === 1 ? 1 : -1;
      const g: G = (_s, _v, k) => (sign * W[k]!) / A.V;
      const run = (m: string) => Array.from(computeCam(target, x, { method: m, classIndex: cls }).data);
      const gc = run('gradcam');
      const cam = run('cam');
      expectArraysClose(gc, ref.gradcam(A, g), { ...close, label: 'gradcam' });
      expectArraysClose(cam, gc.map((v) => v * A.V), { ...close, label: 'cam = V·gradcam' });
      expect(Math.max(...cam)).toBeGreaterThan(0);
      expectArraysClose(run('gradcampp'), ref.gradcampp(A, g), { ...close, label: 'gradcampp' });
      // closed form for a constant gradient: w_k = V·ReLU(g_k)/(2 + S_k g_k)
      const closed = ref.weighted(A, (s, k) => {
        let S = 0;
        for (let v = 0; v < A.V; v++) S += A.get(s, v, k);
        const gk = (sign * W[k]!) / A.V;
        return gk > 0 ? (A.V * gk) / (2 + S * gk) : 0;
      }, true);
      expectArraysClose(run('gradcampp'), closed, { ...close, label: 'gradcampp closed form' });
      expectArraysClose(run('layercam'), ref.layercam(A, g), { ...close, label: 'layercam' });
      expectArraysClose(run('hirescam'), ref.hirescam(A, g), { ...close, label: 'hirescam' });
      expectArraysClose(run('gradcam-elementwise'), ref.elementwise(A, g), { ...close, label: 'elementwise' });
    }
    x.dispose();
  });

  it('square head (g = 2 w_k A / V): spatially varying gradients, batch of 3', () => {
    const target = convTarget({ dims, inChannels: 1, channels: 4, head: 'square', w: W, seed: 5 });
    const x = input(dims, 3, 1, 7 + dims);
    const A = acts(target, x, 'feat');
    const g: G = (s, v, k) => (2 * W[k]! * A.get(s, v, k)) / A.V;
    const run = (m: string) => Array.from(computeCam(target, x, { method: m }).data);
    expectArraysClose(run('gradcam'), ref.gradcam(A, g), close);
    expectArraysClose(run('gradcampp'), ref.gradcampp(A, g), close);
    expectArraysClose(run('layercam'), ref.layercam(A, g), close);
    expectArraysClose(run('hirescam'), ref.hirescam(A, g), close);
    expectArraysClose(run('gradcam-elementwise'), ref.elementwise(A, g), close);
    x.dispose();
  });

  it('every gradient path agrees with central finite differences (nonlinear head, layers feat and conv)', () => {
    const target = convTarget({ dims, inChannels: 2, channels: 3, head: 'deep', w: [0.9, -1.1, 0.7], seed: 9 });
    const x = input(dims, 2, 2, 20 + dims);
    for (const layer of ['feat', 'conv']) {
      for (const cls of [1, 0]) {
        const A = acts(target, x, layer);
        const shape = target.forwardTo(x, layer).shape;
        const sign = cls === 1 ? 1 : -1;
        // finite differences of y w.r.t. every activation element
        const h = 1e-2;
        const fd = new Float64Array(A.data.length);
        const pert = Float32Array.from(A.data);
        const yOf = (arr: Float32Array) => {
          const t = tf.tensor(arr, shape);
          const y = target.forwardFrom(t, layer);
          const out = toArray(y);
          t.dispose();
          y.dispose();
          return out;
        };
        const per = A.V * A.K;
        for (let i = 0; i < A.data.length; i++) {
          const s = Math.floor(i / per);
          pert[i] = A.data[i]! + h;
          const yp = yOf(pert)[s]!;
          pert[i] = A.data[i]! - h;
          const ym = yOf(pert)[s]!;
          pert[i] = A.data[i]!;
          fd[i] = (sign * (yp - ym)) / (2 * h);
        }
        const ctx = createCamContext(target, x, layer, cls);
        expectArraysClose(ctx.gradient(), fd, { rtol: 2e-2, atol: 2e-4, label: `gradient ${layer} class ${cls}` });
        ctx.dispose();
        const g: G = (s, v, k) => fd[(s * A.V + v) * A.K + k]!;
        const run = (m: string) => Array.from(computeCam(target, x, { method: m, layer, classIndex: cls }).data);
        const tol = { rtol: 2e-2, atol: 5e-4 };
        expectArraysClose(run('gradcam'), ref.gradcam(A, g), { ...tol, label: `gradcam ${layer}` });
        expectArraysClose(run('layercam'), ref.layercam(A, g), { ...tol, label: `layercam ${layer}` });
        expectArraysClose(run('hirescam'), ref.hirescam(A, g), { ...tol, label: `hirescam ${layer}` });
        expectArraysClose(run('gradcam-elementwise'), ref.elementwise(A, g), { ...tol, label: `elementwise ${layer}` });
        expectArraysClose(run('gradcampp'), ref.gradcampp(A, g), { ...tol, label: `gradcampp ${layer}` });
      }
    }
    x.dispose();
  });

  it('Score-CAM: w_k = p(X∘H_k) − p(0) with min–max scaled channels', () => {
    const target = convTarget({ dims, inChannels: 1, channels: 4, head: 'linear', w: W, seed: 3 });
    const x = input(dims, 2, 1, 30 + dims);
    const A = acts(target, x, 'feat');
    const X = toArray(x);
    const prob = (arr: Float32Array) => {
      const t = tf.tensor(arr, [1, ...x.shape.slice(1)]);
      const y = target.forwardFrom(target.forwardTo(t, 'input'), 'input');
      const p = 1 / (1 + Math.exp(-toArray(y)[0]!));
      t.dispose();
      y.dispose();
      return p;
    };
    const p0 = prob(new Float32Array(A.V));
    const expected = ref.weighted(A, (s, k) => {
      let lo = Infinity;
      let hi = -Infinity;
      for (let v = 0; v < A.V; v++) {
        lo = Math.min(lo, A.get(s, v, k));
        hi = Math.max(hi, A.get(s, v, k));
      }
      const masked = new Float32Array(A.V);
      for (let v = 0; v < A.V; v++) masked[v] = X[s * A.V + v]! * (hi > lo ? (A.get(s, v, k) - lo) / (hi - lo) : 0);
      return prob(masked) - p0;
    }, true);
    const res = computeCam(target, x, { method: 'scorecam', batchSize: 3 });
    expectArraysClose(res.data, expected, { rtol: 1e-4, atol: 1e-7 });
    x.dispose();
  });
});

describe('result shape and options', () => {
  it('maps are per-sample views on the layer grid [w, h, d]; scores are ±logits', () => {
    const target = convTarget({ dims: 3, inChannels: 1, channels: 4, head: 'linear', w: W });
    const x = input(3, 2, 1, 1);
    const res = computeCam(target, x, { method: 'radcam/layercam' });
    expect(res.size).toEqual([6, 5, 4]);
    expect(res.maps).toHaveLength(2);
    expect(res.maps[1]!.data.length).toBe(120);
    expect(res.layer).toBe('feat');
    const logits = toArray(target.forwardFrom(target.forwardTo(x, 'feat'), 'feat'));
    expectArraysClose(res.scores, logits, { rtol: 1e-5 });
    const r0 = computeCam(target, x, { method: 'hirescam', classIndex: 0 });
    expectArraysClose(r0.scores, Array.from(logits, (v) => -v), { rtol: 1e-5 });
    x.dispose();
  });
});
