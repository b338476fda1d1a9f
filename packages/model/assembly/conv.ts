// AssemblyScript source of radcam's WebAssembly SIMD convolution kernels ('same' padding, channels
// last, 2D and 3D; 2D convolutions have D = kd = sd = 1). Compiled by `pnpm run build:wasm`
// (assembly/build.mjs) into src/kernels/generated/conv-wasm.ts (base64).
//
// All buffers live in this module's linear memory; the JS side (src/kernels/wasm.ts) lays them out
// above __heap_base, copies tensors in and results out. Pointers are byte offsets. No allocation,
// no runtime: only raw loads/stores and v128 arithmetic.
//
// - gemm: C[M×N] (+)= A[M×K]·B[K×N] (row-major, leading dimensions = widths), 4×8 v128 micro-tiles
//   (8 f32x4 accumulators, A broadcast with load32_splat), 4-wide and scalar tails;
// - gemmTN: C[M×N] += Aᵀ·B with A [K×M], B [K×N] (the kernel gradient: im2col(x)ᵀ·dy);
// - im2col / col2im over contiguous (kz, ky) tap rows;
// - direct loops for narrow outputs (Co ≤ 3), vectorised along each contiguous tap row.

let N: i32 = 0;
let D: i32 = 0;
let H: i32 = 0;
let W: i32 = 0;
let Ci: i32 = 0;
let kd: i32 = 0;
let kh: i32 = 0;
let kw: i32 = 0;
let Co: i32 = 0;
let sd: i32 = 0;
let sh: i32 = 0;
let sw: i32 = 0;
let oD: i32 = 0;
let oH: i32 = 0;
let oW: i32 = 0;
let pd: i32 = 0;
let ph: i32 = 0;
let pw: i32 = 0;

/** First free byte of linear memory (buffers are laid out from here). */
export function heapBase(): usize {
  return __heap_base;
}

export function setShape(
  n: i32, d: i32, h: i32, w: i32, ci: i32,
  kD: i32, kH: i32, kW: i32, co: i32,
  sD: i32, sH: i32, sW: i32,
  ooD: i32, ooH: i32, ooW: i32,
  pD: i32, pH: i32, pW: i32,
): void {
  N = n; D = d; H = h; W = w; Ci = ci;
  kd = kD; kh = kH; kw = kW; Co = co;
  sd = sD; sh = sH; sw = sW;
  oD = ooD; oH = ooH; oW = ooW;
  pd = pD; ph = pH; pw = pW;
}

// ---------------------------------------------------------------------------------------------
// small vector helpers

@inline function zero(dst: usize, n: i32): void {
  let i = 0;
  const z = f32x4.splat(0);
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), z);
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
}

@inline function copy(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

@inline function addTo(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = dst + (<usize>i << 2);
    v128.store(p, f32x4.add(v128.load(p), v128.load(src + (<usize>i << 2))));
  }
  for (; i < n; i++) {
    const p = dst + (<usize>i << 2);
    store<f32>(p, load<f32>(p) + load<f32>(src + (<usize>i << 2)));
  }
}

/** dst[0..n) += a · src[0..n) */
@inline function axpy(dst: usize, a: f32, src: usize, n: i32): void {
  let i = 0;
  const av = f32x4.splat(a);
  for (; i + 4 <= n; i += 4) {
    const p = dst + (<usize>i << 2);
    v128.store(p, f32x4.add(v128.load(p), f32x4.mul(av, v128.load(src + (<usize>i << 2)))));
  }
  for (; i < n; i++) {
    const p = dst + (<usize>i << 2);
    store<f32>(p, load<f32>(p) + a * load<f32>(src + (<usize>i << 2)));
  }
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

@inline function dot(a: usize, b: usize, n: i32): f32 {
  let i = 0;
  let acc = f32x4.splat(0);
  for (; i + 4 <= n; i += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(a + (<usize>i << 2)), v128.load(b + (<usize>i << 2))));
  let s = hsum(acc);
  for (; i < n; i++) s += load<f32>(a + (<usize>i << 2)) * load<f32>(b + (<usize>i << 2));
  return s;
}

// ---------------------------------------------------------------------------------------------
// SGEMM

/**
 * C[M×N] (+)= A[M×K] · B[K×N], row-major with leading dimensions K, N, N.
 * `accumulate` = 0 overwrites C, 1 adds to it.
 */
