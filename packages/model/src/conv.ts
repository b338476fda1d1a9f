/**
 * Convolution ('same' padding, channels last, 2D and 3D) with hand-written forward and backward
 * passes over typed arrays, used instead of tfjs-backend-cpu's Conv2D/Conv3D kernels and their
 * back-props (naive loops, ~0.4 GFLOP/s; its Conv2D back-prop is far slower still) on the cpu
 * backend.
 *
 * - forward: im2col of 256 output voxels at a time ([rows, taps·Ci], each (kz, ky) tap row is one
 *   contiguous span of the channels-last input) × kernel [taps·Ci, Co] with a 4×4
 *   register-blocked SGEMM (`gemm`);
 * - input gradient: dy · Wᵀ per block (`gemm`), scattered back with col2im;
 * - kernel gradient: im2col(x)ᵀ · dy (`gemmTN`, both operands read along rows);
 * - narrow outputs (Co ≤ 3, e.g. the reconstruction conv): direct loops over contiguous tap rows,
 *   where im2col would cost as much as the product itself.
 * Semantics are TensorFlow's 'same' padding (pad_before = ⌊total/2⌋); checked against the tfjs
 * reference kernels on random shapes, kernel sizes, strides and paddings in test/conv.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { RadcamError } from '@radcam/core';
import { wasmChannelSums, wasmConvAvailable, wasmConvBackpropInput, wasmConvBackward, wasmConvForward } from './kernels/wasm.js';

type CustomFn = Parameters<typeof tf.customGrad>[0];

/** The opt-in convolution worker thread (see src/kernels/wasm.ts). */
export { convThreads, startConvWorkers, stopConvWorkers } from './kernels/wasm.js';

/** Resolved shapes of one convolution (2D convolutions have D = kd = sd = 1). */
export interface ConvShape {
  N: number;
  D: number;
  H: number;
  W: number;
  Ci: number;
  kd: number;
  kh: number;
  kw: number;
  Co: number;
  sd: number;
  sh: number;
  sw: number;
  oD: number;
  oH: number;
  oW: number;
  pd: number;
  ph: number;
  pw: number;
}

function samePad(inSize: number, k: number, s: number): [number, number] {
  const out = Math.ceil(inSize / s);
  const total = Math.max((out - 1) * s + k - inSize, 0);
  return [out, Math.floor(total / 2)];
}

/** Shapes of a 'same' convolution of x [N,(D,)H,W,Ci] with kernel [(kd,)kh,kw,Ci,Co]. */
export function convShape(xShape: readonly number[], wShape: readonly number[], stride: number): ConvShape {
  const dims = xShape.length - 2;
  if ((dims !== 2 && dims !== 3) || wShape.length !== dims + 2) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'conv: x must be rank 4/5 and the kernel rank 4/5 to match', {
      found: `x [${xShape.join(', ')}], kernel [${wShape.join(', ')}]`,
    });
  }
  const N = xShape[0]!;
  const D = dims === 3 ? xShape[1]! : 1;
  const H = xShape[dims - 1]!;
  const W = xShape[dims]!;
  const Ci = xShape[dims + 1]!;
  const kd = dims === 3 ? wShape[0]! : 1;
  const kh = wShape[dims - 2]!;
  const kw = wShape[dims - 1]!;
  if (wShape[dims] !== Ci) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'conv: kernel input channels differ from x channels', {
      expected: String(Ci),
      found: String(wShape[dims]),
    });
  }
  const Co = wShape[dims + 1]!;
  const sd = dims === 3 ? stride : 1;
  const [oD, pd] = samePad(D, kd, sd);
  const [oH, ph] = samePad(H, kh, stride);
  const [oW, pw] = samePad(W, kw, stride);
  return { N, D, H, W, Ci, kd, kh, kw, Co, sd, sh: stride, sw: stride, oD, oH, oW, pd, ph, pw };
}

/** Output voxels processed per im2col block (bounds the temporary buffer to ROWS × taps × Ci). */
const ROWS = 256;

/**
 * C[M×N] += A[M×K] · B[K×N], all row-major (A from `aOff`, C from `cOff`). 4×4 register-blocked
 * micro-kernel: 16 scalar accumulators, 8 loads per 16 multiply-adds.
 */
