// AssemblyScript source of radcam's WebAssembly SIMD element-wise kernels (the non-convolution ops
// of a training step), compiled together with assembly/conv.ts into one module by
// assembly/build.mjs. Channels-last data [N, P, C] (P spatial positions). Pointers are byte
// offsets into linear memory laid out by src/kernels/wasm.ts. Deterministic: fixed loop order,
// float64 accumulators for every reduction.
//
// - gnForward / gnBackward: GroupNorm (G groups of C/G consecutive channels), optionally fused
//   with a (leaky) ReLU (act = 1: y > 0 ? y : slope·y; the backward pass recomputes the
//   pre-activation from x and the saved statistics, so it is not stored);
// - leakyForward / leakyBackward: (leaky) ReLU and its gradient (mask from x > 0);
// - upsampleForward / upsampleBackward: nearest-neighbour up-sampling by integer factors;

@inline function f32at(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}

@inline function f64at(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

@inline function setf64(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/** Copy n floats (vectorised when n is a multiple of 4). */
@inline function copyF(dst: usize, src: usize, n: i32): void {
  if ((n & 3) === 0) {
    for (let i = 0; i < n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  } else {
    for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
  }
}

/** s[c] += Σ_p x[p, c] (float64), x [P, C] from `x`. Pairs of channels with f64x2 when C is even. */
function channelSums(x: usize, P: i32, C: i32, s: usize): void {
  if ((C & 1) === 0) {
    const row = <usize>C << 2;
    for (let c = 0; c < C; c += 2) {
      let acc = f64x2.splat(0);
      let q = x + (<usize>c << 2);
      for (let p = 0; p < P; p++, q += row) acc = f64x2.add(acc, f64x2.promote_low_f32x4(v128.load64_zero(q)));
      const sp = s + (<usize>c << 3);
      v128.store(sp, f64x2.add(v128.load(sp), acc));
    }
    return;
  }
  for (let c = 0; c < C; c++) {
    let acc: f64 = 0;
    for (let p = 0, i = c; p < P; p++, i += C) acc += <f64>f32at(x, i);
    setf64(s, c, f64at(s, c) + acc);
  }
}

/** s[c] += Σ_p (x[p, c] − mu[c])² (float64). */
function channelCentredSquares(x: usize, P: i32, C: i32, mu: usize, s: usize): void {
  if ((C & 1) === 0) {
    const row = <usize>C << 2;
    for (let c = 0; c < C; c += 2) {
      let acc = f64x2.splat(0);
      const m = v128.load(mu + (<usize>c << 3));
      let q = x + (<usize>c << 2);
      for (let p = 0; p < P; p++, q += row) {
        const e = f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(q)), m);
        acc = f64x2.add(acc, f64x2.mul(e, e));
      }
      const sp = s + (<usize>c << 3);
      v128.store(sp, f64x2.add(v128.load(sp), acc));
    }
    return;
  }
  for (let c = 0; c < C; c++) {
    let acc: f64 = 0;
    const m = f64at(mu, c);
    for (let p = 0, i = c; p < P; p++, i += C) {
      const e = <f64>f32at(x, i) - m;
      acc += e * e;
    }
    setf64(s, c, f64at(s, c) + acc);
  }
}

/** out[p, c] = act((x[p, c] − sh[c])·sc[c] + b[c]) over [P, C] (f32 per-channel tables). */
function affineAct(x: usize, out: usize, P: i32, C: i32, sh: usize, sc: usize, b: usize, act: i32, slope: f32): void {
  const n = P * C;
  if ((C & 3) === 0) {
    const sl = f32x4.splat(slope);
    const z = f32x4.splat(0);
    for (let i = 0; i < n; i += C) {
      for (let c = 0; c < C; c += 4) {
        const o = <usize>(i + c) << 2;
        const co = <usize>c << 2;
        let y = f32x4.add(f32x4.mul(f32x4.sub(v128.load(x + o), v128.load(sh + co)), v128.load(sc + co)), v128.load(b + co));
        if (act) y = v128.bitselect(y, f32x4.mul(y, sl), f32x4.gt(y, z));
        v128.store(out + o, y);
      }
    }
    return;
  }
  for (let i = 0; i < n; i += C) {
    for (let c = 0; c < C; c++) {
      let y = (f32at(x, i + c) - f32at(sh, c)) * f32at(sc, c) + f32at(b, c);
      if (act && !(y > 0)) y *= slope;
      store<f32>(out + (<usize>(i + c) << 2), y);
    }
  }
}

/**
 * GroupNorm forward over x [N, P, C]: out = act(γ·(x − μ)/σ + β), σ = √(var + eps), biased
 * variance over the P·C/G values of a group (two passes: mean, then centred second moment).
 * Writes mean and rstd (float64 [N·G]) for the backward pass. `scratch`: 2·C f64 + 3·C f32.
 */
export function gnForward(
  X: usize, gamma: usize, beta: usize, N: i32, P: i32, C: i32, G: i32, eps: f64,
  act: i32, slope: f32, OUT: usize, mean: usize, rstd: usize, scratch: usize,
): void {
  const Cg = C / G;
  const M = <f64>P * <f64>Cg;
  const s = scratch; // f64 [C]
  const mu = s + (<usize>C << 3); // f64 [C]
  const sh = mu + (<usize>C << 3); // f32 [C]
  const sc = sh + (<usize>C << 2); // f32 [C]
  for (let n = 0; n < N; n++) {
    const x = X + ((<usize>n * <usize>P * <usize>C) << 2);
    const o = OUT + ((<usize>n * <usize>P * <usize>C) << 2);
    memory.fill(s, 0, <usize>C << 3);
    channelSums(x, P, C, s);
    for (let g = 0; g < G; g++) {
      let t: f64 = 0;
      for (let c = g * Cg; c < (g + 1) * Cg; c++) t += f64at(s, c);
      const m = t / M;
      setf64(mean, n * G + g, m);
      for (let c = g * Cg; c < (g + 1) * Cg; c++) setf64(mu, c, m);
    }
    memory.fill(s, 0, <usize>C << 3);
    channelCentredSquares(x, P, C, mu, s);
    for (let g = 0; g < G; g++) {
      let v: f64 = 0;
      for (let c = g * Cg; c < (g + 1) * Cg; c++) v += f64at(s, c);
      const r = 1 / Math.sqrt(v / M + eps);
      setf64(rstd, n * G + g, r);
      for (let c = g * Cg; c < (g + 1) * Cg; c++) {
        store<f32>(sc + (<usize>c << 2), <f32>(r * <f64>f32at(gamma, c)));
        store<f32>(sh + (<usize>c << 2), <f32>f64at(mu, c));
      }
    }
    affineAct(x, o, P, C, sh, sc, beta, act, slope);
  }
}

/**
 * GroupNorm backward (fused activation when act = 1: the incoming gradient is first multiplied by
 * the activation's derivative at the recomputed pre-activation y = (x − μ)·r·γ + β).
 * x̂ = (x − μ)·r; with g the gradient at the GroupNorm output:
 * dx = r·(γ·g − mean(γ·g) − x̂·mean(γ·g·x̂)) over each group; dγ = Σ g·x̂, dβ = Σ g.
 * DX may not alias DY. dgamma, dbeta: f64 [C] (accumulated, zeroed by the caller).
 * `scratch`: 2·C f64 + 6·C f32.
 */
export function gnBackward(
  X: usize, gamma: usize, beta: usize, mean: usize, rstd: usize, DY: usize, N: i32, P: i32, C: i32, G: i32,
  act: i32, slope: f32, DX: usize, dgamma: usize, dbeta: usize, scratch: usize,
): void {
  const Cg = C / G;
  const M = <f64>P * <f64>Cg;
  const sd = scratch; // f64 [C]: Σ g
  const sdx = sd + (<usize>C << 3); // f64 [C]: Σ g·x
  const ta = sdx + (<usize>C << 3); // f32 [C] ×6
  const tb = ta + (<usize>C << 2);
  const tk = tb + (<usize>C << 2);
  const tm = tk + (<usize>C << 2);
  const tsc = tm + (<usize>C << 2);
  const tbe = tsc + (<usize>C << 2);
  const n4 = (C & 3) === 0;
  const sl = f32x4.splat(slope);
  const z = f32x4.splat(0);
  for (let n = 0; n < N; n++) {
    const off = (<usize>n * <usize>P * <usize>C) << 2;
    const x = X + off;
    const dy = DY + off;
    const dx = DX + off;
    const PC = P * C;
    // g (the gradient at the GroupNorm output) into dx
    if (act) {
      for (let g = 0; g < G; g++) {
        const m = f64at(mean, n * G + g);
        const r = f64at(rstd, n * G + g);
        for (let c = g * Cg; c < (g + 1) * Cg; c++) {
          store<f32>(tm + (<usize>c << 2), <f32>m);
          store<f32>(tsc + (<usize>c << 2), <f32>(r * <f64>f32at(gamma, c)));
          store<f32>(tbe + (<usize>c << 2), f32at(beta, c));
        }
      }
      if (n4) {
        for (let i = 0; i < PC; i += C) {
          for (let c = 0; c < C; c += 4) {
            const o = <usize>(i + c) << 2;
            const co = <usize>c << 2;
            const y = f32x4.add(f32x4.mul(f32x4.sub(v128.load(x + o), v128.load(tm + co)), v128.load(tsc + co)), v128.load(tbe + co));
            const d = v128.load(dy + o);
            v128.store(dx + o, v128.bitselect(d, f32x4.mul(d, sl), f32x4.gt(y, z)));
          }
        }
      } else {
        for (let i = 0; i < PC; i += C) {
          for (let c = 0; c < C; c++) {
            const y = (f32at(x, i + c) - f32at(tm, c)) * f32at(tsc, c) + f32at(tbe, c);
            const d = f32at(dy, i + c);
            store<f32>(dx + (<usize>(i + c) << 2), y > 0 ? d : d * slope);
          }
        }
      }
    } else {
      memory.copy(dx, dy, <usize>PC << 2);
    }
    // per-channel Σ g and Σ g·x (float64)
    memory.fill(sd, 0, <usize>C << 4);
    if ((C & 1) === 0) {
      const row = <usize>C << 2;
      for (let c = 0; c < C; c += 2) {
        let a1 = f64x2.splat(0);
        let a2 = f64x2.splat(0);
        let q = <usize>c << 2;
        for (let p = 0; p < P; p++, q += row) {
          const gv = f64x2.promote_low_f32x4(v128.load64_zero(dx + q));
          a1 = f64x2.add(a1, gv);
          a2 = f64x2.add(a2, f64x2.mul(gv, f64x2.promote_low_f32x4(v128.load64_zero(x + q))));
        }
        v128.store(sd + (<usize>c << 3), a1);
        v128.store(sdx + (<usize>c << 3), a2);
      }
    } else {
      for (let c = 0; c < C; c++) {
        let a1: f64 = 0;
        let a2: f64 = 0;
        for (let p = 0, i = c; p < P; p++, i += C) {
          const gv = <f64>f32at(dx, i);
          a1 += gv;
          a2 += gv * <f64>f32at(x, i);
        }
        setf64(sd, c, a1);
        setf64(sdx, c, a2);
      }
    }
    for (let g = 0; g < G; g++) {
      const mu = f64at(mean, n * G + g);
      const r = f64at(rstd, n * G + g);
      let s1: f64 = 0;
      let s2: f64 = 0;
      for (let c = g * Cg; c < (g + 1) * Cg; c++) {
        const dxh = r * (f64at(sdx, c) - mu * f64at(sd, c)); // Σ g·x̂
        setf64(dgamma, c, f64at(dgamma, c) + dxh);
        setf64(dbeta, c, f64at(dbeta, c) + f64at(sd, c));
        const gm = <f64>f32at(gamma, c);
        s1 += gm * f64at(sd, c);
        s2 += gm * dxh;
      }
      const m1 = s1 / M;
      const m2 = s2 / M;
      for (let c = g * Cg; c < (g + 1) * Cg; c++) {
        store<f32>(ta + (<usize>c << 2), <f32>(r * <f64>f32at(gamma, c)));
        store<f32>(tb + (<usize>c << 2), <f32>(-r * r * m2));
        store<f32>(tk + (<usize>c << 2), <f32>(-r * m1));
        store<f32>(tm + (<usize>c << 2), <f32>mu);
      }
    }
    // dx = a·g + b·(x − μ) + k (in place over g)
    if (n4) {
      for (let i = 0; i < PC; i += C) {
        for (let c = 0; c < C; c += 4) {
          const o = <usize>(i + c) << 2;
          const co = <usize>c << 2;
          const v = f32x4.add(
            f32x4.add(f32x4.mul(v128.load(ta + co), v128.load(dx + o)), f32x4.mul(v128.load(tb + co), f32x4.sub(v128.load(x + o), v128.load(tm + co)))),
            v128.load(tk + co),
          );
          v128.store(dx + o, v);
        }
      }
    } else {
      for (let i = 0; i < PC; i += C) {
        for (let c = 0; c < C; c++) {
          const o = <usize>(i + c) << 2;
          store<f32>(dx + o, f32at(ta, c) * load<f32>(dx + o) + f32at(tb, c) * (load<f32>(x + o) - f32at(tm, c)) + f32at(tk, c));
        }
      }
    }
  }
}

/** out = x > 0 ? x : slope·x (x < 0 → slope·x, as tfjs; 0 stays 0). */
export function leakyForward(X: usize, OUT: usize, n: i32, slope: f32): void {
  const sl = f32x4.splat(slope);
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(X + o);
    v128.store(OUT + o, v128.bitselect(f32x4.mul(v, sl), v, f32x4.lt(v, z)));
  }
  for (; i < n; i++) {
    const v = f32at(X, i);
    store<f32>(OUT + (<usize>i << 2), v < 0 ? v * slope : v);
  }
}

