/**
 * GLCM features of the small matrices of one kernel. Same formulas and conventions as
 * `glcmFeatures` (texture/glcm.ts) — verified against `extractFeatures` in voxel.test.ts — but
 * the matrix lives on kernel-local grey-level indices (at most (2R+1)³ rows) and every loop runs
 * over touched cells only, with integer-count logarithms from a table: a few hundred nanoseconds
 * per matrix instead of scanning all N_g levels.
 */
import { LOG2_INT } from '../texture/accumulator.js';

const LT = LOG2_INT;
const log2i = (c: number): number => (c < LT.length ? LT[c]! : Math.log2(c));

/** Dense Int32 count matrix on local indices with a list of non-zero cells. */
export class LocalGlcm {
  readonly stride: number;
  readonly data: Int32Array;
  readonly idx: Int32Array;
  nnz = 0;
  constructor(maxLevels: number) {
    this.stride = maxLevels;
    this.data = new Int32Array(maxLevels * maxLevels);
    this.idx = new Int32Array(maxLevels * maxLevels);
  }
  add(k: number, v: number): void {
    const d = this.data;
    if (d[k] === 0) this.idx[this.nnz++] = k;
    d[k] = d[k]! + v;
  }
  clear(): void {
    const d = this.data, ix = this.idx;
    for (let t = 0; t < this.nnz; t++) d[ix[t]!] = 0;
    this.nnz = 0;
  }
}

/** Scratch of {@link localGlcmFeatures}. */
export class LocalGlcmWorkspace {
  readonly px: Float64Array;
  readonly py: Float64Array;
  readonly pdiff: Float64Array;
  readonly psum: Float64Array;
  readonly dTouched: Int32Array;
  readonly sTouched: Int32Array;
  constructor(maxLocal: number, maxLevelValue: number) {
    this.px = new Float64Array(maxLocal);
    this.py = new Float64Array(maxLocal);
    this.pdiff = new Float64Array(maxLevelValue + 1);
    this.psum = new Float64Array(2 * maxLevelValue + 2);
    this.dTouched = new Int32Array(maxLevelValue + 1);
    this.sTouched = new Int32Array(2 * maxLevelValue + 2);
  }
}

/**
 * The 25 IBSI GLCM features of `m` (full matrix, not triangular) whose local index a has grey
 * level `lv[a]`; `nLocal` local levels; `ng` = N_g. Writes NaN where `glcmFeatures` does.
 */
