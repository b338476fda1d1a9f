/**
 * PyRadiomics 3.x-compatible mode: `extractPyradiomics`, the parameter-file loader and the
 * IBSI ↔ PyRadiomics name map. See docs/pyradiomics-compat.md.
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
  PYRADIOMICS_CLASSES,
  PYRADIOMICS_FEATURES,
  type PyradiomicsClass,
  type PyradiomicsInterpolator,
  type PyradiomicsParams,
  type PyradiomicsSettings,
} from './params.js';
export { IBSI_PYRADIOMICS_MAP, ibsiToPyradiomics, pyradiomicsToIbsi, type IbsiPyradiomicsEntry } from './mapping.js';
export { binEdges as pyradiomicsBinEdges } from './discretize.js';
export { pyradiomicsMesh, pyradiomicsCubeTriangles, type PyradiomicsMesh } from './marching-cubes.js';
