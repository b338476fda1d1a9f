import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectArraysClose } from '@radcam/core/testing';
import { createVolume, type Mask } from '@radcam/core';
import {
  builtinCamMethods,
  camStability,
  computeCam,
  deletionCurve,
  explainLesion,
  roadScores,
} from '../src/index.js';
import { convTarget, fixture, useCpu } from './helpers.js';

beforeAll(useCpu);

const target = convTarget({ dims: 3, inChannels: 1, channels: 4, head: 'linear', w: [0.8, -0.5, 0.3, 1.2] });

describe('explainLesion', () => {
  it('places the patch map at the patch offset on the image grid; normalises in the lesion; subregions', () => {
    // patch tensor [D=4, H=5, W=6, 1] ↔ grid [6, 5, 4]; image 10×9×8, patch origin (2, 1, 3) mm
    const data = fixture(120, 77);
    const patch = { data, shape: [4, 5, 6, 1], geometry: { size: [6, 5, 4] as [number, number, number], spacing: [1, 1, 1] as [number, number, number], origin: [2, 1, 3] as [number, number, number], direction: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1) } };
    const image = createVolume(new Int16Array(720), [10, 9, 8]);
    const x = tf.tensor(data, [1, 4, 5, 6, 1]);
    const raw = computeCam(target, x, { method: 'layercam' });
    x.dispose();
    const r = explainLesion(target, patch, image, { method: 'layercam' });
    const expected = new Float32Array(720);
    for (let k = 0; k < 4; k++) for (let j = 0; j < 5; j++) for (let i = 0; i < 6; i++) expected[i + 2 + 10 * (j + 1 + 9 * (k + 3))] = raw.data[i + 6 * (j + 5 * k)]!;
    expectArraysClose(r.cam.data, expected, { rtol: 1e-6 });
    expect(r.cam.size).toEqual([10, 9, 8]);

    const lesion = createVolume(new Uint8Array(720), [10, 9, 8]) as Mask;
    for (let k = 4; k <= 5; k++) for (let j = 2; j <= 4; j++) for (let i = 3; i <= 6; i++) lesion.data[i + 10 * (j + 9 * k)] = 1;
    const n = explainLesion(target, patch, image, { method: 'layercam', normalize: true, lesionMask: lesion, subregions: { method: 'percentile', percentile: 50 } });
    let mx = -Infinity;
    let mn = Infinity;
    n.cam.data.forEach((v, i) => {
      if (lesion.data[i]) {
        mx = Math.max(mx, v);
        mn = Math.min(mn, v);
      } else expect(v).toBe(0);
    });
    expect(mx).toBeCloseTo(1, 6);
    expect(mn).toBeCloseTo(0, 6);
    expect(n.subregions!.subregions.reduce((a, s) => a + s.voxels, 0)).toBeGreaterThanOrEqual(12);
  });
});

describe('tensor hygiene', () => {
  it('no tfjs tensors leak from methods, TTA, stability, deletion and ROAD', () => {
    const x = tf.tensor(fixture(2 * 60, 5), [2, 3, 4, 5, 1]);
    const before = tf.memory().numTensors;
    for (const m of builtinCamMethods) computeCam(target, x, { method: m.id, tta: m.id === 'radcam/layercam' });
    const res = computeCam(target, x, { method: 'gradcam' });
    camStability(target, x, { method: 'gradcampp', repeats: 2 });
    deletionCurve(target, x, res.maps, { steps: 3 });
    roadScores(target, x, res.maps, { fractions: [0.5] });
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
