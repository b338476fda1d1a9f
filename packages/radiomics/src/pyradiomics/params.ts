/**
 * PyRadiomics parameter files (YAML schema of `radiomics/schemas/paramSchema.yaml`):
 * `setting:` (extraction settings), `featureClass:` (class → list of features, empty/null = all)
 * and `imageType:` (only `Original` here; filters are a later issue). Unsupported keys raise
 * `RadcamError('E_PARAMS_FILE')` naming the key.
 */
import { RadcamError } from '@radcam/core';
import { parse as parseYaml } from 'yaml';

export type PyradiomicsClass = 'firstorder' | 'shape' | 'shape2D' | 'glcm' | 'glrlm' | 'glszm' | 'gldm' | 'ngtdm';
export const PYRADIOMICS_CLASSES: readonly PyradiomicsClass[] = ['shape', 'shape2D', 'firstorder', 'glcm', 'glrlm', 'glszm', 'gldm', 'ngtdm'];

export type PyradiomicsInterpolator = 'sitkBSpline' | 'sitkLinear' | 'sitkNearestNeighbor';

/** Extraction settings (PyRadiomics names and defaults). */
export interface PyradiomicsSettings {
  label: number;
  binWidth: number;
  binCount: number | null;
  resampledPixelSpacing: [number, number, number] | null;
  interpolator: PyradiomicsInterpolator | null;
  padDistance: number;
  normalize: boolean;
  normalizeScale: number;
  removeOutliers: number | null;
  resegmentRange: number[] | null;
  resegmentMode: 'absolute' | 'relative' | 'sigma';
  resegmentShape: boolean;
  force2D: boolean;
  force2Ddimension: 0 | 1 | 2;
  distances: number[];
  voxelArrayShift: number;
  minimumROIDimensions: 1 | 2 | 3;
  minimumROISize: number | null;
  preCrop: boolean;
  symmetricalGLCM: boolean;
  weightingNorm: 'manhattan' | 'euclidean' | 'infinity' | 'no_weighting' | null;
  gldm_a: number;
  additionalInfo: boolean;
  geometryTolerance: number;
}

export interface PyradiomicsParams {
  settings: PyradiomicsSettings;
  /** Always `{ Original: {} }` for now. */
  imageTypes: Record<'Original', Record<string, never>>;
  /** Enabled classes → feature names (null = all non-deprecated features of the class). */
  featureClasses: Partial<Record<PyradiomicsClass, string[] | null>>;
}

/** PyRadiomics 3.x defaults (`RadiomicsFeatureExtractor._getDefaultSettings` + class defaults). */
export function defaultPyradiomicsSettings(): PyradiomicsSettings {
  return {
    label: 1,
    binWidth: 25,
    binCount: null,
    resampledPixelSpacing: null,
    interpolator: 'sitkBSpline',
    padDistance: 5,
    normalize: false,
    normalizeScale: 1,
    removeOutliers: null,
    resegmentRange: null,
    resegmentMode: 'absolute',
    resegmentShape: false,
    force2D: false,
    force2Ddimension: 0,
    distances: [1],
    voxelArrayShift: 0,
    minimumROIDimensions: 2,
    minimumROISize: null,
    preCrop: false,
    symmetricalGLCM: true,
    weightingNorm: null,
    gldm_a: 0,
    additionalInfo: true,
    geometryTolerance: 1e-3,
  };
}

/** Default parameters: every class but shape2D enabled (as PyRadiomics' extractor does). */
export function defaultPyradiomicsParams(): PyradiomicsParams {
  return {
    settings: defaultPyradiomicsSettings(),
    imageTypes: { Original: {} },
    featureClasses: { firstorder: null, shape: null, glcm: null, glrlm: null, glszm: null, gldm: null, ngtdm: null },
  };
}

const FILTER_KEYS = new Set(['sigma', 'start_level', 'level', 'wavelet', 'lbp2DRadius', 'lbp2DSamples', 'lbp2DMethod', 'lbp3DLevels', 'lbp3DIcosphereRadius', 'lbp3DIcosphereSubdivision', 'gradientUseSpacing']);
const VOXEL_KEYS = new Set(['kernelRadius', 'maskedKernel', 'initValue', 'voxelBatch']);
const UNSUPPORTED_KEYS: Record<string, string> = {
  correctMask: 'mask resampling to the image grid is not supported; give a mask on the image grid',
  label_channel: 'vector (multi-channel) segmentations are not supported',
  enableCExtensions: 'not applicable (radcam has no C extensions)',
};

