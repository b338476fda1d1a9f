/**
 * WebAssembly SIMD kernels: convolution (assembly/conv.ts) and the element-wise ops of a training
 * step (assembly/ops.ts: GroupNorm (+ fused activation), (leaky) ReLU, nearest up-sampling),
 * compiled by `pnpm run build:wasm` into one module embedded
 * as base64 in ./generated/conv-wasm.ts. Same semantics and signatures as
 * the JS kernels in ../conv.ts: 'same' padding, channels last, kernel [(kd,)kh,kw,Ci,Co].
 *
 * The module is instantiated lazily and synchronously on first use (≈ 10 KB) on a shared linear
 * memory. `wasmConvAvailable()` is false where WebAssembly SIMD, threads or SharedArrayBuffer are
 * missing; callers then use the JS kernels. Tensors are copied into the linear memory (grown as
 * needed, never shrunk), processed, and the results copied out.
 *
 * Threads (opt-in, `setConvThreads(2)` + `await startConvWorkers()`): one worker thread
 * instantiates the same module on the same shared memory; a convolution pass is split by batch
 * sample (first ⌈N/2⌉ samples on the calling thread, the rest on the worker), handed over
 * synchronously through a shared control block (Atomics.notify / Atomics.wait), so the kernels stay
 * synchronous for tfjs. Kernel gradients are summed from the two partial results in a fixed
 * order: results are deterministic for a given thread count (forward and input gradients are
 * bit-identical to one thread; kernel gradients differ only by float rounding).
 */
import type { ConvShape } from '../conv.js';
import { CONV_WASM_BASE64 } from './generated/conv-wasm.js';

interface ConvExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  setShape(...a: number[]): void;
  forward(X: number, Wt: number, O: number, cols: number): void;
  backpropInput(DY: number, WT: number, DX: number, dcols: number): void;
  backpropFilter(X: number, DY: number, DW: number, cols: number): void;
  direct(pass: number, X: number, WT2: number, Y: number): void;
  blockRows(): number;
  padInput(X: number, Xp: number, Dp: number, Hp: number, Wp: number): void;
  forwardPadded(Xp: number, Wt: number, O: number, Dp: number, Hp: number, Wp: number): void;
  backpropFilterPadded(Xp: number, DY: number, DW: number, Dp: number, Hp: number, Wp: number, offs: number, Kt4: number): void;
  forwardPaddedNarrow(Xp: number, WT2: number, O: number, Dp: number, Hp: number, Wp: number): void;
  backpropFilterPaddedNarrow(Xp: number, DY: number, DW2: number, Dp: number, Hp: number, Wp: number): void;
  gnForward(...a: number[]): void;
  gnBackward(...a: number[]): void;
  leakyForward(X: number, OUT: number, n: number, slope: number): void;
  leakyBackward(X: number, DY: number, DX: number, n: number, slope: number): void;
  upsampleForward(X: number, OUT: number, N: number, D: number, H: number, W: number, C: number, fd: number, f: number): void;
  upsampleBackward(DY: number, DX: number, N: number, D: number, H: number, W: number, C: number, fd: number, f: number): void;
  adamUpdate(G: number, M: number, V: number, X: number, n: number, ...k: number[]): void;
  gemm(A: number, B: number, C: number, M: number, N: number, K: number, accumulate: number): void;
  gemmTN(A: number, B: number, C: number, M: number, N: number, K: number): void;
  backpropInputNarrowCi(DY: number, WTc: number, DX: number, TZ: number, TY: number, TX: number, tstride: number): void;
  reluForward(X: number, OUT: number, n: number): void;
  mseForwardGrad(A: number, B: number, n: number, GA: number, g: number, grad: number): number;
  biasGradient(D: number, R: number, C: number, ACC: number, OUT: number): void;
}

let inst: ConvExports | null | undefined;
let wasmModule: WebAssembly.Module | null = null;

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B) return new Uint8Array(B.from(b64, 'base64')); // copy: an own ArrayBuffer
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Maximum linear memory (pages of 64 KiB): 2 GiB, reserved (not committed) by the engine. */
const MAX_PAGES = 32768;

function load(): ConvExports | null {
  if (inst !== undefined) return inst;
  inst = null;
  try {
    if (typeof WebAssembly !== 'object' || typeof SharedArrayBuffer !== 'function') return null;
    const bytes = decodeBase64(CONV_WASM_BASE64);
    if (!WebAssembly.validate(bytes)) return null; // no SIMD / threads support
    const mod = new WebAssembly.Module(bytes);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    const instance = new WebAssembly.Instance(mod, { env: { memory } });
    inst = { ...(instance.exports as unknown as ConvExports), memory };
    wasmModule = mod;
  } catch {
    inst = null;
  }
  return inst;
}

/** True when the WebAssembly SIMD kernels can run in this JS engine. */
export function wasmConvAvailable(): boolean {
  return load() !== null;
}

/** Lays out `sizes` (float counts) from the heap base, 16-byte aligned; grows memory. Returns byte offsets. */
function layout(w: ConvExports, sizes: number[]): number[] {
  let p = (w.heapBase() + 15) & ~15;
  const ptrs: number[] = [];
  for (const n of sizes) {
    ptrs.push(p);
    p += (n * 4 + 15) & ~15;
  }
  const have = w.memory.buffer.byteLength;
  if (p > have) w.memory.grow(Math.ceil((p - have) / 65536));
  return ptrs;
}

function f32(w: ConvExports, ptr: number, n: number): Float32Array {
  return new Float32Array(w.memory.buffer, ptr, n);
}

function f64(w: ConvExports, ptr: number, n: number): Float64Array {
  return new Float64Array(w.memory.buffer, ptr, n);
}

function setShape(w: ConvExports, s: ConvShape): void {
  w.setShape(s.N, s.D, s.H, s.W, s.Ci, s.kd, s.kh, s.kw, s.Co, s.sd, s.sh, s.sw, s.oD, s.oH, s.oW, s.pd, s.ph, s.pw);
}

/** Narrow outputs use direct loops (im2col would cost as much as the product). */
const DIRECT_MAX_CO = 3;