export function gemm(A: Float32Array, aOff: number, B: Float32Array, C: Float32Array, cOff: number, M: number, N: number, K: number): void {
  const M4 = M - (M % 4);
  const N4 = N - (N % 4);
  for (let i = 0; i < M4; i += 4) {
    const a0 = aOff + i * K;
    const a1 = a0 + K;
    const a2 = a1 + K;
    const a3 = a2 + K;
    for (let j = 0; j < N4; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let b = j;
      for (let k = 0; k < K; k++, b += N) {
        const b0 = B[b]!, b1 = B[b + 1]!, b2 = B[b + 2]!, b3 = B[b + 3]!;
        const x0 = A[a0 + k]!, x1 = A[a1 + k]!, x2 = A[a2 + k]!, x3 = A[a3 + k]!;
        c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2; c03 += x0 * b3;
        c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2; c13 += x1 * b3;
        c20 += x2 * b0; c21 += x2 * b1; c22 += x2 * b2; c23 += x2 * b3;
        c30 += x3 * b0; c31 += x3 * b1; c32 += x3 * b2; c33 += x3 * b3;
      }
      let c = cOff + i * N + j;
      C[c] = C[c]! + c00; C[c + 1] = C[c + 1]! + c01; C[c + 2] = C[c + 2]! + c02; C[c + 3] = C[c + 3]! + c03;
      c += N;
      C[c] = C[c]! + c10; C[c + 1] = C[c + 1]! + c11; C[c + 2] = C[c + 2]! + c12; C[c + 3] = C[c + 3]! + c13;
      c += N;
      C[c] = C[c]! + c20; C[c + 1] = C[c + 1]! + c21; C[c + 2] = C[c + 2]! + c22; C[c + 3] = C[c + 3]! + c23;
      c += N;
      C[c] = C[c]! + c30; C[c + 1] = C[c + 1]! + c31; C[c + 2] = C[c + 2]! + c32; C[c + 3] = C[c + 3]! + c33;
    }
    for (let j = N4; j < N; j++) {
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      let b = j;
      for (let k = 0; k < K; k++, b += N) {
        const bv = B[b]!;
        c0 += A[a0 + k]! * bv;
        c1 += A[a1 + k]! * bv;
        c2 += A[a2 + k]! * bv;
        c3 += A[a3 + k]! * bv;
      }
      const c = cOff + i * N + j;
      C[c] = C[c]! + c0;
      C[c + N] = C[c + N]! + c1;
      C[c + 2 * N] = C[c + 2 * N]! + c2;
      C[c + 3 * N] = C[c + 3 * N]! + c3;
    }
  }
  for (let i = M4; i < M; i++) {
    const a = aOff + i * K;
    for (let j = 0; j < N; j++) {
      let acc = 0;
      let b = j;
      for (let k = 0; k < K; k++, b += N) acc += A[a + k]! * B[b]!;
      const c = cOff + i * N + j;
      C[c] = C[c]! + acc;
    }
  }
}

/**
 * C[M×N] += Aᵀ · B with A [K×M] and B [K×N] row-major (both read along rows: the rank-1 update
 * form used for the kernel gradient, where K is the number of output voxels).
 */