function bad(key: string, message: string, found?: unknown): never {
  throw new RadcamError('E_PARAMS_FILE', `PyRadiomics parameter "${key}": ${message}`, found === undefined ? {} : { found: JSON.stringify(found) });
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function numOrNull(key: string, v: unknown, positive = false): number | null {
  if (v === null || v === undefined) return null;
  if (!isNum(v) || (positive && !(v > 0))) bad(key, positive ? 'expected a positive number or null' : 'expected a number or null', v);
  return v;
}

const INTERPOLATORS: Record<string, PyradiomicsInterpolator> = {
  sitkBSpline: 'sitkBSpline',
  sitkLinear: 'sitkLinear',
  sitkNearestNeighbor: 'sitkNearestNeighbor',
  '1': 'sitkNearestNeighbor',
  '2': 'sitkLinear',
  '3': 'sitkBSpline',
};

/** Validate a `setting:` mapping on top of the defaults. */
export function pyradiomicsSettings(raw: Record<string, unknown> = {}): PyradiomicsSettings {
  const s = defaultPyradiomicsSettings();
  for (const [key, v] of Object.entries(raw)) {
    if (FILTER_KEYS.has(key)) bad(key, 'image filter settings (LoG, Wavelet, LBP, gradient) are not supported yet: only imageType Original is');
    if (VOXEL_KEYS.has(key)) bad(key, 'voxel-based extraction settings are not supported in PyRadiomics-compatible mode');
    if (key in UNSUPPORTED_KEYS) {
      if (key === 'correctMask' && v === false) continue;
      if (key === 'enableCExtensions') continue;
      bad(key, UNSUPPORTED_KEYS[key]!, v);
    }
    switch (key) {
      case 'label':
        if (!Number.isInteger(v)) bad(key, 'expected an integer', v);
        s.label = v as number;
        break;
      case 'binWidth':
        if (!isNum(v) || !(v > 0)) bad(key, 'expected a positive number', v);
        s.binWidth = v;
        break;
      case 'binCount':
        if (v !== null && !(Number.isInteger(v) && (v as number) > 0)) bad(key, 'expected a positive integer or null', v);
        s.binCount = v as number | null;
        break;
      case 'resampledPixelSpacing':
        if (v === null) s.resampledPixelSpacing = null;
        else if (Array.isArray(v) && v.length === 3 && v.every((x) => isNum(x) && x >= 0)) s.resampledPixelSpacing = [v[0], v[1], v[2]];
        else bad(key, 'expected a list of 3 non-negative numbers (0 keeps the original spacing) or null', v);
        break;
      case 'interpolator':
        if (v === null) s.interpolator = null;
        else if (INTERPOLATORS[String(v)]) s.interpolator = INTERPOLATORS[String(v)]!;
        else bad(key, 'supported: sitkBSpline, sitkLinear, sitkNearestNeighbor', v);
        break;
      case 'padDistance':
        if (!(Number.isInteger(v) && (v as number) >= 0)) bad(key, 'expected a non-negative integer', v);
        s.padDistance = v as number;
        break;
      case 'normalize':
      case 'force2D':
      case 'preCrop':
      case 'symmetricalGLCM':
      case 'additionalInfo':
      case 'resegmentShape':
        if (typeof v !== 'boolean') bad(key, 'expected true or false', v);
        (s as unknown as Record<string, unknown>)[key] = v;
        break;
      case 'normalizeScale':
        if (!isNum(v) || !(v > 0)) bad(key, 'expected a positive number', v);
        s.normalizeScale = v;
        break;
      case 'removeOutliers':
        s.removeOutliers = numOrNull(key, v, true);
        break;
      case 'resegmentRange':
        if (v === null) s.resegmentRange = null;
        else if (Array.isArray(v) && (v.length === 1 || v.length === 2) && v.every(isNum)) s.resegmentRange = [...v];
        else bad(key, 'expected a list of 1 or 2 numbers or null', v);
        break;
      case 'resegmentMode':
        if (v !== 'absolute' && v !== 'relative' && v !== 'sigma') bad(key, 'expected absolute, relative or sigma', v);
        s.resegmentMode = v;
        break;
      case 'force2Ddimension':
        if (v !== 0 && v !== 1 && v !== 2) bad(key, 'expected 0, 1 or 2', v);
        s.force2Ddimension = v;
        break;
      case 'distances':
        if (!(Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && x > 0))) bad(key, 'expected a list of positive integers', v);
        s.distances = [...(v as number[])];
        break;
      case 'voxelArrayShift':
        if (!isNum(v)) bad(key, 'expected a number', v);
        s.voxelArrayShift = v;
        break;
      case 'minimumROIDimensions':
        if (v !== 1 && v !== 2 && v !== 3) bad(key, 'expected 1, 2 or 3', v);
        s.minimumROIDimensions = v;
        break;
      case 'minimumROISize':
        s.minimumROISize = numOrNull(key, v, true);
        break;
      case 'weightingNorm':
        if (v !== null && v !== 'manhattan' && v !== 'euclidean' && v !== 'infinity' && v !== 'no_weighting') bad(key, 'expected manhattan, euclidean, infinity, no_weighting or null', v);
        s.weightingNorm = v as PyradiomicsSettings['weightingNorm'];
        break;
      case 'gldm_a':
        if (!isNum(v) || v < 0) bad(key, 'expected a non-negative number', v);
        s.gldm_a = v;
        break;
      case 'geometryTolerance':
        if (!isNum(v) || v <= 0) bad(key, 'expected a positive number', v);
        s.geometryTolerance = v;
        break;
      default:
        bad(key, 'unknown or unsupported setting');
    }
  }
  return s;
}

