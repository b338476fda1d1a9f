/**
 * Per-voxel feature computation in a cubic kernel. One {@link VoxelKernelComputer} per thread owns
 * every scratch buffer (allocated once, reused for every voxel): the kernel is copied into a small
 * zero-padded local box, the texture matrices of the existing IBSI accumulators are built on it
 * and cleared in O(non-zero cells), and the intensity histogram is updated incrementally as the
 * kernel slides along x.
 *
 * Kernel = the (2R+1)³ cube centred on the voxel ∩ the (intensity) ROI, treated as a separate ROI
 * (texture neighbours outside the kernel do not count), as PyRadiomics' voxel-based extraction.
 */
import { CountMatrix } from '../texture/accumulator.js';
import { LocalGlcm, LocalGlcmWorkspace, localGlcmFeatures } from './glcm-local.js';
import { accumulateGlrlm } from '../texture/glrlm.js';
import { accumulateNgldm } from '../texture/ngldm.js';
import { accumulateNgtdm, type NgtdmAccumulator } from '../texture/ngtdm.js';
import { DIRECTIONS_3D, gridOffset, neighbourhoodOffsets, type TextureGrid } from '../texture/grid.js';
import { oneToN, runLikeFeatures, runLikeWorkspace, RUN_LIKE_COUNT, type RunLikeWorkspace } from '../texture/matrix.js';
import { GLCM_FEATURES } from '../texture/glcm.js';
import { percentileSorted } from '../roi.js';
import type { VoxelPlan } from './plan.js';

const N_STAT = 18;
const N_HIST = 23;
const N_GLCM = GLCM_FEATURES.length;
const N_GLRLM = 16;
const N_ZONE = 16;
const N_NGTDM = 5;
const N_NGLDM = 17;

/** Views `buf.subarray(0, n)` created once per length (sorting a prefix without allocating). */
class PrefixViews {
  private readonly views: Float64Array[] = [];
  constructor(readonly buf: Float64Array) {}
  get(n: number): Float64Array {
    let v = this.views[n];
    if (!v) this.views[n] = v = this.buf.subarray(0, n);
    return v;
  }
}

/** Computes the features of one kernel at a time; not thread-safe (one per thread). */
export class VoxelKernelComputer {
  readonly plan: VoxelPlan;
  readonly nFeatures: number;
  private readonly R: number;
  private readonly side: number;
  private readonly P: number;
  private readonly B: number;
  private readonly K: number;
  /** Local box: compact texture levels, morph mask, zone marks, border distances. */
  private readonly lg: Int32Array;
  private readonly lm: Uint8Array;
  private readonly mark: Int32Array;
  private readonly dist: Int32Array;
  private stamp = 0;
  /** Local indices of the kernel's texture-ROI voxels (first `cnt`). */
  private readonly kv: Int32Array;
  private readonly sliceStart = new Int32Array(2);
  private readonly grid: TextureGrid;
  private readonly stack: Int32Array;
  // intensities
  private readonly vals: Float64Array;
  private readonly valViews: PrefixViews;
  private readonly hist: Int32Array;
  private histCentre = -2;
  private histCount = 0;
  // family flags and feature offsets
  private readonly off: Record<string, number> = {};
  private readonly needTex: boolean;
  private readonly needMorph: boolean;
  private readonly needVals: boolean;
  // texture scratch
  private readonly cmTmp?: LocalGlcm;
  private readonly cmComb?: LocalGlcm;
  private readonly cmWs?: LocalGlcmWorkspace;
  private readonly cmOffsets?: Int32Array;
  /** Kernel-local grey levels (GLCM): box of local indices (1-based), their values, compact → local map. */
  private readonly ll?: Int32Array;
  private readonly lvLocal?: Float64Array;
  private readonly loc?: Int32Array;
  private readonly used?: Int32Array;
  private nLocal = 0;
  private readonly rlTmp?: CountMatrix;
  private readonly rlComb?: CountMatrix;
  private readonly rlWs?: RunLikeWorkspace;
  private readonly rlCols?: Float64Array;
  private readonly szm?: CountMatrix;
  private readonly szWs?: RunLikeWorkspace;
  private readonly szCols?: Float64Array;
  private readonly dzm?: CountMatrix;
  private readonly dzWs?: RunLikeWorkspace;
  private readonly dzCols?: Float64Array;
  private readonly ngl?: CountMatrix;
  private readonly nglWs?: RunLikeWorkspace;
  private readonly nglCols?: Float64Array;
  private readonly ngt?: NgtdmAccumulator;
  private readonly ngtScratch?: { pres: Int32Array; p: Float64Array; v: Float64Array; s: Float64Array; a: PrefixViews };
  private readonly nbOffsets: Int32Array;
  private readonly mean = { sum: new Float64Array(32), count: new Int32Array(32) };
  private readonly tmp = new Float64Array(RUN_LIKE_COUNT + 32);