export function gemmTN(A: Float32Array, B: Float32Array, bOff: number, C: Float32Array, M: number, N: number, K: number): void {
  const M4 = M - (M % 4);
  const N4 = N - (N % 4);
  for (let i = 0; i < M4; i += 4) {
    for (let j = 0; j < N4; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let a = i;
      let b = bOff + j;
      for (let k = 0; k < K; k++, a += M, b += N) {
        const b0 = B[b]!, b1 = B[b + 1]!, b2 = B[b + 2]!, b3 = B[b + 3]!;
        const x0 = A[a]!, x1 = A[a + 1]!, x2 = A[a + 2]!, x3 = A[a + 3]!;
        c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2; c03 += x0 * b3;
        c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2; c13 += x1 * b3;
        c20 += x2 * b0; c21 += x2 * b1; c22 += x2 * b2; c23 += x2 * b3;
        c30 += x3 * b0; c31 += x3 * b1; c32 += x3 * b2; c33 += x3 * b3;
      }
      let c = i * N + j;
      C[c] = C[c]! + c00; C[c + 1] = C[c + 1]! + c01; C[c + 2] = C[c + 2]! + c02; C[c + 3] = C[c + 3]! + c03;
      c += N;
      C[c] = C[c]! + c10; C[c + 1] = C[c + 1]! + c11; C[c + 2] = C[c + 2]! + c12; C[c + 3] = C[c + 3]! + c13;
      c += N;
      C[c] = C[c]! + c20; C[c + 1] = C[c + 1]! + c21; C[c + 2] = C[c + 2]! + c22; C[c + 3] = C[c + 3]! + c23;
      c += N;
      C[c] = C[c]! + c30; C[c + 1] = C[c + 1]! + c31; C[c + 2] = C[c + 2]! + c32; C[c + 3] = C[c + 3]! + c33;
    }
  }
  // remainders (rows i ≥ M4 or columns j ≥ N4)
  for (let i = 0; i < M; i++) {
    for (let j = i < M4 ? N4 : 0; j < N; j++) {
      let acc = 0;
      let a = i;
      let b = bOff + j;
      for (let k = 0; k < K; k++, a += M, b += N) acc += A[a]! * B[b]!;
      C[i * N + j] = C[i * N + j]! + acc;
    }
  }
}

/**
 * Gather the receptive fields of output voxels [r0, r0 + rows) into `cols` ([rows, taps·Ci]),
 * zeros where the kernel hangs over the padded border. Each (kz, ky) tap row is one contiguous
 * span of the channels-last input.
 */
function im2col(s: ConvShape, X: Float32Array, r0: number, rows: number, cols: Float32Array): void {
  const { D, H, W, Ci, kd, kh, kw, sd, sh, sw, oD, oH, oW, pd, ph, pw } = s;
  const Kt = kd * kh * kw * Ci;
  const span = kw * Ci;
  for (let r = 0; r < rows; r++) {
    let o = r0 + r;
    const ow = o % oW;
    o = (o - ow) / oW;
    const oh = o % oH;
    o = (o - oh) / oH;
    const od = o % oD;
    const n = (o - od) / oD;
    const iz0 = od * sd - pd;
    const iy0 = oh * sh - ph;
    const ix0 = ow * sw - pw;
    const lo = Math.max(0, -ix0) * Ci;
    const hi = Math.min(kw, W - ix0) * Ci;
    let q = r * Kt;
    for (let kz = 0; kz < kd; kz++) {
      const iz = iz0 + kz;
      const zin = iz >= 0 && iz < D;
      for (let ky = 0; ky < kh; ky++, q += span) {
        const iy = iy0 + ky;
        if (!zin || iy < 0 || iy >= H || hi <= lo) {
          cols.fill(0, q, q + span);
          continue;
        }
        const src = (((n * D + iz) * H + iy) * W + ix0) * Ci;
        let j = 0;
        for (; j < lo; j++) cols[q + j] = 0;
        for (; j < hi; j++) cols[q + j] = X[src + j]!;
        for (; j < span; j++) cols[q + j] = 0;
      }
    }
  }
}

/** Scatter-add `dcols` ([rows, taps·Ci]) of output voxels [r0, r0 + rows) back into `DX`. */
function col2imAdd(s: ConvShape, dcols: Float32Array, r0: number, rows: number, DX: Float32Array): void {
  const { D, H, W, Ci, kd, kh, kw, sd, sh, sw, oD, oH, oW, pd, ph, pw } = s;
  const Kt = kd * kh * kw * Ci;
  const span = kw * Ci;
  for (let r = 0; r < rows; r++) {
    let o = r0 + r;
    const ow = o % oW;
    o = (o - ow) / oW;
    const oh = o % oH;
    o = (o - oh) / oH;
    const od = o % oD;
    const n = (o - od) / oD;
    const iz0 = od * sd - pd;
    const iy0 = oh * sh - ph;
    const ix0 = ow * sw - pw;
    const lo = Math.max(0, -ix0) * Ci;
    const hi = Math.min(kw, W - ix0) * Ci;
    let q = r * Kt;
    for (let kz = 0; kz < kd; kz++) {
      const iz = iz0 + kz;
      const zin = iz >= 0 && iz < D;
      for (let ky = 0; ky < kh; ky++, q += span) {
        const iy = iy0 + ky;
        if (!zin || iy < 0 || iy >= H) continue;
        const dst = (((n * D + iz) * H + iy) * W + ix0) * Ci;
        for (let j = lo; j < hi; j++) DX[dst + j] = DX[dst + j]! + dcols[q + j]!;
      }
    }
  }
}

