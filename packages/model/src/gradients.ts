/**
 * Gradient registrations for the tfjs-core kernels the model (and CAM on top of it) uses.
 *
 * Why this exists: `@tensorflow/tfjs-core/dist/register_all_gradients.js` is an ES module whose
 * imports have no file extension, so Node cannot load it (ERR_MODULE_NOT_FOUND), and the Node
 * bundle `tf-core.node.js` registers no gradients at all. `@tensorflow/tfjs` (pulled in by
 * tfjs-node) does register them; `registerGradients()` therefore only registers the kernels that
 * have no gradient yet, so it composes with any other registration. Every gradient here is a port
 * of the corresponding tfjs-core `*_grad.ts` and is checked against finite differences in
 * `test/gradients.test.ts`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { leakyReluGrad, reluGrad } from './kernels/elementwise.js';
import { registerCpuKernelOverrides } from './kernels/cpu-overrides.js';

type Saved = tf.Tensor[];
type Attrs = Record<string, unknown>;
type GradMap = Record<string, () => tf.Tensor>;

/** Sum `g` over the axes along which an input of shape `shape` was broadcast, then reshape. */
export function reduceToShape(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const out = g.shape;
  const lead = out.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < out.length; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && out[i] !== 1) axes.push(i);
  }
  const r = axes.length > 0 ? tf.sum(g, axes) : g;
  return tf.reshape(r, shape as number[]);
}

const f32 = (t: tf.Tensor): tf.Tensor => (t.dtype === 'float32' ? t : tf.cast(t, 'float32'));

interface GradSpec {
  kernelName: string;
  inputsToSave?: string[];
  outputsToSave?: boolean[];
  saveAllInputs?: boolean;
  gradFunc: (dy: tf.Tensor, saved: Saved, attrs: Attrs) => GradMap;
}

function s(saved: Saved, i: number): tf.Tensor {
  const t = saved[i];
  if (!t) throw new Error(`gradient: saved tensor ${i} missing`);
  return t;
}

function axesOf(attrs: Attrs, rank: number): number[] {
  const a = attrs['axis'];
  const list = a === undefined || a === null ? [...Array(rank).keys()] : Array.isArray(a) ? (a as number[]) : [a as number];
  return list.map((v) => (v < 0 ? v + rank : v));
}

function expandReduced(dy: tf.Tensor, x: tf.Tensor, axes: number[]): tf.Tensor {
  const shape = x.shape.slice();
  for (const ax of axes) shape[ax] = 1;
  return tf.reshape(dy, shape);
}

