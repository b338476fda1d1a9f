/**
 * The non-texture IBSI 1 families as `FeatureExtractor` objects. Numerics live in `families/`
 * and `morphology/`; these objects only pick settings, fetch shared intermediates from the
 * context cache and name the features.
 */
import type { ExtractionContext, ExtractorResult, FeatureExtractor } from '@radcam/core';
import { histogramLevelsOf, roiOf } from './context.js';
import { MORPHOLOGY_FEATURES, morphologyFeatures } from './morphology/features.js';
import { HISTOGRAM_FEATURES, STATISTICS_FEATURES, histogramFeatures, statisticsFeatures } from './families/statistics.js';
import { IVH_FEATURES, ivhFeatures } from './families/ivh.js';
import { LOCAL_INTENSITY_FEATURES, PEAK_RADIUS_MM, localIntensityFeatures } from './families/local-intensity.js';
import type { RadiomicsSettings } from './settings.js';


/** Settings every built-in IBSI extractor accepts: the (partial) pipeline settings. */
export type IbsiExtractorSettings = RadiomicsSettings;

export const morphologyExtractor: FeatureExtractor<IbsiExtractorSettings> = {
  id: 'ibsi/morphology',
  family: 'morphology',
  description: 'IBSI 1 morphological features (marching-cubes mesh, convex hull, PCA, Moran’s I, Geary’s C)',
  featureNames: () => [...MORPHOLOGY_FEATURES],
  extract(context: ExtractionContext, settings: Partial<IbsiExtractorSettings> = {}): ExtractorResult {
    const r = morphologyFeatures(context.image, context.mask, context.intensityMask ?? context.mask, settings.morphology ?? {});
    return r;
  },
};

export const localIntensityExtractor: FeatureExtractor<IbsiExtractorSettings> = {
  id: 'ibsi/local-intensity',
  family: 'local_intensity',
  description: 'IBSI 1 local and global intensity peak (1 cm³ sphere)',
  featureNames: () => [...LOCAL_INTENSITY_FEATURES],
  extract(context, settings = {}) {
    const roi = roiOf(context);
    return localIntensityFeatures(context.image, roi.indices, settings.localIntensity?.radiusMm ?? PEAK_RADIUS_MM);
  },
};

export const statisticsExtractor: FeatureExtractor<IbsiExtractorSettings> = {
  id: 'ibsi/statistics',
  family: 'intensity_statistics',
  description: 'IBSI 1 intensity-based statistical features',
  featureNames: () => [...STATISTICS_FEATURES],
  extract(context) {
    return statisticsFeatures(roiOf(context).values);
  },
};

export const intensityHistogramExtractor: FeatureExtractor<IbsiExtractorSettings> = {
  id: 'ibsi/intensity-histogram',
  family: 'intensity_histogram',
  description: 'IBSI 1 intensity histogram features of the discretised intensities',
  featureNames: () => [...HISTOGRAM_FEATURES],
  extract(context, settings = {}) {
    const disc = settings.histogram?.discretisation ?? settings.discretisation ?? { method: 'fbn', bins: 32 };
    const lv = histogramLevelsOf(context, disc);
    const r = histogramFeatures(lv.levels, lv.nLevels);
    r.diagnostics.ih_discretisation = { ...disc, lowerBound: lv.lowerBound, binWidth: lv.binWidth, nLevels: lv.nLevels };
    return r;
  },
};

export const ivhExtractor: FeatureExtractor<IbsiExtractorSettings> = {
  id: 'ibsi/ivh',
  family: 'intensity_volume_histogram',
  description: 'IBSI 1 intensity-volume histogram features',
  featureNames: () => [...IVH_FEATURES],
  extract(context, settings = {}) {
    const ivh = settings.ivh ?? { method: 'fbn', bins: 1000 };
    const range = ivh.range ?? settings.resegmentation?.range;
    return ivhFeatures(roiOf(context).values, range ? { ...ivh, range } : ivh);
  },
};

/** The five non-texture IBSI extractors, in IBSI order. */
export const nonTextureExtractors: ReadonlyArray<FeatureExtractor<IbsiExtractorSettings>> = [
  morphologyExtractor,
  localIntensityExtractor,
  statisticsExtractor,
  intensityHistogramExtractor,
  ivhExtractor,
];