/**
 * Direct (no im2col) loops for narrow outputs (Co < 4, e.g. the reconstruction conv): the kernel
 * is re-laid out as [Co][kd·kh][kw·Ci] so each tap row is a contiguous span of input and kernel.
 * `pass`: 0 forward (O), 1 input gradient (DX += dy·W), 2 kernel gradient (DW2 += dy·X).
 */
function direct(s: ConvShape, pass: 0 | 1 | 2, X: Float32Array, WT2: Float32Array, Y: Float32Array): void {
  const { N, D, H, W, Ci, kd, kh, kw, Co, sd, sh, sw, oD, oH, oW, pd, ph, pw } = s;
  const span = kw * Ci;
  const rowsPerCo = kd * kh * span;
  let oo = 0;
  for (let n = 0; n < N; n++) {
    for (let od = 0; od < oD; od++) {
      const iz0 = od * sd - pd;
      const kz0 = Math.max(0, -iz0);
      const kz1 = Math.min(kd, D - iz0);
      for (let oh = 0; oh < oH; oh++) {
        const iy0 = oh * sh - ph;
        const ky0 = Math.max(0, -iy0);
        const ky1 = Math.min(kh, H - iy0);
        for (let ow = 0; ow < oW; ow++, oo += Co) {
          const ix0 = ow * sw - pw;
          const lo = Math.max(0, -ix0) * Ci;
          const hi = Math.min(kw, W - ix0) * Ci;
          for (let co = 0; co < Co; co++) {
            let acc = pass === 0 ? Y[oo + co]! : 0;
            const d = pass === 0 ? 0 : Y[oo + co]!;
            if (pass !== 0 && d === 0) continue;
            for (let kz = kz0; kz < kz1; kz++) {
              for (let ky = ky0; ky < ky1; ky++) {
                const src = (((n * D + iz0 + kz) * H + iy0 + ky) * W + ix0) * Ci;
                const wb = co * rowsPerCo + (kz * kh + ky) * span;
                if (pass === 0) {
                  for (let j = lo; j < hi; j++) acc += X[src + j]! * WT2[wb + j]!;
                } else if (pass === 1) {
                  for (let j = lo; j < hi; j++) X[src + j] = X[src + j]! + d * WT2[wb + j]!;
                } else {
                  for (let j = lo; j < hi; j++) WT2[wb + j] = WT2[wb + j]! + d * X[src + j]!;
                }
              }
            }
            if (pass === 0) Y[oo + co] = acc;
          }
        }
      }
    }
  }
}

/** [Kt, Co] ↔ [Co, Kt] */
function transposeKC(src: Float32Array, K: number, C: number, toCK: boolean): Float32Array {
  const out = new Float32Array(K * C);
  for (let k = 0; k < K; k++) {
    for (let c = 0; c < C; c++) {
      if (toCK) out[c * K + k] = src[k * C + c]!;
      else out[k * C + c] = src[c * K + k]!;
    }
  }
  return out;
}

/** Narrow outputs use the direct loops (im2col would cost as much as the GEMM itself). */
const DIRECT_MAX_CO = 3;

/** Forward: out[N,oD,oH,oW,Co] (+ bias) = im2col(X) · W (W viewed as [taps·Ci, Co]). */
export function convForward(s: ConvShape, X: Float32Array, Wt: Float32Array, bias: Float32Array | null, out?: Float32Array): Float32Array {
  const { N, Ci, kd, kh, kw, Co, oD, oH, oW } = s;
  const Kt = kd * kh * kw * Ci;
  const M = N * oD * oH * oW;
  const O = out ?? new Float32Array(M * Co);
  if (bias) for (let m = 0; m < M; m++) O.set(bias.subarray(0, Co), m * Co);
  else O.fill(0);
  if (Co <= DIRECT_MAX_CO) {
    direct(s, 0, X, transposeKC(Wt, Kt, Co, true), O);
    return O;
  }
  const cols = new Float32Array(ROWS * Kt);
  for (let r0 = 0; r0 < M; r0 += ROWS) {
    const rows = Math.min(ROWS, M - r0);
    im2col(s, X, r0, rows, cols);
    gemm(cols, 0, Wt, O, r0 * Co, rows, Co, Kt);
  }
  return O;
}

