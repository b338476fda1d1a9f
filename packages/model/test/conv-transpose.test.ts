import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRng } from '@radcam/core';
import { convSame, convTransposeSame, registerGradients, setConvImplementation, wasmConvAvailable } from '../src/index.js';
import { gradRelError, randn, relErr } from './gradcheck.js';

registerGradients();
const prev = setConvImplementation('auto');
afterAll(() => {
  setConvImplementation(prev);
});

/** tfjs' own transposed convolution ('same') + bias: the reference kernel. */
function reference(x: tf.Tensor, w: tf.Tensor, stride: number, b: tf.Tensor): tf.Tensor {
  const dims = x.rank - 2;
  const out = [x.shape[0]!, ...x.shape.slice(1, dims + 1).map((v) => v * stride), w.shape[dims]!];
  const y =
    dims === 3
      ? tf.conv3dTranspose(x as tf.Tensor5D, w as tf.Tensor5D, out as [number, number, number, number, number], stride, 'same')
      : tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, out as [number, number, number, number], stride, 'same');
  return tf.add(y, b);
}

const impls: ('js' | 'wasm')[] = ['js', ...(wasmConvAvailable() ? (['wasm'] as const) : [])];

describe('convTransposeSame vs tfjs conv2dTranspose / conv3dTranspose', () => {
  const rng = createRng(77);
  const cases: { dims: 2 | 3; x: number[]; k: number; co: number; stride: number }[] = [];
  for (let t = 0; t < 10; t++) {
    const dims = (t % 2 === 0 ? 3 : 2) as 2 | 3;
    // k ≥ stride: with k < stride and an even size, tfjs-cpu's 3D 'same' padding goes negative
    // (it does not clamp the total padding at 0 as TensorFlow does) and the reference is wrong
    const stride = 1 + rng.int(2);
    const k = [1, 3, 5].filter((v) => v >= stride)[rng.int(stride === 1 ? 3 : 2)]!;
    const sp = Array.from({ length: dims }, () => 1 + rng.int(dims === 3 ? 4 : 6));
    cases.push({ dims, x: [1 + rng.int(2), ...sp, 1 + rng.int(6)], k, co: 1 + rng.int(6), stride });
  }
  // the shapes of the reference decoder (4³×32 → 8³×16, 16³×8 → 32³×1 scaled down)
  cases.push({ dims: 3, x: [2, 2, 2, 2, 8], k: 3, co: 4, stride: 2 }, { dims: 3, x: [1, 4, 3, 4, 4], k: 3, co: 1, stride: 2 });
  for (const impl of impls) {
    for (const c of cases) {
      it(`${impl}: ${c.dims}D x [${c.x.join(',')}] k${c.k} s${c.stride} → ${c.co}: value and tf.grads w.r.t. x, kernel, bias`, () => {
        setConvImplementation(impl);
        const ci = c.x[c.x.length - 1]!;
        const x = randn(c.x, c.x.length * 5 + c.k);
        const w = randn([...Array(c.dims).fill(c.k), c.co, ci], 7 + c.co);
        const b = randn([c.co], 9);
        const ref = reference(x, w, c.stride, b);
        const mine = convTransposeSame(x, w, c.stride, b);
        expect(mine.shape).toEqual(ref.shape);
        expect(relErr(mine.dataSync(), ref.dataSync())).toBeLessThan(1e-5);
        const R = randn(ref.shape, 13);
        const loss = (f: (a: tf.Tensor, bb: tf.Tensor, cc: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, bb: tf.Tensor, cc: tf.Tensor) =>
          tf.sum(tf.mul(f(a, bb, cc), R)) as tf.Scalar;
        const gRef = tf.grads(loss((a, bb, cc) => reference(a, bb, c.stride, cc)))([x, w, b]);
        const gMine = tf.grads(loss((a, bb, cc) => convTransposeSame(a, bb, c.stride, cc)))([x, w, b]);
        for (let i = 0; i < 3; i++) expect(relErr(gMine[i]!.dataSync(), gRef[i]!.dataSync()), `grad ${i}`).toBeLessThan(1e-5);
        setConvImplementation('auto');
      });
    }
  }
  it('k = 1, stride 2 follows TensorFlow (padding clamped at 0): inputs land on the even positions', () => {
    const y = tf.tensor5d([1, 2], [1, 1, 2, 1, 1]);
    const out = convTransposeSame(y, tf.ones([1, 1, 1, 1, 1]), 2);
    expect(out.shape).toEqual([1, 2, 4, 2, 1]);
    // [z][y][x]: value 1 at (0,0,0), value 2 at (0,2,0); zeros elsewhere
    expect(Array.from(out.dataSync())).toEqual([1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
  it('is the adjoint of convSame: <convT(y), x> = <y, conv(x)>', () => {
    const x = randn([2, 6, 4, 6, 3], 1);
    const w = randn([3, 3, 3, 3, 5], 2);
    const y = randn([2, 3, 2, 3, 5], 3);
    const lhs = tf.sum(tf.mul(convTransposeSame(y, w, 2), x)).dataSync()[0]!;
    const rhs = tf.sum(tf.mul(y, convSame(x, w, 2))).dataSync()[0]!;
    expect(Math.abs(lhs - rhs) / Math.abs(rhs)).toBeLessThan(1e-5);
  });
  it('gradients match central finite differences', () => {
    const x = randn([1, 2, 3, 2, 3], 4);
    const w = randn([3, 3, 3, 2, 3], 5);
    const R = randn([1, 4, 6, 4, 2], 6);
    expect(gradRelError((t) => tf.sum(tf.mul(convTransposeSame(t, w, 2), R)) as tf.Scalar, x).rel).toBeLessThan(1e-3);
    expect(gradRelError((t) => tf.sum(tf.mul(convTransposeSame(x, t, 2), R)) as tf.Scalar, w, { maxElements: 40 }).rel).toBeLessThan(1e-3);
  });
  it('rejects mismatched channels and bad strides with RadcamError', () => {
    const x = randn([1, 2, 2, 3], 1);
    expect(() => convTransposeSame(x, randn([3, 3, 2, 4], 2), 2)).toThrow(/kernel input channels/);
    expect(() => convTransposeSame(x, randn([3, 3, 2, 3], 2), 0)).toThrow(/stride/);
  });
});
