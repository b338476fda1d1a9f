// The default model's forward pass written with radcam's fused ops (groupNormAct, upsampleConv,
// no input gradient for the first convolution): same parameters and values as
// AutoencoderClassifier.forward (inference mode: no dropout), used by bench/model.ts to show what
// the model gains once it uses these ops. Returns null when the model's parameter names or
// structure differ from what this replica assumes (then the bench skips the row).
import * as tf from '@tensorflow/tfjs-core';
import { convSame, globalAveragePool, groupNormAct, upsampleConv, type AutoencoderClassifier } from '../src/index.js';

export function fusedForwardAvailable(m: AutoencoderClassifier): boolean {
  const c = m.config;
  if (c.norm !== 'group' || c.activation !== 'leaky-relu') return false;
  const L = c.widths.length;
  const need = ['out/conv/kernel', 'out/conv/bias', 'head/dense/kernel', 'head/dense/bias'];
  for (let i = 1; i <= L; i++) need.push(`enc${i}/conv/kernel`, ...(i < L ? [`enc${i}/norm/gamma`, `enc${i}/norm/beta`] : [`enc${i}/conv/bias`]));
  for (let j = 1; j < L; j++) need.push(`dec${j}/conv/kernel`, `dec${j}/norm/gamma`, `dec${j}/norm/beta`);
  return need.every((n) => m.params.has(n)) && m.params.size === need.length;
}

export function fusedForward(m: AutoencoderClassifier, x: tf.Tensor): { logits: tf.Tensor1D; reconstruction: tf.Tensor } {
  const c = m.config;
  const p = (n: string) => m.params.get(n) ?? null;
  const L = c.widths.length;
  let y = x;
  for (let i = 1; i <= L; i++) {
    y = convSame(y, p(`enc${i}/conv/kernel`)!, c.strides[i - 1]!, p(`enc${i}/conv/bias`), { inputGradient: i > 1 });
    y = i < L ? groupNormAct(y, p(`enc${i}/norm/gamma`)!, p(`enc${i}/norm/beta`)!, c.groups, { slope: c.leakySlope }) : tf.leakyRelu(y, c.leakySlope);
  }
  const f = globalAveragePool(y);
  const z = tf.add(tf.matMul(f as tf.Tensor2D, p('head/dense/kernel') as unknown as tf.Tensor2D), p('head/dense/bias')!);
  const logits = tf.reshape(z, [z.shape[0]!]) as tf.Tensor1D;
  let up = 1;
  for (let j = 1; j < L; j++) {
    const k = p(`dec${j}/conv/kernel`)!;
    y = up > 1 ? upsampleConv(y, k, up) : convSame(y, k, 1);
    y = groupNormAct(y, p(`dec${j}/norm/gamma`)!, p(`dec${j}/norm/beta`)!, c.groups, { slope: c.leakySlope });
    up = c.strides[L - j]!;
  }
  up *= c.strides[0]!;
  const k = p('out/conv/kernel')!;
  const reconstruction = up > 1 ? upsampleConv(y, k, up, p('out/conv/bias')) : convSame(y, k, 1, p('out/conv/bias'));
  return { logits, reconstruction };
}