/** Gradient w.r.t. the input: dx = col2im(dy · Wᵀ). */
export function convBackpropInput(s: ConvShape, DY: Float32Array, Wt: Float32Array): Float32Array {
  const { N, D, H, W, Ci, kd, kh, kw, Co, oD, oH, oW } = s;
  const Kt = kd * kh * kw * Ci;
  const M = N * oD * oH * oW;
  const WT = transposeKC(Wt, Kt, Co, true);
  const DX = new Float32Array(N * D * H * W * Ci);
  if (Co <= DIRECT_MAX_CO) {
    direct(s, 1, DX, WT, DY);
    return DX;
  }
  const dcols = new Float32Array(ROWS * Kt);
  for (let r0 = 0; r0 < M; r0 += ROWS) {
    const rows = Math.min(ROWS, M - r0);
    dcols.fill(0, 0, rows * Kt);
    gemm(DY, r0 * Co, WT, dcols, 0, rows, Kt, Co);
    col2imAdd(s, dcols, r0, rows, DX);
  }
  return DX;
}

/** Gradient w.r.t. the kernel: dW = im2col(X)ᵀ · dy. */
export function convBackpropFilter(s: ConvShape, X: Float32Array, DY: Float32Array): Float32Array {
  const { N, Ci, kd, kh, kw, Co, oD, oH, oW } = s;
  const Kt = kd * kh * kw * Ci;
  const M = N * oD * oH * oW;
  if (Co <= DIRECT_MAX_CO) {
    const DW2 = new Float32Array(Kt * Co);
    direct(s, 2, X, DW2, DY);
    return transposeKC(DW2, Kt, Co, false);
  }
  const DW = new Float32Array(Kt * Co);
  const cols = new Float32Array(ROWS * Kt);
  for (let r0 = 0; r0 < M; r0 += ROWS) {
    const rows = Math.min(ROWS, M - r0);
    im2col(s, X, r0, rows, cols);
    gemmTN(cols, DY, r0 * Co, DW, Kt, Co, rows);
  }
  return DW;
}

function vals(t: tf.Tensor): Float32Array {
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
}

/** Per-channel sums (float64 accumulation) of channels-last data: the gradient of a bias. */
function channelSums(d: Float32Array, C: number): Float32Array {
  if (mode !== 'js' && wasmConvAvailable()) return wasmChannelSums(d, C);
  if (C === 1) {
    let t = 0;
    for (let i = 0; i < d.length; i++) t += d[i]!;
    return Float32Array.of(t);
  }
  const acc = new Float64Array(C);
  for (let i = 0; i < d.length; i += C) for (let c = 0; c < C; c++) acc[c] = acc[c]! + d[i + c]!;
  return Float32Array.from(acc);
}

/** out[…, c] += bias[c] in place. */
function addChannelBias(out: Float32Array, bias: Float32Array, C: number): void {
  if (C === 1) {
    const b = bias[0]!;
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + b;
    return;
  }
  for (let i = 0; i < out.length; i += C) for (let c = 0; c < C; c++) out[i + c] = out[i + c]! + bias[c]!;
}

/** Options of `convSame`. */
export interface ConvSameOptions {
  /**
   * Compute the gradient w.r.t. x (default true). false → the x gradient is returned as zeros
   * without computing it: for a first layer whose input is data (saves the col2im back-prop of
   * the largest layer in a training step). Kernel and bias gradients are unaffected.
   */
  inputGradient?: boolean;
}

