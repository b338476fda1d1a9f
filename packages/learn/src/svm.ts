/**
 * Support vector machines (C-SVC) trained by SMO with the second-order working-set selection of
 * Fan, Chen & Lin (JMLR 2005) — the algorithm of LIBSVM — on a precomputed kernel matrix
 * (fine for the few hundred samples of a radiomics cohort). Kernels: linear and RBF.
 * Probabilities by Platt scaling (Platt 1999, with the Newton method of Lin, Lin & Weng 2007)
 * fitted on internal cross-validated decision values, as LIBSVM does.
 */
import { RadcamError, createRng } from '@radcam/core';
import { type DenseMatrix, type Labels, type MatrixInput, assertBothClasses, toDenseMatrix, toLabels } from './matrix.js';

export interface SvmOptions {
  kernel?: 'linear' | 'rbf';
  /** Box constraint (default 1). */
  C?: number;
  /** RBF width: K = exp(−γ‖x − x'‖²). `'scale'` (default) = 1 / (p · Var(X)). */
  gamma?: number | 'scale';
  /** 'balanced' scales C per class by n / (2 nₖ). */
  classWeight?: 'balanced' | null;
  /** KKT tolerance (default 1e-3, LIBSVM's). */
  tol?: number;
  maxIter?: number;
  /**
   * Platt-scaled probabilities from `plattFolds`-fold internal CV decision values (default true).
   * With false, `predictProba` returns σ(decision value): monotone (same AUC), not calibrated.
   */
  probability?: boolean;
  plattFolds?: number;
  seed?: number;
}

export interface SvmModel {
  kind: 'svm';
  kernel: 'linear' | 'rbf';
  C: number;
  gamma: number;
  /** Decision f(x) = Σ coefᵢ K(svᵢ, x) − rho. */
  rho: number;
  /** Linear kernel: the primal weight vector. */
  w?: Float64Array;
  /** RBF: support vectors (row-major, nSv × p) and their coefficients αᵢyᵢ. */
  sv?: Float64Array;
  svCoef?: Float64Array;
  nFeatures: number;
  nSupport: number;
  iterations: number;
  /** Platt sigmoid P(y=1|f) = 1 / (1 + exp(A f + B)); absent without probability. */
  plattA?: number;
  plattB?: number;
}

function kernelMatrix(X: DenseMatrix, kernel: 'linear' | 'rbf', gamma: number): Float64Array {
  const { rows: n, cols: p, data } = X;
  const K = new Float64Array(n * n);
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < p; k++) s += data[i * p + k]! ** 2;
    sq[i] = s;
  }
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      const oi = i * p;
      const oj = j * p;
      for (let k = 0; k < p; k++) s += data[oi + k]! * data[oj + k]!;
      const v = kernel === 'linear' ? s : Math.exp(-gamma * Math.max(0, sq[i]! + sq[j]! - 2 * s));
      K[i * n + j] = v;
      K[j * n + i] = v;
    }
  }
  return K;
}

interface SmoResult {
  alpha: Float64Array;
  rho: number;
  iterations: number;
}

