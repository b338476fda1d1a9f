/**
 * Filtered-image radiomics: image types (original, IBSI 2 filters, PyRadiomics transforms), their
 * feature names and `extractFilteredFeatures`; the IBSI 2 phase-2 configurations.
 */
export {
  applyImageType,
  ibsiImageTypePrefix,
  imageTypeFeatureName,
  imageTypeReach,
  pyradiomicsImageTypeName,
  type FeatureNaming,
  type ImageTypeSpec,
  type NonlinearImageType,
} from './image-type.js';
export { extractFilteredFeatures, type FilteredExtractionResult, type FilteredExtractionSettings, type ImageTypeDiagnostics } from './extract.js';
export { IBSI2_PHASE2_CONFIGS, ibsi2Phase2Config, type Ibsi2Phase2Config } from './ibsi2-phase2.js';
