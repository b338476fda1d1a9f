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

/** Ascending sort of a copy. */
export function sortedCopy(values: Float64Array): Float64Array {
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
