/**
 * PyRadiomics 3.x-compatible mode: `extractPyradiomics` (image types Original, LoG, Wavelet, Square,
 * SquareRoot, Logarithm, Exponential, Gradient, LBP2D),
 * the parameter-file loader, PyRadiomics' LoG (ITK recursive Gaussian) and wavelet (PyWavelets SWT)
 * filters and the IBSI ↔ PyRadiomics name map. See docs/pyradiomics-compat.md.
 */
export { extractPyradiomics, type PyradiomicsResult, type PyradiomicsDiagnostic } from './extract.js';
export {
  defaultPyradiomicsParams,
  defaultPyradiomicsSettings,
  loadPyradiomicsParams,
  parsePyradiomicsParams,
  pyradiomicsParams,
  pyradiomicsSettings,
  pyradiomicsFeatureNames,
  pyradiomicsDerivedImageNames,
  PYRADIOMICS_CLASSES,
  PYRADIOMICS_IMAGE_TYPES,
  type PyradiomicsImageType,
  PYRADIOMICS_FEATURES,
  type PyradiomicsClass,
  type PyradiomicsInterpolator,
  type PyradiomicsParams,
  type PyradiomicsSettings,
} from './params.js';
export { IBSI_PYRADIOMICS_MAP, ibsiToPyradiomics, pyradiomicsToIbsi, type IbsiPyradiomicsEntry } from './mapping.js';
export { binEdges as pyradiomicsBinEdges } from './discretize.js';
export { pyradiomicsMesh, pyradiomicsCubeTriangles, type PyradiomicsMesh } from './marching-cubes.js';
export { pyradiomicsDerivedImages, pyradiomicsImageTypeSettings, type PyradiomicsDerivedImage, type PyradiomicsDerivedImageOptions } from './image-types.js';
export {
  pyradiomicsPointTransform,
  pyradiomicsGradientMagnitude,
  pyradiomicsLbp2D,
  localBinaryPattern2D,
  lbpSamplingOffsets,
  numpyCastToInt,
  type PyradiomicsPointTransform,
  type PyradiomicsLbpMethod,
  type PyradiomicsLbp2DOptions,
} from '../filters/pyradiomics-nonlinear.js';
export {
  laplacianRecursiveGaussian,
  recursiveGaussianCoefficients,
  recursiveGaussianLine,
  type LaplacianRecursiveGaussianOptions,
  type RecursiveGaussianCoefficients,
  type RecursiveGaussianOptions,
} from '../filters/pyradiomics-log.js';
export {
  pyradiomicsWavelet,
  pywtFilters,
  swtnLevel1,
  PYWT_DEC_FILTERS,
  type PyradiomicsWaveletBand,
  type PyradiomicsWaveletOptions,
} from '../filters/pyradiomics-wavelet.js';
