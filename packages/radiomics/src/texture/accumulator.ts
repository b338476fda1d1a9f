/** log2(k) for the integers k < 65536 (entropies of count matrices without a log per cell). */
export const LOG2_INT: Float64Array = /* @__PURE__ */ (() => {
  const t = new Float64Array(1 << 16);
  t[0] = -Infinity;
  for (let k = 1; k < t.length; k++) t[k] = Math.log2(k);
  return t;
})();

import { RadcamError } from '@radcam/core';

/**
 * A dense count matrix that also records which cells are non-zero, so that features, merging
 * and clearing cost O(non-zero cells) instead of O(rows × columns). Rows are compact grey-level
 * indices (0-based here), columns are family specific (second grey level, run length, zone
 * size rank, distance, dependence count).
 */
export class CountMatrix {
  readonly rows: number;
  readonly cols: number;
  /** Row-major counts, `rows × cols` (32-bit integers: half the cache footprint of float64). */
  readonly data: Int32Array;
  /** Linear indices of the non-zero cells (first `nnz` entries valid, unordered). */
  idx: Int32Array;
  nnz = 0;
  /** Number of voxels the matrix was computed from (N_v, summed when merging). */
  nVoxels = 0;

  constructor(rows: number, cols: number) {
    const size = rows * cols;
    if (!Number.isSafeInteger(size) || size > 2 ** 27) {
      throw new RadcamError('E_UNSUPPORTED', 'texture matrix too large: reduce the number of grey levels present in the ROI', {
        expected: `at most 2^27 cells`,
        found: `${rows}×${cols}`,
      });
    }
    this.rows = rows;
    this.cols = cols;
    this.data = new Int32Array(size);
    this.idx = new Int32Array(Math.max(16, Math.min(size, 1 << 16)));
  }

  /** Add `v` to cell `k` (linear index). */
  add(k: number, v: number): void {
    const d = this.data;
    if (d[k] === 0) {
      if (this.nnz === this.idx.length) this.grow();
      this.idx[this.nnz++] = k;
    }
    d[k] = d[k]! + v;
  }

  private grow(): void {
    const next = new Int32Array(Math.min(this.data.length, this.idx.length * 2));
    next.set(this.idx);
    this.idx = next;
  }

  /** Add every cell of `other` (same shape) into this matrix, including its voxel count. */
  addFrom(other: CountMatrix): void {
    const od = other.data;
    const oi = other.idx;
    for (let t = 0; t < other.nnz; t++) {
      const k = oi[t]!;
      this.add(k, od[k]!);
    }
    this.nVoxels += other.nVoxels;
  }

  clear(): void {
    const d = this.data;
    const ix = this.idx;
    for (let t = 0; t < this.nnz; t++) d[ix[t]!] = 0;
    this.nnz = 0;
    this.nVoxels = 0;
  }

  /** Sum of all counts. */
  total(): number {
    let s = 0;
    for (let t = 0; t < this.nnz; t++) s += this.data[this.idx[t]!]!;
    return s;
  }

  /** The non-zero cells as sorted `[row, col, count]` triplets (for tests and inspection). */
  entries(): Array<[number, number, number]> {
    const ks = Array.from(this.idx.subarray(0, this.nnz)).sort((a, b) => a - b);
    return ks.map((k) => [Math.floor(k / this.cols), k % this.cols, this.data[k]!]);
  }
}
