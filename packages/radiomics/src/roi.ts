import { RadcamError, type Mask, type Volume } from '@radcam/core';

/** Indices (linear, into the image grid) of the voxels inside `mask`, in x-fastest order. */
export function maskIndices(mask: Mask): Int32Array {
  const d = mask.data;
  let n = 0;
  for (let i = 0; i < d.length; i++) if (d[i] !== 0) n++;
  const out = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < d.length; i++) if (d[i] !== 0) out[k++] = i;
  return out;
}

/** Number of voxels inside `mask` (non-zero). */
export function countMask(mask: Mask): number {
  const d = mask.data;
  let n = 0;
  for (let i = 0; i < d.length; i++) if (d[i] !== 0) n++;
  return n;
}

/** Intensities of `image` at `indices` as Float64Array (copied). */
export function gatherValues(image: Volume, indices: Int32Array): Float64Array {
  const out = new Float64Array(indices.length);
  const d = image.data;
  for (let k = 0; k < indices.length; k++) out[k] = d[indices[k]!]!;
  return out;
}

/** Throws `E_EMPTY_ROI` when `indices` is empty. */
export function assertNonEmpty(indices: ArrayLike<number>, what: string): void {
  if (indices.length === 0) {
    throw new RadcamError('E_EMPTY_ROI', `${what} is empty`, { expected: 'at least one voxel inside the ROI', found: '0' });
  }
}

/**
 * Ascending sort of a copy. Integer data spanning a modest range (CT HU, grey levels) is sorted by
 * counting in O(n + range) — the same array as a comparison sort, much faster for large ROIs.
 */
export function sortedCopy(values: Float64Array): Float64Array {
  const n = values.length;
  if (n > 256) {
    let lo = Infinity, hi = -Infinity, integral = true;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (integral && v !== Math.floor(v)) integral = false;
    }
    const range = hi - lo + 1;
    if (integral && Number.isFinite(range) && range <= Math.max(4 * n, 1 << 16) && range <= 1 << 24) {
      const counts = new Int32Array(range);
      for (let i = 0; i < n; i++) counts[values[i]! - lo]!++;
      const out = new Float64Array(n);
      let k = 0;
      for (let b = 0; b < range; b++) {
        const c = counts[b]!;
        if (c === 0) continue;
        out.fill(lo + b, k, k + c);
        k += c;
      }
      // −0 sorts before +0 in a comparison sort; counting maps both to 0, which no percentile can tell apart
      return out;
    }
  }
  const s = Float64Array.from(values);
  s.sort();
  return s;
}

/** Percentile of ascending-sorted data with linear interpolation between order statistics (numpy default). */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (n === 1) return sorted[0]!;
  const pos = (p / 100) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const f = pos - lo;
  return sorted[lo]! + f * (sorted[hi]! - sorted[lo]!);
}