/** SMO on the dual: min ½αᵀQα − eᵀα, 0 ≤ αᵢ ≤ Cᵢ, yᵀα = 0, Qᵢⱼ = yᵢyⱼKᵢⱼ (yᵢ ∈ ±1). */
function smo(K: Float64Array, ys: Int8Array, Cs: Float64Array, tol: number, maxIter: number): SmoResult {
  const n = ys.length;
  const alpha = new Float64Array(n);
  const G = new Float64Array(n).fill(-1);
  const TAU = 1e-12;
  let iter = 0;
  for (; iter < maxIter; iter++) {
    // Select i: maximal violating −yₜ∇fₜ over I_up.
    let Gmax = -Infinity;
    let i = -1;
    for (let t = 0; t < n; t++) {
      if (ys[t] === 1) {
        if (alpha[t]! < Cs[t]! && -G[t]! >= Gmax) {
          Gmax = -G[t]!;
          i = t;
        }
      } else if (alpha[t]! > 0 && G[t]! >= Gmax) {
        Gmax = G[t]!;
        i = t;
      }
    }
    let Gmax2 = -Infinity;
    let j = -1;
    let objMin = Infinity;
    const Kii = i >= 0 ? K[i * n + i]! : 0;
    for (let t = 0; t < n; t++) {
      if (ys[t] === 1) {
        if (alpha[t]! > 0) {
          const gd = Gmax + G[t]!;
          if (G[t]! >= Gmax2) Gmax2 = G[t]!;
          if (gd > 0 && i >= 0) {
            const quad = Kii + K[t * n + t]! - 2 * K[i * n + t]!;
            const od = -(gd * gd) / (quad > 0 ? quad : TAU);
            if (od <= objMin) {
              j = t;
              objMin = od;
            }
          }
        }
      } else if (alpha[t]! < Cs[t]!) {
        const gd = Gmax - G[t]!;
        if (-G[t]! >= Gmax2) Gmax2 = -G[t]!;
        if (gd > 0 && i >= 0) {
          const quad = Kii + K[t * n + t]! - 2 * K[i * n + t]!;
          const od = -(gd * gd) / (quad > 0 ? quad : TAU);
          if (od <= objMin) {
            j = t;
            objMin = od;
          }
        }
      }
    }
    if (Gmax + Gmax2 < tol || i < 0 || j < 0) break;

    const yi = ys[i]!;
    const yj = ys[j]!;
    const Ci = Cs[i]!;
    const Cj = Cs[j]!;
    const Kij = K[i * n + j]!;
    const Kjj = K[j * n + j]!;
    const oldAi = alpha[i]!;
    const oldAj = alpha[j]!;
    let ai = oldAi;
    let aj = oldAj;
    if (yi !== yj) {
      let quad = Kii + Kjj + 2 * (yi * yj * Kij);
      if (quad <= 0) quad = TAU;
      const delta = (-G[i]! - G[j]!) / quad;
      const diff = ai - aj;
      ai += delta;
      aj += delta;
      if (diff > 0) {
        if (aj < 0) {
          aj = 0;
          ai = diff;
        }
      } else if (ai < 0) {
        ai = 0;
        aj = -diff;
      }
      if (diff > Ci - Cj) {
        if (ai > Ci) {
          ai = Ci;
          aj = Ci - diff;
        }
      } else if (aj > Cj) {
        aj = Cj;
        ai = Cj + diff;
      }
    } else {
      let quad = Kii + Kjj - 2 * (yi * yj * Kij);
      if (quad <= 0) quad = TAU;
      const delta = (G[i]! - G[j]!) / quad;
      const sum = ai + aj;
      ai -= delta;
      aj += delta;
      if (sum > Ci) {
        if (ai > Ci) {
          ai = Ci;
          aj = sum - Ci;
        }
      } else if (aj < 0) {
        aj = 0;
        ai = sum;
      }
      if (sum > Cj) {
        if (aj > Cj) {
          aj = Cj;
          ai = sum - Cj;
        }
      } else if (ai < 0) {
        ai = 0;
        aj = sum;
      }
    }
    alpha[i] = ai;
    alpha[j] = aj;
    const dai = ai - oldAi;
    const daj = aj - oldAj;
    for (let t = 0; t < n; t++) {
      G[t]! += ys[t]! * (yi * K[i * n + t]! * dai + yj * K[j * n + t]! * daj);
    }
  }
  // rho (LIBSVM calculate_rho): mean of yG over free α, else midpoint of bounds.
  let ub = Infinity;
  let lb = -Infinity;
  let nFree = 0;
  let sumFree = 0;
  for (let t = 0; t < n; t++) {
    const yG = ys[t]! * G[t]!;
    const atUpper = alpha[t]! >= Cs[t]!;
    const atLower = alpha[t]! <= 0;
    if (atUpper) {
      if (ys[t] === -1) ub = Math.min(ub, yG);
      else lb = Math.max(lb, yG);
    } else if (atLower) {
      if (ys[t] === 1) ub = Math.min(ub, yG);
      else lb = Math.max(lb, yG);
    } else {
      nFree++;
      sumFree += yG;
    }
  }
  const rho = nFree > 0 ? sumFree / nFree : (ub + lb) / 2;
  return { alpha, rho, iterations: iter };
}

function resolveGamma(X: DenseMatrix, gamma: number | 'scale' | undefined): number {
  if (typeof gamma === 'number') {
    if (!(gamma > 0)) throw new RadcamError('E_INVALID_ARGUMENT', 'gamma must be > 0', { found: String(gamma) });
    return gamma;
  }
  const d = X.data;
  let m = 0;
  for (let k = 0; k < d.length; k++) m += d[k]!;
  m /= d.length;
  let v = 0;
  for (let k = 0; k < d.length; k++) v += (d[k]! - m) ** 2;
  v /= d.length;
  return v > 0 ? 1 / (X.cols * v) : 1;
}