  constructor(plan: VoxelPlan) {
    this.plan = plan;
    this.nFeatures = plan.tags.length;
    const R = (this.R = plan.radius);
    const side = (this.side = 2 * R + 1);
    const P = (this.P = Math.max(1, plan.distance));
    const B = (this.B = side + 2 * P);
    const K = (this.K = side * side * side);
    const fams = new Set(plan.families);
    this.needTex = ['glcm', 'glrlm', 'glszm', 'gldzm', 'ngtdm', 'ngldm'].some((f) => fams.has(f as never));
    this.needMorph = fams.has('gldzm');
    this.needVals = fams.has('intensity_statistics');
    this.lg = new Int32Array(B * B * B);
    this.lm = new Uint8Array(B * B * B);
    this.mark = new Int32Array(B * B * B);
    this.dist = new Int32Array(B * B * B);
    this.kv = new Int32Array(K);
    this.stack = new Int32Array(K);
    this.vals = new Float64Array(K);
    this.valViews = new PrefixViews(this.vals);
    this.hist = new Int32Array(Math.max(plan.histLevels, 1) + 2);
    this.grid = {
      g: this.lg, morph: this.lm, nx: B, ny: B, nz: B, pad: P,
      levelValue: plan.levelValue, nPresent: plan.nPresent, nLevels: plan.nLevels,
      roi: this.kv, sliceStart: this.sliceStart, origin: [0, 0, 0],
    };
    this.nbOffsets = neighbourhoodOffsets(this.grid, plan.distance, false);
    const np = Math.max(1, plan.nPresent);
    const nAgg = plan.matrixAggregations.length;
    let o = 0;
    const take = (name: string, n: number) => {
      this.off[name] = o;
      o += n;
    };
    if (fams.has('intensity_statistics')) take('stat', N_STAT);
    if (fams.has('intensity_histogram')) take('ih', N_HIST);
    if (fams.has('glcm')) {
      take('cm', N_GLCM * nAgg);
      const maxLocal = Math.min(np, K);
      this.cmTmp = new LocalGlcm(maxLocal);
      this.cmComb = new LocalGlcm(maxLocal);
      let maxLevel = plan.nLevels;
      for (let i = 1; i < plan.levelValue.length; i++) maxLevel = Math.max(maxLevel, plan.levelValue[i]!);
      this.cmWs = new LocalGlcmWorkspace(maxLocal, maxLevel);
      this.cmOffsets = Int32Array.from(DIRECTIONS_3D, (d) => gridOffset(this.grid, d[0] * plan.distance, d[1] * plan.distance, d[2] * plan.distance));
      this.ll = new Int32Array(B * B * B);
      this.lvLocal = new Float64Array(maxLocal);
      this.loc = new Int32Array(np + 1);
      this.used = new Int32Array(maxLocal);
    }
    if (fams.has('glrlm')) {
      take('rlm', N_GLRLM * nAgg);
      this.rlTmp = new CountMatrix(np, side);
      this.rlComb = new CountMatrix(np, side);
      this.rlWs = runLikeWorkspace(np, side);
      this.rlCols = oneToN(side);
    }
    if (fams.has('glszm')) {
      take('szm', N_ZONE);
      this.szm = new CountMatrix(np, K);
      this.szWs = runLikeWorkspace(np, K);
      this.szCols = oneToN(K);
    }
    if (fams.has('gldzm')) {
      take('dzm', N_ZONE);
      this.dzm = new CountMatrix(np, R + 1);
      this.dzWs = runLikeWorkspace(np, R + 1);
      this.dzCols = oneToN(R + 1);
    }
    if (fams.has('ngtdm')) {
      take('ngt', N_NGTDM);
      this.ngt = { n: new Float64Array(np + 1), s: new Float64Array(np + 1) };
      const a = new Float64Array(np);
      this.ngtScratch = { pres: new Int32Array(np), p: new Float64Array(np), v: new Float64Array(np), s: new Float64Array(np), a: new PrefixViews(a) };
    }
    if (fams.has('ngldm')) {
      take('ngl', N_NGLDM);
      const cols = this.nbOffsets.length + 1;
      this.ngl = new CountMatrix(np, cols);
      this.nglWs = runLikeWorkspace(np, cols);
      this.nglCols = oneToN(cols);
    }
    if (o !== this.nFeatures) throw new Error(`internal: feature layout ${o} ≠ ${this.nFeatures} tags`);
  }

