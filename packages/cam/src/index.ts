/**
 * @radcam/cam — class activation maps (CAM, Grad-CAM, Grad-CAM++, LayerCAM / pixel-wise CAM,
 * HiResCAM, element-wise Grad-CAM, Score-CAM) for 2D and 3D tfjs models, mapped back into patient
 * space, split into response-related subregions, and scored for faithfulness and localisation.
 */
export const PACKAGE_NAME = '@radcam/cam';
export * from './types.js';
export * from './grid.js';
export * from './methods.js';
export * from './compute.js';
export * from './patient.js';
export * from './subregions.js';
export * from './metrics.js';
export * from './lesion.js';
export { pearson, spearman, ranks, percentile as mapPercentile, otsuThreshold, rocAuc, trapezoid } from './stats.js';