/** dx = x > 0 ? dy : slope·dy. */
export function leakyBackward(X: usize, DY: usize, DX: usize, n: i32, slope: f32): void {
  const sl = f32x4.splat(slope);
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const d = v128.load(DY + o);
    v128.store(DX + o, v128.bitselect(d, f32x4.mul(d, sl), f32x4.gt(v128.load(X + o), z)));
  }
  for (; i < n; i++) {
    const d = f32at(DY, i);
    store<f32>(DX + (<usize>i << 2), f32at(X, i) > 0 ? d : d * slope);
  }
}

/**
 * Nearest up-sampling of X [N, D, H, W, C] by (fd, f, f) into OUT [N, fd·D, f·H, f·W, C]: each fine
 * row is built once, then copied to the other rows of its block.
 */
export function upsampleForward(X: usize, OUT: usize, N: i32, D: i32, H: i32, W: i32, C: i32, fd: i32, f: i32): void {
  const oH = H * f;
  const rowBytes = (<usize>(W * f * C)) << 2;
  const cBytes = <usize>C << 2;
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < D; d++) {
      for (let h = 0; h < H; h++) {
        const src = X + ((<usize>(((n * D + d) * H + h) * W * C)) << 2);
        const od0 = (n * D + d) * fd;
        const row0 = OUT + (<usize>((od0 * oH + h * f) * W * f * C) << 2);
        let q = row0;
        for (let w = 0; w < W; w++) {
          const s = src + (<usize>(w * C) << 2);
          for (let r = 0; r < f; r++, q += cBytes) copyF(q, s, C);
        }
        for (let r = 1; r < f; r++) memory.copy(row0 + <usize>r * rowBytes, row0, rowBytes);
        for (let e = 1; e < fd; e++) {
          const dst = OUT + (<usize>(((od0 + e) * oH + h * f) * W * f * C) << 2);
          memory.copy(dst, row0, rowBytes * <usize>f);
        }
      }
    }
  }
}