  /**
   * Features of targets [start, end) into `out`, feature-major with row length `stride`
   * (`out[f * stride + (t - base)]`), as float32.
   */
  computeRange(start: number, end: number, out: Float32Array, stride: number, base = 0): void {
    const row = new Float64Array(this.nFeatures);
    const tg = this.plan.targets;
    this.histCentre = -2;
    for (let t = start; t < end; t++) {
      this.computeVoxel(tg[t]!, row);
      const col = t - base;
      for (let f = 0; f < row.length; f++) out[f * stride + col] = row[f]!;
    }
  }

  /** Features of the kernel centred on padded voxel `p` into `out` (length nFeatures). */
  computeVoxel(p: number, out: Float64Array): void {
    const plan = this.plan;
    const cnt = this.loadKernel(p);
    const o = this.off;
    if (o.stat !== undefined) this.statistics(out, o.stat);
    if (o.ih !== undefined) {
      this.updateHistogram(p);
      this.histogramFeatures(out, o.ih);
    }
    if (!this.needTex) return;
    this.sliceStart[1] = cnt;
    const nAgg = plan.matrixAggregations.length;
    if (cnt === 0) {
      for (const k of ['cm', 'rlm']) if (o[k] !== undefined) out.fill(NaN, o[k], o[k]! + (k === 'cm' ? N_GLCM : N_GLRLM) * nAgg);
      for (const [k, n] of [['szm', N_ZONE], ['dzm', N_ZONE], ['ngt', N_NGTDM], ['ngl', N_NGLDM]] as const) if (o[k] !== undefined) out.fill(NaN, o[k], o[k]! + n);
      return;
    }
    if (o.cm !== undefined) this.glcm(out, o.cm);
    if (o.rlm !== undefined) this.glrlm(out, o.rlm);
    if (o.szm !== undefined || o.dzm !== undefined) this.zones(out, o.szm, o.dzm);
    if (o.ngt !== undefined) this.ngtdm(out, o.ngt);
    if (o.ngl !== undefined) {
      const m = this.ngl!;
      m.clear();
      accumulateNgldm(this.grid, this.nbOffsets, plan.alpha, 0, m);
      runLikeFeatures(m, plan.levelValue.subarray(1), this.nglCols!, this.tmp, this.nglWs!);
      for (let i = 0; i < N_NGLDM; i++) out[o.ngl + i] = this.tmp[i]!;
    }
  }

