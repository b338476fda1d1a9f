/**
 * PyRadiomics' grey-level discretisation (`imageoperations.getBinEdges` / `binImage`).
 *
 * - Fixed bin width W: edges are multiples of W starting at the first one ≤ min (numpy floor
 *   modulo), `arange(min − min % W, max + 2W, W)`; a flat region with a single edge e gets
 *   edges [e − ½, e + ½].
 * - Fixed bin count N: `numpy.histogram(x, N)` edges (N+1 equally spaced edges from min to max),
 *   with the top edge raised by 1 so the maximum lands in bin N.
 * Values are then mapped with `numpy.digitize` (bin of [lower, upper)), giving levels 1…Ng.
 */
import { RadcamError } from '@radcam/core';
import { digitize, pyMod } from './numeric.js';

export interface BinningOptions {
  binWidth: number;
  binCount: number | null;
}

/** Bin edges for the ROI values (PyRadiomics' rule). */
export function binEdges(values: Float64Array, opts: BinningOptions): Float64Array {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(min <= max)) throw new RadcamError('E_EMPTY_ROI', 'cannot discretise an empty ROI');
  if (opts.binCount !== null && opts.binCount !== undefined) {
    const n = opts.binCount;
    let first = min;
    let last = max;
    if (first === last) {
      first -= 0.5;
      last += 0.5;
    }
    const edges = new Float64Array(n + 1);
    const step = (last - first) / n;
    for (let k = 0; k <= n; k++) edges[k] = k * step + first;
    edges[n] = last;
    edges[n] = edges[n]! + 1;
    return edges;
  }
  const w = opts.binWidth;
  const low = min - pyMod(min, w);
  const high = max + 2 * w;
  const len = Math.ceil((high - low) / w);
  if (len <= 1) {
    const e0 = low;
    return Float64Array.of(e0 - 0.5, e0 + 0.5);
  }
  const edges = new Float64Array(len);
  for (let k = 0; k < len; k++) edges[k] = low + k * w;
  return edges;
}

export interface Discretised {
  /** Level (1…Ng) of each voxel of the ROI box; 0 outside the ROI. */
  levels: Int32Array;
  /** Highest level present (PyRadiomics' Ng). */
  ng: number;
  /** Levels present in the ROI, ascending. */
  present: Int32Array;
  edges: Float64Array;
}

/** Discretise the voxels of `values` where `mask` is set (other voxels get level 0). */
export function discretise(values: Float64Array, mask: Uint8Array, opts: BinningOptions): Discretised {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  const roi = new Float64Array(n);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i]) roi[k++] = values[i]!;
  const edges = binEdges(roi, opts);
  const levels = new Int32Array(values.length);
  let ng = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const l = digitize(values[i]!, edges);
    levels[i] = l;
    if (l > ng) ng = l;
  }
  const seen = new Uint8Array(ng + 1);
  for (let i = 0; i < mask.length; i++) if (mask[i]) seen[levels[i]!] = 1;
  const present: number[] = [];
  for (let l = 1; l <= ng; l++) if (seen[l]) present.push(l);
  return { levels, ng, present: Int32Array.from(present), edges };
}
