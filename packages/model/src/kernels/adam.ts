/**
 * Adam with the whole update of a variable in one pass — a WebAssembly SIMD kernel
 * (assembly/ops.ts `adamUpdate`, float32 arithmetic) or, without WebAssembly SIMD, a typed-array
 * loop with Math.fround after every operation — instead of tfjs' AdamOptimizer's ≈ 15 tensor ops
 * per variable per step, each a kernel call with its own allocation. Subclass of
 * tfjs' AdamOptimizer (same state variables, getWeights / setWeights / dispose / minimize), whose
 * `applyGradients` is replaced. Every intermediate is rounded to float32 exactly where tfjs' ops
 * round it (each op computes in float64 and stores float32), so on the cpu backend the weights
 * are bit-identical to `tf.train.adam` (checked in test/ops-wasm.test.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { wasmAdamUpdate, wasmConvAvailable } from './wasm.js';

/** tfjs' NamedTensor[] (not re-exported by the package root). */
type NamedTensorList = { name: string; tensor: tf.Tensor }[];

interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

function f32(t: tf.Tensor): Float32Array {
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
}

/** tf.train.adam with a fused update; see the module comment. */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensorList): void {
    const st = this as unknown as AdamState;
    const isList = Array.isArray(variableGradients);
    const names = isList ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const fr = Math.fround;
    const b1 = fr(this.beta1);
    const b2 = fr(this.beta2);
    const omb1 = fr(1 - this.beta1);
    const omb2 = fr(1 - this.beta2);
    const eps = fr(this.epsilon);
    const nlr = fr(-this.learningRate);
    const a1 = f32(st.accBeta1)[0]!;
    const a2 = f32(st.accBeta2)[0]!;
    const oma1 = fr(1 - a1);
    const oma2 = fr(1 - a2);
    const registered = tf.engine().registeredVariables;
    names.forEach((name, i) => {
      const value = registered[name];
      if (!value) return;
      if (!st.accumulatedFirstMoment[i]) {
        st.accumulatedFirstMoment[i] = { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      }
      if (!st.accumulatedSecondMoment[i]) {
        st.accumulatedSecondMoment[i] = { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      }
      const gradient = isList ? (variableGradients as NamedTensorList)[i]!.tensor : (variableGradients as tf.NamedTensorMap)[name];
      if (!gradient) return;
      const mVar = st.accumulatedFirstMoment[i]!.variable;
      const vVar = st.accumulatedSecondMoment[i]!.variable;
      const g = f32(gradient);
      const m = f32(mVar);
      const v = f32(vVar);
      const x = f32(value);
      const n = x.length;
      let m2: Float32Array;
      let v2: Float32Array;
      let x2: Float32Array;
      if (wasmConvAvailable()) {
        ({ m: m2, v: v2, x: x2 } = wasmAdamUpdate(g, m, v, x, { b1, b2, omb1, omb2, oma1, oma2, eps, nlr }));
      } else {
        m2 = new Float32Array(n);
        v2 = new Float32Array(n);
        x2 = new Float32Array(n);
        for (let k = 0; k < n; k++) {
          const gk = g[k]!;
          const mk = fr(fr(m[k]! * b1) + fr(gk * omb1));
          const vk = fr(fr(v[k]! * b2) + fr(fr(gk * gk) * omb2));
          m2[k] = mk;
          v2[k] = vk;
          const mh = fr(mk / oma1);
          const vh = fr(vk / oma2);
          const den = fr(fr(Math.sqrt(vh)) + eps);
          x2[k] = fr(fr(fr(mh / den) * nlr) + x[k]!);
        }
      }
      tf.tidy(() => {
        mVar.assign(tf.tensor(m2, mVar.shape, 'float32'));
        vVar.assign(tf.tensor(v2, vVar.shape, 'float32'));
        value.assign(tf.tensor(x2, value.shape, 'float32'));
      });
    });
    tf.tidy(() => {
      st.accBeta1.assign(tf.scalar(fr(a1 * b1)));
      st.accBeta2.assign(tf.scalar(fr(a2 * b2)));
    });
    (this as unknown as { incrementIterations(): void }).incrementIterations();
  }
}

/**
 * Drop-in replacement of `tf.train.adam(learningRate, beta1, beta2, epsilon)` with the fused
 * update (same values on the cpu backend, bit for bit).
 */
export function fusedAdam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