  /** Copy the cube around `p` into the local box; returns the number of texture-ROI voxels. */
  private loadKernel(p: number): number {
    const { plan, R, side, P, B } = this;
    const { nx, ny, g, h, val, morph } = plan;
    const lg = this.lg, lm = this.lm, kv = this.kv, vals = this.vals;
    const start = p - R - nx * R - nx * ny * R;
    let cnt = 0, nv = 0;
    const needTex = this.needTex, needMorph = this.needMorph, needVals = this.needVals;
    const ll = this.ll, loc = this.loc, used = this.used, lvLocal = this.lvLocal, levelValue = plan.levelValue;
    let nl = 0;
    if (ll) for (let q = 0; q < this.nLocal; q++) loc![used![q]!] = 0;
    for (let c = 0; c < side; c++) {
      for (let b = 0; b < side; b++) {
        let src = start + nx * (b + ny * c);
        let dst = P + B * (b + P + B * (c + P));
        for (let a = 0; a < side; a++, src++, dst++) {
          if (needTex) {
            const l = g[src]!;
            lg[dst] = l;
            if (l !== 0) kv[cnt++] = dst;
            if (needMorph) lm[dst] = morph[src]!;
            if (ll) {
              if (l === 0) ll[dst] = 0;
              else {
                let q = loc![l]!;
                if (q === 0) {
                  used![nl] = l;
                  lvLocal![nl] = levelValue[l]!;
                  q = loc![l] = ++nl;
                }
                ll[dst] = q;
              }
            }
          }
          if (needVals && h[src] !== 0) vals[nv++] = val[src]!;
        }
      }
    }
    this.nVals = nv;
    this.nLocal = nl;
    return cnt;
  }
  private nVals = 0;

  // ------------------------------------------------------------------ intensity statistics

  private statistics(out: Float64Array, o: number): void {
    const n = this.nVals;
    if (n === 0) {
      out.fill(NaN, o, o + N_STAT);
      return;
    }
    const s = this.valViews.get(n);
    s.sort();
    let sum = 0, sum2 = 0;
    for (let i = 0; i < n; i++) { const v = s[i]!; sum += v; sum2 += v * v; }
    const mean = sum / n;
    let m2 = 0, m3 = 0, m4 = 0, mad = 0;
    for (let i = 0; i < n; i++) {
      const d = s[i]! - mean;
      const d2 = d * d;
      m2 += d2; m3 += d2 * d; m4 += d2 * d2; mad += d < 0 ? -d : d;
    }
    m2 /= n; m3 /= n; m4 /= n; mad /= n;
    const median = percentileSorted(s, 50);
    const p10 = percentileSorted(s, 10), p90 = percentileSorted(s, 90);
    const p25 = percentileSorted(s, 25), p75 = percentileSorted(s, 75);
    let rs = 0, rn = 0;
    for (let i = 0; i < n; i++) { const v = s[i]!; if (v >= p10 && v <= p90) { rs += v; rn++; } }
    const rmean = rs / rn;
    let rmad = 0, medad = 0;
    for (let i = 0; i < n; i++) {
      const v = s[i]!;
      if (v >= p10 && v <= p90) rmad += Math.abs(v - rmean);
      medad += Math.abs(v - median);
    }
    rmad /= rn;
    medad /= n;
    const cov = Math.sqrt(m2) / mean;
    const qcod = (p75 - p25) / (p75 + p25);
    out[o] = mean;
    out[o + 1] = m2;
    out[o + 2] = m2 > 0 ? m3 / m2 ** 1.5 : 0;
    out[o + 3] = m2 > 0 ? m4 / (m2 * m2) - 3 : 0;
    out[o + 4] = median;
    out[o + 5] = s[0]!;
    out[o + 6] = p10;
    out[o + 7] = p90;
    out[o + 8] = s[n - 1]!;
    out[o + 9] = p75 - p25;
    out[o + 10] = s[n - 1]! - s[0]!;
    out[o + 11] = mad;
    out[o + 12] = rmad;
    out[o + 13] = medad;
    out[o + 14] = Number.isFinite(cov) ? cov : NaN;
    out[o + 15] = Number.isFinite(qcod) ? qcod : NaN;
    out[o + 16] = sum2;
    out[o + 17] = Math.sqrt(sum2 / n);
  }

  // ------------------------------------------------------------------ intensity histogram