function trainCore(X: DenseMatrix, y: Uint8Array, kernel: 'linear' | 'rbf', C: number, gamma: number, options: SvmOptions): SvmModel {
  const n = X.rows;
  const p = X.cols;
  const K = kernelMatrix(X, kernel, gamma);
  const ys = new Int8Array(n);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    ys[i] = y[i] ? 1 : -1;
    pos += y[i]!;
  }
  const Cs = new Float64Array(n).fill(C);
  if (options.classWeight === 'balanced') {
    for (let i = 0; i < n; i++) Cs[i] = C * (y[i] ? n / (2 * pos) : n / (2 * (n - pos)));
  }
  const res = smo(K, ys, Cs, options.tol ?? 1e-3, options.maxIter ?? Math.max(10_000_000, 100 * n));
  let nSv = 0;
  for (let i = 0; i < n; i++) if (res.alpha[i]! > 0) nSv++;
  const model: SvmModel = {
    kind: 'svm',
    kernel,
    C,
    gamma,
    rho: res.rho,
    nFeatures: p,
    nSupport: nSv,
    iterations: res.iterations,
  };
  if (kernel === 'linear') {
    const w = new Float64Array(p);
    for (let i = 0; i < n; i++) {
      const c = res.alpha[i]! * ys[i]!;
      if (c === 0) continue;
      for (let k = 0; k < p; k++) w[k]! += c * X.data[i * p + k]!;
    }
    model.w = w;
  } else {
    const sv = new Float64Array(nSv * p);
    const coef = new Float64Array(nSv);
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (res.alpha[i]! > 0) {
        sv.set(X.data.subarray(i * p, i * p + p), s * p);
        coef[s] = res.alpha[i]! * ys[i]!;
        s++;
      }
    }
    model.sv = sv;
    model.svCoef = coef;
  }
  return model;
}

/** Decision values f(x) (positive ⇒ class 1). */
export function svmDecision(model: SvmModel, Xin: MatrixInput): Float64Array {
  const X = toDenseMatrix(Xin);
  const p = model.nFeatures;
  if (X.cols !== p) {
    throw new RadcamError('E_DATA_SIZE_MISMATCH', 'feature count differs from the fitted model', {
      expected: String(p),
      found: String(X.cols),
    });
  }
  const out = new Float64Array(X.rows);
  const d = X.data;
  if (model.kernel === 'linear') {
    const w = model.w!;
    for (let i = 0; i < X.rows; i++) {
      let s = -model.rho;
      for (let k = 0; k < p; k++) s += w[k]! * d[i * p + k]!;
      out[i] = s;
    }
  } else {
    const sv = model.sv!;
    const coef = model.svCoef!;
    const g = model.gamma;
    for (let i = 0; i < X.rows; i++) {
      let s = -model.rho;
      for (let v = 0; v < coef.length; v++) {
        let dist = 0;
        for (let k = 0; k < p; k++) {
          const t = d[i * p + k]! - sv[v * p + k]!;
          dist += t * t;
        }
        s += coef[v]! * Math.exp(-g * dist);
      }
      out[i] = s;
    }
  }
  return out;
}

/**
 * Platt's sigmoid fit P(y=1|f) = 1/(1+exp(A f + B)) with regularised targets, by the Newton
 * method with backtracking of Lin, Lin & Weng (Machine Learning 68:267–276, 2007).
 */
