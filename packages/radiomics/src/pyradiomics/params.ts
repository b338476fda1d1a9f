/**
 * PyRadiomics parameter files (YAML schema of `radiomics/schemas/paramSchema.yaml`):
 * `setting:` (extraction settings), `featureClass:` (class → list of features, empty/null = all)
 * and `imageType:` (`Original`, `LoG`, `Wavelet`, `Square`, `SquareRoot`, `Logarithm`, `Exponential`,
 * `Gradient`, `LBP2D`, each with optional custom settings). Unsupported
 * keys raise `RadcamError('E_PARAMS_FILE')` naming the key.
 */
import { RadcamError } from '@radcam/core';
import { parse as parseYaml } from 'yaml';
import { PYWT_DEC_FILTERS } from '../filters/pyradiomics-wavelet-filters.js';

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
  /** LoG σ values in mm (PyRadiomics default: none → no LoG image). */
  sigma: number[];
  /**
   * Python's `str()` of each σ, used in the image-type name (`log-sigma-<str>-mm-3D` with `.` → `-`):
   * a YAML integer `1` gives `1`, a float `1.0` (or a JS number) gives `1.0`; pass a `bigint` in
   * a JS settings object for Python-integer naming.
   */
  sigmaNames: string[];
  /** PyWavelets wavelet name (default `coif1`). */
  wavelet: string;
  /** Wavelet levels returned (default 1). */
  level: number;
  /** Wavelet levels skipped before the first returned one (default 0). */
  start_level: number;
  /** Gradient image: derivatives in mm (true, default) or per voxel. */
  gradientUseSpacing: boolean;
  /** LBP2D: sampling radius in voxels (default 1). */
  lbp2DRadius: number;
  /** LBP2D: number of samples on the circle (default 8, PyRadiomics' code; its docstring says 9). */
  lbp2DSamples: number;
  /** LBP2D: scikit-image method (default `uniform`). */
  lbp2DMethod: 'default' | 'ror' | 'uniform' | 'var';
}

/** Image types of the compat mode (PyRadiomics' `imageType:` keys). */
export type PyradiomicsImageType = 'Original' | 'LoG' | 'Wavelet' | 'Square' | 'SquareRoot' | 'Logarithm' | 'Exponential' | 'Gradient' | 'LBP2D';
export const PYRADIOMICS_IMAGE_TYPES: readonly PyradiomicsImageType[] = ['Original', 'LoG', 'Wavelet', 'Square', 'SquareRoot', 'Logarithm', 'Exponential', 'Gradient', 'LBP2D'];

/** Derived-image name of the single-image types (`getSquareImage` yields `square`, …). */
const SIMPLE_IMAGE_NAMES: Partial<Record<PyradiomicsImageType, string>> = {
  Original: 'original',
  Square: 'square',
  SquareRoot: 'squareroot',
  Logarithm: 'logarithm',
  Exponential: 'exponential',
  Gradient: 'gradient',
  LBP2D: 'lbp-2D',
};