  /** Histogram of the kernel's histogram levels; slides along x when `p` follows the last centre. */
  private updateHistogram(p: number): void {
    const { plan, R, side } = this;
    const { nx, ny, h } = plan;
    const hist = this.hist;
    const plane = nx * ny;
    const addPlane = (xStart: number, sign: number): void => {
      // the y–z plane of the cube at padded linear x-position xStart (already offset to the corner)
      let c = 0;
      for (let k = 0; k < side; k++) {
        for (let j = 0; j < side; j++) {
          const l = h[xStart + nx * j + plane * k]!;
          if (l !== 0) {
            hist[l] = hist[l]! + sign;
            c += sign;
          }
        }
      }
      this.histCount += c;
    };
    if (p === this.histCentre + 1) {
      const corner = p - R - nx * R - plane * R;
      addPlane(corner - 1, -1);
      addPlane(corner + 2 * R, +1);
    } else {
      hist.fill(0);
      this.histCount = 0;
      const corner = p - R - nx * R - plane * R;
      for (let a = 0; a < side; a++) addPlane(corner + a, +1);
    }
    this.histCentre = p;
  }

  /** Order statistic k (0-based) of the histogram levels. */
  private orderStat(k: number, lo: number, hi: number): number {
    const hist = this.hist;
    let c = 0;
    for (let l = lo; l <= hi; l++) {
      c += hist[l]!;
      if (c > k) return l;
    }
    return hi;
  }

  private percentile(p: number, n: number, lo: number, hi: number): number {
    if (n === 1) return lo;
    const pos = (p / 100) * (n - 1);
    const a = Math.floor(pos);
    const b = Math.min(a + 1, n - 1);
    const f = pos - a;
    const va = this.orderStat(a, lo, hi);
    const vb = f === 0 && b !== a ? va : this.orderStat(b, lo, hi);
    return va + f * (vb - va);
  }

  private histogramFeatures(out: Float64Array, o: number): void {
    const hist = this.hist;
    const n = this.histCount;
    if (n === 0) {
      out.fill(NaN, o, o + N_HIST);
      return;
    }
    const top = this.plan.histLevels;
    let lo = 0, hi = 0, sum = 0;
    for (let l = 1; l <= top; l++) {
      const c = hist[l]!;
      if (c === 0) continue;
      if (lo === 0) lo = l;
      hi = l;
      sum += l * c;
    }
    const mean = sum / n;
    let m2 = 0, m3 = 0, m4 = 0, mad = 0;
    for (let l = lo; l <= hi; l++) {
      const c = hist[l]!;
      if (c === 0) continue;
      const d = l - mean;
      const d2 = d * d;
      m2 += c * d2; m3 += c * d2 * d; m4 += c * d2 * d2; mad += c * (d < 0 ? -d : d);
    }
    m2 /= n; m3 /= n; m4 /= n; mad /= n;
    const median = this.percentile(50, n, lo, hi);
    const p10 = this.percentile(10, n, lo, hi), p90 = this.percentile(90, n, lo, hi);
    const p25 = this.percentile(25, n, lo, hi), p75 = this.percentile(75, n, lo, hi);
    let rs = 0, rn = 0;
    for (let l = lo; l <= hi; l++) {
      const c = hist[l]!;
      if (c !== 0 && l >= p10 && l <= p90) { rs += c * l; rn += c; }
    }
    const rmean = rs / rn;
    let rmad = 0, medad = 0;
    for (let l = lo; l <= hi; l++) {
      const c = hist[l]!;
      if (c === 0) continue;
      if (l >= p10 && l <= p90) rmad += c * Math.abs(l - rmean);
      medad += c * Math.abs(l - median);
    }
    rmad /= rn;
    medad /= n;
    const cov = Math.sqrt(m2) / mean;
    const qcod = (p75 - p25) / (p75 + p25);
    const ng = Math.max(top, hi);
    let entropy = 0, uniformity = 0, best = -1, mode = NaN;
    for (let i = lo; i <= hi; i++) {
      const c = hist[i]!;
      if (c === 0) continue;
      const pr = c / n;
      entropy -= pr * Math.log2(pr);
      uniformity += pr * pr;
      if (c > best || (c === best && Math.abs(i - mean) < Math.abs(mode - mean))) { best = c; mode = i; }
    }
    let maxG = -Infinity, maxGi = 1, minG = Infinity, minGi = 1;
    if (ng === 1) {
      maxG = 0; minG = 0;
    } else {
      for (let i = 1; i <= ng; i++) {
        const gr = i === 1 ? hist[2]! - hist[1]! : i === ng ? hist[ng]! - hist[ng - 1]! : (hist[i + 1]! - hist[i - 1]!) / 2;
        if (gr > maxG) { maxG = gr; maxGi = i; }
        if (gr < minG) { minG = gr; minGi = i; }
      }
    }
    // HISTOGRAM_FEATURES order
    out[o] = mean;
    out[o + 1] = m2;
    out[o + 2] = m2 > 0 ? m3 / m2 ** 1.5 : 0;
    out[o + 3] = m2 > 0 ? m4 / (m2 * m2) - 3 : 0;
    out[o + 4] = median;
    out[o + 5] = lo;
    out[o + 6] = p10;
    out[o + 7] = p90;
    out[o + 8] = hi;
    out[o + 9] = mode;
    out[o + 10] = p75 - p25;
    out[o + 11] = hi - lo;
    out[o + 12] = mad;
    out[o + 13] = rmad;
    out[o + 14] = medad;
    out[o + 15] = Number.isFinite(cov) ? cov : NaN;
    out[o + 16] = Number.isFinite(qcod) ? qcod : NaN;
    out[o + 17] = entropy;
    out[o + 18] = uniformity;
    out[o + 19] = maxG;
    out[o + 20] = maxGi;
    out[o + 21] = minG;
    out[o + 22] = minGi;
  }

