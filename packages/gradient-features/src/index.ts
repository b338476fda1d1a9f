/**
 * @radcam/gradient-features — gradient magnitude, radial gradient and radial deviation maps, the
 * tumour core / margin / margin-octant regions, and their summary statistics as features.
 */
export const PACKAGE_NAME = '@radcam/gradient-features';

export {
  computeGradient,
  computeGradientMaps,
  defaultZeroGradientTolerance,
  gaussianKernels,
  type GradientField,
  type GradientMapsOptions,
  type GradientMapsResult,
  type GradientMethod,
  type GradientOptions,
} from './gradient.js';
export {
  gradientRegions,
  octantCode,
  OCTANT_LPS_NAMES,
  regionNames,
  resolveMargin,
  type GradientRegions,
  type GradientRegionsOptions,
  type MarginOptions,
  type OctantLpsName,
  type OctantNaming,
  type ResolvedMargin,
} from './regions.js';
export { momentStats, percentileSorted, type MomentStats } from './stats.js';
export {
  analyzeGradients,
  basicFeatureNames,
  BASIC_STATS,
  basicFeatures,
  DEFAULT_PERCENTILES,
  distributionFeatureNames,
  distributionFeatures,
  extractGradientFeatures,
  gradientFeatureNames,
  gradientFeaturesFromAnalysis,
  GRADIENT_MAP_NAMES,
  ICOSAHEDRON_FACE_NORMALS,
  orientationFeatureNames,
  orientationFeatures,
  type GradientAnalysis,
  type GradientDiagnostics,
  type GradientFeatureGroup,
  type GradientFeatureOptions,
  type GradientFeaturesResult,
  type GradientMapName,
} from './features.js';
export {
  gradientBasicExtractor,
  gradientDistributionExtractor,
  gradientExtractors,
  gradientOrientationExtractor,
  registerGradientExtractors,
  type GradientExtractorSettings,
} from './extractors.js';
export { cropBox, maskCentroid, type IndexBox } from './geometry.js';
