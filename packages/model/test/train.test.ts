import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { createRng, isRadcamError } from '@radcam/core';
import { crossValidate, predict, rocAuc, splitValidation, trainModel, type TrainingData } from '../src/index.js';

/** Toy task: class 1 = a bright 4³ cube in the patch centre, class 0 = a dark one; plus noise. */
function toyData(n: number, seed: number, S = 8): TrainingData {
  const rng = createRng(seed);
  const inputs: Float32Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = i % 2;
    const v = new Float32Array(S * S * S);
    for (let z = 0; z < S; z++)
      for (let yy = 0; yy < S; yy++)
        for (let x = 0; x < S; x++) {
          const inside = [x, yy, z].every((c) => c >= S / 4 && c < (3 * S) / 4);
          v[(z * S + yy) * S + x] = (inside ? (y ? 2 : -2) : 0) + 0.3 * rng.normal();
        }
    inputs.push(v);
    labels.push(y);
  }
  return { inputs, labels };
}

const arch = { dims: 3 as const, inputSize: 8, widths: [4, 8], strides: [1, 2] };

describe('rocAuc', () => {
  it('matches hand-computed Mann–Whitney values', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12); // sklearn docs example
    expect(rocAuc([1, 1, 1, 1], [0, 1, 0, 1])).toBe(0.5);
    expect(rocAuc([0.2, 0.9], [0, 1])).toBe(1);
    expect(Number.isNaN(rocAuc([0.2, 0.9], [1, 1]))).toBe(true);
  });
});