  // ------------------------------------------------------------------ directional families

  private meanReset(n: number): void {
    this.mean.sum.fill(0, 0, n);
    this.mean.count.fill(0, 0, n);
  }
  private meanPush(v: Float64Array, n: number): void {
    const { sum, count } = this.mean;
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      if (Number.isFinite(x)) { sum[i] = sum[i]! + x; count[i] = count[i]! + 1; }
    }
  }
  private meanWrite(out: Float64Array, o: number, n: number): void {
    const { sum, count } = this.mean;
    for (let i = 0; i < n; i++) out[o + i] = count[i]! > 0 ? sum[i]! / count[i]! : NaN;
  }

  private glcm(out: Float64Array, o: number): void {
    const plan = this.plan;
    const tmp = this.cmTmp!, comb = this.cmComb!, ws = this.cmWs!;
    const ll = this.ll!, kv = this.kv, offs = this.cmOffsets!, lv = this.lvLocal!;
    const cnt = this.sliceStart[1]!;
    const S = tmp.stride;
    const nl = this.nLocal;
    const aggs = plan.matrixAggregations;
    const wantAvg = aggs.includes('3D_avg');
    const wantComb = aggs.includes('3D_comb');
    const sym = plan.symmetric;
    const f = this.tmp;
    this.meanReset(N_GLCM);
    comb.clear();
    for (let d = 0; d < offs.length; d++) {
      const off = offs[d]!;
      tmp.clear();
      for (let t = 0; t < cnt; t++) {
        const v = kv[t]!;
        const b = ll[v + off]!;
        if (b === 0) continue;
        const a = ll[v]! - 1;
        const k1 = a * S + b - 1;
        tmp.add(k1, 1);
        if (wantComb) comb.add(k1, 1);
        if (sym) {
          const k2 = (b - 1) * S + a;
          tmp.add(k2, 1);
          if (wantComb) comb.add(k2, 1);
        }
      }
      if (tmp.nnz === 0 || !wantAvg) continue;
      localGlcmFeatures(tmp, lv, nl, plan.nLevels, f, 0, ws);
      this.meanPush(f, N_GLCM);
    }
    let k = o;
    if (wantAvg) { this.meanWrite(out, k, N_GLCM); k += N_GLCM; }
    if (wantComb) {
      if (comb.nnz > 0) {
        localGlcmFeatures(comb, lv, nl, plan.nLevels, f, 0, ws);
        for (let i = 0; i < N_GLCM; i++) out[k + i] = Number.isFinite(f[i]!) ? f[i]! : NaN;
      } else out.fill(NaN, k, k + N_GLCM);
    }
  }

  private glrlm(out: Float64Array, o: number): void {
    const plan = this.plan;
    const tmp = this.rlTmp!, comb = this.rlComb!, ws = this.rlWs!, cols = this.rlCols!;
    const lv = plan.levelValue.subarray(1);
    const aggs = plan.matrixAggregations;
    const wantAvg = aggs.includes('3D_avg');
    const wantComb = aggs.includes('3D_comb');
    const f = this.tmp;
    this.meanReset(N_GLRLM);
    comb.clear();
    for (const dir of DIRECTIONS_3D) {
      tmp.clear();
      accumulateGlrlm(this.grid, dir, 0, tmp);
      if (tmp.nnz === 0) continue;
      if (wantAvg) {
        runLikeFeatures(tmp, lv, cols, f, ws);
        this.meanPush(f, N_GLRLM);
      }
      if (wantComb) comb.addFrom(tmp);
    }
    let k = o;
    if (wantAvg) { this.meanWrite(out, k, N_GLRLM); k += N_GLRLM; }
    if (wantComb) {
      if (comb.nnz > 0) {
        runLikeFeatures(comb, lv, cols, f, ws);
        for (let i = 0; i < N_GLRLM; i++) out[k + i] = Number.isFinite(f[i]!) ? f[i]! : NaN;
      } else out.fill(NaN, k, k + N_GLRLM);
    }
  }

  // ------------------------------------------------------------------ zones

  /** City-block distance of every kernel morph voxel to the nearest voxel outside (cube border = outside). */
  private borderDistances(): void {
    const { side, P, B } = this;
    const lm = this.lm, d = this.dist;
    const big = 1 << 30;
    const BB = B * B;
    for (let c = 0; c < side; c++) {
      for (let b = 0; b < side; b++) {
        let v = P + B * (b + P + B * (c + P));
        for (let a = 0; a < side; a++, v++) {
          if (!lm[v]) { d[v] = 0; continue; }
          let m = big;
          const x = d[v - 1]! + 1; if (x < m) m = x;
          const y = d[v - B]! + 1; if (y < m) m = y;
          const z = d[v - BB]! + 1; if (z < m) m = z;
          d[v] = m;
        }
      }
    }
    for (let c = side - 1; c >= 0; c--) {
      for (let b = side - 1; b >= 0; b--) {
        let v = P + side - 1 + B * (b + P + B * (c + P));
        for (let a = side - 1; a >= 0; a--, v--) {
          if (!lm[v]) continue;
          let m = d[v]!;
          const x = d[v + 1]! + 1; if (x < m) m = x;
          const y = d[v + B]! + 1; if (y < m) m = y;
          const z = d[v + BB]! + 1; if (z < m) m = z;
          d[v] = m;
        }
      }
    }
  }

  private zones(out: Float64Array, oSz: number | undefined, oDz: number | undefined): void {
    const plan = this.plan;
    const cnt = this.sliceStart[1]!;
    const lg = this.lg, kv = this.kv, mark = this.mark, stack = this.stack, dist = this.dist;
    const offs = this.nbOffsets;
    const no = offs.length;
    const szm = oSz !== undefined ? this.szm! : undefined;
    const dzm = oDz !== undefined ? this.dzm! : undefined;
    if (dzm) this.borderDistances();
    szm?.clear();
    dzm?.clear();
    const K = this.K;
    const dcols = this.R + 1;
    if (++this.stamp >= 0x7fffffff) { mark.fill(0); this.stamp = 1; }
    const st = this.stamp;
    for (let t = 0; t < cnt; t++) {
      const v0 = kv[t]!;
      if (mark[v0] === st) continue;
      const lvl = lg[v0]!;
      mark[v0] = st;
      let sp = 0;
      stack[sp++] = v0;
      let size = 0;
      let dmin = 1 << 30;
      while (sp > 0) {
        const w = stack[--sp]!;
        size++;
        if (dzm) { const dw = dist[w]!; if (dw < dmin) dmin = dw; }
        for (let q = 0; q < no; q++) {
          const u = w + offs[q]!;
          if (lg[u] === lvl && mark[u] !== st) {
            mark[u] = st;
            stack[sp++] = u;
          }
        }
      }
      if (szm) szm.add((lvl - 1) * K + (size - 1), 1);
      if (dzm) {
        if (dmin < 1) dmin = 1;
        if (dmin > dcols) dmin = dcols;
        dzm.add((lvl - 1) * dcols + (dmin - 1), 1);
      }
    }
    const lv = plan.levelValue.subarray(1);
    const f = this.tmp;
    if (szm) {
      szm.nVoxels = cnt;
      runLikeFeatures(szm, lv, this.szCols!, f, this.szWs!);
      for (let i = 0; i < N_ZONE; i++) out[oSz! + i] = Number.isFinite(f[i]!) ? f[i]! : NaN;
    }
    if (dzm) {
      dzm.nVoxels = cnt;
      runLikeFeatures(dzm, lv, this.dzCols!, f, this.dzWs!);
      for (let i = 0; i < N_ZONE; i++) out[oDz! + i] = Number.isFinite(f[i]!) ? f[i]! : NaN;
    }
  }

  // ------------------------------------------------------------------ NGTDM

  /** IBSI NGTDM features (same conventions as `ngtdmFeatures`, without allocation). */
  private ngtdm(out: Float64Array, o: number): void {
    const acc = this.ngt!;
    const { pres, p, v, s: si, a } = this.ngtScratch!;
    const lv = this.plan.levelValue;
    acc.n.fill(0);
    acc.s.fill(0);
    accumulateNgtdm(this.grid, this.nbOffsets, 0, acc);
    const { n, s } = acc;
    let nvc = 0, ngp = 0;
    for (let i = 1; i < n.length; i++) if (n[i]! > 0) { nvc += n[i]!; pres[ngp++] = i; }
    if (ngp === 0) {
      out.fill(NaN, o, o + N_NGTDM);
      return;
    }
    let sumPS = 0, sumS = 0, m1 = 0, m2 = 0, sv = 0, sv2 = 0;
    for (let k = 0; k < ngp; k++) {
      const i = pres[k]!;
      const pk = n[i]! / nvc, vk = lv[i]!, sk = s[i]!;
      p[k] = pk; v[k] = vk; si[k] = sk;
      sumPS += pk * sk; sumS += sk; m1 += pk * vk; m2 += pk * vk * vk; sv += vk; sv2 += vk * vk;
    }
    out[o] = sumPS > 0 ? 1 / sumPS : 1e6;
    out[o + 1] = ngp > 1 ? ((2 * (m2 - m1 * m1)) / (ngp * (ngp - 1))) * (sumS / nvc) : 0;
    if (ngp > 1) {
      const av = a.get(ngp);
      for (let k = 0; k < ngp; k++) av[k] = v[k]! * p[k]!;
      av.sort();
      let den = 0;
      for (let k = 0; k < ngp; k++) den += av[k]! * (2 * k - ngp + 1);
      den *= 2;
      out[o + 2] = den > 0 ? sumPS / den : 0;
    } else out[o + 2] = 0;
    let cx = 0;
    for (let x = 0; x < ngp; x++) {
      const px = p[x]!, vx = v[x]!, psx = px * si[x]!;
      for (let y = x + 1; y < ngp; y++) {
        const py = p[y]!;
        const dv = vx - v[y]!;
        cx += ((dv < 0 ? -dv : dv) * (psx + py * si[y]!)) / (px + py);
      }
    }
    out[o + 3] = (2 * cx) / nvc;
    if (sumS > 0) {
      let num = 0;
      for (let k = 0; k < ngp; k++) {
        const vi = v[k]!;
        num += p[k]! * (ngp * vi * vi - 2 * vi * sv + sv2);
      }
      out[o + 4] = (2 * num) / sumS;
    } else out[o + 4] = 0;
    for (let i = 0; i < N_NGTDM; i++) if (!Number.isFinite(out[o + i]!)) out[o + i] = NaN;
  }
}