/** [Kt, Co] → [Co, Kt] */
function toCK(src: Float32Array, K: number, C: number): Float32Array {
  const out = new Float32Array(K * C);
  for (let k = 0; k < K; k++) for (let c = 0; c < C; c++) out[c * K + k] = src[k * C + c]!;
  return out;
}

function need(): ConvExports {
  const w = load();
  if (!w) throw new Error('radcam: WebAssembly SIMD convolution kernels are not available in this engine');
  return w;
}

// ---------------------------------------------------------------------------------------------
// worker thread (opt-in)

/** Control block (Int32 slots) shared with the worker. */
const SEQ = 0;
const DONE = 1;
const FN = 22;
const ERR = 23;
const SHAPE = 4; // 18 slots (4..21); FN = 22, ERR = 23
const ARGS = 24; // 8 slots
const CTL_INTS = 32;

/** Pass ids understood by the worker. */
const PASS_FORWARD = 0;
const PASS_BACKPROP_INPUT = 1;
const PASS_BACKPROP_FILTER = 2;
const PASS_DIRECT = 3;
const PASS_FORWARD_PADDED = 4;
const PASS_BACKPROP_FILTER_PADDED = 5;
const PASS_FORWARD_NARROW = 6;
const PASS_BACKPROP_FILTER_NARROW = 7;

interface Pool {
  ctl: Int32Array;
  worker: { terminate(): Promise<number>; unref(): void };
  seq: number;
}

let pool: Pool | null = null;