/** DX [N, D, H, W, C] (zeroed by the caller) += Σ over each (fd, f, f) block of DY. */
export function upsampleBackward(DY: usize, DX: usize, N: i32, D: i32, H: i32, W: i32, C: i32, fd: i32, f: i32): void {
  const oD = D * fd;
  const oH = H * f;
  const oW = W * f;
  const c4 = (C & 3) === 0;
  let q = DY;
  for (let n = 0; n < N; n++) {
    for (let od = 0; od < oD; od++) {
      const d = od / fd;
      for (let oh = 0; oh < oH; oh++) {
        const h = oh / f;
        const row = DX + (<usize>(((n * D + d) * H + h) * W * C) << 2);
        for (let w = 0; w < W; w++) {
          const dst = row + (<usize>(w * C) << 2);
          for (let r = 0; r < f; r++) {
            if (c4) {
              for (let c = 0; c < C; c += 4) {
                const p = dst + (<usize>c << 2);
                v128.store(p, f32x4.add(v128.load(p), v128.load(q + (<usize>c << 2))));
              }
            } else {
              for (let c = 0; c < C; c++) {
                const p = dst + (<usize>c << 2);
                store<f32>(p, load<f32>(p) + load<f32>(q + (<usize>c << 2)));
              }
            }
            q += <usize>C << 2;
          }
        }
      }
    }
  }
  void oW;
}