export function gemm(A: usize, B: usize, C: usize, M: i32, Nn: i32, K: i32, accumulate: i32): void {
  const lda = <usize>K << 2;
  const ldb = <usize>Nn << 2;
  const M4 = M & ~3;
  const N8 = Nn & ~7;
  const N4 = Nn & ~3;
  for (let i = 0; i < M4; i += 4) {
    const a0 = A + <usize>i * lda;
    const a1 = a0 + lda;
    const a2 = a1 + lda;
    const a3 = a2 + lda;
    const c0 = C + <usize>i * ldb;
    const c1 = c0 + ldb;
    const c2 = c1 + ldb;
    const c3 = c2 + ldb;
    let j = 0;
    for (; j < N8; j += 8) {
      let x00 = f32x4.splat(0), x01 = f32x4.splat(0);
      let x10 = f32x4.splat(0), x11 = f32x4.splat(0);
      let x20 = f32x4.splat(0), x21 = f32x4.splat(0);
      let x30 = f32x4.splat(0), x31 = f32x4.splat(0);
      let b = B + (<usize>j << 2);
      for (let k = 0; k < K; k++, b += ldb) {
        const ko = <usize>k << 2;
        const b0 = v128.load(b);
        const b1 = v128.load(b, 16);
        let a = v128.load32_splat(a0 + ko);
        x00 = f32x4.add(x00, f32x4.mul(a, b0));
        x01 = f32x4.add(x01, f32x4.mul(a, b1));
        a = v128.load32_splat(a1 + ko);
        x10 = f32x4.add(x10, f32x4.mul(a, b0));
        x11 = f32x4.add(x11, f32x4.mul(a, b1));
        a = v128.load32_splat(a2 + ko);
        x20 = f32x4.add(x20, f32x4.mul(a, b0));
        x21 = f32x4.add(x21, f32x4.mul(a, b1));
        a = v128.load32_splat(a3 + ko);
        x30 = f32x4.add(x30, f32x4.mul(a, b0));
        x31 = f32x4.add(x31, f32x4.mul(a, b1));
      }
      const jo = <usize>j << 2;
      if (accumulate) {
        x00 = f32x4.add(x00, v128.load(c0 + jo)); x01 = f32x4.add(x01, v128.load(c0 + jo, 16));
        x10 = f32x4.add(x10, v128.load(c1 + jo)); x11 = f32x4.add(x11, v128.load(c1 + jo, 16));
        x20 = f32x4.add(x20, v128.load(c2 + jo)); x21 = f32x4.add(x21, v128.load(c2 + jo, 16));
        x30 = f32x4.add(x30, v128.load(c3 + jo)); x31 = f32x4.add(x31, v128.load(c3 + jo, 16));
      }
      v128.store(c0 + jo, x00); v128.store(c0 + jo, x01, 16);
      v128.store(c1 + jo, x10); v128.store(c1 + jo, x11, 16);
      v128.store(c2 + jo, x20); v128.store(c2 + jo, x21, 16);
      v128.store(c3 + jo, x30); v128.store(c3 + jo, x31, 16);
    }
    for (; j < N4; j += 4) {
      let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
      let b = B + (<usize>j << 2);
      for (let k = 0; k < K; k++, b += ldb) {
        const ko = <usize>k << 2;
        const b0 = v128.load(b);
        x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(a0 + ko), b0));
        x1 = f32x4.add(x1, f32x4.mul(v128.load32_splat(a1 + ko), b0));
        x2 = f32x4.add(x2, f32x4.mul(v128.load32_splat(a2 + ko), b0));
        x3 = f32x4.add(x3, f32x4.mul(v128.load32_splat(a3 + ko), b0));
      }
      const jo = <usize>j << 2;
      if (accumulate) {
        x0 = f32x4.add(x0, v128.load(c0 + jo));
        x1 = f32x4.add(x1, v128.load(c1 + jo));
        x2 = f32x4.add(x2, v128.load(c2 + jo));
        x3 = f32x4.add(x3, v128.load(c3 + jo));
      }
      v128.store(c0 + jo, x0);
      v128.store(c1 + jo, x1);
      v128.store(c2 + jo, x2);
      v128.store(c3 + jo, x3);
    }
    for (; j < Nn; j++) {
      let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
      let b = B + (<usize>j << 2);
      for (let k = 0; k < K; k++, b += ldb) {
        const ko = <usize>k << 2;
        const bv = load<f32>(b);
        s0 += load<f32>(a0 + ko) * bv;
        s1 += load<f32>(a1 + ko) * bv;
        s2 += load<f32>(a2 + ko) * bv;
        s3 += load<f32>(a3 + ko) * bv;
      }
      const jo = <usize>j << 2;
      if (accumulate) {
        s0 += load<f32>(c0 + jo);
        s1 += load<f32>(c1 + jo);
        s2 += load<f32>(c2 + jo);
        s3 += load<f32>(c3 + jo);
      }
      store<f32>(c0 + jo, s0);
      store<f32>(c1 + jo, s1);
      store<f32>(c2 + jo, s2);
      store<f32>(c3 + jo, s3);
    }
  }
  for (let i = M4; i < M; i++) {
    const a0 = A + <usize>i * lda;
    const c0 = C + <usize>i * ldb;
    let j = 0;
    for (; j < N4; j += 4) {
      let x0 = f32x4.splat(0);
      let b = B + (<usize>j << 2);
      for (let k = 0; k < K; k++, b += ldb) x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(a0 + (<usize>k << 2)), v128.load(b)));
      const jo = <usize>j << 2;
      if (accumulate) x0 = f32x4.add(x0, v128.load(c0 + jo));
      v128.store(c0 + jo, x0);
    }
    for (; j < Nn; j++) {
      let s: f32 = 0;
      let b = B + (<usize>j << 2);
      for (let k = 0; k < K; k++, b += ldb) s += load<f32>(a0 + (<usize>k << 2)) * load<f32>(b);
      const jo = <usize>j << 2;
      if (accumulate) s += load<f32>(c0 + jo);
      store<f32>(c0 + jo, s);
    }
  }
}

