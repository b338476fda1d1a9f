/**
 * WebAssembly SIMD convolution kernels (compiled from assembly/conv.ts by `pnpm run build:wasm`;
 * the module is embedded as base64 in ./generated/conv-wasm.ts). Same semantics and signatures as
 * the JS kernels in ../conv.ts: 'same' padding, channels last, kernel [(kd,)kh,kw,Ci,Co].
 *
 * The module is instantiated lazily and synchronously on first use (6 KB). `wasmConvAvailable()`
 * is false where WebAssembly or its SIMD proposal is missing; callers then use the JS kernels.
 * Tensors are copied into the module's linear memory (grown as needed, never shrunk), processed
 * single-threaded, and the results copied out, so results are deterministic.
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
}

let inst: ConvExports | null | undefined;

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B) return new Uint8Array(B.from(b64, 'base64')); // copy: an own ArrayBuffer
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function load(): ConvExports | null {
  if (inst !== undefined) return inst;
  inst = null;
  try {
    if (typeof WebAssembly !== 'object') return null;
    const bytes = decodeBase64(CONV_WASM_BASE64);
    if (!WebAssembly.validate(bytes)) return null; // no SIMD support
    const mod = new WebAssembly.Module(bytes);
    const instance = new WebAssembly.Instance(mod, { env: { abort: () => { throw new Error('radcam conv wasm: abort'); } } });
    inst = instance.exports as unknown as ConvExports;
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

/** Forward: out[N,oD,oH,oW,Co] (+ bias) = conv(X, Wt). */
export function wasmConvForward(s: ConvShape, X: Float32Array, Wt: Float32Array, bias: Float32Array | null): Float32Array {
  const w = need();
  setShape(w, s);
  const Kt = s.kd * s.kh * s.kw * s.Ci;
  const M = s.N * s.oD * s.oH * s.oW;
  const direct = s.Co <= DIRECT_MAX_CO;
  const R = w.blockRows();
  const [px, pw, po, pc] = layout(w, [X.length, Wt.length, M * s.Co, direct ? 0 : R * Kt]) as [number, number, number, number];
  f32(w, px, X.length).set(X);
  f32(w, pw, Wt.length).set(direct ? toCK(Wt, Kt, s.Co) : Wt);
  const O = f32(w, po, M * s.Co);
  if (bias) {
    const Co = s.Co;
    for (let i = 0, m = 0; m < M; m++) for (let c = 0; c < Co; c++, i++) O[i] = bias[c]!;
  } else O.fill(0);
  if (direct) w.direct(0, px, pw, po);
  else w.forward(px, pw, po, pc);
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
  const w = need();
  setShape(w, s);
  const Kt = s.kd * s.kh * s.kw * s.Ci;
  const direct = s.Co <= DIRECT_MAX_CO;
  const R = w.blockRows();
  const nx = X.length;
  const [px, pdy, pwt, pdx, pdw, pc] = layout(w, [nx, DY.length, Wt.length, wantDx ? nx : 0, Wt.length, direct ? 0 : R * Kt]) as [
    number, number, number, number, number, number,
  ];
  f32(w, px, nx).set(X);
  f32(w, pdy, DY.length).set(DY);
  f32(w, pwt, Wt.length).set(toCK(Wt, Kt, s.Co));
  f32(w, pdw, Wt.length).fill(0);
  let dx: Float32Array | null = null;
  if (wantDx) {
    f32(w, pdx, nx).fill(0);
    if (direct) w.direct(1, pdx, pwt, pdy);
    else w.backpropInput(pdy, pwt, pdx, pc);
    dx = f32(w, pdx, nx).slice();
  }
  let dw: Float32Array;
  if (direct) {
    w.direct(2, px, pdw, pdy);
    // [Co, Kt] → [Kt, Co]
    const d2 = f32(w, pdw, Wt.length);
    dw = new Float32Array(Wt.length);
    for (let c = 0; c < s.Co; c++) for (let k = 0; k < Kt; k++) dw[k * s.Co + c] = d2[c * Kt + k]!;
  } else {
    w.backpropFilter(px, pdy, pdw, pc);
    dw = f32(w, pdw, Wt.length).slice();
  }
  return { dx, dw };
}
