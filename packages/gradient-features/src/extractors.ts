/**
 * Feature-extractor objects of the gradient arm (`gradient/basic`, `gradient/distribution`,
 * `gradient/orientation`) and their explicit registration. The three share one analysis per
 * extraction run through `context.cache`.
 */
import { extractorRegistry, type Disposer, type ExtractionContext, type ExtractorResult, type FeatureExtractor, type RegisterOptions } from '@radcam/core';
import {
  analyzeGradients,
  basicFeatureNames,
  DEFAULT_PERCENTILES,
  distributionFeatureNames,
  gradientFeaturesFromAnalysis,
  orientationFeatureNames,
  type GradientAnalysis,
  type GradientFeatureGroup,
  type GradientFeatureOptions,
} from './features.js';

/** Settings accepted by the gradient extractors (the `extractGradientFeatures` options). */
export type GradientExtractorSettings = Omit<GradientFeatureOptions, 'groups' | 'returnMaps' | 'returnRegions'>;

function cacheKey(settings: Partial<GradientExtractorSettings>): string {
  const keys = Object.keys(settings).sort();
  return `gradient/analysis:${JSON.stringify(settings, keys)}`;
}

function analysisFor(context: ExtractionContext, settings: Partial<GradientExtractorSettings>): GradientAnalysis {
  // The analysis always carries the gradient vector so that every group can reuse it.
  const key = cacheKey(settings);
  const hit = context.cache.get(key) as GradientAnalysis | undefined;
  if (hit) return hit;
  const a = analyzeGradients(context.image, context.mask, { ...settings, groups: ['orientation'] });
  context.cache.set(key, a);
  return a;
}

function make(
  group: GradientFeatureGroup,
  description: string,
  names: (s: Partial<GradientExtractorSettings>) => string[],
): FeatureExtractor<GradientExtractorSettings> {
  return {
    id: `gradient/${group}`,
    family: 'gradient',
    description,
    featureNames: (settings = {}) => names(settings),
    extract(context: ExtractionContext, settings: Partial<GradientExtractorSettings> = {}): ExtractorResult {
      const a = analysisFor(context, settings);
      const { features, diagnostics } = gradientFeaturesFromAnalysis(a, [group]);
      return { features, diagnostics: diagnostics as unknown as Record<string, unknown> };
    },
  };
}

/** Mean / population SD / CV of |∇I|, radial gradient and radial deviation in core, margin, 8 octants (90). */
export const gradientBasicExtractor = make(
  'basic',
  'Gradient magnitude, radial gradient and radial deviation: mean, SD, CV in core, margin and margin octants (90 features)',
  (s) => basicFeatureNames(s.octantNaming ?? 'lps'),
);

/** Percentiles, skewness and excess kurtosis of the three maps per region. */
export const gradientDistributionExtractor = make(
  'distribution',
  'Percentiles, skewness and kurtosis of the gradient maps per region',
  (s) => distributionFeatureNames(s.octantNaming ?? 'lps', s.percentiles ?? DEFAULT_PERCENTILES),
);

/** 3D HOG-style orientation histograms (icosahedral world bins, polar angle to the radial direction). */
export const gradientOrientationExtractor = make(
  'orientation',
  'Magnitude-weighted gradient orientation histograms per region (20 icosahedral bins + polar-angle bins)',
  (s) => orientationFeatureNames(s.octantNaming ?? 'lps', s.polarBins ?? 6),
);

/** The gradient extractors, in feature order. */
export const gradientExtractors: readonly FeatureExtractor<GradientExtractorSettings>[] = [
  gradientBasicExtractor,
  gradientDistributionExtractor,
  gradientOrientationExtractor,
];

/**
 * Register the gradient extractors in the global extractor registry. Returns one disposer that
 * removes all of them. Throws `E_REGISTRY_DUPLICATE` when already registered (unless `override`).
 */
export function registerGradientExtractors(options: RegisterOptions = {}): Disposer {
  const disposers: Disposer[] = [];
  try {
    for (const e of gradientExtractors) disposers.push(extractorRegistry.register(e, options));
  } catch (err) {
    for (const d of disposers.reverse()) d();
    throw err;
  }
  return () => {
    for (const d of disposers.reverse()) d();
  };
}