export interface PyradiomicsParams {
  settings: PyradiomicsSettings;
  /**
   * Enabled image types in extraction order → their custom settings as given (merged over
   * `settings` for that image type, as PyRadiomics does; preprocessing settings have no effect
   * there). Default `{ Original: {} }`.
   */
  imageTypes: Partial<Record<PyradiomicsImageType, Record<string, unknown>>>;
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
    sigma: [],
    sigmaNames: [],
    wavelet: 'coif1',
    level: 1,
    start_level: 0,
    gradientUseSpacing: true,
    lbp2DRadius: 1,
    lbp2DSamples: 8,
    lbp2DMethod: 'uniform',
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

const FILTER_KEYS = new Set(['lbp3DLevels', 'lbp3DIcosphereRadius', 'lbp3DIcosphereSubdivision']);
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

/** Python's `str(float)` (1 → `1.0`, 1.5 → `1.5`, 1e-5 → `1e-05`). */
function pyStr(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  const r = String(v);
  const m = /^(-?[\d.]+)e([+-])(\d+)$/.exec(r);
  return m ? `${m[1]}e${m[2]}${m[3]!.padStart(2, '0')}` : r;
}

/** Validate a `setting:` mapping on top of the defaults (or on top of `base`). */
export function pyradiomicsSettings(raw: Record<string, unknown> = {}, base?: PyradiomicsSettings): PyradiomicsSettings {
  const s = base ? { ...base, sigma: [...base.sigma], sigmaNames: [...base.sigmaNames] } : defaultPyradiomicsSettings();
  for (let [key, v] of Object.entries(raw)) {
    if (typeof v === 'bigint' && key !== 'sigma' && key !== 'level' && key !== 'start_level') v = Number(v);
    if (FILTER_KEYS.has(key)) bad(key, 'LBP3D settings are not supported: the LBP3D image type is not implemented');
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
      case 'gradientUseSpacing':
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
      case 'sigma': {
        const list = Array.isArray(v) ? v : [v];
        if (!list.every((x) => isNum(x) || typeof x === 'bigint')) bad(key, 'expected a list of numbers (mm)', v);
        s.sigma = list.map((x) => Number(x));
        s.sigmaNames = list.map((x) => (typeof x === 'bigint' ? String(x) : pyStr(x as number)));
        break;
      }
      case 'sigmaNames':
        if (!(Array.isArray(v) && v.every((x) => typeof x === 'string'))) bad(key, 'expected a list of strings (Python str of each sigma)', v);
        break;
      case 'wavelet':
        if (typeof v !== 'string' || !PYWT_DEC_FILTERS[v]) bad(key, 'expected a PyWavelets name (haar, dmey, db1–db20, sym2–sym20, coif1–coif5, bior*, rbio*)', v);
        s.wavelet = v;
        break;
      case 'level':
      case 'start_level': {
        const n = typeof v === 'bigint' ? Number(v) : v;
        if (!(Number.isInteger(n) && (n as number) >= (key === 'level' ? 1 : 0))) bad(key, key === 'level' ? 'expected an integer ≥ 1' : 'expected an integer ≥ 0', v);
        s[key] = n as number;
        break;
      }
      case 'lbp2DRadius':
        if (!isNum(v) || !(v > 0)) bad(key, 'expected a positive number (voxels)', v);
        s.lbp2DRadius = v;
        break;
      case 'lbp2DSamples':
        if (!(Number.isInteger(v) && (v as number) >= 1)) bad(key, 'expected an integer ≥ 1', v);
        s.lbp2DSamples = v as number;
        break;
      case 'lbp2DMethod':
        if (v !== 'default' && v !== 'ror' && v !== 'uniform' && v !== 'var') bad(key, 'expected default, ror, uniform or var', v);
        s.lbp2DMethod = v;
        break;
      case 'geometryTolerance':
        if (!isNum(v) || v <= 0) bad(key, 'expected a positive number', v);
        s.geometryTolerance = v;
        break;
      default:
        bad(key, 'unknown or unsupported setting');
    }
  }
  if (Array.isArray(raw.sigmaNames)) {
    if (raw.sigmaNames.length !== s.sigma.length) bad('sigmaNames', 'expected one name per sigma', raw.sigmaNames);
    s.sigmaNames = [...(raw.sigmaNames as string[])];
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
  let imageTypes: PyradiomicsParams['imageTypes'] = { Original: {} };
  if (d.imageType !== undefined && d.imageType !== null) {
    if (typeof d.imageType !== 'object' || Array.isArray(d.imageType)) bad('imageType', 'expected a mapping', d.imageType);
    imageTypes = {};
    for (const [t, v] of Object.entries(d.imageType as Record<string, unknown>)) {
      if (!(PYRADIOMICS_IMAGE_TYPES as readonly string[]).includes(t)) {
        bad(`imageType.${t}`, `image type not supported: the supported PyRadiomics image types are ${PYRADIOMICS_IMAGE_TYPES.join(', ')}`);
      }
      if (v !== null && v !== undefined && (typeof v !== 'object' || Array.isArray(v))) bad(`imageType.${t}`, 'expected a mapping of custom settings', v);
      const custom = { ...((v ?? {}) as Record<string, unknown>) };
      if (Array.isArray(custom.sigma) && !('sigmaNames' in custom)) {
        // keep Python's int/float text of σ without storing bigints (params stay JSON-serialisable)
        const list = custom.sigma as unknown[];
        if (list.every((x) => isNum(x) || typeof x === 'bigint')) {
          custom.sigmaNames = list.map((x) => (typeof x === 'bigint' ? String(x) : pyStr(x as number)));
          custom.sigma = list.map((x) => Number(x));
        }
      }
      try {
        pyradiomicsSettings(custom, settings);
      } catch (e) {
        if (e instanceof RadcamError) throw new RadcamError('E_PARAMS_FILE', e.message.replace('PyRadiomics parameter "', `PyRadiomics parameter "imageType.${t}.`), { cause: e });
        throw e;
      }
      imageTypes[t as PyradiomicsImageType] = custom;
    }
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
  return { settings, imageTypes, featureClasses };
}

/** Parse PyRadiomics YAML (or JSON) parameter text. */
export function parsePyradiomicsParams(text: string): PyradiomicsParams {
  let doc: unknown;
  try {
    doc = parseYaml(text);
    // Python keeps 1 and 1.0 apart (σ names: log-sigma-1-mm-3D vs log-sigma-1-0-mm-3D): re-read the σ lists with integers as bigint
    const ints = parseYaml(text, { intAsBigInt: true }) as Record<string, unknown> | null;
    const d = doc as Record<string, unknown> | null;
    const fix = (from: unknown, to: unknown) => {
      if (from && to && typeof from === 'object' && typeof to === 'object' && 'sigma' in from) (to as Record<string, unknown>).sigma = (from as Record<string, unknown>).sigma;
    };
    if (ints && d && typeof ints === 'object' && typeof d === 'object') {
      fix(ints.setting, d.setting);
      const it = ints.imageType as Record<string, unknown> | null | undefined;
      const dt = d.imageType as Record<string, unknown> | null | undefined;
      if (it && dt && typeof it === 'object' && typeof dt === 'object') for (const k of Object.keys(it)) fix(it[k], dt[k]);
    }
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

/**
 * The derived-image names an image type yields with settings `s` (PyRadiomics' `getLoGImage` /
 * `getWaveletImage` names, before its image-size checks): `original`; `log-sigma-<str(σ), . → ->-mm-3D`
 * per σ > 0; `wavelet-LLH` … `wavelet-HHH` per level (`wavelet<n>-` from the 2nd returned level),
 * then the approximation `wavelet[<n>]-LLL` (two letters with force2D).
 */
export function pyradiomicsDerivedImageNames(type: PyradiomicsImageType, s: PyradiomicsSettings): string[] {
  const simple = SIMPLE_IMAGE_NAMES[type];
  if (simple) return [simple];
  if (type === 'LoG') {
    const out: string[] = [];
    s.sigma.forEach((sg, i) => {
      if (sg > 0) out.push(`log-sigma-${(s.sigmaNames[i] ?? pyStr(sg)).replace('.', '-')}-mm-3D`);
    });
    return out;
  }
  const letters = s.force2D ? 2 : 3;
  const subs: string[] = [];
  for (let k = 1; k < 1 << letters; k++) {
    let name = '';
    for (let b = letters - 1; b >= 0; b--) name += (k >> b) & 1 ? 'H' : 'L';
    subs.push(name);
  }
  const out: string[] = [];
  for (let l = 1; l <= s.level; l++) for (const sb of subs) out.push(`wavelet${l === 1 ? '' : l}-${sb}`);
  out.push(`wavelet${s.level === 1 ? '' : s.level}-${'L'.repeat(letters)}`);
  return out;
}

/**
 * The `<imageType>_<class>_<Feature>` names an extraction with these parameters produces: shape
 * (and shape2D) once as `original_shape_*`, then every other enabled class for every derived image
 * of every enabled image type (LoG σ values the image is too small for are skipped at extraction).
 */
export function pyradiomicsFeatureNames(params: PyradiomicsParams = defaultPyradiomicsParams()): string[] {
  const out: string[] = [];
  const list = (cls: PyradiomicsClass) => params.featureClasses[cls] ?? PYRADIOMICS_FEATURES[cls];
  for (const cls of ['shape', 'shape2D'] as const) {
    if (cls in params.featureClasses) for (const f of list(cls)) out.push(`original_${cls}_${f}`);
  }
  for (const type of Object.keys(params.imageTypes) as PyradiomicsImageType[]) {
    const s = pyradiomicsSettings(params.imageTypes[type] ?? {}, params.settings);
    for (const image of pyradiomicsDerivedImageNames(type, s)) {
      for (const cls of PYRADIOMICS_CLASSES) {
        if (cls === 'shape' || cls === 'shape2D' || !(cls in params.featureClasses)) continue;
        for (const f of list(cls)) out.push(`${image}_${cls}_${f}`);
      }
    }
  }
  return out;
}
