/**
 * Shared intermediates of one extraction run, memoised in `ExtractionContext.cache` so that every
 * extractor computes them at most once. Keys are namespaced (`ibsi/...`).
 */
import type { ExtractionContext, Mask } from '@radcam/core';
import { discretise, type DiscretisationResult, type DiscretisationSettings } from './discretisation.js';
import { assertNonEmpty, gatherValues, maskIndices } from './roi.js';

export const ROI_CACHE_KEY = 'ibsi/roi';
export const HISTOGRAM_LEVELS_CACHE_KEY = 'ibsi/histogram-levels';
export const TEXTURE_LEVELS_KEY = 'ibsi/texture-levels';

export interface RoiEntry {
  mask: Mask;
  /** Linear indices of the intensity-mask voxels. */
  indices: Int32Array;
  /** Their intensities. */
  values: Float64Array;
}

/** Intensity-mask voxel indices and values (throws `E_EMPTY_ROI` when the mask is empty). */
export function roiOf(context: ExtractionContext): RoiEntry {
  const mask = context.intensityMask ?? context.mask;
  const hit = context.cache.get(ROI_CACHE_KEY) as RoiEntry | undefined;
  if (hit && hit.mask === mask) return hit;
  const indices = maskIndices(mask);
  assertNonEmpty(indices, context.intensityMask ? 'intensity mask' : 'mask');
  const entry: RoiEntry = { mask, indices, values: gatherValues(context.image, indices) };
  context.cache.set(ROI_CACHE_KEY, entry);
  return entry;
}

export interface HistogramLevelsEntry extends DiscretisationResult {
  settings: DiscretisationSettings;
}

/** Discretised grey levels of the ROI voxels for the intensity histogram (memoised per settings). */
export function histogramLevelsOf(context: ExtractionContext, settings: DiscretisationSettings): HistogramLevelsEntry {
  const roi = roiOf(context);
  const hit = context.cache.get(HISTOGRAM_LEVELS_CACHE_KEY) as HistogramLevelsEntry | undefined;
  if (hit && JSON.stringify(hit.settings) === JSON.stringify(settings) && hit.levels.length === roi.indices.length) return hit;
  const entry: HistogramLevelsEntry = { ...discretise(roi.values, settings), settings };
  context.cache.set(HISTOGRAM_LEVELS_CACHE_KEY, entry);
  return entry;
}

/**
 * Put the texture grey levels into the cache in the form the texture extractors read:
 * `{ levels: Int32Array (image size; 0 outside the intensity ROI), nLevels }`.
 * An empty ROI yields all-zero levels and `nLevels = 0` (the extractors then throw E_EMPTY_ROI).
 */
export function setTextureLevels(context: ExtractionContext, settings: DiscretisationSettings): DiscretisationResult | null {
  const n = context.image.data.length;
  const levels = new Int32Array(n);
  const mask = context.intensityMask ?? context.mask;
  const hit = context.cache.get(ROI_CACHE_KEY) as RoiEntry | undefined;
  const indices = hit && hit.mask === mask ? hit.indices : maskIndices(mask);
  if (indices.length === 0) {
    context.cache.set(TEXTURE_LEVELS_KEY, { levels, nLevels: 0 });
    return null;
  }
  // the ROI entry (indices + values) is shared with the other extractors
  const roi = hit && hit.mask === mask ? hit : { mask, indices, values: gatherValues(context.image, indices) };
  context.cache.set(ROI_CACHE_KEY, roi);
  const values = roi.values;
  const d = discretise(values, settings);
  // same settings for the intensity histogram (the usual case): share the result
  context.cache.set(HISTOGRAM_LEVELS_CACHE_KEY, { ...d, settings: { ...settings } } satisfies HistogramLevelsEntry);
  for (let t = 0; t < indices.length; t++) levels[indices[t]!] = d.levels[t]!;
  context.cache.set(TEXTURE_LEVELS_KEY, { levels, nLevels: d.nLevels });
  return d;
}