// Plain CommonJS source of the worker (run with `eval: true`, so no file path to resolve).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { mod, memory, ctl } = workerData;
const e = new WebAssembly.Instance(mod, { env: { memory } }).exports;
const c = new Int32Array(ctl);
parentPort.postMessage('ready');
let seen = 0;
for (;;) {
  Atomics.wait(c, ${SEQ}, seen);
  const seq = Atomics.load(c, ${SEQ});
  if (seq === seen) continue;
  seen = seq;
  const fn = c[${FN}];
  if (fn < 0) break;
  try {
    const s = c.subarray(${SHAPE}, ${SHAPE + 18});
    e.setShape(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11], s[12], s[13], s[14], s[15], s[16], s[17]);
    const a0 = c[${ARGS}], a1 = c[${ARGS + 1}], a2 = c[${ARGS + 2}], a3 = c[${ARGS + 3}], a4 = c[${ARGS + 4}], a5 = c[${ARGS + 5}];
    const a6 = c[${ARGS + 6}], a7 = c[${ARGS + 7}];
    if (fn === ${PASS_FORWARD}) e.forward(a0, a1, a2, a3);
    else if (fn === ${PASS_FORWARD_PADDED}) e.forwardPadded(a0, a1, a2, a3, a4, a5);
    else if (fn === ${PASS_BACKPROP_FILTER_PADDED}) e.backpropFilterPadded(a0, a1, a2, a3, a4, a5, a6, a7);
    else if (fn === ${PASS_FORWARD_NARROW}) e.forwardPaddedNarrow(a0, a1, a2, a3, a4, a5);
    else if (fn === ${PASS_BACKPROP_FILTER_NARROW}) e.backpropFilterPaddedNarrow(a0, a1, a2, a3, a4, a5);
    else if (fn === ${PASS_BACKPROP_INPUT}) e.backpropInput(a0, a1, a2, a3);
    else if (fn === ${PASS_BACKPROP_FILTER}) e.backpropFilter(a0, a1, a2, a3);
    else e.direct(a0, a1, a2, a3);
    c[${ERR}] = 0;
  } catch (err) {
    c[${ERR}] = 1;
  }
  Atomics.store(c, ${DONE}, seq);
  Atomics.notify(c, ${DONE});
}
`;

/**
 * Start the convolution worker thread (Node `worker_threads`): afterwards every convolution pass
 * with a batch of ≥ 2 samples runs on two threads (see the module comment). Resolves to the
 * number of threads the kernels use (1 when WebAssembly SIMD or worker_threads are unavailable).
 * Idempotent. Opt-in: on a 2-core machine it pays only when the second core is idle (see
 * docs/model.md, Speed).
 */
export async function startConvWorkers(): Promise<number> {
  if (pool) return 2;
  const w = load();
  if (!w || !wasmModule) return 1;
  let Worker: new (src: string, opts: object) => {
    once(ev: string, f: (v: unknown) => void): void;
    terminate(): Promise<number>;
    unref(): void;
  };
  try {
    const spec = 'node:worker_threads';
    ({ Worker } = (await import(spec)) as { Worker: typeof Worker });
  } catch {
    return 1;
  }
  const ctlBuf = new SharedArrayBuffer(CTL_INTS * 4);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { mod: wasmModule, memory: w.memory, ctl: ctlBuf } });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', (e) => reject(e as Error));
  });
  worker.unref();
  if (!pool) pool = { ctl: new Int32Array(ctlBuf), worker, seq: 0 };
  else await worker.terminate();
  return 2;
}

/** Stop the worker thread started by `startConvWorkers` (kernels run on the calling thread again). */
export async function stopConvWorkers(): Promise<void> {
  const p = pool;
  if (!p) return;
  pool = null;
  p.ctl[FN] = -1;
  Atomics.store(p.ctl, SEQ, ++p.seq);
  Atomics.notify(p.ctl, SEQ);
  await p.worker.terminate();
}

/** Threads the convolution kernels currently use (1 or 2). */
export function convThreads(): number {
  return pool ? 2 : 1;
}

/** out[i] = pattern[i mod pattern.length], by doubling copies. */
function fillPattern(out: Float32Array, pattern: Float32Array): void {
  const n = out.length;
  const p = Math.min(pattern.length, n);
  out.set(pattern.subarray(0, p));
  for (let len = p; len < n; len *= 2) out.copyWithin(len, 0, Math.min(len, n - len));
}

function shapeInts(s: ConvShape): number[] {
  return [s.N, s.D, s.H, s.W, s.Ci, s.kd, s.kh, s.kw, s.Co, s.sd, s.sh, s.sw, s.oD, s.oH, s.oW, s.pd, s.ph, s.pw];
}

function callPass(w: ConvExports, fn: number, a: number[]): void {
  if (fn === PASS_FORWARD) w.forward(a[0]!, a[1]!, a[2]!, a[3]!);
  else if (fn === PASS_FORWARD_PADDED) w.forwardPadded(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!);
  else if (fn === PASS_BACKPROP_FILTER_PADDED) w.backpropFilterPadded(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!);
  else if (fn === PASS_FORWARD_NARROW) w.forwardPaddedNarrow(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!);
  else if (fn === PASS_BACKPROP_FILTER_NARROW) w.backpropFilterPaddedNarrow(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!);
  else if (fn === PASS_BACKPROP_INPUT) w.backpropInput(a[0]!, a[1]!, a[2]!, a[3]!);
  else if (fn === PASS_BACKPROP_FILTER) w.backpropFilter(a[0]!, a[1]!, a[2]!, a[3]!);
  else w.direct(a[0]!, a[1]!, a[2]!, a[3]!);
}

/** Whether `runPass` will split shape `s` across two threads. */
function splits(s: ConvShape): boolean {
  return pool !== null && s.N >= 2;
}

/**
 * Run one kernel pass over all samples of `s`: `args(n0, t)` gives the pointer arguments for the
 * samples from n0 on, on thread t (0: this thread, 1: the worker). Split by sample when the
 * worker runs; the worker's part is handed over and awaited synchronously.
 */
function runPass(w: ConvExports, s: ConvShape, fn: number, args: (n0: number, t: 0 | 1) => number[]): void {
  const p = pool;
  if (!p || s.N < 2) {
    setShape(w, s);
    callPass(w, fn, args(0, 0));
    return;
  }
  const n1 = Math.ceil(s.N / 2);
  const c = p.ctl;
  c[FN] = fn;
  c.set(shapeInts({ ...s, N: s.N - n1 }), SHAPE);
  c.set(args(n1, 1), ARGS);
  const seq = ++p.seq;
  Atomics.store(c, SEQ, seq);
  Atomics.notify(c, SEQ);
  setShape(w, { ...s, N: n1 });
  try {
    callPass(w, fn, args(0, 0));
  } finally {
    const t0 = Date.now();
    for (;;) {
      const d = Atomics.load(c, DONE);
      if (d === seq) break;
      Atomics.wait(c, DONE, d, 1000);
      if (Date.now() - t0 > 120_000) throw new Error('radcam conv worker did not answer within 120 s');
    }
  }
  if (c[ERR]) throw new Error('radcam conv worker: kernel failed');
}

let implicitGemm = true;

/**
 * Forward convolution without im2col (implicit GEMM over a zero-padded input copy, default) or
 * with it (the previous kernel; same values bit for bit). For tests and benchmarks.
 */
export function setImplicitGemm(on: boolean): boolean {
  const prev = implicitGemm;
  implicitGemm = on;
  return prev;
}

/** Padded extent of one axis: room for `before` zeros and every window of the output. */
function paddedSize(inSize: number, before: number, out: number, stride: number, k: number): number {
  return Math.max(before + inSize, (out - 1) * stride + k);
}

/** Forward: out[N,oD,oH,oW,Co] (+ bias) = conv(X, Wt). */
export function wasmConvForward(s: ConvShape, X: Float32Array, Wt: Float32Array, bias: Float32Array | null): Float32Array {
  const w = need();
  setShape(w, s);
  const Kt = s.kd * s.kh * s.kw * s.Ci;
  const M = s.N * s.oD * s.oH * s.oW;
  const direct = s.Co <= DIRECT_MAX_CO;
  const padded = implicitGemm;
  const R = w.blockRows();
  const two = splits(s);
  const Dp = paddedSize(s.D, s.pd, s.oD, s.sd, s.kd);
  const Hp = paddedSize(s.H, s.ph, s.oH, s.sh, s.kh);
  const Wp = paddedSize(s.W, s.pw, s.oW, s.sw, s.kw);
  const nc = direct || padded ? 0 : R * Kt;
  const nxp = padded ? s.N * Dp * Hp * Wp * s.Ci : 0;
  const [px, pw, po, pc, pc2, pxp] = layout(w, [X.length, Wt.length, M * s.Co, nc, two ? nc : 0, nxp]) as [number, number, number, number, number, number];
  f32(w, px, X.length).set(X);
  f32(w, pw, Wt.length).set(direct ? toCK(Wt, Kt, s.Co) : Wt);
  const O = f32(w, po, M * s.Co);
  if (bias) fillPattern(O, bias.subarray(0, s.Co));
  else O.fill(0);
  const inS = s.D * s.H * s.W * s.Ci * 4;
  const outS = s.oD * s.oH * s.oW * s.Co * 4;
  if (padded) {
    w.padInput(px, pxp, Dp, Hp, Wp);
    const pS = Dp * Hp * Wp * s.Ci * 4;
    runPass(w, s, direct ? PASS_FORWARD_NARROW : PASS_FORWARD_PADDED, (n0) => [pxp + n0 * pS, pw, po + n0 * outS, Dp, Hp, Wp]);
  } else if (direct) runPass(w, s, PASS_DIRECT, (n0) => [0, px + n0 * inS, pw, po + n0 * outS]);
  else runPass(w, s, PASS_FORWARD, (n0, t) => [px + n0 * inS, pw, po + n0 * outS, t ? pc2 : pc]);
  return f32(w, po, M * s.Co).slice();
}

/**
 * Both gradients of the convolution: dx = col2im(dy · Wᵀ) (skipped when `wantDx` is false) and
 * dW = im2col(X)ᵀ · dy.
 */
export function wasmConvBackward(
  s: ConvShape,
  X: Float32Array,
  Wt: Float32Array,
  DY: Float32Array,
  wantDx = true,
): { dx: Float32Array | null; dw: Float32Array } {
  const r = convBackward(s, X, Wt, DY, wantDx, true);
  return { dx: r.dx, dw: r.dw! };
}

/**
 * Input gradient only: dx = col2im(dy · Wᵀ) (stride 1: forward convolutions of dy, see
 * `dxViaForward`). This is also the forward pass of a transposed convolution.
 */
export function wasmConvBackpropInput(s: ConvShape, DY: Float32Array, Wt: Float32Array, bias: Float32Array | null = null): Float32Array {
  return convBackward(s, null, Wt, DY, true, false, bias).dx!;
}

function convBackward(
  s: ConvShape,
  X: Float32Array | null,
  Wt: Float32Array,
  DY: Float32Array,
  wantDx: boolean,
  wantDw: boolean,
  dxBias: Float32Array | null = null,
): { dx: Float32Array | null; dw: Float32Array | null } {
  const w = need();
  // stride 1: dx is the forward convolution of dy with the flipped, transposed kernel. (The
  // stride-phase form of dxViaForward also handles strides > 1, but measured slower than
  // dy·Wᵀ + col2im there: 8 small convolutions plus the interleave.)
  const unitStride = s.sd === 1 && s.sh === 1 && s.sw === 1;
  const dxf = wantDx && implicitGemm && unitStride ? dxViaForward(s, DY, Wt) : null;
  if (dxf) wantDx = false;
  if (dxf && dxBias) for (let i = 0; i < dxf.length; i += s.Ci) for (let c = 0; c < s.Ci; c++) dxf[i + c] = dxf[i + c]! + dxBias[c]!;
  if (!wantDw) {
    if (dxf) return { dx: dxf, dw: null };
    if (!wantDx) return { dx: null, dw: null };
    if (s.Ci <= 4 && s.Co > DIRECT_MAX_CO) return { dx: backpropInputNarrow(w, s, DY, Wt, dxBias), dw: null };
  }
  setShape(w, s);
  const Kt = s.kd * s.kh * s.kw * s.Ci;
  const direct = s.Co <= DIRECT_MAX_CO;
  const R = w.blockRows();
  const nx = s.N * s.D * s.H * s.W * s.Ci;
  if (X && X.length !== nx) throw new Error('internal: conv backward: X has the wrong size');
  const two = splits(s);
  const nc = direct ? 0 : R * Kt;
  const nw = Wt.length;
  const paddedFilter = implicitGemm && wantDw;
  const Dp = paddedSize(s.D, s.pd, s.oD, s.sd, s.kd);
  const Hp = paddedSize(s.H, s.ph, s.oH, s.sh, s.kh);
  const Wp = paddedSize(s.W, s.pw, s.oW, s.sw, s.kw);
  const nxp = paddedFilter ? s.N * Dp * Hp * Wp * s.Ci : 0;
  // the padded kernel-gradient tiles 4 taps at a time: DW rows rounded up (extra rows are scratch)
  const Kt4 = (Kt + 3) & ~3;
  const nwp = paddedFilter && !direct ? Kt4 * s.Co : nw;
  const [px, pdy, pwt, pdx, pdw, pdw2, pc, pc2, pxp, poffs] = layout(w, [
    wantDw ? nx : 0, DY.length, nw, wantDx ? nx : 0, wantDw ? nwp : 0, two && wantDw ? nwp : 0, nc, two ? nc : 0, nxp,
    paddedFilter && !direct ? Kt4 : 0,
  ]) as [number, number, number, number, number, number, number, number, number, number];
  if (wantDw) f32(w, px, nx).set(X!);
  f32(w, pdy, DY.length).set(DY);
  f32(w, pwt, nw).set(toCK(Wt, Kt, s.Co));
  if (wantDw) f32(w, pdw, nwp).fill(0);
  if (two && wantDw) f32(w, pdw2, nwp).fill(0);
  if (paddedFilter && !direct) {
    // byte offset of tap (kz, ky, kx, ci) inside a receptive field of the padded input
    const offs = new Int32Array(w.memory.buffer, poffs, Kt4);
    let k = 0;
    for (let kz = 0; kz < s.kd; kz++) {
      for (let ky = 0; ky < s.kh; ky++) {
        for (let kx = 0; kx < s.kw; kx++) for (let ci = 0; ci < s.Ci; ci++) offs[k++] = (((kz * Hp + ky) * Wp + kx) * s.Ci + ci) * 4;
      }
    }
    for (; k < Kt4; k++) offs[k] = 0;
  }
  const inS = s.D * s.H * s.W * s.Ci * 4;
  const outS = s.oD * s.oH * s.oW * s.Co * 4;
  let dx: Float32Array | null = null;
  if (wantDx) {
    if (dxBias) fillPattern(f32(w, pdx, nx), dxBias.subarray(0, s.Ci));
    else f32(w, pdx, nx).fill(0);
    if (direct) runPass(w, s, PASS_DIRECT, (n0) => [1, pdx + n0 * inS, pwt, pdy + n0 * outS]);
    else runPass(w, s, PASS_BACKPROP_INPUT, (n0, t) => [pdy + n0 * outS, pwt, pdx + n0 * inS, t ? pc2 : pc]);
    dx = f32(w, pdx, nx).slice();
  }
  if (!wantDw) return { dx: dxf ?? dx, dw: null };
  if (paddedFilter) {
    setShape(w, s);
    w.padInput(px, pxp, Dp, Hp, Wp);
    const pS = Dp * Hp * Wp * s.Ci * 4;
    if (direct) runPass(w, s, PASS_BACKPROP_FILTER_NARROW, (n0, t) => [pxp + n0 * pS, pdy + n0 * outS, t ? pdw2 : pdw, Dp, Hp, Wp]);
    else runPass(w, s, PASS_BACKPROP_FILTER_PADDED, (n0, t) => [pxp + n0 * pS, pdy + n0 * outS, t ? pdw2 : pdw, Dp, Hp, Wp, poffs, Kt4]);
  } else if (direct) runPass(w, s, PASS_DIRECT, (n0, t) => [2, px + n0 * inS, t ? pdw2 : pdw, pdy + n0 * outS]);
  else runPass(w, s, PASS_BACKPROP_FILTER, (n0, t) => [px + n0 * inS, pdy + n0 * outS, t ? pdw2 : pdw, t ? pc2 : pc]);
  const part = f32(w, pdw, nw);
  if (two) {
    const part2 = f32(w, pdw2, nw);
    for (let i = 0; i < nw; i++) part[i] = part[i]! + part2[i]!; // fixed order: thread 0 + thread 1
  }
  let dw: Float32Array;
  if (direct) {
    // [Co, Kt] → [Kt, Co]
    dw = new Float32Array(nw);
    for (let c = 0; c < s.Co; c++) for (let k = 0; k < Kt; k++) dw[k * s.Co + c] = part[c * Kt + k]!;
  } else dw = part.slice();
  return { dx: dxf ?? dx, dw };
}

/**
 * Per input index of one axis, the (tap, output index) pairs of the convolution that read it:
 * rows of `stride` ints [count, t0, o0, t1, o1, …].
 */
function tapTable(n: number, o: number, k: number, st: number, p: number, stride: number, out: Int32Array): void {
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let t = 0; t < k; t++) {
      const q = i + p - t;
      if (q < 0 || q % st !== 0) continue;
      const oi = q / st;
      if (oi >= o) continue;
      out[i * stride + 1 + 2 * c] = t;
      out[i * stride + 2 + 2 * c] = oi;
      c++;
    }
    out[i * stride] = c;
  }
}

/**
 * Per stride phase q of one axis (input indices q + st·m), the taps that reach it and their
 * output index at m = 0 (o = o_t + m; may be out of range): rows [count, t0, o0, t1, o1, …].
 */
function phaseTable(k: number, st: number, p: number, stride: number, out: Int32Array): void {
  for (let q = 0; q < st; q++) {
    let c = 0;
    for (let t = 0; t < k; t++) {
      const d = q + p - t;
      if (((d % st) + st) % st !== 0) continue;
      out[q * stride + 1 + 2 * c] = t;
      out[q * stride + 2 + 2 * c] = Math.floor(d / st);
      c++;
    }
    out[q * stride] = c;
  }
}

/** dx for narrow inputs (Ci ≤ 4) as a gather over Co (assembly `backpropInputNarrowCi`), + bias. */
function backpropInputNarrow(w: ConvExports, s: ConvShape, DY: Float32Array, Wt: Float32Array, bias: Float32Array | null): Float32Array {
  setShape(w, s);
  const nx = s.N * s.D * s.H * s.W * s.Ci;
  const maxTaps = Math.max(Math.ceil(s.kd / s.sd), Math.ceil(s.kh / s.sh), Math.ceil(s.kw / s.sw));
  const ts = 1 + 2 * maxTaps;
  const [pdy, pw, pdx, ptz, pty, ptx] = layout(w, [DY.length, Wt.length, nx, s.D * ts, s.H * ts, s.sw * ts]) as [number, number, number, number, number, number];
  f32(w, pdy, DY.length).set(DY);
  f32(w, pw, Wt.length).set(Wt); // [taps][Ci][Co] is the kernel's own layout
  const dx = f32(w, pdx, nx);
  if (bias) fillPattern(dx, bias.subarray(0, s.Ci));
  else dx.fill(0);
  tapTable(s.D, s.oD, s.kd, s.sd, s.pd, ts, new Int32Array(w.memory.buffer, ptz, s.D * ts));
  tapTable(s.H, s.oH, s.kh, s.sh, s.ph, ts, new Int32Array(w.memory.buffer, pty, s.H * ts));
  phaseTable(s.kw, s.sw, s.pw, ts, new Int32Array(w.memory.buffer, ptx, s.sw * ts));
  w.backpropInputNarrowCi(pdy, pw, pdx, ptz, pty, ptx, ts);
  return f32(w, pdx, nx).slice();
}

/** One axis of a stride phase of the input gradient (see `dxViaForward`). */
interface DxAxis {
  /** First original tap of the phase and the number of its taps (t0, t0 + s, …). */
  t0: number;
  U: number;
  /** Padding before of the phase's stride-1 convolution over dy, and its output size. */
  pad: number;
  out: number;
  /** Input index of the phase's first output, step = stride. */
  q: number;
}

function dxAxes(n: number, o: number, k: number, st: number, p: number): DxAxis[] | null {
  const out: DxAxis[] = [];
  for (let q = 0; q < st && q < n; q++) {
    const t0 = (((q + p) % st) + st) % st;
    const U = t0 < k ? Math.floor((k - 1 - t0) / st) + 1 : 0;
    const c = (q + p - t0) / st;
    const pad = U - 1 - c;
    if (U === 0 || pad < 0) return null; // not expressible here: use the col2im path
    out.push({ t0, U, pad, out: Math.ceil((n - q) / st), q });
  }
  void o;
  return out;
}

/**
 * dx = ∂/∂x of the convolution, computed as forward convolutions of dy: for input positions
 * i = s·m + q (per axis), only taps t ≡ q + p (mod s) contribute, so each of the s^dims phases is a
 * stride-1 convolution of dy with those taps flipped and transposed ([Co, Ci]); the results are
 * interleaved into dx. Null when some phase has no taps or would need a negative padding.
 */
export function dxViaForward(s: ConvShape, DY: Float32Array, Wt: Float32Array): Float32Array | null {
  const az = dxAxes(s.D, s.oD, s.kd, s.sd, s.pd);
  const ay = dxAxes(s.H, s.oH, s.kh, s.sh, s.ph);
  const ax = dxAxes(s.W, s.oW, s.kw, s.sw, s.pw);
  if (!az || !ay || !ax) return null;
  const { N, D, H, W, Ci, Co, kh, kw } = s;
  const single = az.length === 1 && ay.length === 1 && ax.length === 1;
  const dx = single ? null : new Float32Array(N * D * H * W * Ci);
  for (const z of az) {
    for (const y of ay) {
      for (const x of ax) {
        const ps: ConvShape = {
          N, D: s.oD, H: s.oH, W: s.oW, Ci: Co, kd: z.U, kh: y.U, kw: x.U, Co: Ci, sd: 1, sh: 1, sw: 1,
          oD: z.out, oH: y.out, oW: x.out, pd: z.pad, ph: y.pad, pw: x.pad,
        };
        // W'[u'z, u'y, u'x, co, ci] = W[t0z + s(Uz − 1 − u'z), …, ci, co]
        const Wp = new Float32Array(z.U * y.U * x.U * Co * Ci);
        for (let a = 0; a < z.U; a++) {
          for (let b = 0; b < y.U; b++) {
            for (let c = 0; c < x.U; c++) {
              const tz = z.t0 + s.sd * (z.U - 1 - a);
              const ty = y.t0 + s.sh * (y.U - 1 - b);
              const tx = x.t0 + s.sw * (x.U - 1 - c);
              const src = ((tz * kh + ty) * kw + tx) * Ci * Co;
              const dst = ((a * y.U + b) * x.U + c) * Co * Ci;
              for (let ci = 0; ci < Ci; ci++) for (let co = 0; co < Co; co++) Wp[dst + co * Ci + ci] = Wt[src + ci * Co + co]!;
            }
          }
        }
        const part = wasmConvForward(ps, DY, Wp, null);
        if (!dx) return part;
        // interleave: phase output (n, md, mh, mw) → input (q_z + s·md, q_y + s·mh, q_x + s·mw)
        let r = 0;
        for (let n = 0; n < N; n++) {
          for (let md = 0; md < z.out; md++) {
            for (let mh = 0; mh < y.out; mh++) {
              let o = (((n * D + z.q + s.sd * md) * H + y.q + s.sh * mh) * W + x.q) * Ci;
              const step = s.sw * Ci;
              for (let mw = 0; mw < x.out; mw++, o += step) {
                for (let ci = 0; ci < Ci; ci++) dx[o + ci] = part[r++]!;
              }
            }
          }
        }
      }
    }
  }
  return dx;
}

// ---------------------------------------------------------------------------------------------
// element-wise ops (assembly/ops.ts)

/** Statistics of `wasmGroupNormForward`: mean and 1/σ per (sample, group). */
export interface WasmGroupNormStats {
  mean: Float64Array;
  rstd: Float64Array;
}

/**
 * GroupNorm over x [N, P, C] (G groups of C/G consecutive channels), optionally followed by a
 * (leaky) ReLU (`slope` = null: no activation; 0: ReLU).
 */
export function wasmGroupNormForward(
  x: Float32Array, gamma: Float32Array, beta: Float32Array,
  N: number, P: number, C: number, G: number, eps: number, slope: number | null,
): { out: Float32Array; stats: WasmGroupNormStats } {
  const w = need();
  const n = x.length;
  const [px, pg, pb, po, pm, pr, ps] = layout(w, [n, C, C, n, 2 * N * G, 2 * N * G, 6 * C]) as [number, number, number, number, number, number, number];
  f32(w, px, n).set(x);
  f32(w, pg, C).set(gamma);
  f32(w, pb, C).set(beta);
  w.gnForward(px, pg, pb, N, P, C, G, eps, slope === null ? 0 : 1, slope ?? 0, po, pm, pr, ps);
  return { out: f32(w, po, n).slice(), stats: { mean: f64(w, pm, N * G).slice(), rstd: f64(w, pr, N * G).slice() } };
}

/** Backward of `wasmGroupNormForward` (same `slope`): dx, dγ, dβ. */
export function wasmGroupNormBackward(
  x: Float32Array, gamma: Float32Array, beta: Float32Array, stats: WasmGroupNormStats, dy: Float32Array,
  N: number, P: number, C: number, G: number, slope: number | null,
): { dx: Float32Array; dgamma: Float32Array; dbeta: Float32Array } {
  const w = need();
  const n = x.length;
  const [px, pg, pb, pm, pr, pdy, pdx, pdg, pdb, ps] = layout(w, [n, C, C, 2 * N * G, 2 * N * G, n, n, 2 * C, 2 * C, 10 * C]) as number[] as [
    number, number, number, number, number, number, number, number, number, number,
  ];
  f32(w, px, n).set(x);
  f32(w, pg, C).set(gamma);
  f32(w, pb, C).set(beta);
  f64(w, pm, N * G).set(stats.mean);
  f64(w, pr, N * G).set(stats.rstd);
  f32(w, pdy, n).set(dy);
  f64(w, pdg, C).fill(0);
  f64(w, pdb, C).fill(0);
  w.gnBackward(px, pg, pb, pm, pr, pdy, N, P, C, G, slope === null ? 0 : 1, slope ?? 0, pdx, pdg, pdb, ps);
  return { dx: f32(w, pdx, n).slice(), dgamma: Float32Array.from(f64(w, pdg, C)), dbeta: Float32Array.from(f64(w, pdb, C)) };
}

/** LeakyReLU (x < 0 → slope·x), or ReLU with slope 0. */
export function wasmLeakyRelu(x: Float32Array, slope: number): Float32Array {
  const w = need();
  const n = x.length;
  const [px, po] = layout(w, [n, n]) as [number, number];
  f32(w, px, n).set(x);
  w.leakyForward(px, po, n, slope);
  return f32(w, po, n).slice();
}

/** Dense forward: Y[N×L] = X[N×F] · W[F×L] (SIMD SGEMM). */
export function wasmDenseForward(X: Float32Array, W: Float32Array, N: number, F: number, L: number): Float32Array {
  const w = need();
  const [px, pw, py] = layout(w, [N * F, F * L, N * L]) as [number, number, number];
  f32(w, px, N * F).set(X);
  f32(w, pw, F * L).set(W);
  w.gemm(px, pw, py, N, L, F, 0);
  return f32(w, py, N * L).slice();
}

/**
 * Dense backward (SIMD SGEMM): dW = Xᵀ · dY, and dX = dY · Wᵀ computed as dXᵀ = W · dYᵀ, so that
 * only the small [N × L] and [F × N] arrays are transposed, not the kernel.
 */
export function wasmDenseBackward(
  X: Float32Array, W: Float32Array, DY: Float32Array, N: number, F: number, L: number,
): { dx: Float32Array; dw: Float32Array } {
  const w = need();
  const [px, pw, pdyt, pdxt, pdy, pdw] = layout(w, [N * F, F * L, L * N, F * N, N * L, F * L]) as [number, number, number, number, number, number];
  f32(w, px, N * F).set(X);
  f32(w, pw, F * L).set(W);
  const DYT = f32(w, pdyt, L * N);
  for (let n = 0; n < N; n++) for (let l = 0; l < L; l++) DYT[l * N + n] = DY[n * L + l]!;
  w.gemm(pw, pdyt, pdxt, F, N, L, 0);
  f32(w, pdy, N * L).set(DY);
  f32(w, pdw, F * L).fill(0);
  w.gemmTN(px, pdy, pdw, F, L, N);
  const DXT = f32(w, pdxt, F * N);
  const dx = new Float32Array(N * F);
  for (let f = 0; f < F; f++) for (let n = 0; n < N; n++) dx[n * F + f] = DXT[f * N + n]!;
  return { dx, dw: f32(w, pdw, F * L).slice() };
}

/** Per-channel sums (float64 accumulation in row order) of channels-last data [R, C]: a bias gradient. */
export function wasmChannelSums(d: Float32Array, C: number): Float32Array {
  const w = need();
  const R = d.length / C;
  const [pd, pa, po] = layout(w, [d.length, 2 * C, C]) as [number, number, number];
  f32(w, pd, d.length).set(d);
  w.biasGradient(pd, R, C, pa, po);
  return f32(w, po, C).slice();
}

/**
 * Mean squared error of a and b (float64 accumulation); with `gradScale` g also its gradient
 * w.r.t. a, (a − b)·g (float32), from the same pass.
 */
export function wasmMse(a: Float32Array, b: Float32Array, gradScale: number | null = null): { mse: number; grad: Float32Array | null } {
  const w = need();
  const n = a.length;
  const grad = gradScale !== null;
  const [pa, pb, pg] = layout(w, [n, n, grad ? n : 0]) as [number, number, number];
  f32(w, pa, n).set(a);
  f32(w, pb, n).set(b);
  const mse = w.mseForwardGrad(pa, pb, n, pg, gradScale ?? 0, grad ? 1 : 0);
  return { mse, grad: grad ? f32(w, pg, n).slice() : null };
}

/** ReLU: max(x, 0) as tfjs' (NaN stays NaN). */
export function wasmRelu(x: Float32Array): Float32Array {
  const w = need();
  const n = x.length;
  const [px, po] = layout(w, [n, n]) as [number, number];
  f32(w, px, n).set(x);
  w.reluForward(px, po, n);
  return f32(w, po, n).slice();
}

/** Float32 constants of one Adam step (see assembly/ops.ts adamUpdate). */
export interface AdamConstants {
  b1: number;
  b2: number;
  omb1: number;
  omb2: number;
  oma1: number;
  oma2: number;
  eps: number;
  nlr: number;
}

/** One Adam update; returns new arrays m, v, x (the inputs are not modified). */
export function wasmAdamUpdate(g: Float32Array, m: Float32Array, v: Float32Array, x: Float32Array, k: AdamConstants): { m: Float32Array; v: Float32Array; x: Float32Array } {
  const w = need();
  const n = x.length;
  const [pg, pm, pv, px] = layout(w, [n, n, n, n]) as [number, number, number, number];
  f32(w, pg, n).set(g);
  f32(w, pm, n).set(m);
  f32(w, pv, n).set(v);
  f32(w, px, n).set(x);
  w.adamUpdate(pg, pm, pv, px, n, k.b1, k.b2, k.omb1, k.omb2, k.oma1, k.oma2, k.eps, k.nlr);
  return { m: f32(w, pm, n).slice(), v: f32(w, pv, n).slice(), x: f32(w, px, n).slice() };
}

/** Gradient of (leaky) ReLU: x > 0 ? dy : slope·dy. */
export function wasmLeakyReluGrad(x: Float32Array, dy: Float32Array, slope: number): Float32Array {
  const w = need();
  const n = x.length;
  const [px, pdy, pdx] = layout(w, [n, n, n]) as [number, number, number];
  f32(w, px, n).set(x);
  f32(w, pdy, n).set(dy);
  w.leakyBackward(px, pdy, pdx, n, slope);
  return f32(w, pdx, n).slice();
}

/** Nearest up-sampling of x [N, D, H, W, C] by (fd, f, f). */
export function wasmUpsample(x: Float32Array, N: number, D: number, H: number, W: number, C: number, fd: number, f: number): Float32Array {
  const w = need();
  const m = x.length * fd * f * f;
  const [px, po] = layout(w, [x.length, m]) as [number, number];
  f32(w, px, x.length).set(x);
  w.upsampleForward(px, po, N, D, H, W, C, fd, f);
  return f32(w, po, m).slice();
}

/** Backward of `wasmUpsample`: block sums of dy. */
export function wasmUpsampleGrad(dy: Float32Array, N: number, D: number, H: number, W: number, C: number, fd: number, f: number): Float32Array {
  const w = need();
  const n = N * D * H * W * C;
  const [pdy, pdx] = layout(w, [dy.length, n]) as [number, number];
  f32(w, pdy, dy.length).set(dy);
  f32(w, pdx, n).fill(0);
  w.upsampleBackward(pdy, pdx, N, D, H, W, C, fd, f);
  return f32(w, pdx, n).slice();
}

// ---------------------------------------------------------------------------------------------
// polyphase nearest up-sampling + 'same' convolution

/**
 * One phase of `upsample(x, f) → conv(·, W)` (stride 1, 'same', odd kernel): on the coarse grid it
 * is a stride-1 convolution with the phase's effective kernel (taps that land on the same coarse
 * voxel summed) and its own padding. `taps[axis][t]` = effective tap of original tap t.
 */
export interface UpConvPhase {
  shape: ConvShape;
  /** [fd or 1, f, f] phase offsets (pz, py, px). */
  phase: [number, number, number];
  /** Per axis (z, y, x): effective tap index of each original tap. */
  taps: [number[], number[], number[]];
}

/** Phases of an up-sample-by-f + conv on coarse input [N, D, H, W, Ci], kernel [kd, kh, kw, Ci, Co]. */
export function upConvPhases(
  N: number, D: number, H: number, W: number, Ci: number, kd: number, kh: number, kw: number, Co: number, fd: number, f: number,
): UpConvPhase[] {
  const axis = (k: number, fac: number, p: number) => {
    const P = (k - 1) / 2;
    const e = Array.from({ length: k }, (_, t) => Math.floor((p + t - P) / fac));
    const e0 = e[0]!;
    return { taps: e.map((v) => v - e0), kp: e[k - 1]! - e0 + 1, pad: 0 - e0 };
  };
  const out: UpConvPhase[] = [];
  for (let pz = 0; pz < fd; pz++) {
    for (let py = 0; py < f; py++) {
      for (let px = 0; px < f; px++) {
        const az = axis(kd, fd, pz);
        const ay = axis(kh, f, py);
        const ax = axis(kw, f, px);
        out.push({
          shape: {
            N, D, H, W, Ci, kd: az.kp, kh: ay.kp, kw: ax.kp, Co, sd: 1, sh: 1, sw: 1,
            oD: D, oH: H, oW: W, pd: az.pad, ph: ay.pad, pw: ax.pad,
          },
          phase: [pz, py, px],
          taps: [az.taps, ay.taps, ax.taps],
        });
      }
    }
  }
  return out;
}

/** Effective kernel [kp_d, kp_h, kp_w, Ci, Co] of one phase (float64 sums of the merged taps). */
function phaseKernel(ph: UpConvPhase, Wt: Float32Array, kd: number, kh: number, kw: number, CiCo: number): Float32Array {
  const s = ph.shape;
  const acc = new Float64Array(s.kd * s.kh * s.kw * CiCo);
  const [tz, ty, tx] = ph.taps;
  for (let a = 0; a < kd; a++) {
    for (let b = 0; b < kh; b++) {
      for (let c = 0; c < kw; c++) {
        const src = ((a * kh + b) * kw + c) * CiCo;
        const dst = ((tz[a]! * s.kh + ty[b]!) * s.kw + tx[c]!) * CiCo;
        for (let i = 0; i < CiCo; i++) acc[dst + i] = acc[dst + i]! + Wt[src + i]!;
      }
    }
  }
  return Float32Array.from(acc);
}

/** Geometry of an up-sample + conv: coarse input and kernel sizes. */
export interface UpConvGeometry {
  N: number;
  D: number;
  H: number;
  W: number;
  Ci: number;
  kd: number;
  kh: number;
  kw: number;
  Co: number;
  /** Up-sampling factor along depth (1 for 2D) and along H and W. */
  fd: number;
  f: number;
}

/** Fine-grid offset (floats) of coarse voxel m's phase-(pz, py, px) output, for every coarse voxel. */
function phaseIndex(g: UpConvGeometry, ph: UpConvPhase): Int32Array {
  const { N, D, H, W, Co, fd, f } = g;
  const oD = D * fd;
  const oH = H * f;
  const oW = W * f;
  const out = new Int32Array(N * D * H * W);
  let m = 0;
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < D; d++) {
      for (let h = 0; h < H; h++) {
        for (let w = 0; w < W; w++, m++) {
          out[m] = (((n * oD + d * fd + ph.phase[0]) * oH + h * f + ph.phase[1]) * oW + w * f + ph.phase[2]) * Co;
        }
      }
    }
  }
  return out;
}

/**
 * conv(upsampleNearest(x, f), W) + bias, 'same', stride 1, computed phase by phase on the coarse
 * grid with the convolution kernels above (each phase: a stride-1 convolution with the phase's
 * effective kernel and padding), interleaved into the fine output.
 */
export function wasmUpsampleConvForward(g: UpConvGeometry, X: Float32Array, Wt: Float32Array, bias: Float32Array | null): Float32Array {
  const { N, D, H, W, Ci, Co, fd, f } = g;
  const phases = upConvPhases(N, D, H, W, Ci, g.kd, g.kh, g.kw, Co, fd, f);
  const out = new Float32Array(N * D * H * W * fd * f * f * Co);
  for (const ph of phases) {
    const Op = wasmConvForward(ph.shape, X, phaseKernel(ph, Wt, g.kd, g.kh, g.kw, Ci * Co), bias);
    const idx = phaseIndex(g, ph);
    for (let m = 0, q = 0; m < idx.length; m++) {
      const o = idx[m]!;
      for (let c = 0; c < Co; c++, q++) out[o + c] = Op[q]!;
    }
  }
  return out;
}

/** Gradients of `wasmUpsampleConvForward`: dx (coarse; null when not wanted), dW and db. */
export function wasmUpsampleConvBackward(
  g: UpConvGeometry, X: Float32Array, Wt: Float32Array, DY: Float32Array, wantDx = true,
): { dx: Float32Array | null; dw: Float32Array; db: Float32Array } {
  const { N, D, H, W, Ci, Co, fd, f, kd, kh, kw } = g;
  const phases = upConvPhases(N, D, H, W, Ci, kd, kh, kw, Co, fd, f);
  const dx = wantDx ? new Float32Array(X.length) : null;
  const CiCo = Ci * Co;
  const dwAcc = new Float64Array(kd * kh * kw * CiCo);
  const DYp = new Float32Array(N * D * H * W * Co);
  for (const ph of phases) {
    const s = ph.shape;
    const idx = phaseIndex(g, ph);
    for (let m = 0, q = 0; m < idx.length; m++) {
      const o = idx[m]!;
      for (let c = 0; c < Co; c++, q++) DYp[q] = DY[o + c]!;
    }
    const r = wasmConvBackward(s, X, phaseKernel(ph, Wt, kd, kh, kw, CiCo), DYp, wantDx);
    if (dx && r.dx) for (let i = 0; i < dx.length; i++) dx[i] = dx[i]! + r.dx[i]!; // fixed phase order
    // every original tap receives the gradient of the effective tap it was merged into
    const [tz, ty, tx] = ph.taps;
    for (let a = 0; a < kd; a++) {
      for (let b = 0; b < kh; b++) {
        for (let c = 0; c < kw; c++) {
          const dst = ((a * kh + b) * kw + c) * CiCo;
          const src = ((tz[a]! * s.kh + ty[b]!) * s.kw + tx[c]!) * CiCo;
          for (let i = 0; i < CiCo; i++) dwAcc[dst + i] = dwAcc[dst + i]! + r.dw[src + i]!;
        }
      }
    }
  }
  const db = new Float64Array(Co);
  for (let i = 0; i < DY.length; i += Co) for (let c = 0; c < Co; c++) db[c] = db[c]! + DY[i + c]!;
  return { dx, dw: Float32Array.from(dwAcc), db: Float32Array.from(db) };
}
