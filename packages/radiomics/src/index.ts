/**
 * @radcam/radiomics — IBSI 1 radiomic features.
 *
 * `extractFeatures(image, mask, settings)` runs the pipeline; the families are `FeatureExtractor`
 * objects (`ibsi/morphology`, `ibsi/glcm`, …) that `registerIbsiExtractors()` adds to the global
 * `extractorRegistry`. Nothing is registered on import of this entry (sideEffects: false).
 */
import { extractorRegistry, type Disposer, type RegisterOptions } from '@radcam/core';
import { ibsiExtractors } from './pipeline.js';

export const PACKAGE_NAME = '@radcam/radiomics';

export * from './discretisation.js';
export * from './settings.js';
export * from './pipeline.js';
export * from './extractors.js';
export { roiOf, histogramLevelsOf, setTextureLevels, ROI_CACHE_KEY, HISTOGRAM_LEVELS_CACHE_KEY, TEXTURE_LEVELS_KEY, type RoiEntry, type HistogramLevelsEntry } from './context.js';
export { MORPHOLOGY_FEATURES, morphologyFeatures, spatialAutocorrelation, type MorphologyOptions, type MorphologyResult, type MoranMode } from './morphology/features.js';
export { meshMeasures, MC_LOOPS, CUBE_EDGES, LEWINER_TABLE, type MeshMeasures, type LoopTriangulation } from './morphology/marching-cubes.js';
export { gridAutocorrelation, type GridAutocorrelation } from './morphology/autocorrelation.js';
export { convexHull3D, type ConvexHull } from './morphology/convex-hull.js';
export { ellipsoidAreaLegendre, symmetricEigenvalues3 } from './morphology/geometry.js';
export { STATISTICS_FEATURES, HISTOGRAM_FEATURES, distributionStats, statisticsFeatures, histogramFeatures, type DistributionStats, type FamilyResult } from './families/statistics.js';
export { IVH_FEATURES, ivhFeatures, type IvhSettings } from './families/ivh.js';
export { LOCAL_INTENSITY_FEATURES, PEAK_RADIUS_MM, localIntensityFeatures } from './families/local-intensity.js';
export { percentileSorted } from './roi.js';
export * as texture from './texture/index.js';
export * from './processing/index.js';
export * from './pyradiomics/index.js';
export * from './voxel/index.js';
export * from './filters/index.js';
export * from './image-types/index.js';
export { pointTransform, gradientMagnitude, lbp2D, type PointTransform } from './filters/nonlinear.js';

/**
 * Register every built-in IBSI extractor in `extractorRegistry`. Idempotent: extractors that
 * are already registered (same object) are skipped. Returns a disposer that removes what this
 * call added.
 */
export function registerIbsiExtractors(options: RegisterOptions = {}): Disposer {
  const disposers: Disposer[] = [];
  for (const e of ibsiExtractors()) {
    if (!options.override && extractorRegistry.find(e.id) === e) continue;
    disposers.push(extractorRegistry.register(e, options));
  }
  return () => {
    for (const d of disposers.reverse()) d();
  };
}
