import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRng } from '@radcam/core';
import { convSame, registerGradients } from '../src/index.js';
import { gradRelError, randn, relErr } from './gradcheck.js';

registerGradients();

/** The tfjs reference: tf.conv2d / tf.conv3d ('same') + bias, gradients via the tfjs backprop kernels. */
function reference(x: tf.Tensor, w: tf.Tensor, stride: number, b: tf.Tensor): tf.Tensor {
  const y = x.rank === 5 ? tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, stride as 1, 'same') : tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, 'same');
  return tf.add(y, b);
}

describe('convSame (JS kernels) vs the tfjs-backend-cpu reference kernels', () => {
  const rng = createRng(2024);
  const cases: { dims: 2 | 3; x: number[]; k: number; co: number; stride: number }[] = [];
  for (let t = 0; t < 14; t++) {
    const dims = (t % 2 === 0 ? 3 : 2) as 2 | 3;
    const k = [1, 3, 5][rng.int(3)]!;
    const stride = 1 + rng.int(3);
    const sp = Array.from({ length: dims }, () => 1 + rng.int(dims === 3 ? 7 : 11));
    cases.push({ dims, x: [1 + rng.int(2), ...sp, 1 + rng.int(4)], k, co: 1 + rng.int(5), stride });
  }
  for (const c of cases) {
    it(`${c.dims}D x [${c.x.join(',')}] k${c.k} s${c.stride} → ${c.co}`, () => {
      const ci = c.x[c.x.length - 1]!;
      const x = randn(c.x, c.x.length * 7 + c.k);
      const w = randn([...Array(c.dims).fill(c.k), ci, c.co], 3 + c.co);
      const b = randn([c.co], 5);
      const ref = reference(x, w, c.stride, b);
      const mine = convSame(x, w, c.stride, b);
      expect(mine.shape).toEqual(ref.shape);
      expect(relErr(mine.dataSync(), ref.dataSync())).toBeLessThan(1e-5);
      // gradients of a random projection, w.r.t. x, kernel and bias
      const R = randn(ref.shape, 11);
      const loss = (f: (a: tf.Tensor, bb: tf.Tensor, cc: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, bb: tf.Tensor, cc: tf.Tensor) =>
        tf.sum(tf.mul(f(a, bb, cc), R)) as tf.Scalar;
      const gRef = tf.grads(loss((a, bb, cc) => reference(a, bb, c.stride, cc)))([x, w, b]);
      const gMine = tf.grads(loss((a, bb, cc) => convSame(a, bb, c.stride, cc)))([x, w, b]);
      for (let i = 0; i < 3; i++) expect(relErr(gMine[i]!.dataSync(), gRef[i]!.dataSync()), `grad ${i}`).toBeLessThan(1e-5);
    });
  }
  it('gradients match central finite differences', () => {
    const x = randn([1, 5, 4, 6, 2], 1);
    const w = randn([3, 3, 3, 2, 3], 2);
    const R = randn([1, 3, 2, 3, 3], 3);
    expect(gradRelError((t) => tf.sum(tf.mul(convSame(t, w, 2), R)) as tf.Scalar, x).rel).toBeLessThan(1e-3);
    expect(gradRelError((t) => tf.sum(tf.mul(convSame(x, t, 2), R)) as tf.Scalar, w, { maxElements: 40 }).rel).toBeLessThan(1e-3);
  });
});
