/**
 * Faster tfjs-backend-cpu kernels for ops a training step runs on large tensors, registered over
 * the cpu backend's own by `registerCpuKernelOverrides()` (called by `registerGradients`).
 * Same semantics; anything outside the fast path (other dtypes) is delegated to the original
 * kernel.
 *
 * - LeakyRelu: WebAssembly SIMD (x < 0 → α·x), and Relu: WebAssembly SIMD max(x, 0) (NaN kept), instead
 *   of scalar JS loops calling a closure per element;
 * - Add, Sub, Multiply, RealDiv on float32 tensors of the same shape, or where one operand is a
 *   scalar or matches the trailing dimensions of the other (a per-channel bias): one typed-array
 *   loop, instead of the generic broadcasting loop that computes a multi-dimensional index per
 *   element (≈ 50–100 ns each). Adam's update is a chain of such scalar-broadcast ops over every
 *   parameter. Any other case goes to the original kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { wasmConvAvailable, wasmLeakyRelu, wasmRelu } from './wasm.js';

interface CpuBackendLike {
  data: { get(id: unknown): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
}

const done = new Set<string>();

type Op = (a: Float32Array, b: Float32Array, out: Float32Array, bn: number, swap: boolean) => void;

/** out[i] = a[i] ∘ b[i mod bn] (swap: out[i] = b[i mod bn] ∘ a[i]); bn = 1 → scalar. */
function binaryLoops(f: (x: number, y: number) => number): Op {
  // one closure per kernel (Add, Sub, …), each called with float32 arrays only
  return (a, b, out, bn, swap) => {
    const n = out.length;
    if (bn === n) {
      if (swap) for (let i = 0; i < n; i++) out[i] = f(b[i]!, a[i]!);
      else for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!);
    } else if (bn === 1) {
      const s = b[0]!;
      if (swap) for (let i = 0; i < n; i++) out[i] = f(s, a[i]!);
      else for (let i = 0; i < n; i++) out[i] = f(a[i]!, s);
    } else {
      for (let i = 0; i < n; i += bn) {
        if (swap) for (let j = 0; j < bn; j++) out[i + j] = f(b[j]!, a[i + j]!);
        else for (let j = 0; j < bn; j++) out[i + j] = f(a[i + j]!, b[j]!);
      }
    }
  };
}

/** True when `small` (leading 1s ignored) equals the trailing dimensions of `big` (or is a scalar). */
function trailing(small: readonly number[], big: readonly number[]): boolean {
  let first = 0;
  while (first < small.length && small[first] === 1) first++;
  const k = small.length - first;
  if (k > big.length) return false;
  for (let i = 0; i < k; i++) if (small[first + i] !== big[big.length - k + i]) return false;
  return true;
}

function overrideBinary(name: string, f: (x: number, y: number) => number): boolean {
  if (done.has(name)) return false;
  const orig = tf.getKernel(name, 'cpu');
  if (!orig) return false;
  done.add(name);
  const origFunc = orig.kernelFunc;
  const loop = binaryLoops(f);
  tf.unregisterKernel(name, 'cpu');
  tf.registerKernel({
    kernelName: name,
    backendName: 'cpu',
    kernelFunc: (args) => {
      const a = args.inputs['a'] as tf.TensorInfo;
      const b = args.inputs['b'] as tf.TensorInfo;
      const backend = args.backend as unknown as CpuBackendLike;
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return origFunc(args);
      const av = backend.data.get(a.dataId).values;
      const bv = backend.data.get(b.dataId).values;
      if (!(av instanceof Float32Array) || !(bv instanceof Float32Array)) return origFunc(args);
      const an = av.length;
      const bn = bv.length;
      let big: tf.TensorInfo;
      let swap: boolean;
      if (an >= bn && a.shape.length >= b.shape.length && trailing(b.shape, a.shape)) {
        big = a;
        swap = false;
      } else if (bn > an && b.shape.length >= a.shape.length && trailing(a.shape, b.shape)) {
        big = b;
        swap = true;
      } else return origFunc(args);
      const out = new Float32Array(swap ? bn : an);
      if (swap) loop(bv, av, out, an, true);
      else loop(av, bv, out, bn, false);
      return backend.makeTensorInfo(big.shape, 'float32', out);
    },
  });
  return true;
}

/** Replace a float32 unary cpu kernel by `f(values, attrs)` (other dtypes keep the original kernel). */
function overrideUnaryWasm(name: string, f: (x: Float32Array, attrs: Record<string, unknown>) => Float32Array): boolean {
  if (done.has(name)) return false;
  const orig = tf.getKernel(name, 'cpu');
  if (!orig) return false;
  done.add(name);
  const origFunc = orig.kernelFunc;
  tf.unregisterKernel(name, 'cpu');
  tf.registerKernel({
    kernelName: name,
    backendName: 'cpu',
    kernelFunc: (args) => {
      const x = args.inputs['x'] as tf.TensorInfo;
      const backend = args.backend as unknown as CpuBackendLike;
      const vals = backend.data.get(x.dataId).values;
      if (x.dtype !== 'float32' || !(vals instanceof Float32Array)) return origFunc(args);
      return backend.makeTensorInfo(x.shape, 'float32', f(vals, (args.attrs ?? {}) as Record<string, unknown>));
    },
  });
  return true;
}

/**
 * Register the overrides on the 'cpu' backend (idempotent; kernels of a cpu backend imported later
 * are picked up by a later call). Returns the kernel names replaced on this call.
 */
export function registerCpuKernelOverrides(): string[] {
  const names: string[] = [];
  if (overrideBinary('Add', (x, y) => x + y)) names.push('Add');
  if (overrideBinary('Sub', (x, y) => x - y)) names.push('Sub');
  if (overrideBinary('Multiply', (x, y) => x * y)) names.push('Multiply');
  if (overrideBinary('RealDiv', (x, y) => x / y)) names.push('RealDiv');
  if (!wasmConvAvailable()) return names;
  if (overrideUnaryWasm('Relu', (x) => wasmRelu(x))) names.push('Relu');
  if (overrideUnaryWasm('LeakyRelu', (x, attrs) => wasmLeakyRelu(x, attrs['alpha'] as number))) names.push('LeakyRelu');
  return names;
}