export function fitPlatt(dec: ArrayLike<number>, y: ArrayLike<number>): { A: number; B: number } {
  const l = dec.length;
  let prior1 = 0;
  for (let i = 0; i < l; i++) prior1 += y[i] === 1 ? 1 : 0;
  const prior0 = l - prior1;
  const hiTarget = (prior1 + 1) / (prior1 + 2);
  const loTarget = 1 / (prior0 + 2);
  const t = new Float64Array(l);
  for (let i = 0; i < l; i++) t[i] = y[i] === 1 ? hiTarget : loTarget;
  let A = 0;
  let B = Math.log((prior0 + 1) / (prior1 + 1));
  const minStep = 1e-10;
  const sigma = 1e-12;
  const eps = 1e-5;
  const fval = (a: number, b: number): number => {
    let f = 0;
    for (let i = 0; i < l; i++) {
      const fApB = dec[i]! * a + b;
      f += fApB >= 0 ? t[i]! * fApB + Math.log(1 + Math.exp(-fApB)) : (t[i]! - 1) * fApB + Math.log(1 + Math.exp(fApB));
    }
    return f;
  };
  let f = fval(A, B);
  for (let it = 0; it < 100; it++) {
    let h11 = sigma;
    let h22 = sigma;
    let h21 = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < l; i++) {
      const fApB = dec[i]! * A + B;
      let p: number;
      let q: number;
      if (fApB >= 0) {
        p = Math.exp(-fApB) / (1 + Math.exp(-fApB));
        q = 1 / (1 + Math.exp(-fApB));
      } else {
        p = 1 / (1 + Math.exp(fApB));
        q = Math.exp(fApB) / (1 + Math.exp(fApB));
      }
      const d2 = p * q;
      h11 += dec[i]! * dec[i]! * d2;
      h22 += d2;
      h21 += dec[i]! * d2;
      const d1 = t[i]! - p;
      g1 += dec[i]! * d1;
      g2 += d1;
    }
    if (Math.abs(g1) < eps && Math.abs(g2) < eps) break;
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det;
    const dB = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * dA + g2 * dB;
    let step = 1;
    while (step >= minStep) {
      const nA = A + step * dA;
      const nB = B + step * dB;
      const nf = fval(nA, nB);
      if (nf < f + 0.0001 * step * gd) {
        A = nA;
        B = nB;
        f = nf;
        break;
      }
      step /= 2;
    }
    if (step < minStep) break;
  }
  return { A, B };
}

/** Train a C-SVC. Labels 0/1. */
export function fitSvm(Xin: MatrixInput, yin: Labels, options: SvmOptions = {}): SvmModel {
  const X = toDenseMatrix(Xin);
  const y = toLabels(yin, X.rows);
  assertBothClasses(y);
  const kernel = options.kernel ?? 'linear';
  const C = options.C ?? 1;
  if (!(C > 0)) throw new RadcamError('E_INVALID_ARGUMENT', 'C must be > 0', { found: String(C) });
  const gamma = kernel === 'rbf' ? resolveGamma(X, options.gamma ?? 'scale') : 0;
  const model = trainCore(X, y, kernel, C, gamma, options);
  if (options.probability ?? true) {
    const folds = Math.min(options.plattFolds ?? 5, X.rows);
    const dec = new Float64Array(X.rows);
    // Stratified random split (seeded) for the internal decision values.
    const rng = createRng(options.seed ?? 0);
    const idx0: number[] = [];
    const idx1: number[] = [];
    for (let i = 0; i < X.rows; i++) (y[i] ? idx1 : idx0).push(i);
    rng.shuffle(idx0);
    rng.shuffle(idx1);
    const fold = new Int32Array(X.rows);
    idx0.forEach((i, k) => (fold[i] = k % folds));
    idx1.forEach((i, k) => (fold[i] = (k + idx0.length) % folds));
    let ok = true;
    for (let f = 0; f < folds && ok; f++) {
      const tr: number[] = [];
      const te: number[] = [];
      for (let i = 0; i < X.rows; i++) (fold[i] === f ? te : tr).push(i);
      const ytr = Uint8Array.from(tr, (i) => y[i]!);
      let pos = 0;
      for (const v of ytr) pos += v;
      if (te.length === 0) continue;
      if (pos === 0 || pos === ytr.length) {
        ok = false;
        break;
      }
      const Xtr: DenseMatrix = { data: gather(X, tr), rows: tr.length, cols: X.cols };
      const Xte: DenseMatrix = { data: gather(X, te), rows: te.length, cols: X.cols };
      const m = trainCore(Xtr, ytr, kernel, C, gamma, options);
      const d = svmDecision(m, Xte);
      te.forEach((i, k) => (dec[i] = d[k]!));
    }
    const { A, B } = ok ? fitPlatt(dec, y) : fitPlatt(svmDecision(model, X), y);
    model.plattA = A;
    model.plattB = B;
  }
  return model;
}

function gather(X: DenseMatrix, idx: number[]): Float64Array {
  const p = X.cols;
  const out = new Float64Array(idx.length * p);
  idx.forEach((i, r) => out.set(X.data.subarray(i * p, i * p + p), r * p));
  return out;
}

/** P(y = 1 | x): Platt-scaled if fitted with `probability`, else σ(decision value). */
export function predictSvm(model: SvmModel, X: MatrixInput): Float64Array {
  const d = svmDecision(model, X);
  const A = model.plattA;
  const B = model.plattB;
  for (let i = 0; i < d.length; i++) {
    const z = A !== undefined && B !== undefined ? -(A * d[i]! + B) : d[i]!;
    d[i] = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }
  return d;
}
