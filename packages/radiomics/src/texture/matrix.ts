/**
 * The public matrix type returned by the builders, and the feature formulas shared by the
 * run-length-like families (GLRLM, GLSZM, GLDZM, NGLDM all use the same 16–17 formulas with a
 * different meaning of the column index j: run length, zone size, zone distance, dependence).
 */
import type { Vec3 } from '@radcam/core';
import { CountMatrix, LOG2_INT } from './accumulator.js';
import { buildTextureGrid, type TextureGrid } from './grid.js';

/** A texture matrix: counts[row, col] with the grey level of each row and the value of each column. */
export interface TextureMatrix {
  /** Grey level of each row (only grey levels present in the ROI get a row). */
  rowLevels: Float64Array;
  /** Value of each column: second grey level (GLCM), run length, zone size, distance, dependence. */
  colValues: Float64Array;
  /** Counts, row-major `rowLevels.length × colValues.length`, with the list of non-zero cells. */
  counts: CountMatrix;
  /** Number of voxels the matrix was computed from (N_v; summed over merged matrices). */
  nVoxels: number;
}

/** Common builder options. */
export interface BuilderOptions {
  /** Restrict to one slice (image z index, 2D computation in the xy plane). Default: whole volume (3D). */
  slice?: number;
}

/** Non-zero cells as `[rowLevel, colValue, count]`, sorted by row then column. */
export function matrixEntries(m: TextureMatrix): Array<[number, number, number]> {
  return m.counts.entries().map(([r, c, n]) => [m.rowLevels[r]!, m.colValues[c]!, n]);
}

/** Grid for a builder call (pad ≥ distance). */
export function builderGrid(
  levels: ArrayLike<number>,
  size: Readonly<Vec3>,
  nLevels: number,
  pad: number,
  morphMask?: ArrayLike<number>,
): TextureGrid {
  return buildTextureGrid(levels, size, nLevels, morphMask ? { pad, morphMask } : { pad });
}

/** Padded slice index of an image slice, or -1 when the slice holds no ROI voxel. */
export function paddedSlice(grid: TextureGrid, slice: number): number {
  const z = slice - grid.origin[2] + grid.pad;
  if (!Number.isInteger(slice) || z < 0 || z >= grid.nz) return -1;
  return grid.sliceStart[z + 1]! > grid.sliceStart[z]! ? z : -1;
}

/** Feature names of the run-length-like formulas, in the order computed by {@link runLikeFeatures}. */
export const RUN_LIKE_COUNT = 17;

/** Scratch buffers for {@link runLikeFeatures}. */
export interface RunLikeWorkspace {
  rowSum: Float64Array;
  colSum: Float64Array;
}

export function runLikeWorkspace(rows: number, cols: number): RunLikeWorkspace {
  return { rowSum: new Float64Array(rows), colSum: new Float64Array(cols) };
}

/**
 * The 17 run-length-like features of a count matrix (IBSI GLRLM / GLSZM / GLDZM / NGLDM):
 * [small-j emphasis, large-j emphasis, low grey, high grey, small-j low grey, small-j high grey,
 *  large-j low grey, large-j high grey, grey non-uniformity, normalised, j non-uniformity,
 *  normalised, percentage (N_s / N_v), grey variance, j variance, entropy, energy].
 * All NaN for an empty matrix.
 */
export function runLikeFeatures(
  m: CountMatrix,
  rowVal: Float64Array,
  colVal: Float64Array,
  out: Float64Array,
  ws: RunLikeWorkspace,
): void {
  const d = m.data;
  const ix = m.idx;
  const cols = m.cols;
  let ns = 0;
  for (let t = 0; t < m.nnz; t++) ns += d[ix[t]!]!;
  if (!(ns > 0)) {
    out.fill(NaN);
    return;
  }
  const { rowSum, colSum } = ws;
  let sje = 0, lje = 0, lge = 0, hge = 0, sjl = 0, sjh = 0, ljl = 0, ljh = 0;
  let mi = 0, mj = 0, clogc = 0, energy = 0;
  const lt = LOG2_INT;
  const ltn = lt.length;
  const logN = Math.log2(ns);
  const inv = 1 / ns;
  for (let t = 0; t < m.nnz; t++) {
    const k = ix[t]!;
    const c = d[k]!;
    const r = (k / cols) | 0;
    const col = k - r * cols;
    const vi = rowVal[r]!;
    const vj = colVal[col]!;
    const i2 = vi * vi;
    const j2 = vj * vj;
    sje += c / j2;
    lje += c * j2;
    lge += c / i2;
    hge += c * i2;
    sjl += c / (i2 * j2);
    sjh += (c * i2) / j2;
    ljl += (c * j2) / i2;
    ljh += c * i2 * j2;
    rowSum[r] = rowSum[r]! + c;
    colSum[col] = colSum[col]! + c;
    mi += vi * c;
    mj += vj * c;
    clogc += c * (logN - (c < ltn && c === Math.floor(c) ? lt[c]! : Math.log2(c)));
    energy += c * c;
  }
  const entr = clogc * inv;
  energy *= inv * inv;
  mi *= inv;
  mj *= inv;
  let vari = 0, varj = 0;
  for (let t = 0; t < m.nnz; t++) {
    const k = ix[t]!;
    const c = d[k]!;
    const r = (k / cols) | 0;
    const col = k - r * cols;
    const di = rowVal[r]! - mi;
    const dj = colVal[col]! - mj;
    vari += di * di * c;
    varj += dj * dj * c;
  }
  let gnu = 0;
  for (let r = 0; r < rowSum.length; r++) {
    const s = rowSum[r]!;
    if (s !== 0) {
      gnu += s * s;
      rowSum[r] = 0;
    }
  }
  let jnu = 0;
  for (let c = 0; c < colSum.length; c++) {
    const s = colSum[c]!;
    if (s !== 0) {
      jnu += s * s;
      colSum[c] = 0;
    }
  }
  out[0] = sje * inv;
  out[1] = lje * inv;
  out[2] = lge * inv;
  out[3] = hge * inv;
  out[4] = sjl * inv;
  out[5] = sjh * inv;
  out[6] = ljl * inv;
  out[7] = ljh * inv;
  out[8] = gnu * inv;
  out[9] = gnu * inv * inv;
  out[10] = jnu * inv;
  out[11] = jnu * inv * inv;
  out[12] = m.nVoxels > 0 ? ns / m.nVoxels : NaN;
  out[13] = vari * inv;
  out[14] = varj * inv;
  out[15] = entr;
  out[16] = energy;
}

/** Column values 1..n. */
export function oneToN(n: number): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = i + 1;
  return v;
}
