import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectArraysClose, expectClose } from '@radcam/core/testing';
import { Registry, createVolume } from '@radcam/core';
import {
  camMethodRegistry,
  camStability,
  computeCam,
  registerCamMethods,
  volumesToInput,
  type CamMethod,
} from '../src/index.js';
import { convTarget, pixelLinearTarget, useCpu } from './helpers.js';

beforeAll(useCpu);

// 2D grid 3 (x) × 2 (y): tensor [1, H=2, W=3, 1]
const xv = [1, 2, 3, 4, 5, 6];
const uv = [0.5, -1, 2, 3, 0.25, -2];
const flipX = (a: number[]) => [a[2]!, a[1]!, a[0]!, a[5]!, a[4]!, a[3]!];
const flipY = (a: number[]) => [a[3]!, a[4]!, a[5]!, a[0]!, a[1]!, a[2]!];

describe('test-time augmentation (flips)', () => {
  const target = pixelLinearTarget(2, tf.tensor(uv, [1, 2, 3, 1]));
  const x = tf.tensor(xv, [1, 2, 3, 1]);

  it('HiResCAM of y = Σ u∘x is u∘x; with flips it is x ∘ mean over flips of flip(u)', () => {
    const plain = computeCam(target, x, { method: 'hirescam' });
    expectArraysClose(plain.data, xv.map((v, i) => v * uv[i]!), { rtol: 1e-6 });
    const tx = computeCam(target, x, { method: 'hirescam', tta: [[], [0]] });
    const fx = flipX(uv);
    expectArraysClose(tx.data, xv.map((v, i) => (v * (uv[i]! + fx[i]!)) / 2), { rtol: 1e-6 });
    const all = computeCam(target, x, { method: 'hirescam', tta: true });
    const fy = flipY(uv);
    const fxy = flipY(fx);
    expectArraysClose(all.data, xv.map((v, i) => (v * (uv[i]! + fx[i]! + fy[i]! + fxy[i]!)) / 4), { rtol: 1e-6 });
  });

  it('3D: all 8 flips of a flip-symmetric u leave the map unchanged', () => {
    const u3 = tf.ones([1, 2, 2, 2, 1]);
    const t3 = pixelLinearTarget(3, u3);
    const x3 = tf.tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2, 1]);
    const a = computeCam(t3, x3, { method: 'hirescam' });
    const b = computeCam(t3, x3, { method: 'hirescam', tta: true });
    expectArraysClose(b.data, a.data, { rtol: 1e-6 });
  });
});

describe('stability under input noise', () => {
  const target = pixelLinearTarget(2, tf.tensor(uv, [1, 2, 3, 1]));
  const x = tf.tensor([...xv, ...xv.map((v) => v * 2)], [2, 2, 3, 1]);

  it('zero noise → correlation 1; noise lowers it; same seed → same score', () => {
    const s0 = camStability(target, x, { method: 'hirescam', noise: 0, repeats: 2 });
    expectArraysClose(s0.pearson, [1, 1], { rtol: 1e-9 });
    expectClose(s0.meanSpearman, 1, { rtol: 1e-9 });
    const a = camStability(target, x, { method: 'hirescam', noise: 0.5, repeats: 3, seed: 11 });
    const b = camStability(target, x, { method: 'hirescam', noise: 0.5, repeats: 3, seed: 11 });
    expect(a.meanPearson).toBeLessThan(1);
    expect(a.meanPearson).toBe(b.meanPearson);
    expect(Array.from(a.spearman)).toEqual(Array.from(b.spearman));
  });
});

describe('registry and errors', () => {
  const target = convTarget({ dims: 2, inChannels: 1, channels: 2, head: 'linear', w: [1, -1] });
  const x = tf.ones([1, 4, 4, 1]);

  it('built-ins resolve before registration; registerCamMethods adds the 7 ids idempotently', () => {
    const reg = new Registry<CamMethod>('CAM method');
    const dispose = registerCamMethods(reg);
    expect(reg.ids().sort()).toEqual(
      ['radcam/cam', 'radcam/gradcam', 'radcam/gradcam-elementwise', 'radcam/gradcampp', 'radcam/hirescam', 'radcam/layercam', 'radcam/scorecam'],
    );
    registerCamMethods(reg);
    expect(reg.ids()).toHaveLength(7);
    dispose();
    expect(reg.ids()).toHaveLength(0);
    expect(computeCam(target, x, { method: 'radcam/gradcam' }).method).toBe('radcam/gradcam');
  });

  it('a user method registered globally is used by id; duplicates throw', () => {
    const mine: CamMethod = {
      id: 'acme/ones',
      label: 'ones',
      usesGradients: false,
      compute: (ctx) => new Float32Array(ctx.activation.batch * ctx.activation.voxels).fill(1),
    };
    const dispose = camMethodRegistry.register(mine);
    try {
      const r = computeCam(target, x, { method: 'acme/ones' });
      expect(Array.from(r.data)).toEqual(new Array(16).fill(1));
      expect(() => camMethodRegistry.register(mine)).toThrow(expect.objectContaining({ code: 'E_REGISTRY_DUPLICATE' }));
    } finally {
      dispose();
    }
    expect(() => computeCam(target, x, { method: 'acme/ones' })).toThrow(expect.objectContaining({ code: 'E_REGISTRY_UNKNOWN' }));
  });

  it('typed errors for bad input rank, unknown layer, CAM off the last layer or without a dense head', () => {
    expect(() => computeCam(target, tf.ones([4, 4, 1]))).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(() => computeCam(target, x, { layer: 'nope' })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(() => computeCam(target, x, { method: 'cam', layer: 'conv' })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    const deep = convTarget({ dims: 2, inChannels: 1, channels: 2, head: 'deep', w: [1, -1] });
    expect(() => computeCam(deep, x, { method: 'cam' })).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
    expect(() => computeCam(target, x, { classIndex: 2 })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
  });

  it('volumesToInput: Volume x-fastest order = channels-last tensor [N, D, H, W, 1]', () => {
    const v = createVolume(Float32Array.from({ length: 24 }, (_, i) => i), [4, 3, 2]);
    const t = volumesToInput([v, v], 3);
    expect(t.shape).toEqual([2, 2, 3, 4, 1]);
    // element (n=1, d=1, h=2, w=3) = voxel (3, 2, 1) = 3 + 4·(2 + 3·1)
    expect((t.arraySync() as number[][][][][])[1]![1]![2]![3]![0]).toBe(23);
    t.dispose();
  });
});