/**
 * Differentiable 'same' convolution (2D or 3D by rank) with optional per-channel bias, computed
 * by radcam's kernels: the WebAssembly SIMD ones (src/kernels/wasm.ts) when the engine supports
 * them and `setConvImplementation` is not 'js', else the JS loops above.
 * `conv(x, kernel, stride, bias?)`.
 */
export function convSame(
  x: tf.Tensor,
  kernel: tf.Tensor,
  stride: number,
  bias?: tf.Tensor | null,
  options: ConvSameOptions = {},
): tf.Tensor {
  const needDx = options.inputGradient ?? true;
  const s = convShape(x.shape, kernel.shape, stride);
  const dims = x.rank - 2;
  const outShape = dims === 3 ? [s.N, s.oD, s.oH, s.oW, s.Co] : [s.N, s.oH, s.oW, s.Co];
  const useWasm = mode !== 'js' && wasmConvAvailable();
  const forward = (xt: tf.Tensor, wt: tf.Tensor, bt?: tf.Tensor) => {
    const X = vals(xt);
    const Wt = vals(wt);
    const B = bt ? vals(bt) : null;
    const O = useWasm ? wasmConvForward(s, X, Wt, B) : convForward(s, X, Wt, B);
    return {
      value: tf.tensor(O, outShape, 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const DY = vals(dy);
        let dx: tf.Tensor;
        let dw: tf.Tensor;
        if (useWasm) {
          const g = wasmConvBackward(s, X, Wt, DY, needDx);
          dx = g.dx ? tf.tensor(g.dx, xt.shape, 'float32') : tf.zeros(xt.shape, 'float32');
          dw = tf.tensor(g.dw, wt.shape, 'float32');
        } else {
          dx = needDx ? tf.tensor(convBackpropInput(s, DY, Wt), xt.shape, 'float32') : tf.zeros(xt.shape, 'float32');
          dw = tf.tensor(convBackpropFilter(s, X, DY), wt.shape, 'float32');
        }
        if (!bt) return [dx, dw];
        return [dx, dw, tf.tensor(channelSums(DY, s.Co), bt.shape, 'float32')];
      },
    };
  };
  if (bias) return tf.customGrad(forward as unknown as CustomFn)(x, kernel, bias);
  return tf.customGrad(((xt: tf.Tensor, wt: tf.Tensor) => forward(xt, wt)) as unknown as CustomFn)(x, kernel);
}

/**
 * Differentiable transposed 'same' convolution (2D or 3D by rank): the adjoint of `convSame` with
 * the same kernel layout as tfjs' `conv3dTranspose` / `conv2dTranspose` — kernel
 * [(kd,) kh, kw, Cout, Cin] for x [N, (D,) H, W, Cin] — so the output is
 * [N, (D·s,) H·s, W·s, Cout]: `convTransposeSame(x, k, s)` equals
 * `tf.conv3dTranspose(x, k, [N, D·s, H·s, W·s, Cout], s, 'same')`. The learnable up-sampling of a
 * decoder (PyTorch's ConvTranspose3d with padding (k−1)/2 and output_padding s−1).
 * Forward = the input-gradient kernel of the convolution; gradients: x ← the forward convolution
 * of dy, kernel ← the kernel-gradient pass with the roles of x and dy swapped (tfjs-core registers
 * no gradient for conv3dTranspose; radcam's kernels supply all three, see `convSame`).
 */
