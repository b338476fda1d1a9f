import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createRng, isRadcamError } from '@radcam/core';
import { createModel, predict, referenceModelConfig, type CamTarget } from '../src/index.js';
import { gradRelError, randn } from './gradcheck.js';

const small = { inputSize: 8, widths: [4, 8], strides: [1, 2], dropout: 0 };

describe('AutoencoderClassifier', () => {
  for (const dims of [2, 3] as const) {
    it(`${dims}D: shapes, CamTarget contract and classic CAM identity`, () => {
      const m = createModel({ ...small, dims }, { seed: 3 });
      const target: CamTarget = m; // structural check
      expect(target.dims).toBe(dims);
      expect(target.layerNames).toEqual(['enc1', 'enc2']);
      expect(target.lastConvLayer).toBe('enc2');
      const spatial = dims === 3 ? [8, 8, 8] : [8, 8];
      const x = randn([2, ...spatial, 1], 5);
      const r = m.forward(x);
      expect(r.logits.shape).toEqual([2]);
      expect(r.reconstruction.shape).toEqual(x.shape);
      expect(m.forwardTo(x, 'enc1').shape).toEqual([2, ...spatial, 4]);
      const a2 = m.forwardTo(x, 'enc2');
      expect(a2.shape).toEqual([2, ...spatial.map((s) => s / 2), 8]);
      const logits = Array.from(r.logits.dataSync());
      for (const layer of m.layerNames) {
        const z = m.forwardFrom(m.forwardTo(x, layer), layer);
        expect(z.shape).toEqual([2]);
        Array.from(z.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(logits[i]!, 5));
      }
      // classic CAM: logit = mean_spatial(A) · w + b, computed here in plain JS
      const cw = m.camWeights()!;
      expect(cw.weights.length).toBe(8);
      const A = a2.dataSync();
      const P = a2.size / 2 / 8;
      for (let n = 0; n < 2; n++) {
        let z = cw.bias;
        for (let k = 0; k < 8; k++) {
          let s = 0;
          for (let p = 0; p < P; p++) s += A[(n * P + p) * 8 + k]!;
          z += (s / P) * cw.weights[k]!;
        }
        expect(z).toBeCloseTo(logits[n]!, 4);
      }
      const probs = predict(m, x);
      probs.forEach((p, i) => expect(p).toBeCloseTo(1 / (1 + Math.exp(-logits[i]!)), 6));
      m.dispose();
    });
  }

  it('forwardTo / forwardFrom are differentiable with tf.grad', () => {
    const m = createModel({ ...small, dims: 3 }, { seed: 4 });
    const x = randn([1, 8, 8, 8, 1], 6);
    const a = m.forwardTo(x, 'enc1');
    const g = tf.grad((t: tf.Tensor) => tf.sum(m.forwardFrom(t, 'enc1')))(a);
    expect(g.shape).toEqual(a.shape);
    const gx = tf.grad((t: tf.Tensor) => tf.sum(m.forwardTo(t, 'enc2')))(x);
    expect(gx.shape).toEqual(x.shape);
    expect(Math.max(...Array.from(gx.dataSync()).map(Math.abs))).toBeGreaterThan(0);
    m.dispose();
  });

  it('parameter count follows the layer formula', () => {
    // enc1 3³·1·4 + GN 2·4; enc2 (last: bias, no norm) 3³·4·8 + 8; dec1 3³·8·4 + 2·4; out 3³·4·1 + 1; head 8 + 1
    const expected = 27 * 4 + 8 + 27 * 32 + 8 + 27 * 32 + 8 + 27 * 4 + 1 + 9;
    const m = createModel({ ...small, dims: 3 });
    expect(m.parameterCount).toBe(expected);
    m.dispose();
  });

  it("the issue's reference architecture (strided 8/16/32 encoder, dense latent 32, transposed-conv decoder) has 168 258 parameters", () => {
    // issue 6 times "a 32³ conv3d 8/16/32-filter autoencoder–classifier, 168 258 parameters" in PyTorch
    const m = createModel(referenceModelConfig(3), { seed: 1 });
    expect(m.parameterCount).toBe(168258);
    expect(m.lastConvLayer).toBe('enc3');
    const x = randn([2, 32, 32, 32, 1], 1);
    const r = m.forward(x);
    expect(r.reconstruction.shape).toEqual([2, 32, 32, 32, 1]);
    expect(r.logits.shape).toEqual([2]);
    const acts = m.activations(x);
    expect(acts.get('enc3')!.shape).toEqual([2, 4, 4, 4, 32]);
    expect(acts.get('latent')!.shape).toEqual([2, 32]);
    expect(acts.get('dec1')!.shape).toEqual([2, 8, 8, 8, 16]);
    m.dispose();
    // its 64² 2D twin: same layer formula with 3×3 kernels (encoder 80 + 1168 + 4640, latent
    // 2048·32 + 32 and 32·2048 + 2048, decoder 4624 + 1160 + 73, head 33)
    const m2 = createModel(referenceModelConfig(2), { seed: 1 });
    expect(m2.parameterCount).toBe(80 + 1168 + 4640 + 65568 + 67584 + 4624 + 1160 + 73 + 33);
    m2.dispose();
  });

  it('upsample decoder: reconstruction from forward equals the activations() pass, and the fused up-sample+conv equals the two-op composition', () => {
    const m = createModel({ dims: 3, inputSize: 8, widths: [4, 8], strides: [2, 2], dropout: 0 }, { seed: 5 });
    const x = randn([1, 8, 8, 8, 1], 2);
    const a = m.forward(x).reconstruction.dataSync();
    const b = m.activations(x).get('reconstruction')!.dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    m.dispose();
  });

  it('same seed → identical initial weights; another seed → different', () => {
    const a = createModel({ ...small, dims: 3 }, { seed: 11 }).getWeights();
    const b = createModel({ ...small, dims: 3 }, { seed: 11 }).getWeights();
    const c = createModel({ ...small, dims: 3 }, { seed: 12 }).getWeights();
    for (const [k, v] of a) expect(b.get(k)).toEqual(v);
    expect(c.get('enc1/conv/kernel')).not.toEqual(a.get('enc1/conv/kernel'));
  });

  it('rejects unknown layers and wrong input shapes with RadcamError', () => {
    const m = createModel({ ...small, dims: 2 });
    const x = tf.zeros([1, 8, 8, 1]);
    expect(() => m.forwardTo(x, 'enc9')).toThrow(/unknown layer/);
    try {
      m.forwardTo(tf.zeros([1, 8, 8, 2]), 'enc1');
      expect.unreachable();
    } catch (e) {
      expect(isRadcamError(e) && e.code).toBe('E_INVALID_ARGUMENT');
    }
    expect(() => createModel({ inputSize: 10, strides: [2, 2, 2] })).toThrow(/divisible/);
    m.dispose();
  });

  // LeakyReLU has a kink at 0: a finite difference that moves a pre-activation across it is not a
  // derivative (float32 forbids steps small enough to avoid every crossing). The whole-model check
  // therefore uses slope 1 (smooth; conv, GroupNorm, up-sampling, GAP, dense and both losses are
  // exercised); the LeakyReLU gradient itself is checked away from its kink in gradients.test.ts.
  // Two GroupNorm settings of the normalised blocks.
  const wholeModelCases = [
    { label: 'GroupNorm(1)', leakySlope: 1, groups: 1, eps: 3e-3, tol: 1e-3, extra: {} },
    { label: 'GroupNorm(2)', leakySlope: 1, groups: 2, eps: 3e-3, tol: 1e-3, extra: {} },
    { label: 'dense latent + transposed-conv decoder', leakySlope: 1, groups: 2, eps: 3e-3, tol: 1e-3, extra: { latent: 3, decoder: 'transpose' as const } },
  ];
  for (const wc of wholeModelCases) {
    it(`whole-model gradient (joint loss w.r.t. every parameter and the input) matches finite differences — ${wc.label}`, () => {
      for (const dims of [2, 3] as const) {
        const cfg = { dims, inputSize: 4, widths: [2, 4], strides: [1, 2], dropout: 0, leakySlope: wc.leakySlope, groups: wc.groups, ...wc.extra };
        const m = createModel(cfg, { seed: 8 });
        const spatial = dims === 3 ? [4, 4, 4] : [4, 4];
        const x = randn([2, ...spatial, 1], 9);
        const R = randn([2], 10);
        const loss = () => {
          const r = m.forward(x);
          return tf.add(tf.sum(tf.mul(r.logits, R)), tf.mul(tf.mean(tf.squaredDifference(r.reconstruction, x)), 4)) as tf.Scalar;
        };
        for (const [name, v] of m.params) {
          const orig = tf.clone(v);
          const analytic = tf.tidy(() => {
            const { grads } = tf.variableGrads(loss, [v]);
            return grads[v.name]!.dataSync().slice();
          });
          const base = orig.dataSync().slice() as Float32Array;
          let num2 = 0;
          let diff2 = 0;
          const at = (p: Float32Array) => {
            v.assign(tf.tensor(p, orig.shape));
            return tf.tidy(() => loss().dataSync()[0]!);
          };
          // every element of small tensors, 24 seeded picks of larger ones (keeps the test fast)
          const picks = createRng(name.length).shuffle([...base.keys()]).slice(0, 24);
          for (const i of picks) {
            const p = Float32Array.from(base);
            p[i] = base[i]! + wc.eps;
            const fp = at(p);
            p[i] = base[i]! - wc.eps;
            const fm = at(p);
            const numeric = (fp - fm) / (2 * wc.eps);
            num2 += numeric ** 2;
            diff2 += (numeric - analytic[i]!) ** 2;
          }
          v.assign(orig);
          const rel = Math.sqrt(diff2) / Math.max(Math.sqrt(num2), 1e-12);
          expect(rel, `${dims}D ${name}`).toBeLessThan(wc.tol);
        }
        const { rel } = gradRelError((t) => {
          const r = m.forward(t);
          return tf.add(tf.sum(tf.mul(r.logits, R)), tf.mean(tf.squaredDifference(r.reconstruction, t))) as tf.Scalar;
        }, x, { eps: wc.eps, maxElements: 32 });
        expect(rel, `${dims}D input`).toBeLessThan(wc.tol);
        m.dispose();
      }
    });
  }
});