/**
 * One Adam update of n parameters, in place on M, V and X (tfjs' AdamOptimizer op order, every
 * operation in float32: IEEE single-precision +, ·, /, √ are correctly rounded, which is what
 * tfjs-cpu's float64-then-store-float32 ops give for each single operation):
 *   m = b1·m + omb1·g;  v = b2·v + omb2·(g·g);
 *   x = (m/oma1) / (√(v/oma2) + eps) · nlr + x.
 */
export function adamUpdate(G: usize, M: usize, V: usize, X: usize, n: i32, b1: f32, b2: f32, omb1: f32, omb2: f32, oma1: f32, oma2: f32, eps: f32, nlr: f32): void {
  const vb1 = f32x4.splat(b1);
  const vb2 = f32x4.splat(b2);
  const vo1 = f32x4.splat(omb1);
  const vo2 = f32x4.splat(omb2);
  const va1 = f32x4.splat(oma1);
  const va2 = f32x4.splat(oma2);
  const ve = f32x4.splat(eps);
  const vl = f32x4.splat(nlr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(G + o);
    const m = f32x4.add(f32x4.mul(v128.load(M + o), vb1), f32x4.mul(g, vo1));
    const v = f32x4.add(f32x4.mul(v128.load(V + o), vb2), f32x4.mul(f32x4.mul(g, g), vo2));
    v128.store(M + o, m);
    v128.store(V + o, v);
    const den = f32x4.add(f32x4.sqrt(f32x4.div(v, va2)), ve);
    v128.store(X + o, f32x4.add(f32x4.mul(f32x4.div(f32x4.div(m, va1), den), vl), v128.load(X + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(G + o);
    const m = load<f32>(M + o) * b1 + g * omb1;
    const v = load<f32>(V + o) * b2 + g * g * omb2;
    store<f32>(M + o, m);
    store<f32>(V + o, v);
    const den = Mathf.sqrt(v / oma2) + eps;
    store<f32>(X + o, ((m / oma1) / den) * nlr + load<f32>(X + o));
  }
}

/** out = max(x, 0) (NaN stays NaN, −0 → +0: Math.max(0, x) as tfjs' ReLU). */
export function reluForward(X: usize, OUT: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(X + o);
    // v > 0 → v; NaN → v; else +0
    v128.store(OUT + o, v128.bitselect(v, z, v128.or(f32x4.gt(v, z), f32x4.ne(v, v))));
  }
  for (; i < n; i++) {
    const v = load<f32>(X + (<usize>i << 2));
    store<f32>(OUT + (<usize>i << 2), v > 0 || v != v ? v : 0);
  }
}

/**
 * Per-channel sums of channels-last data D [R, C] (the gradient of a bias) into OUT [C] (f32),
 * accumulated in float64 in row order.
 */
export function biasGradient(D: usize, R: i32, C: i32, ACC: usize, OUT: usize): void {
  for (let c = 0; c < C; c++) store<f64>(ACC + (<usize>c << 3), 0);
  if (C === 1) {
    let a0: f64 = 0;
    let a1: f64 = 0;
    let i = 0;
    for (; i + 2 <= R; i += 2) {
      a0 += <f64>load<f32>(D + (<usize>i << 2));
      a1 += <f64>load<f32>(D + (<usize>(i + 1) << 2));
    }
    if (i < R) a0 += <f64>load<f32>(D + (<usize>i << 2));
    store<f32>(OUT, <f32>(a0 + a1));
    return;
  }
  if ((C & 3) === 0) {
    for (let r = 0; r < R; r++) {
      const row = D + (<usize>(r * C) << 2);
      for (let c = 0; c < C; c += 4) {
        const v = v128.load(row + (<usize>c << 2));
        const p = ACC + (<usize>c << 3);
        v128.store(p, f64x2.add(v128.load(p), f64x2.promote_low_f32x4(v)));
        v128.store(p + 16, f64x2.add(v128.load(p + 16), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1))));
      }
    }
  } else {
    for (let r = 0; r < R; r++) {
      const row = D + (<usize>(r * C) << 2);
      for (let c = 0; c < C; c++) {
        const p = ACC + (<usize>c << 3);
        store<f64>(p, load<f64>(p) + <f64>load<f32>(row + (<usize>c << 2)));
      }
    }
  }
  for (let c = 0; c < C; c++) store<f32>(OUT + (<usize>c << 2), <f32>load<f64>(ACC + (<usize>c << 3)));
}