/** Feature names per class (PyRadiomics 3.x, non-deprecated). */
export const PYRADIOMICS_FEATURES: Record<PyradiomicsClass, readonly string[]> = {
  firstorder: ['Energy', 'TotalEnergy', 'Entropy', 'Minimum', '10Percentile', '90Percentile', 'Maximum', 'Mean', 'Median', 'InterquartileRange', 'Range', 'MeanAbsoluteDeviation', 'RobustMeanAbsoluteDeviation', 'RootMeanSquared', 'Skewness', 'Kurtosis', 'Variance', 'Uniformity'],
  shape: ['MeshVolume', 'VoxelVolume', 'SurfaceArea', 'SurfaceVolumeRatio', 'Sphericity', 'Maximum3DDiameter', 'Maximum2DDiameterSlice', 'Maximum2DDiameterColumn', 'Maximum2DDiameterRow', 'MajorAxisLength', 'MinorAxisLength', 'LeastAxisLength', 'Elongation', 'Flatness'],
  shape2D: ['MeshSurface', 'PixelSurface', 'Perimeter', 'PerimeterSurfaceRatio', 'Sphericity', 'MaximumDiameter', 'MajorAxisLength', 'MinorAxisLength', 'Elongation'],
  glcm: ['Autocorrelation', 'JointAverage', 'ClusterProminence', 'ClusterShade', 'ClusterTendency', 'Contrast', 'Correlation', 'DifferenceAverage', 'DifferenceEntropy', 'DifferenceVariance', 'JointEnergy', 'JointEntropy', 'Imc1', 'Imc2', 'Idm', 'MCC', 'Idmn', 'Id', 'Idn', 'InverseVariance', 'MaximumProbability', 'SumAverage', 'SumEntropy', 'SumSquares'],
  glrlm: ['ShortRunEmphasis', 'LongRunEmphasis', 'GrayLevelNonUniformity', 'GrayLevelNonUniformityNormalized', 'RunLengthNonUniformity', 'RunLengthNonUniformityNormalized', 'RunPercentage', 'GrayLevelVariance', 'RunVariance', 'RunEntropy', 'LowGrayLevelRunEmphasis', 'HighGrayLevelRunEmphasis', 'ShortRunLowGrayLevelEmphasis', 'ShortRunHighGrayLevelEmphasis', 'LongRunLowGrayLevelEmphasis', 'LongRunHighGrayLevelEmphasis'],
  glszm: ['SmallAreaEmphasis', 'LargeAreaEmphasis', 'GrayLevelNonUniformity', 'GrayLevelNonUniformityNormalized', 'SizeZoneNonUniformity', 'SizeZoneNonUniformityNormalized', 'ZonePercentage', 'GrayLevelVariance', 'ZoneVariance', 'ZoneEntropy', 'LowGrayLevelZoneEmphasis', 'HighGrayLevelZoneEmphasis', 'SmallAreaLowGrayLevelEmphasis', 'SmallAreaHighGrayLevelEmphasis', 'LargeAreaLowGrayLevelEmphasis', 'LargeAreaHighGrayLevelEmphasis'],
  gldm: ['SmallDependenceEmphasis', 'LargeDependenceEmphasis', 'GrayLevelNonUniformity', 'DependenceNonUniformity', 'DependenceNonUniformityNormalized', 'GrayLevelVariance', 'DependenceVariance', 'DependenceEntropy', 'LowGrayLevelEmphasis', 'HighGrayLevelEmphasis', 'SmallDependenceLowGrayLevelEmphasis', 'SmallDependenceHighGrayLevelEmphasis', 'LargeDependenceLowGrayLevelEmphasis', 'LargeDependenceHighGrayLevelEmphasis'],
  ngtdm: ['Coarseness', 'Contrast', 'Busyness', 'Complexity', 'Strength'],
};