describe('training', () => {
  it('learns a trivially separable toy task (loss falls, training AUC > 0.9)', async () => {
    const data = toyData(12, 1);
    const logs: number[] = [];
    const res = await trainModel(data, {
      model: arch,
      epochs: 4,
      batchSize: 4,
      learningRate: 1e-2,
      validationFraction: 0,
      seed: 7,
      onEpoch: (l) => void logs.push(l.trainBce),
    });
    expect(res.history).toHaveLength(4);
    expect(logs[logs.length - 1]!).toBeLessThan(logs[0]!);
    const p = predict(res.model, data.inputs);
    expect(rocAuc(p, data.labels)).toBeGreaterThan(0.9);
    res.model.dispose();
  });

  it("loss: 'focal' trains the toy task too; an unknown loss is a RadcamError", async () => {
    const data = toyData(12, 1);
    const logs: number[] = [];
    const res = await trainModel(data, {
      model: arch,
      epochs: 4,
      batchSize: 4,
      learningRate: 1e-2,
      validationFraction: 0,
      seed: 7,
      loss: 'focal',
      focalGamma: 2,
      onEpoch: (l) => void logs.push(l.trainBce),
    });
    expect(logs[logs.length - 1]!).toBeLessThan(logs[0]!);
    expect(rocAuc(predict(res.model, data.inputs), data.labels)).toBeGreaterThan(0.9);
    res.model.dispose();
    await expect(trainModel(data, { model: arch, epochs: 1, validationFraction: 0, loss: 'hinge' as 'bce' })).rejects.toThrow(/loss must be/);
  });

  it('is reproducible: same seed → bit-identical weights; other seed → different', async () => {
    const data = toyData(8, 2);
    const opts = { model: arch, epochs: 2, batchSize: 4, validationFraction: 0.25, seed: 5 };
    const a = await trainModel(data, opts);
    const b = await trainModel(data, opts);
    const c = await trainModel(data, { ...opts, seed: 6 });
    const wa = a.model.getWeights();
    const wb = b.model.getWeights();
    for (const [k, v] of wa) expect(Buffer.from(wb.get(k)!.buffer).equals(Buffer.from(v.buffer)), k).toBe(true);
    expect(c.model.getWeights().get('enc1/conv/kernel')).not.toEqual(wa.get('enc1/conv/kernel'));
    expect(a.history.map((h) => h.valAuc)).toEqual(b.history.map((h) => h.valAuc));
    expect(a.validationIndices.length).toBe(2);
    for (const r of [a, b, c]) r.model.dispose();
  });

  it('early stopping keeps the best epoch and stops after `patience` epochs without improvement', async () => {
    const data = toyData(8, 3);
    const res = await trainModel(data, { model: arch, epochs: 30, patience: 1, learningRate: 0.2, batchSize: 4, seed: 1 });
    const last = res.history[res.history.length - 1]!;
    expect(res.history.length).toBeLessThanOrEqual(30);
    if (res.stoppedEarly) expect(last.epoch - res.bestEpoch).toBe(1);
    const best = Math.min(...res.history.map((h) => h.valBce!));
    expect(res.history[res.bestEpoch - 1]!.valBce).toBe(best);
    res.model.dispose();
  });

  it('cross-validates over given folds', async () => {
    const data = toyData(8, 4);
    const folds = [0, 0, 1, 1, 0, 0, 1, 1];
    const seen: number[] = [];
    const cv = await crossValidate(data, folds, { model: arch, epochs: 1, batchSize: 4, validationFraction: 0, onFold: (f) => void seen.push(f.fold) });
    expect(seen).toEqual([0, 1]);
    expect(cv.folds[0]!.testIndices).toEqual([0, 1, 4, 5]);
    expect(Array.from(cv.outOfFold).every((p) => p > 0 && p < 1)).toBe(true);
    expect(cv.auc).toBeGreaterThanOrEqual(0);
  });

  it('weightDecay: after one step every kernel is the undecayed step × (1 − η·wd); biases are not decayed', async () => {
    const data = toyData(8, 5);
    const base = { model: arch, epochs: 1, batchSize: 8, learningRate: 0.01, validationFraction: 0, augment: false as const, seed: 2 };
    const a = await trainModel(data, base);
    const b = await trainModel(data, { ...base, weightDecay: 5 });
    const wa = a.model.getWeights();
    const wb = b.model.getWeights();
    for (const [name, va] of wa) {
      const f = name.endsWith('/kernel') ? 1 - 0.01 * 5 : 1;
      const vb = wb.get(name)!;
      for (let i = 0; i < va.length; i++) expect(vb[i]!).toBeCloseTo(va[i]! * f, 6);
    }
    a.model.dispose();
    b.model.dispose();
  });

  it('ensemble: a fold predicts the mean of the models trained with seeds seed + fold + 1000·m', async () => {
    const data = toyData(8, 6);
    const folds = [0, 1, 0, 1, 0, 1, 0, 1];
    const opts = { model: arch, epochs: 1, batchSize: 4, validationFraction: 0, seed: 3 };
    const cv = await crossValidate(data, folds, { ...opts, ensemble: 2 });
    const train = { inputs: data.inputs.filter((_, i) => folds[i] !== 1), labels: Array.from(data.labels).filter((_, i) => folds[i] !== 1) };
    const test = data.inputs.filter((_, i) => folds[i] === 1);
    const m0 = await trainModel(train, { ...opts, seed: 3 + 1 });
    const m1 = await trainModel(train, { ...opts, seed: 3 + 1 + 1000 });
    const p0 = predict(m0.model, test);
    const p1 = predict(m1.model, test);
    const f1 = cv.folds.find((f) => f.fold === 1)!;
    for (let t = 0; t < test.length; t++) expect(f1.probabilities[t]!).toBeCloseTo((p0[t]! + p1[t]!) / 2, 6);
    m0.model.dispose();
    m1.model.dispose();
  });

  it('takes the input shape from the preprocessing options and stores them on the model', async () => {
    const data = toyData(4, 6);
    const two = { ...data, inputs: data.inputs.map((x) => Float32Array.from({ length: x.length * 2 }, (_, i) => (i % 2 ? 1 : x[i >> 1]!))) };
    const res = await trainModel(two, { model: { widths: [4, 8], strides: [1, 2] }, preprocessing: { dims: 3, size: 8, maskChannel: true }, epochs: 1, validationFraction: 0 });
    expect(res.model.config.inChannels).toBe(2);
    expect(res.model.config.inputSize).toBe(8);
    expect(res.model.preprocessing).toEqual({ dims: 3, size: 8, maskChannel: true });
    res.model.dispose();
  });

  it('validation split is stratified and group-aware', () => {
    const s = splitValidation([0, 0, 0, 0, 1, 1, 1, 1, 1, 1], 0.5, createRng(1));
    expect(s.validation.filter((i) => i < 4)).toHaveLength(2);
    expect(s.validation.filter((i) => i >= 4)).toHaveLength(3);
    const g = splitValidation([0, 1, 0, 1, 0, 1], 0.3, createRng(2), ['a', 'a', 'b', 'b', 'c', 'c']);
    const groupsIn = new Set(g.validation.map((i) => ['a', 'a', 'b', 'b', 'c', 'c'][i]));
    for (const i of g.train) expect(groupsIn.has(['a', 'a', 'b', 'b', 'c', 'c'][i])).toBe(false);
  });

  it('rejects bad labels / sizes and refuses to train on wasm (E_BACKEND)', async () => {
    const data = toyData(4, 5);
    await expect(trainModel({ ...data, labels: [0, 1, 2, 0] }, { model: arch, epochs: 1 })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(trainModel(data, { model: { ...arch, inputSize: 16 }, epochs: 1 })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    // A stand-in registered under the name 'wasm' (the real wasm backend is not installed).
    tf.registerBackend('wasm', () => new MathBackendCPU());
    await tf.setBackend('wasm');
    try {
      await trainModel(data, { model: arch, epochs: 1 });
      expect.unreachable();
    } catch (e) {
      expect(isRadcamError(e) && e.code).toBe('E_BACKEND');
    } finally {
      await tf.setBackend('cpu');
      tf.removeBackend('wasm');
    }
  });
});