/** C[M×N] += Aᵀ · B, A [K×M] and B [K×N] row-major (both read along rows). */
export function gemmTN(A: usize, B: usize, C: usize, M: i32, Nn: i32, K: i32): void {
  const lda = <usize>M << 2;
  const ldb = <usize>Nn << 2;
  const M4 = M & ~3;
  const N8 = Nn & ~7;
  const N4 = Nn & ~3;
  for (let i = 0; i < M4; i += 4) {
    const c0 = C + <usize>i * ldb;
    const c1 = c0 + ldb;
    const c2 = c1 + ldb;
    const c3 = c2 + ldb;
    let j = 0;
    for (; j < N8; j += 8) {
      let x00 = f32x4.splat(0), x01 = f32x4.splat(0);
      let x10 = f32x4.splat(0), x11 = f32x4.splat(0);
      let x20 = f32x4.splat(0), x21 = f32x4.splat(0);
      let x30 = f32x4.splat(0), x31 = f32x4.splat(0);
      let a = A + (<usize>i << 2);
      let b = B + (<usize>j << 2);
      for (let k = 0; k < K; k++, a += lda, b += ldb) {
        const b0 = v128.load(b);
        const b1 = v128.load(b, 16);
        let av = v128.load32_splat(a);
        x00 = f32x4.add(x00, f32x4.mul(av, b0));
        x01 = f32x4.add(x01, f32x4.mul(av, b1));
        av = v128.load32_splat(a, 4);
        x10 = f32x4.add(x10, f32x4.mul(av, b0));
        x11 = f32x4.add(x11, f32x4.mul(av, b1));
        av = v128.load32_splat(a, 8);
        x20 = f32x4.add(x20, f32x4.mul(av, b0));
        x21 = f32x4.add(x21, f32x4.mul(av, b1));
        av = v128.load32_splat(a, 12);
        x30 = f32x4.add(x30, f32x4.mul(av, b0));
        x31 = f32x4.add(x31, f32x4.mul(av, b1));
      }
      const jo = <usize>j << 2;
      v128.store(c0 + jo, f32x4.add(x00, v128.load(c0 + jo))); v128.store(c0 + jo, f32x4.add(x01, v128.load(c0 + jo, 16)), 16);
      v128.store(c1 + jo, f32x4.add(x10, v128.load(c1 + jo))); v128.store(c1 + jo, f32x4.add(x11, v128.load(c1 + jo, 16)), 16);
      v128.store(c2 + jo, f32x4.add(x20, v128.load(c2 + jo))); v128.store(c2 + jo, f32x4.add(x21, v128.load(c2 + jo, 16)), 16);
      v128.store(c3 + jo, f32x4.add(x30, v128.load(c3 + jo))); v128.store(c3 + jo, f32x4.add(x31, v128.load(c3 + jo, 16)), 16);
    }
    for (; j < N4; j += 4) {
      let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
      let a = A + (<usize>i << 2);
      let b = B + (<usize>j << 2);
      for (let k = 0; k < K; k++, a += lda, b += ldb) {
        const b0 = v128.load(b);
        x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(a), b0));
        x1 = f32x4.add(x1, f32x4.mul(v128.load32_splat(a, 4), b0));
        x2 = f32x4.add(x2, f32x4.mul(v128.load32_splat(a, 8), b0));
        x3 = f32x4.add(x3, f32x4.mul(v128.load32_splat(a, 12), b0));
      }
      const jo = <usize>j << 2;
      v128.store(c0 + jo, f32x4.add(x0, v128.load(c0 + jo)));
      v128.store(c1 + jo, f32x4.add(x1, v128.load(c1 + jo)));
      v128.store(c2 + jo, f32x4.add(x2, v128.load(c2 + jo)));
      v128.store(c3 + jo, f32x4.add(x3, v128.load(c3 + jo)));
    }
  }
  // remainders: rows i ≥ M4 (all columns) and columns j ≥ N4 (rows < M4)
  for (let i = 0; i < M; i++) {
    const c0 = C + <usize>i * ldb;
    let j = i < M4 ? N4 : 0;
    if (i >= M4) {
      for (; j < N4; j += 4) {
        let x0 = f32x4.splat(0);
        let a = A + (<usize>i << 2);
        let b = B + (<usize>j << 2);
        for (let k = 0; k < K; k++, a += lda, b += ldb) x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(a), v128.load(b)));
        const jo = <usize>j << 2;
        v128.store(c0 + jo, f32x4.add(x0, v128.load(c0 + jo)));
      }
    }
    for (; j < Nn; j++) {
      let s: f32 = 0;
      let a = A + (<usize>i << 2);
      let b = B + (<usize>j << 2);
      for (let k = 0; k < K; k++, a += lda, b += ldb) s += load<f32>(a) * load<f32>(b);
      const jo = <usize>j << 2;
      store<f32>(c0 + jo, load<f32>(c0 + jo) + s);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// im2col / col2im

/**
 * Gather the receptive fields of output voxels [r0, r0 + rows) into `cols` ([rows, taps·Ci]),
 * zeros where the kernel hangs over the padded border.
 */
export function im2col(X: usize, r0: i32, rows: i32, cols: usize): void {
  const Kt = kd * kh * kw * Ci;
  const span = kw * Ci;
  let o = r0;
  let ow = o % oW;
  o = o / oW;
  let oh = o % oH;
  o = o / oH;
  let od = o % oD;
  let n = o / oD;
  for (let r = 0; r < rows; r++) {
    const iz0 = od * sd - pd;
    const iy0 = oh * sh - ph;
    const ix0 = ow * sw - pw;
    const lo = max(0, -ix0) * Ci;
    const hi = min(kw, W - ix0) * Ci;
    let q = cols + ((<usize>r * <usize>Kt) << 2);
    for (let kz = 0; kz < kd; kz++) {
      const iz = iz0 + kz;
      const zin = iz >= 0 && iz < D;
      for (let ky = 0; ky < kh; ky++, q += <usize>span << 2) {
        const iy = iy0 + ky;
        if (!zin || iy < 0 || iy >= H || hi <= lo) {
          zero(q, span);
          continue;
        }
        const src = X + (<usize>((((n * D + iz) * H + iy) * W + ix0) * Ci) << 2);
        if (lo > 0) zero(q, lo);
        copy(q + (<usize>lo << 2), src + (<usize>lo << 2), hi - lo);
        if (hi < span) zero(q + (<usize>hi << 2), span - hi);
      }
    }
    if (++ow === oW) {
      ow = 0;
      if (++oh === oH) {
        oh = 0;
        if (++od === oD) {
          od = 0;
          n++;
        }
      }
    }
  }
}

/** Scatter-add `dcols` ([rows, taps·Ci]) of output voxels [r0, r0 + rows) into DX. */
export function col2imAdd(dcols: usize, r0: i32, rows: i32, DX: usize): void {
  const Kt = kd * kh * kw * Ci;
  const span = kw * Ci;
  let o = r0;
  let ow = o % oW;
  o = o / oW;
  let oh = o % oH;
  o = o / oH;
  let od = o % oD;
  let n = o / oD;
  for (let r = 0; r < rows; r++) {
    const iz0 = od * sd - pd;
    const iy0 = oh * sh - ph;
    const ix0 = ow * sw - pw;
    const lo = max(0, -ix0) * Ci;
    const hi = min(kw, W - ix0) * Ci;
    let q = dcols + ((<usize>r * <usize>Kt) << 2);
    for (let kz = 0; kz < kd; kz++) {
      const iz = iz0 + kz;
      const zin = iz >= 0 && iz < D;
      for (let ky = 0; ky < kh; ky++, q += <usize>span << 2) {
        const iy = iy0 + ky;
        if (!zin || iy < 0 || iy >= H || hi <= lo) continue;
        const dst = DX + (<usize>((((n * D + iz) * H + iy) * W + ix0) * Ci) << 2);
        addTo(dst + (<usize>lo << 2), q + (<usize>lo << 2), hi - lo);
      }
    }
    if (++ow === oW) {
      ow = 0;
      if (++oh === oH) {
        oh = 0;
        if (++od === oD) {
          od = 0;
          n++;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// whole passes

/** Rows per im2col block so that the block stays ≲ 128 KiB (cache resident), in [16, 1024]. */
export function blockRows(): i32 {
  const Kt = kd * kh * kw * Ci;
  return min(1024, max(16, 32768 / Kt));
}

/** O[M, Co] += im2col(X) · Wt (O pre-filled with the bias or zeros by the caller). */
export function forward(X: usize, Wt: usize, O: usize, cols: usize): void {
  const Kt = kd * kh * kw * Ci;
  const M = N * oD * oH * oW;
  const R = blockRows();
  for (let r0 = 0; r0 < M; r0 += R) {
    const rows = min(R, M - r0);
    im2col(X, r0, rows, cols);
    gemm(cols, Wt, O + ((<usize>r0 * <usize>Co) << 2), rows, Co, Kt, 1);
  }
}

/** DX (zeroed by the caller) += col2im(DY · WT), WT = Wtᵀ [Co, Kt]. */
export function backpropInput(DY: usize, WT: usize, DX: usize, dcols: usize): void {
  const Kt = kd * kh * kw * Ci;
  const M = N * oD * oH * oW;
  const R = blockRows();
  for (let r0 = 0; r0 < M; r0 += R) {
    const rows = min(R, M - r0);
    gemm(DY + ((<usize>r0 * <usize>Co) << 2), WT, dcols, rows, Kt, Co, 0);
    col2imAdd(dcols, r0, rows, DX);
  }
}

/** DW [Kt, Co] (zeroed by the caller) += im2col(X)ᵀ · DY. */
export function backpropFilter(X: usize, DY: usize, DW: usize, cols: usize): void {
  const Kt = kd * kh * kw * Ci;
  const M = N * oD * oH * oW;
  const R = blockRows();
  for (let r0 = 0; r0 < M; r0 += R) {
    const rows = min(R, M - r0);
    im2col(X, r0, rows, cols);
    gemmTN(cols, DY + ((<usize>r0 * <usize>Co) << 2), DW, Kt, Co, rows);
  }
}

/**
 * Direct loops for narrow outputs (Co ≤ 3): the kernel laid out as WT2 [Co][kd·kh][kw·Ci], so each
 * tap row is one contiguous span of input and kernel. pass 0: Y (pre-filled with the bias)
 * += conv(X); pass 1: X (= DX, zeroed) += dy·W; pass 2: WT2 (= DW2, zeroed) += dy·X.
 */
export function direct(pass: i32, X: usize, WT2: usize, Y: usize): void {
  const span = kw * Ci;
  const rowsPerCo = kd * kh * span;
  let oo: usize = Y;
  for (let n = 0; n < N; n++) {
    for (let od = 0; od < oD; od++) {
      const iz0 = od * sd - pd;
      const kz0 = max(0, -iz0);
      const kz1 = min(kd, D - iz0);
      for (let oh = 0; oh < oH; oh++) {
        const iy0 = oh * sh - ph;
        const ky0 = max(0, -iy0);
        const ky1 = min(kh, H - iy0);
        for (let ow = 0; ow < oW; ow++, oo += <usize>Co << 2) {
          const ix0 = ow * sw - pw;
          const lo = max(0, -ix0) * Ci;
          const hi = min(kw, W - ix0) * Ci;
          if (hi <= lo) continue;
          for (let co = 0; co < Co; co++) {
            const yp = oo + (<usize>co << 2);
            const d = load<f32>(yp);
            if (pass !== 0 && d === 0) continue;
            const len = hi - lo;
            const len4 = len & ~3;
            const dv = f32x4.splat(d);
            let accv = f32x4.splat(0);
            let acc: f32 = 0;
            for (let kz = kz0; kz < kz1; kz++) {
              let src = X + (<usize>((((n * D + iz0 + kz) * H + iy0 + ky0) * W + ix0) * Ci + lo) << 2);
              let wb = WT2 + (<usize>(co * rowsPerCo + (kz * kh + ky0) * span + lo) << 2);
              for (let ky = ky0; ky < ky1; ky++, src += <usize>(W * Ci) << 2, wb += <usize>span << 2) {
                let j = 0;
                if (pass === 0) {
                  for (; j < len4; j += 4) accv = f32x4.add(accv, f32x4.mul(v128.load(src + (<usize>j << 2)), v128.load(wb + (<usize>j << 2))));
                  for (; j < len; j++) acc += load<f32>(src + (<usize>j << 2)) * load<f32>(wb + (<usize>j << 2));
                } else if (pass === 1) {
                  for (; j < len4; j += 4) {
                    const p = src + (<usize>j << 2);
                    v128.store(p, f32x4.add(v128.load(p), f32x4.mul(dv, v128.load(wb + (<usize>j << 2)))));
                  }
                  for (; j < len; j++) {
                    const p = src + (<usize>j << 2);
                    store<f32>(p, load<f32>(p) + d * load<f32>(wb + (<usize>j << 2)));
                  }
                } else {
                  for (; j < len4; j += 4) {
                    const p = wb + (<usize>j << 2);
                    v128.store(p, f32x4.add(v128.load(p), f32x4.mul(dv, v128.load(src + (<usize>j << 2)))));
                  }
                  for (; j < len; j++) {
                    const p = wb + (<usize>j << 2);
                    store<f32>(p, load<f32>(p) + d * load<f32>(src + (<usize>j << 2)));
                  }
                }
              }
            }
            acc += hsum(accv);
            if (pass === 0) store<f32>(yp, d + acc);
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// implicit GEMM (no im2col): convolution over a zero-padded copy of the input

/**
 * Xp [N, Dp, Hp, Wp, Ci] = X with pd / ph / pw zeros before each spatial axis and zeros after up
 * to Dp / Hp / Wp (so that every receptive field lies inside Xp).
 */
export function padInput(X: usize, Xp: usize, Dp: i32, Hp: i32, Wp: i32): void {
  memory.fill(Xp, 0, (<usize>N * <usize>Dp * <usize>Hp * <usize>Wp * <usize>Ci) << 2);
  const rowBytes = (<usize>W * <usize>Ci) << 2;
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < D; d++) {
      for (let h = 0; h < H; h++) {
        const src = X + ((<usize>(((n * D + d) * H + h) * W) * <usize>Ci) << 2);
        const dst = Xp + ((<usize>(((n * Dp + d + pd) * Hp + h + ph) * Wp + pw) * <usize>Ci) << 2);
        memory.copy(dst, src, rowBytes);
      }
    }
  }
}

/**
 * O[M, Co] += conv(Xp, Wt) with Xp from `padInput` and Wt [kd, kh, kw, Ci, Co]: for each output
 * row (n, od, oh), tiles of 4 output voxels × 8 (or 4) output channels accumulate over the
 * kd·kh contiguous tap rows of kw·Ci values read in place (rows of A overlap: stride sw·Ci).
 */
export function forwardPadded(Xp: usize, Wt: usize, O: usize, Dp: i32, Hp: i32, Wp: i32): void {
  const span = kw * Ci;
  const segs = kd * kh;
  const ldb = <usize>Co << 2;
  const segB = <usize>span * ldb; // bytes of one (kz, ky) block of Wt
  const rstep = (<usize>sw * <usize>Ci) << 2; // bytes between consecutive output voxels' windows
  const hStride = (<usize>Wp * <usize>Ci) << 2;
  const dStride = <usize>Hp * hStride;
  const Co8 = Co & ~7;
  const Co4 = Co & ~3;
  const oW4 = oW & ~3;
  let orow = O;
  for (let n = 0; n < N; n++) {
    for (let od = 0; od < oD; od++) {
      for (let oh = 0; oh < oH; oh++, orow += <usize>oW * ldb) {
        const base = Xp + (<usize>(n * Dp + od * sd) * dStride) + <usize>(oh * sh) * hStride;
        let ow = 0;
        for (; ow < oW4; ow += 4) {
          const a0 = base + <usize>ow * rstep;
          const c0 = orow + <usize>ow * ldb;
          let j = 0;
          for (; j < Co8; j += 8) {
            let x00 = f32x4.splat(0), x01 = f32x4.splat(0);
            let x10 = f32x4.splat(0), x11 = f32x4.splat(0);
            let x20 = f32x4.splat(0), x21 = f32x4.splat(0);
            let x30 = f32x4.splat(0), x31 = f32x4.splat(0);
            let b = Wt + (<usize>j << 2);
            for (let sg = 0; sg < segs; sg++) {
              const kz = sg / kh;
              const ky = sg - kz * kh;
              const ar = a0 + <usize>kz * dStride + <usize>ky * hStride;
              for (let k = 0; k < span; k++, b += ldb) {
                const ko = ar + (<usize>k << 2);
                const b0 = v128.load(b);
                const b1 = v128.load(b, 16);
                let a = v128.load32_splat(ko);
                x00 = f32x4.add(x00, f32x4.mul(a, b0));
                x01 = f32x4.add(x01, f32x4.mul(a, b1));
                a = v128.load32_splat(ko + rstep);
                x10 = f32x4.add(x10, f32x4.mul(a, b0));
                x11 = f32x4.add(x11, f32x4.mul(a, b1));
                a = v128.load32_splat(ko + 2 * rstep);
                x20 = f32x4.add(x20, f32x4.mul(a, b0));
                x21 = f32x4.add(x21, f32x4.mul(a, b1));
                a = v128.load32_splat(ko + 3 * rstep);
                x30 = f32x4.add(x30, f32x4.mul(a, b0));
                x31 = f32x4.add(x31, f32x4.mul(a, b1));
              }
            }
            const p = c0 + (<usize>j << 2);
            v128.store(p, f32x4.add(v128.load(p), x00)); v128.store(p, f32x4.add(v128.load(p, 16), x01), 16);
            const p1 = p + ldb;
            v128.store(p1, f32x4.add(v128.load(p1), x10)); v128.store(p1, f32x4.add(v128.load(p1, 16), x11), 16);
            const p2 = p1 + ldb;
            v128.store(p2, f32x4.add(v128.load(p2), x20)); v128.store(p2, f32x4.add(v128.load(p2, 16), x21), 16);
            const p3 = p2 + ldb;
            v128.store(p3, f32x4.add(v128.load(p3), x30)); v128.store(p3, f32x4.add(v128.load(p3, 16), x31), 16);
          }
          for (; j < Co4; j += 4) {
            let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
            let b = Wt + (<usize>j << 2);
            for (let sg = 0; sg < segs; sg++) {
              const kz = sg / kh;
              const ky = sg - kz * kh;
              const ar = a0 + <usize>kz * dStride + <usize>ky * hStride;
              for (let k = 0; k < span; k++, b += ldb) {
                const ko = ar + (<usize>k << 2);
                const b0 = v128.load(b);
                x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(ko), b0));
                x1 = f32x4.add(x1, f32x4.mul(v128.load32_splat(ko + rstep), b0));
                x2 = f32x4.add(x2, f32x4.mul(v128.load32_splat(ko + 2 * rstep), b0));
                x3 = f32x4.add(x3, f32x4.mul(v128.load32_splat(ko + 3 * rstep), b0));
              }
            }
            const p = c0 + (<usize>j << 2);
            v128.store(p, f32x4.add(v128.load(p), x0));
            v128.store(p + ldb, f32x4.add(v128.load(p + ldb), x1));
            v128.store(p + 2 * ldb, f32x4.add(v128.load(p + 2 * ldb), x2));
            v128.store(p + 3 * ldb, f32x4.add(v128.load(p + 3 * ldb), x3));
          }
          for (; j < Co; j++) {
            for (let r = 0; r < 4; r++) {
              let acc: f32 = 0;
              let b = Wt + (<usize>j << 2);
              for (let sg = 0; sg < segs; sg++) {
                const kz = sg / kh;
                const ky = sg - kz * kh;
                const ar = a0 + <usize>r * rstep + <usize>kz * dStride + <usize>ky * hStride;
                for (let k = 0; k < span; k++, b += ldb) acc += load<f32>(ar + (<usize>k << 2)) * load<f32>(b);
              }
              const p = c0 + <usize>r * ldb + (<usize>j << 2);
              store<f32>(p, load<f32>(p) + acc);
            }
          }
        }
        for (; ow < oW; ow++) {
          const a0 = base + <usize>ow * rstep;
          const c0 = orow + <usize>ow * ldb;
          let j = 0;
          for (; j < Co4; j += 4) {
            let x0 = f32x4.splat(0);
            let b = Wt + (<usize>j << 2);
            for (let sg = 0; sg < segs; sg++) {
              const kz = sg / kh;
              const ky = sg - kz * kh;
              const ar = a0 + <usize>kz * dStride + <usize>ky * hStride;
              for (let k = 0; k < span; k++, b += ldb) x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(ar + (<usize>k << 2)), v128.load(b)));
            }
            const p = c0 + (<usize>j << 2);
            v128.store(p, f32x4.add(v128.load(p), x0));
          }
          for (; j < Co; j++) {
            let acc: f32 = 0;
            let b = Wt + (<usize>j << 2);
            for (let sg = 0; sg < segs; sg++) {
              const kz = sg / kh;
              const ky = sg - kz * kh;
              const ar = a0 + <usize>kz * dStride + <usize>ky * hStride;
              for (let k = 0; k < span; k++, b += ldb) acc += load<f32>(ar + (<usize>k << 2)) * load<f32>(b);
            }
            const p = c0 + (<usize>j << 2);
            store<f32>(p, load<f32>(p) + acc);
          }
        }
      }
    }
  }
}

/**
 * DW [Kt4, Co] += im2col(X)ᵀ · DY without im2col: Xp from `padInput`; `offs` (i32 [Kt4]) = byte
 * offset of each tap (kz, ky, kx, ci) inside a receptive field of Xp, Kt4 = Kt rounded up to a
 * multiple of 4 (extra taps point anywhere valid; their rows of DW are scratch). Output voxels
 * are taken in blocks of whole output rows (≈ 256 voxels); each tile of 4 taps × 8 (or 4) output
 * channels is accumulated in registers over the block and added to DW once per block.
 */
export function backpropFilterPadded(Xp: usize, DY: usize, DW: usize, Dp: i32, Hp: i32, Wp: i32, offs: usize, Kt4: i32): void {
  const ldb = <usize>Co << 2;
  const rstep = (<usize>sw * <usize>Ci) << 2;
  const hStride = (<usize>Wp * <usize>Ci) << 2;
  const dStride = <usize>Hp * hStride;
  const rowsTotal = N * oD * oH;
  const RB = max(1, 256 / oW);
  const Co8 = Co & ~7;
  const Co4 = Co & ~3;
  const rowB = <usize>oW * ldb;
  for (let r0 = 0; r0 < rowsTotal; r0 += RB) {
    const r1 = min(rowsTotal, r0 + RB);
    for (let i = 0; i < Kt4; i += 4) {
      const o0 = <usize>load<i32>(offs + (<usize>i << 2));
      const o1 = <usize>load<i32>(offs + (<usize>i << 2), 4);
      const o2 = <usize>load<i32>(offs + (<usize>i << 2), 8);
      const o3 = <usize>load<i32>(offs + (<usize>i << 2), 12);
      let j = 0;
      for (; j < Co8; j += 8) {
        let x00 = f32x4.splat(0), x01 = f32x4.splat(0);
        let x10 = f32x4.splat(0), x11 = f32x4.splat(0);
        let x20 = f32x4.splat(0), x21 = f32x4.splat(0);
        let x30 = f32x4.splat(0), x31 = f32x4.splat(0);
        for (let r = r0; r < r1; r++) {
          const oh = r % oH;
          const t = r / oH;
          const od = t % oD;
          const n = t / oD;
          let a = Xp + <usize>(n * Dp + od * sd) * dStride + <usize>(oh * sh) * hStride;
          let b = DY + <usize>r * rowB + (<usize>j << 2);
          for (let ow = 0; ow < oW; ow++, a += rstep, b += ldb) {
            const b0 = v128.load(b);
            const b1 = v128.load(b, 16);
            let av = v128.load32_splat(a + o0);
            x00 = f32x4.add(x00, f32x4.mul(av, b0));
            x01 = f32x4.add(x01, f32x4.mul(av, b1));
            av = v128.load32_splat(a + o1);
            x10 = f32x4.add(x10, f32x4.mul(av, b0));
            x11 = f32x4.add(x11, f32x4.mul(av, b1));
            av = v128.load32_splat(a + o2);
            x20 = f32x4.add(x20, f32x4.mul(av, b0));
            x21 = f32x4.add(x21, f32x4.mul(av, b1));
            av = v128.load32_splat(a + o3);
            x30 = f32x4.add(x30, f32x4.mul(av, b0));
            x31 = f32x4.add(x31, f32x4.mul(av, b1));
          }
        }
        const p = DW + <usize>i * ldb + (<usize>j << 2);
        v128.store(p, f32x4.add(v128.load(p), x00)); v128.store(p, f32x4.add(v128.load(p, 16), x01), 16);
        const p1 = p + ldb;
        v128.store(p1, f32x4.add(v128.load(p1), x10)); v128.store(p1, f32x4.add(v128.load(p1, 16), x11), 16);
        const p2 = p1 + ldb;
        v128.store(p2, f32x4.add(v128.load(p2), x20)); v128.store(p2, f32x4.add(v128.load(p2, 16), x21), 16);
        const p3 = p2 + ldb;
        v128.store(p3, f32x4.add(v128.load(p3), x30)); v128.store(p3, f32x4.add(v128.load(p3, 16), x31), 16);
      }
      for (; j < Co4; j += 4) {
        let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
        for (let r = r0; r < r1; r++) {
          const oh = r % oH;
          const t = r / oH;
          const od = t % oD;
          const n = t / oD;
          let a = Xp + <usize>(n * Dp + od * sd) * dStride + <usize>(oh * sh) * hStride;
          let b = DY + <usize>r * rowB + (<usize>j << 2);
          for (let ow = 0; ow < oW; ow++, a += rstep, b += ldb) {
            const b0 = v128.load(b);
            x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(a + o0), b0));
            x1 = f32x4.add(x1, f32x4.mul(v128.load32_splat(a + o1), b0));
            x2 = f32x4.add(x2, f32x4.mul(v128.load32_splat(a + o2), b0));
            x3 = f32x4.add(x3, f32x4.mul(v128.load32_splat(a + o3), b0));
          }
        }
        const p = DW + <usize>i * ldb + (<usize>j << 2);
        v128.store(p, f32x4.add(v128.load(p), x0));
        v128.store(p + ldb, f32x4.add(v128.load(p + ldb), x1));
        v128.store(p + 2 * ldb, f32x4.add(v128.load(p + 2 * ldb), x2));
        v128.store(p + 3 * ldb, f32x4.add(v128.load(p + 3 * ldb), x3));
      }
      for (; j < Co; j++) {
        for (let ii = 0; ii < 4; ii++) {
          const o = <usize>load<i32>(offs + (<usize>(i + ii) << 2));
          let acc: f32 = 0;
          for (let r = r0; r < r1; r++) {
            const oh = r % oH;
            const t = r / oH;
            const od = t % oD;
            const n = t / oD;
            let a = Xp + <usize>(n * Dp + od * sd) * dStride + <usize>(oh * sh) * hStride + o;
            let b = DY + <usize>r * rowB + (<usize>j << 2);
            for (let ow = 0; ow < oW; ow++, a += rstep, b += ldb) acc += load<f32>(a) * load<f32>(b);
          }
          const p = DW + <usize>(i + ii) * ldb + (<usize>j << 2);
          store<f32>(p, load<f32>(p) + acc);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// narrow outputs (Co ≤ 3) on the padded input: vectorised along each contiguous tap row

@inline function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  // lanes = (Σa, Σb, Σc, Σd)
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 1, 4, 5), v128.shuffle<f32>(a, b, 2, 3, 6, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 1, 4, 5), v128.shuffle<f32>(c, d, 2, 3, 6, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 2, 4, 6), v128.shuffle<f32>(ab, cd, 1, 3, 5, 7));
}

/**
 * O[M, Co] += conv(Xp, ·) for narrow outputs, kernel laid out as WT2 [Co][kd·kh][kw·Ci]: four
 * output voxels at a time share each kernel vector; tap rows are read in place from Xp.
 */
export function forwardPaddedNarrow(Xp: usize, WT2: usize, O: usize, Dp: i32, Hp: i32, Wp: i32): void {
  const span = kw * Ci;
  const span4 = span & ~3;
  const segs = kd * kh;
  const rstep = (<usize>sw * <usize>Ci) << 2;
  const hStride = (<usize>Wp * <usize>Ci) << 2;
  const dStride = <usize>Hp * hStride;
  const ldo = <usize>Co << 2;
  const oW4 = oW & ~3;
  let orow = O;
  for (let n = 0; n < N; n++) {
    for (let od = 0; od < oD; od++) {
      for (let oh = 0; oh < oH; oh++, orow += <usize>oW * ldo) {
        const base = Xp + (<usize>(n * Dp + od * sd) * dStride) + <usize>(oh * sh) * hStride;
        for (let co = 0; co < Co; co++) {
          const wco = WT2 + ((<usize>co * <usize>segs * <usize>span) << 2);
          let ow = 0;
          for (; ow < oW4; ow += 4) {
            const a0 = base + <usize>ow * rstep;
            let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
            let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
            for (let sg = 0; sg < segs; sg++) {
              const kz = sg / kh;
              const ky = sg - kz * kh;
              const ar = a0 + <usize>kz * dStride + <usize>ky * hStride;
              const wr = wco + ((<usize>sg * <usize>span) << 2);
              let k = 0;
              for (; k < span4; k += 4) {
                const ko = <usize>k << 2;
                const wv = v128.load(wr + ko);
                x0 = f32x4.add(x0, f32x4.mul(v128.load(ar + ko), wv));
                x1 = f32x4.add(x1, f32x4.mul(v128.load(ar + rstep + ko), wv));
                x2 = f32x4.add(x2, f32x4.mul(v128.load(ar + 2 * rstep + ko), wv));
                x3 = f32x4.add(x3, f32x4.mul(v128.load(ar + 3 * rstep + ko), wv));
              }
              for (; k < span; k++) {
                const ko = <usize>k << 2;
                const wv = load<f32>(wr + ko);
                s0 += load<f32>(ar + ko) * wv;
                s1 += load<f32>(ar + rstep + ko) * wv;
                s2 += load<f32>(ar + 2 * rstep + ko) * wv;
                s3 += load<f32>(ar + 3 * rstep + ko) * wv;
              }
            }
            const h = hsum4(x0, x1, x2, x3);
            const p = orow + <usize>ow * ldo + (<usize>co << 2);
            store<f32>(p, load<f32>(p) + (f32x4.extract_lane(h, 0) + s0));
            store<f32>(p + ldo, load<f32>(p + ldo) + (f32x4.extract_lane(h, 1) + s1));
            store<f32>(p + 2 * ldo, load<f32>(p + 2 * ldo) + (f32x4.extract_lane(h, 2) + s2));
            store<f32>(p + 3 * ldo, load<f32>(p + 3 * ldo) + (f32x4.extract_lane(h, 3) + s3));
          }
          for (; ow < oW; ow++) {
            const a0 = base + <usize>ow * rstep;
            let x0 = f32x4.splat(0);
            let s0: f32 = 0;
            for (let sg = 0; sg < segs; sg++) {
              const kz = sg / kh;
              const ky = sg - kz * kh;
              const ar = a0 + <usize>kz * dStride + <usize>ky * hStride;
              const wr = wco + ((<usize>sg * <usize>span) << 2);
              let k = 0;
              for (; k < span4; k += 4) x0 = f32x4.add(x0, f32x4.mul(v128.load(ar + (<usize>k << 2)), v128.load(wr + (<usize>k << 2))));
              for (; k < span; k++) s0 += load<f32>(ar + (<usize>k << 2)) * load<f32>(wr + (<usize>k << 2));
            }
            const h = hsum4(x0, x0, x0, x0);
            const p = orow + <usize>ow * ldo + (<usize>co << 2);
            store<f32>(p, load<f32>(p) + (f32x4.extract_lane(h, 0) + s0));
          }
        }
      }
    }
  }
}

/**
 * DW2 [Co][kd·kh][kw·Ci] += Σ over output voxels dy · (tap row of Xp), narrow outputs: for each
 * tap row, chunks of 16 tap values are accumulated in registers over blocks of whole output rows
 * (≈ 256 voxels) and added to DW2 once per block.
 */
export function backpropFilterPaddedNarrow(Xp: usize, DY: usize, DW2: usize, Dp: i32, Hp: i32, Wp: i32): void {
  const span = kw * Ci;
  const segs = kd * kh;
  const rstep = (<usize>sw * <usize>Ci) << 2;
  const hStride = (<usize>Wp * <usize>Ci) << 2;
  const dStride = <usize>Hp * hStride;
  const ldy = <usize>Co << 2;
  const rowsTotal = N * oD * oH;
  const RB = max(1, 256 / oW);
  for (let r0 = 0; r0 < rowsTotal; r0 += RB) {
    const r1 = min(rowsTotal, r0 + RB);
    for (let co = 0; co < Co; co++) {
      for (let sg = 0; sg < segs; sg++) {
        const kz = sg / kh;
        const ky = sg - kz * kh;
        const segOff = <usize>kz * dStride + <usize>ky * hStride;
        const dst = DW2 + ((<usize>(co * segs + sg) * <usize>span) << 2);
        let k0 = 0;
        for (; k0 + 16 <= span; k0 += 16) {
          const ko = <usize>k0 << 2;
          let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
          for (let r = r0; r < r1; r++) {
            const oh = r % oH;
            const t = r / oH;
            const od = t % oD;
            const n = t / oD;
            let a = Xp + <usize>(n * Dp + od * sd) * dStride + <usize>(oh * sh) * hStride + segOff + ko;
            let b = DY + <usize>r * <usize>oW * ldy + (<usize>co << 2);
            for (let ow = 0; ow < oW; ow++, a += rstep, b += ldy) {
              const d = v128.load32_splat(b);
              x0 = f32x4.add(x0, f32x4.mul(d, v128.load(a)));
              x1 = f32x4.add(x1, f32x4.mul(d, v128.load(a, 16)));
              x2 = f32x4.add(x2, f32x4.mul(d, v128.load(a, 32)));
              x3 = f32x4.add(x3, f32x4.mul(d, v128.load(a, 48)));
            }
          }
          const p = dst + ko;
          v128.store(p, f32x4.add(v128.load(p), x0));
          v128.store(p, f32x4.add(v128.load(p, 16), x1), 16);
          v128.store(p, f32x4.add(v128.load(p, 32), x2), 32);
          v128.store(p, f32x4.add(v128.load(p, 48), x3), 48);
        }
        for (; k0 + 4 <= span; k0 += 4) {
          const ko = <usize>k0 << 2;
          let x0 = f32x4.splat(0);
          for (let r = r0; r < r1; r++) {
            const oh = r % oH;
            const t = r / oH;
            const od = t % oD;
            const n = t / oD;
            let a = Xp + <usize>(n * Dp + od * sd) * dStride + <usize>(oh * sh) * hStride + segOff + ko;
            let b = DY + <usize>r * <usize>oW * ldy + (<usize>co << 2);
            for (let ow = 0; ow < oW; ow++, a += rstep, b += ldy) x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(b), v128.load(a)));
          }
          const p = dst + ko;
          v128.store(p, f32x4.add(v128.load(p), x0));
        }
        for (; k0 < span; k0++) {
          const ko = <usize>k0 << 2;
          let acc: f32 = 0;
          for (let r = r0; r < r1; r++) {
            const oh = r % oH;
            const t = r / oH;
            const od = t % oD;
            const n = t / oD;
            let a = Xp + <usize>(n * Dp + od * sd) * dStride + <usize>(oh * sh) * hStride + segOff + ko;
            let b = DY + <usize>r * <usize>oW * ldy + (<usize>co << 2);
            for (let ow = 0; ow < oW; ow++, a += rstep, b += ldy) acc += load<f32>(b) * load<f32>(a);
          }
          const p = dst + ko;
          store<f32>(p, load<f32>(p) + acc);
        }
      }
    }
  }
}

/**
 * Input gradient for narrow inputs (Ci ≤ 4, e.g. the 1-channel image a first layer reads — and
 * so the forward pass of a transposed convolution to 1 channel): for every input voxel and
 * channel, dx = Σ over the taps that reach it of dot(dy[o, :], W[tap, c, :]) — a gather with Co
 * contiguous, instead of dy·Wᵀ (a GEMM with only Ci·taps columns) followed by a scalar col2im
 * scatter. TZ/TY list for every input index along z/y the (tap, output index) pairs that reach
 * it: [count, t0, o0, t1, o1, …] (`tstride` ints per index). Along x, PX lists per stride phase
 * q (input indices ix = q + sw·m) the taps of that phase and their output index at m = 0 (may be
 * out of range: o = o_t + m is checked), so that four voxels of one phase (consecutive m) share
 * every weight vector. WTc is the kernel as [taps][Ci][Co]; DX holds the initial values (zeros or
 * a bias) and is added to.
 */
export function backpropInputNarrowCi(DY: usize, WTc: usize, DX: usize, TZ: usize, TY: usize, PX: usize, tstride: i32): void {
  const Co4 = Co & ~3;
  const ldo = <usize>Co << 2;
  const tapBytes = (<usize>Ci * <usize>Co) << 2;
  const ldx = <usize>Ci << 2;
  for (let n = 0; n < N; n++) {
    const dyN = DY + <usize>n * <usize>(oD * oH * oW) * ldo;
    for (let iz = 0; iz < D; iz++) {
      const tz = TZ + ((<usize>iz * <usize>tstride) << 2);
      const nz = load<i32>(tz);
      for (let iy = 0; iy < H; iy++) {
        const ty = TY + ((<usize>iy * <usize>tstride) << 2);
        const ny = load<i32>(ty);
        const dxRow = DX + <usize>(((n * D + iz) * H + iy) * W) * ldx;
        for (let q = 0; q < sw && q < W; q++) {
          const px = PX + ((<usize>q * <usize>tstride) << 2);
          const nxq = load<i32>(px);
          // interior range of m where every tap's o = o_t + m is inside [0, oW)
          let lo = 0;
          let hi = (W - q + sw - 1) / sw; // number of voxels of this phase
          const M = hi;
          for (let c = 0; c < nxq; c++) {
            const o0 = load<i32>(px + ((<usize>(2 + 2 * c)) << 2));
            if (-o0 > lo) lo = -o0;
            if (oW - o0 < hi) hi = oW - o0;
          }
          if (hi < lo) hi = lo;
          for (let m = 0; m < M; ) {
            const vec = m >= lo && m + 4 <= hi;
            const cnt = vec ? 4 : 1;
            for (let ci = 0; ci < Ci; ci++) {
              let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
              let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
              for (let a = 0; a < nz; a++) {
                const kz = load<i32>(tz + ((<usize>(1 + 2 * a)) << 2));
                const oz = load<i32>(tz + ((<usize>(2 + 2 * a)) << 2));
                for (let b = 0; b < ny; b++) {
                  const ky = load<i32>(ty + ((<usize>(1 + 2 * b)) << 2));
                  const oy = load<i32>(ty + ((<usize>(2 + 2 * b)) << 2));
                  const rowDy = dyN + <usize>((oz * oH + oy) * oW) * ldo;
                  const rowW = WTc + <usize>((kz * kh + ky) * kw) * tapBytes + (<usize>ci * ldo);
                  for (let c = 0; c < nxq; c++) {
                    const kx = load<i32>(px + ((<usize>(1 + 2 * c)) << 2));
                    const ox = load<i32>(px + ((<usize>(2 + 2 * c)) << 2)) + m;
                    const wt = rowW + <usize>kx * tapBytes;
                    if (vec) {
                      const dy = rowDy + <usize>ox * ldo;
                      let k = 0;
                      for (; k < Co4; k += 4) {
                        const ko = <usize>k << 2;
                        const wv = v128.load(wt + ko);
                        a0 = f32x4.add(a0, f32x4.mul(v128.load(dy + ko), wv));
                        a1 = f32x4.add(a1, f32x4.mul(v128.load(dy + ldo + ko), wv));
                        a2 = f32x4.add(a2, f32x4.mul(v128.load(dy + 2 * ldo + ko), wv));
                        a3 = f32x4.add(a3, f32x4.mul(v128.load(dy + 3 * ldo + ko), wv));
                      }
                      for (; k < Co; k++) {
                        const ko = <usize>k << 2;
                        const wv = load<f32>(wt + ko);
                        s0 += load<f32>(dy + ko) * wv;
                        s1 += load<f32>(dy + ldo + ko) * wv;
                        s2 += load<f32>(dy + 2 * ldo + ko) * wv;
                        s3 += load<f32>(dy + 3 * ldo + ko) * wv;
                      }
                    } else if (ox >= 0 && ox < oW) {
                      const dy = rowDy + <usize>ox * ldo;
                      let k = 0;
                      for (; k < Co4; k += 4) a0 = f32x4.add(a0, f32x4.mul(v128.load(dy + (<usize>k << 2)), v128.load(wt + (<usize>k << 2))));
                      for (; k < Co; k++) s0 += load<f32>(dy + (<usize>k << 2)) * load<f32>(wt + (<usize>k << 2));
                    }
                  }
                }
              }
              const h = hsum4(a0, a1, a2, a3);
              const ix0 = q + sw * m;
              const p0 = dxRow + <usize>ix0 * ldx + (<usize>ci << 2);
              store<f32>(p0, load<f32>(p0) + (f32x4.extract_lane(h, 0) + s0));
              if (vec) {
                const st = <usize>sw * ldx;
                store<f32>(p0 + st, load<f32>(p0 + st) + (f32x4.extract_lane(h, 1) + s1));
                store<f32>(p0 + 2 * st, load<f32>(p0 + 2 * st) + (f32x4.extract_lane(h, 2) + s2));
                store<f32>(p0 + 3 * st, load<f32>(p0 + 3 * st) + (f32x4.extract_lane(h, 3) + s3));
              }
            }
            m += cnt;
          }
        }
      }
    }
  }
}
