import type { Mask, Volume } from './volume.js';
import { globalRegistry, type RegistryItem } from './registry.js';

/**
 * What an extractor receives. `image` holds the intensities the extractor should use (already
 * processed by the pipeline that calls it: resampled, re-segmented, …); `mask` is the ROI on the
 * same grid. `cache` is shared by all extractors of one extraction run so that intermediates
 * (a discretised image, a distance map, a mesh) are computed once; keys are namespaced like ids.
 * Extractors must not modify `image.data` or `mask.data`.
 */
export interface ExtractionContext {
  image: Volume;
  mask: Mask;
  /** Optional separate intensity mask (IBSI re-segmentation); defaults to `mask`. */
  intensityMask?: Mask;
  cache: Map<string, unknown>;
}

export interface ExtractorResult {
  /** Feature tag → value. `NaN` is allowed where a feature is undefined (explained in diagnostics). */
  features: Record<string, number>;
  diagnostics?: Record<string, unknown>;
}

/**
 * A named group of features. Built-in ones are `ibsi/glcm`, `ibsi/morphology`, `gradient/…`;
 * third-party ones use their own namespace (`acme/lbp`). Pure numerics live elsewhere: an
 * extractor only names and assembles features.
 */
export interface FeatureExtractor<S = Record<string, unknown>> extends RegistryItem {
  readonly id: string;
  /** Short family name used in tables (`glcm`, `gradient`). */
  readonly family: string;
  readonly description?: string;
  /** The exact feature names `extract` returns for these settings, in order. */
  featureNames(settings?: Partial<S>): string[];
  extract(context: ExtractionContext, settings?: Partial<S>): ExtractorResult;
}

/** The process-wide extractor registry (shared across installed copies via `Symbol.for`). */
export const extractorRegistry = globalRegistry<FeatureExtractor<any>>('extractors', 'feature extractor');

export function createExtractionContext(image: Volume, mask: Mask, intensityMask?: Mask): ExtractionContext {
  return intensityMask ? { image, mask, intensityMask, cache: new Map() } : { image, mask, cache: new Map() };
}