export function convTransposeSame(x: tf.Tensor, kernel: tf.Tensor, stride: number, bias?: tf.Tensor | null): tf.Tensor {
  const dims = x.rank - 2;
  if ((dims !== 2 && dims !== 3) || kernel.rank !== x.rank) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'convTranspose: x must be rank 4/5 and the kernel rank 4/5 to match', {
      found: `x [${x.shape.join(', ')}], kernel [${kernel.shape.join(', ')}]`,
    });
  }
  if (!Number.isInteger(stride) || stride < 1) throw new RadcamError('E_INVALID_ARGUMENT', 'convTranspose: stride must be a positive integer', { found: String(stride) });
  const Cin = x.shape[dims + 1]!;
  const Cout = kernel.shape[dims]!;
  if (kernel.shape[dims + 1] !== Cin) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'convTranspose: kernel input channels (last axis) differ from x channels', {
      expected: String(Cin),
      found: String(kernel.shape[dims + 1]),
    });
  }
  if (bias && bias.size !== Cout) throw new RadcamError('E_INVALID_ARGUMENT', 'convTranspose: bias needs one value per output channel', { found: String(bias.size) });
  const outShape = [x.shape[0]!, ...x.shape.slice(1, dims + 1).map((v) => v * stride), Cout];
  // the convolution whose input gradient this is: big [N, …·s, Cout] → small [N, …, Cin]
  const s = convShape(outShape, kernel.shape, stride);
  const useWasm = mode !== 'js' && wasmConvAvailable();
  const forward = (xt: tf.Tensor, wt: tf.Tensor, bt?: tf.Tensor) => {
    const X = vals(xt);
    const Wt = vals(wt);
    let O: Float32Array;
    if (useWasm) O = wasmConvBackpropInput(s, X, Wt, bt ? vals(bt) : null);
    else {
      O = convBackpropInput(s, X, Wt);
      if (bt) addChannelBias(O, vals(bt), Cout);
    }
    return {
      value: tf.tensor(O, outShape, 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const G = vals(dy);
        let dx: Float32Array;
        let dw: Float32Array;
        if (useWasm) {
          dx = wasmConvForward(s, G, Wt, null);
          dw = wasmConvBackward(s, G, Wt, X, false).dw;
        } else {
          dx = convForward(s, G, Wt, null);
          dw = convBackpropFilter(s, G, X);
        }
        const grads = [tf.tensor(dx, xt.shape, 'float32'), tf.tensor(dw, wt.shape, 'float32')];
        if (!bt) return grads;
        return [...grads, tf.tensor(channelSums(G, Cout), bt.shape, 'float32')];
      },
    };
  };
  if (bias) return tf.customGrad(forward as unknown as CustomFn)(x, kernel, bias);
  return tf.customGrad(((xt: tf.Tensor, wt: tf.Tensor) => forward(xt, wt)) as unknown as CustomFn)(x, kernel);
}

/** Convolution implementation choice, see `setConvImplementation`. */
export type ConvImplementation = 'auto' | 'wasm' | 'js' | 'tfjs';

let mode: ConvImplementation = 'auto';

/**
 * Which convolution implementation the model uses:
 * - 'wasm': radcam's WebAssembly SIMD kernels (falls back to 'js' where WebAssembly SIMD is
 *   unavailable);
 * - 'js': radcam's plain JS loops above;
 * - 'tfjs': the active backend's own Conv2D/Conv3D kernels;
 * - 'auto' (default): 'wasm' (else 'js') on the cpu backend, 'tfjs' elsewhere (e.g. tfjs-node,
 *   whose native kernels are faster).
 * Returns the previous setting.
 */
export function setConvImplementation(m: ConvImplementation): ConvImplementation {
  if (!['auto', 'wasm', 'js', 'tfjs'].includes(m)) {
    throw new RadcamError('E_INVALID_ARGUMENT', "conv implementation must be 'auto', 'wasm', 'js' or 'tfjs'", { found: String(m) });
  }
  const prev = mode;
  mode = m;
  return prev;
}

/**
 * Whether the model computes convolutions with radcam's kernels (`convSame`: 'js' — WebAssembly
 * SIMD or JS loops, see `activeConvKernels`) or with the backend's ops ('tfjs').
 */
export function activeConvImplementation(): 'js' | 'tfjs' {
  return activeConvKernels() === 'tfjs' ? 'tfjs' : 'js';
}

/**
 * Whether radcam's WebAssembly SIMD kernels run the element-wise fused ops (GroupNorm, activation
 * gradients, up-sampling): yes unless `setConvImplementation('js')` or WebAssembly SIMD is missing.
 */
export function useWasmKernels(): boolean {
  return mode !== 'js' && wasmConvAvailable();
}

/** The kernels `setConvImplementation` resolves to on the active backend and engine. */
export function activeConvKernels(): 'wasm' | 'js' | 'tfjs' {
  if (mode === 'tfjs' || mode === 'js') return mode;
  if (mode === 'auto' && tf.getBackend() !== 'cpu') return 'tfjs';
  return wasmConvAvailable() ? 'wasm' : 'js';
}