export function localGlcmFeatures(m: LocalGlcm, lv: Float64Array, nLocal: number, ng: number, out: Float64Array, o: number, ws: LocalGlcmWorkspace): void {
  const d = m.data, ix = m.idx, n = m.stride, nnz = m.nnz;
  let total = 0;
  for (let t = 0; t < nnz; t++) total += d[ix[t]!]!;
  if (!(total > 0)) {
    out.fill(NaN, o, o + 25);
    return;
  }
  const inv = 1 / total;
  const logT = log2i(total);
  const { px, py, pdiff, psum, dTouched, sTouched } = ws;
  let nd = 0, ns = 0;
  let cmax = 0, mux = 0, muy = 0, clogc = 0, sumc2 = 0, autoCorr = 0;
  for (let t = 0; t < nnz; t++) {
    const k = ix[t]!;
    const c = d[k]!;
    const r = (k / n) | 0;
    const col = k - r * n;
    const vi = lv[r]!, vj = lv[col]!;
    if (c > cmax) cmax = c;
    mux += vi * c;
    muy += vj * c;
    clogc += c * (logT - log2i(c));
    sumc2 += c * c;
    autoCorr += vi * vj * c;
    px[r] = px[r]! + c;
    py[col] = py[col]! + c;
    const ad = vi > vj ? vi - vj : vj - vi;
    if (pdiff[ad] === 0) dTouched[nd++] = ad;
    pdiff[ad] = pdiff[ad]! + c;
    const sm = vi + vj;
    if (psum[sm] === 0) sTouched[ns++] = sm;
    psum[sm] = psum[sm]! + c;
  }
  mux *= inv;
  muy *= inv;
  autoCorr *= inv;
  const hxy = clogc * inv;
  let varx = 0, vary = 0, hx = 0, hy = 0;
  for (let a = 0; a < nLocal; a++) {
    const cx = px[a]!;
    if (cx > 0) {
      const dv = lv[a]! - mux;
      varx += dv * dv * cx;
      hx += cx * (logT - log2i(cx));
      px[a] = 0;
    }
    const cy = py[a]!;
    if (cy > 0) {
      const dv = lv[a]! - muy;
      vary += dv * dv * cy;
      hy += cy * (logT - log2i(cy));
      py[a] = 0;
    }
  }
  varx *= inv; vary *= inv; hx *= inv; hy *= inv;
  let diffAvg = 0, diffEntr = 0, invVar = 0, contrast = 0, invDiff = 0, invDiffNorm = 0, invDiffMom = 0, invDiffMomNorm = 0;
  const ng2 = ng * ng;
  for (let q = 0; q < nd; q++) {
    const k = dTouched[q]!;
    const c = pdiff[k]!;
    const p = c * inv;
    const k2 = k * k;
    diffAvg += k * p;
    diffEntr += p * (logT - log2i(c));
    contrast += k2 * p;
    invDiff += p / (1 + k);
    invDiffNorm += p / (1 + k / ng);
    invDiffMom += p / (1 + k2);
    invDiffMomNorm += p / (1 + k2 / ng2);
    if (k > 0) invVar += p / k2;
  }
  let diffVar = 0;
  for (let q = 0; q < nd; q++) {
    const k = dTouched[q]!;
    diffVar += (k - diffAvg) * (k - diffAvg) * pdiff[k]! * inv;
    pdiff[k] = 0;
  }
  let sumAvg = 0, sumEntr = 0;
  for (let q = 0; q < ns; q++) {
    const k = sTouched[q]!;
    const c = psum[k]!;
    const p = c * inv;
    sumAvg += k * p;
    sumEntr += p * (logT - log2i(c));
  }
  let sumVar = 0, clustTend = 0, clustShade = 0, clustProm = 0;
  const mxy = mux + muy;
  for (let q = 0; q < ns; q++) {
    const k = sTouched[q]!;
    const p = psum[k]! * inv;
    sumVar += (k - sumAvg) * (k - sumAvg) * p;
    const s = k - mxy;
    const s2 = s * s;
    clustTend += s2 * p;
    clustShade += s2 * s * p;
    clustProm += s2 * s2 * p;
    psum[k] = 0;
  }
  const sd = Math.sqrt(varx * vary);
  const hmax = Math.max(hx, hy);
  const hxy12 = hx + hy;
  out[o] = cmax * inv;
  out[o + 1] = mux;
  out[o + 2] = varx;
  out[o + 3] = hxy;
  out[o + 4] = diffAvg;
  out[o + 5] = diffVar;
  out[o + 6] = diffEntr;
  out[o + 7] = sumAvg;
  out[o + 8] = sumVar;
  out[o + 9] = sumEntr;
  out[o + 10] = sumc2 * inv * inv;
  out[o + 11] = contrast;
  out[o + 12] = diffAvg;
  out[o + 13] = invDiff;
  out[o + 14] = invDiffNorm;
  out[o + 15] = invDiffMom;
  out[o + 16] = invDiffMomNorm;
  out[o + 17] = invVar;
  out[o + 18] = sd > 0 ? (autoCorr - mux * muy) / sd : NaN;
  out[o + 19] = autoCorr;
  out[o + 20] = clustTend;
  out[o + 21] = clustShade;
  out[o + 22] = clustProm;
  out[o + 23] = hmax > 0 ? (hxy - hxy12) / hmax : NaN;
  out[o + 24] = Math.sqrt(Math.max(0, 1 - Math.exp(-2 * Math.max(0, hxy12 - hxy))));
}