/** The gradient configurations, keyed by kernel name. Exposed for tests. */
export const GRADIENT_SPECS: readonly GradSpec[] = [
  {
    kernelName: 'Add',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, sv) => ({ a: () => reduceToShape(dy, s(sv, 0).shape), b: () => reduceToShape(dy, s(sv, 1).shape) }),
  },
  {
    kernelName: 'AddN',
    saveAllInputs: true,
    gradFunc: (dy, sv) => {
      const out: GradMap = {};
      sv.forEach((_, i) => (out[i] = () => tf.clone(dy)));
      return out;
    },
  },
  {
    kernelName: 'Sub',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, sv) => ({
      a: () => reduceToShape(dy, s(sv, 0).shape),
      b: () => reduceToShape(tf.neg(dy), s(sv, 1).shape),
    }),
  },
  {
    kernelName: 'Multiply',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, sv) => ({
      a: () => reduceToShape(tf.mul(dy, f32(s(sv, 1))), s(sv, 0).shape),
      b: () => reduceToShape(tf.mul(dy, f32(s(sv, 0))), s(sv, 1).shape),
    }),
  },
  {
    kernelName: 'RealDiv',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, sv) => {
      const a = f32(s(sv, 0));
      const b = f32(s(sv, 1));
      return {
        a: () => reduceToShape(tf.div(dy, b), a.shape),
        b: () => reduceToShape(tf.neg(tf.div(tf.mul(dy, a), tf.square(b))), b.shape),
      };
    },
  },
  {
    kernelName: 'SquaredDifference',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, sv) => {
      const a = s(sv, 0);
      const b = s(sv, 1);
      const two = tf.scalar(2);
      return {
        a: () => reduceToShape(tf.mul(dy, tf.mul(two, tf.sub(a, b))), a.shape),
        b: () => reduceToShape(tf.mul(dy, tf.mul(two, tf.sub(b, a))), b.shape),
      };
    },
  },
  { kernelName: 'Neg', gradFunc: (dy) => ({ x: () => tf.neg(dy) }) },
  {
    kernelName: 'Square',
    inputsToSave: ['x'],
    gradFunc: (dy, sv) => ({ x: () => tf.mul(dy, tf.mul(f32(s(sv, 0)), 2)) }),
  },
  {
    kernelName: 'Sqrt',
    inputsToSave: ['x'],
    gradFunc: (dy, sv) => ({ x: () => tf.div(dy, tf.mul(tf.sqrt(f32(s(sv, 0))), 2)) }),
  },
  {
    kernelName: 'Rsqrt',
    inputsToSave: ['x'],
    gradFunc: (dy, sv) => {
      const x = f32(s(sv, 0));
      return { x: () => tf.neg(tf.div(dy, tf.mul(tf.mul(x, tf.sqrt(x)), 2))) };
    },
  },
  { kernelName: 'Exp', outputsToSave: [true], gradFunc: (dy, sv) => ({ x: () => tf.mul(dy, s(sv, 0)) }) },
  { kernelName: 'Log', inputsToSave: ['x'], gradFunc: (dy, sv) => ({ x: () => tf.div(dy, f32(s(sv, 0))) }) },
  {
    kernelName: 'Log1p',
    inputsToSave: ['x'],
    gradFunc: (dy, sv) => ({ x: () => tf.div(dy, tf.add(f32(s(sv, 0)), 1)) }),
  },
  {
    kernelName: 'Abs',
    inputsToSave: ['x'],
    gradFunc: (dy, sv) => ({ x: () => tf.mul(dy, tf.step(f32(s(sv, 0)), -1)) }),
  },
  { kernelName: 'Relu', inputsToSave: ['x'], gradFunc: (dy, sv) => ({ x: () => reluGrad(dy, s(sv, 0)) }) },
  {
    kernelName: 'LeakyRelu',
    inputsToSave: ['x'],
    gradFunc: (dy, sv, attrs) => ({
      x: () => leakyReluGrad(dy, s(sv, 0), attrs['alpha'] as number), // one typed-array pass (kernels/elementwise.ts)
    }),
  },
  {
    kernelName: 'Sigmoid',
    outputsToSave: [true],
    gradFunc: (dy, sv) => {
      const y = s(sv, 0);
      return { x: () => tf.mul(dy, tf.mul(y, tf.sub(1, y))) };
    },
  },
  {
    kernelName: 'Tanh',
    outputsToSave: [true],
    gradFunc: (dy, sv) => {
      const y = s(sv, 0);
      return { x: () => tf.mul(dy, tf.sub(1, tf.square(y))) };
    },
  },
  {
    kernelName: 'ClipByValue',
    inputsToSave: ['x'],
    gradFunc: (dy, sv, attrs) => {
      const x = s(sv, 0);
      const inside = tf.logicalAnd(
        tf.greaterEqual(x, attrs['clipValueMin'] as number),
        tf.lessEqual(x, attrs['clipValueMax'] as number),
      );
      return { x: () => tf.where(inside, dy, tf.zerosLike(dy)) };
    },
  },
  {
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, sv, attrs) => {
      const x = s(sv, 0);
      const axes = axesOf(attrs, x.rank);
      return { x: () => tf.mul(expandReduced(dy, x, axes), tf.ones(x.shape, 'float32')) };
    },
  },
  {
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, sv, attrs) => {
      const x = s(sv, 0);
      const axes = axesOf(attrs, x.rank);
      let n = 1;
      for (const ax of axes) n *= x.shape[ax]!;
      return { x: () => tf.div(tf.mul(expandReduced(dy, x, axes), tf.ones(x.shape, 'float32')), n) };
    },
  },
  { kernelName: 'Reshape', inputsToSave: ['x'], gradFunc: (dy, sv) => ({ x: () => tf.reshape(dy, s(sv, 0).shape) }) },
  {
    kernelName: 'ExpandDims',
    inputsToSave: ['input'],
    gradFunc: (dy, sv) => ({ input: () => tf.reshape(dy, s(sv, 0).shape) }),
  },
  {
    kernelName: 'Transpose',
    gradFunc: (dy, _sv, attrs) => {
      const perm = attrs['perm'] as number[];
      const inv = new Array<number>(perm.length);
      perm.forEach((p, i) => (inv[p] = i));
      return { x: () => tf.transpose(dy, inv) };
    },
  },
  { kernelName: 'Identity', gradFunc: (dy) => ({ x: () => f32(dy) }) },
  { kernelName: 'Cast', gradFunc: (dy) => ({ x: () => tf.clone(dy) }) },
  {
    kernelName: 'BroadcastTo',
    inputsToSave: ['x'],
    gradFunc: (dy, sv) => ({ x: () => reduceToShape(dy, s(sv, 0).shape) }),
  },
  {
    kernelName: 'Tile',
    inputsToSave: ['x'],
    gradFunc: (dy, sv, attrs) => {
      const x = s(sv, 0);
      const reps = attrs['reps'] as number[];
      return {
        x: () => {
          // output dim i = reps[i] × x.shape[i], repetition-major → [r0, s0, r1, s1, …], sum the r axes.
          const inter: number[] = [];
          const axes: number[] = [];
          x.shape.forEach((d, i) => {
            axes.push(inter.length);
            inter.push(reps[i]!, d);
          });
          return tf.reshape(tf.sum(tf.reshape(dy, inter), axes), x.shape);
        },
      };
    },
  },
  {
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, sv, attrs) => {
      const a = s(sv, 0);
      const b = s(sv, 1);
      const ta = attrs['transposeA'] === true;
      const tb = attrs['transposeB'] === true;
      if (!ta && !tb) return { a: () => tf.matMul(dy, b, false, true), b: () => tf.matMul(a, dy, true, false) };
      if (!ta && tb) return { a: () => tf.matMul(dy, b, false, false), b: () => tf.matMul(dy, a, true, false) };
      if (ta && !tb) return { a: () => tf.matMul(b, dy, false, true), b: () => tf.matMul(a, dy, false, false) };
      return { a: () => tf.matMul(b, dy, true, true), b: () => tf.matMul(dy, a, true, true) };
    },
  },
  {
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, sv, attrs) => {
      const x = s(sv, 0);
      const filter = s(sv, 1);
      assertNoDilation(attrs, 'conv2d');
      const common = { strides: attrs['strides'], pad: attrs['pad'], dataFormat: attrs['dataFormat'] ?? 'NHWC' };
      return {
        x: () =>
          tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, {
            ...common,
            dimRoundingMode: attrs['dimRoundingMode'],
            inputShape: x.shape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
        filter: () =>
          tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
            ...common,
            dimRoundingMode: attrs['dimRoundingMode'],
            filterShape: filter.shape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
      };
    },
  },
  {
    kernelName: 'Conv3D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, sv, attrs) => {
      const x = s(sv, 0);
      const filter = s(sv, 1);
      assertNoDilation(attrs, 'conv3d');
      return {
        x: () =>
          tf.engine().runKernel('Conv3DBackpropInputV2', { dy, filter }, {
            pad: attrs['pad'],
            strides: attrs['strides'],
            inputShape: x.shape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
        filter: () =>
          tf.engine().runKernel('Conv3DBackpropFilterV2', { x, dy }, {
            strides: attrs['strides'],
            pad: attrs['pad'],
            filterShape: filter.shape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
      };
    },
  },
  {
    // transposed convolution (conv2dTranspose): y = Aᵀ dy, so ∂/∂dy = conv2d(g, filter) and
    // ∂/∂filter = the kernel gradient with x = g
    kernelName: 'Conv2DBackpropInput',
    inputsToSave: ['dy', 'filter'],
    gradFunc: (g, sv, attrs) => {
      const dy = s(sv, 0);
      const filter = s(sv, 1);
      const common = { strides: attrs['strides'], pad: attrs['pad'], dataFormat: attrs['dataFormat'] ?? 'NHWC', dimRoundingMode: attrs['dimRoundingMode'] };
      return {
        dy: () =>
          tf.engine().runKernel('Conv2D', { x: g, filter }, { ...common, dilations: 1 } as unknown as tf.NamedAttrMap) as tf.Tensor,
        filter: () =>
          tf.engine().runKernel('Conv2DBackpropFilter', { x: g, dy }, { ...common, filterShape: filter.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
      };
    },
  },
  {
    // transposed convolution (conv3dTranspose), which tfjs-core registers no gradient for
    kernelName: 'Conv3DBackpropInputV2',
    inputsToSave: ['dy', 'filter'],
    gradFunc: (g, sv, attrs) => {
      const dy = s(sv, 0);
      const filter = s(sv, 1);
      return {
        dy: () =>
          tf.engine().runKernel('Conv3D', { x: g, filter }, {
            strides: attrs['strides'],
            pad: attrs['pad'],
            dataFormat: 'NDHWC',
            dilations: [1, 1, 1],
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
        filter: () =>
          tf.engine().runKernel('Conv3DBackpropFilterV2', { x: g, dy }, {
            strides: attrs['strides'],
            pad: attrs['pad'],
            filterShape: filter.shape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
      };
    },
  },
];

function assertNoDilation(attrs: Attrs, op: string): void {
  const d = attrs['dilations'];
  const list = d === undefined ? [1] : Array.isArray(d) ? (d as number[]) : [d as number];
  if (list.some((v) => v !== 1)) throw new Error(`gradient of ${op}: dilations > 1 are not supported`);
}

/**
 * Register the gradients above for every kernel that has none yet. Idempotent; returns the kernel
 * names it registered on this call. Called by `createModel`, `loadModel` and `selectBackend`;
 * call it yourself before `tf.grad` on your own ops in plain Node. Also registers radcam's faster
 * cpu-backend kernels (`registerCpuKernelOverrides`: LeakyRelu in WebAssembly SIMD, same values).
 */
export function registerGradients(): string[] {
  registerCpuKernelOverrides();
  const added: string[] = [];
  for (const spec of GRADIENT_SPECS) {
    if (tf.getGradient(spec.kernelName) !== undefined) continue;
    tf.registerGradient(spec as unknown as tf.GradConfig);
    added.push(spec.kernelName);
  }
  return added;
}