/**
 * Mean squared error: returns Σ (a − b)² / n (float64 accumulation, 4 interleaved partial sums:
 * fixed order); with `grad` ≠ 0 also writes GA = (a − b)·g.
 */
export function mseForwardGrad(A: usize, B: usize, n: i32, GA: usize, g: f32, grad: i32): f64 {
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  let i = 0;
  const vg = f32x4.splat(g);
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const e = f32x4.sub(v128.load(A + o), v128.load(B + o));
    if (grad) v128.store(GA + o, f32x4.mul(e, vg));
    const lo = f64x2.promote_low_f32x4(e);
    const hi = f64x2.promote_low_f32x4(i32x4.shuffle(e, e, 2, 3, 0, 1));
    const l2 = f64x2.mul(lo, lo);
    const h2 = f64x2.mul(hi, hi);
    s0 += f64x2.extract_lane(l2, 0);
    s1 += f64x2.extract_lane(l2, 1);
    s2 += f64x2.extract_lane(h2, 0);
    s3 += f64x2.extract_lane(h2, 1);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const e = load<f32>(A + o) - load<f32>(B + o);
    if (grad) store<f32>(GA + o, e * g);
    s0 += <f64>e * <f64>e;
  }
  return (s0 + s1 + s2 + s3) / <f64>n;
}
