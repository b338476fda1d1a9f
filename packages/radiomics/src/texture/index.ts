/**
 * IBSI-1 texture families: GLCM, GLRLM, GLSZM, GLDZM, NGTDM, NGLDM.
 *
 * Pure matrix builders over typed arrays (`buildGlcm`, …) and the extractor objects that name
 * the features (`glcmExtractor`, …, `textureExtractors`). Nothing here registers anything.
 */
import type { FeatureExtractor } from '@radcam/core';
import type { TextureSettings } from './common.js';
import { glcmExtractor } from './glcm.js';
import { glrlmExtractor } from './glrlm.js';
import { gldzmExtractor, glszmExtractor } from './zones.js';
import { ngtdmExtractor } from './ngtdm.js';
import { ngldmExtractor } from './ngldm.js';

export { CountMatrix } from './accumulator.js';
export {
  MATRIX_AGGREGATIONS,
  ZONE_AGGREGATIONS,
  TEXTURE_LEVELS_CACHE_KEY,
  matrixAggregations,
  zoneAggregations,
  textureGridFromContext,
  type MatrixAggregation,
  type TextureAggregation,
  type TextureLevelsCacheEntry,
  type TextureSettings,
  type ZoneAggregation,
} from './common.js';
export { buildTextureGrid, DIRECTIONS_2D, DIRECTIONS_3D, type TextureGrid, type TextureGridOptions } from './grid.js';
export { matrixEntries, runLikeFeatures, type BuilderOptions, type TextureMatrix } from './matrix.js';
export { buildGlcm, glcmExtractor, glcmFeatures, glcmWorkspace, GLCM_FEATURES, type GlcmOptions, type GlcmWorkspace } from './glcm.js';
export { buildGlrlm, glrlmExtractor, GLRLM_FEATURES, type GlrlmOptions } from './glrlm.js';
export {
  buildGlszm,
  buildGldzm,
  borderDistance,
  glszmExtractor,
  gldzmExtractor,
  labelZones,
  GLSZM_FEATURES,
  GLDZM_FEATURES,
  type GldzmOptions,
  type ZoneLabels,
  type ZoneOptions,
} from './zones.js';
export { buildNgtdm, ngtdmExtractor, ngtdmFeatures, NGTDM_FEATURES, type NgtdmMatrix, type NgtdmOptions } from './ngtdm.js';
export { buildNgldm, ngldmExtractor, NGLDM_FEATURES, type NgldmOptions } from './ngldm.js';

/** The six IBSI texture extractors (not registered; see the package's register module). */
export const textureExtractors: ReadonlyArray<FeatureExtractor<TextureSettings>> = [
  glcmExtractor,
  glrlmExtractor,
  glszmExtractor,
  gldzmExtractor,
  ngtdmExtractor,
  ngldmExtractor,
];