/**
 * Validate a parsed parameter document (`{ setting?, featureClass?, imageType? }`).
 * Without `featureClass`, all classes but shape2D are enabled; without `imageType`, Original.
 */
export function pyradiomicsParams(doc: unknown = {}): PyradiomicsParams {
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) bad('(document)', 'expected a mapping with setting / featureClass / imageType', doc);
  const d = doc as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (key === 'voxelSetting') bad(key, 'voxel-based extraction is not supported in PyRadiomics-compatible mode');
    if (!['setting', 'featureClass', 'imageType'].includes(key)) bad(key, 'unknown top-level key (expected setting, featureClass, imageType)');
  }
  const rawSettings = d.setting ?? {};
  if (typeof rawSettings !== 'object' || Array.isArray(rawSettings)) bad('setting', 'expected a mapping', rawSettings);
  const settings = pyradiomicsSettings(rawSettings as Record<string, unknown>);
  if (d.imageType !== undefined && d.imageType !== null) {
    if (typeof d.imageType !== 'object' || Array.isArray(d.imageType)) bad('imageType', 'expected a mapping', d.imageType);
    for (const [t, v] of Object.entries(d.imageType as Record<string, unknown>)) {
      if (t !== 'Original') bad(`imageType.${t}`, 'image filters (LoG, Wavelet, Square, …) are not supported yet: only Original is');
      if (v !== null && (typeof v !== 'object' || Object.keys(v as object).length > 0)) bad('imageType.Original', 'per-image-type custom settings are not supported', v);
    }
    if (!('Original' in (d.imageType as object))) bad('imageType', 'Original must be enabled (the only supported image type)');
  }
  let featureClasses: PyradiomicsParams['featureClasses'];
  if (d.featureClass === undefined || d.featureClass === null) {
    featureClasses = defaultPyradiomicsParams().featureClasses;
  } else {
    if (typeof d.featureClass !== 'object' || Array.isArray(d.featureClass)) bad('featureClass', 'expected a mapping', d.featureClass);
    featureClasses = {};
    for (const [cls, list] of Object.entries(d.featureClass as Record<string, unknown>)) {
      if (!(PYRADIOMICS_CLASSES as readonly string[]).includes(cls)) bad(`featureClass.${cls}`, `unknown feature class (supported: ${PYRADIOMICS_CLASSES.join(', ')})`);
      const c = cls as PyradiomicsClass;
      if (list === null || (Array.isArray(list) && list.length === 0)) {
        featureClasses[c] = null;
        continue;
      }
      if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) bad(`featureClass.${cls}`, 'expected a list of feature names or nothing (all)', list);
      for (const f of list as string[]) {
        if (!PYRADIOMICS_FEATURES[c].includes(f)) bad(`featureClass.${cls}.${f}`, `unknown feature of class ${cls}`);
      }
      featureClasses[c] = [...(list as string[])];
    }
  }
  return { settings, imageTypes: { Original: {} }, featureClasses };
}

/** Parse PyRadiomics YAML (or JSON) parameter text. */
export function parsePyradiomicsParams(text: string): PyradiomicsParams {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new RadcamError('E_PARAMS_FILE', `PyRadiomics parameter file is not valid YAML: ${(e as Error).message}`, { cause: e });
  }
  return pyradiomicsParams(doc ?? {});
}

/**
 * Load a PyRadiomics parameter file: `source` is YAML text (contains a newline or a colon) or a
 * path to a `.yaml`/`.yml`/`.json` file.
 */
export async function loadPyradiomicsParams(source: string): Promise<PyradiomicsParams> {
  if (/[\n:]/.test(source) && !/^[A-Za-z]:[\\/]/.test(source)) return parsePyradiomicsParams(source);
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (e) {
    throw new RadcamError('E_FILE_NOT_FOUND', `cannot read PyRadiomics parameter file`, { path: source, cause: e });
  }
  return parsePyradiomicsParams(text);
}

/** The `original_<class>_<Feature>` names an extraction with these parameters produces. */
export function pyradiomicsFeatureNames(params: PyradiomicsParams = defaultPyradiomicsParams()): string[] {
  const out: string[] = [];
  for (const cls of PYRADIOMICS_CLASSES) {
    if (!(cls in params.featureClasses)) continue;
    const list = params.featureClasses[cls] ?? PYRADIOMICS_FEATURES[cls];
    for (const f of list) out.push(`original_${cls}_${f}`);
  }
  return out;
}
