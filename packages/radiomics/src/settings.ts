/**
 * Typed radiomics settings, presets and parameter files.
 *
 * Resolution order (later wins): built-in defaults → preset → parameter file → explicit
 * overrides (e.g. the CLI's `--families`). Everything is validated once by `validateSettings`,
 * which throws `RadcamError('E_SETTINGS')` naming the offending key.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { RadcamError, type FeatureExtractor } from '@radcam/core';
import type { DiscretisationSettings } from './discretisation.js';
import type { IvhSettings } from './families/ivh.js';
import type { MoranMode } from './morphology/features.js';
import type { LoopTriangulation } from './morphology/marching-cubes.js';
import { validateProcessingSettings, type ProcessingSettings } from './processing/process.js';
import { IBSI_CT_PRESETS } from './processing/presets.js';

/** The eleven IBSI 1 feature families (names as in the IBSI reference CSV `family` column). */
export const IBSI_FAMILIES = [
  'morphology', 'local_intensity', 'intensity_statistics', 'intensity_histogram', 'intensity_volume_histogram',
  'glcm', 'glrlm', 'glszm', 'gldzm', 'ngtdm', 'ngldm',
] as const;
export type IbsiFamily = (typeof IBSI_FAMILIES)[number];

/** Accepted short names for families (`--families morph,stat,glcm`). */
export const FAMILY_ALIASES: Readonly<Record<string, IbsiFamily>> = {
  morph: 'morphology', morphology: 'morphology', shape: 'morphology',
  li: 'local_intensity', loc: 'local_intensity', local_intensity: 'local_intensity', 'local-intensity': 'local_intensity',
  stat: 'intensity_statistics', stats: 'intensity_statistics', statistics: 'intensity_statistics', firstorder: 'intensity_statistics',
  intensity_statistics: 'intensity_statistics', 'intensity-statistics': 'intensity_statistics',
  ih: 'intensity_histogram', histogram: 'intensity_histogram', intensity_histogram: 'intensity_histogram', 'intensity-histogram': 'intensity_histogram',
  ivh: 'intensity_volume_histogram', intensity_volume_histogram: 'intensity_volume_histogram', 'intensity-volume-histogram': 'intensity_volume_histogram',
  glcm: 'glcm', cm: 'glcm', glrlm: 'glrlm', rlm: 'glrlm', glszm: 'glszm', szm: 'glszm', gldzm: 'gldzm', dzm: 'gldzm',
  ngtdm: 'ngtdm', ngldm: 'ngldm',
};

export const TEXTURE_FAMILIES: readonly IbsiFamily[] = ['glcm', 'glrlm', 'glszm', 'gldzm', 'ngtdm', 'ngldm'];

export type Aggregation = '2D_avg' | '2D_comb' | '2_5D_avg' | '2_5D_comb' | '3D_avg' | '3D_comb' | '2D' | '2_5D' | '3D';

export interface TextureOptions {
  /** Discretisation for the texture families (default: `settings.discretisation`). */
  discretisation?: DiscretisationSettings;
  /** Chebyshev distance (GLCM offset, zone linkage, NGTDM/NGLDM neighbourhood). Default 1. */
  distance?: number;
  /** Symmetric GLCM (default true). */
  symmetric?: boolean;
  /** IBSI aggregations to compute (default all). */
  aggregations?: Aggregation[];
  /** NGLDM coarseness α (default 0). */
  ngldmAlpha?: number;
}

export interface MorphologySettings {
  moran?: MoranMode;
  moranMaxExactVoxels?: number;
  moranSampleSize?: number;
  seed?: number;
  /** Marching-cubes triangulation (default `lewiner`: scikit-image's Lewiner tables, as the IBSI reference implementations). */
  meshTriangulation?: LoopTriangulation;
}

export interface ResegmentationSettings {
  /** Range re-segmentation [lo, hi] of the intensity mask; `hi` may be null (half-open). */
  range?: [number, number | null];
  /** Outlier re-segmentation: drop voxels outside mean ± `outlierSigma`·SD (IBSI uses 3). */
  outlierSigma?: number;
}

/**
 * Everything `extractFeatures` needs. All fields are optional; `resolveSettings` fills defaults.
 * Image resampling and the PyRadiomics-compatible mode are planned extension points (issue 4):
 * they slot in as further optional groups and presets.
 */
export interface RadiomicsSettings {
  /**
   * IBSI image processing run before everything else (`processImage`: rounding of the initial
   * intensities, interpolation with a partial-volume mask threshold, range / outlier
   * re-segmentation). Features are then computed on the processed image: morphology on the
   * morphological mask, everything else on the intensity mask, and the 60 IBSI diagnostic features
   * are reported in `diagnostics.processing`. `null` switches off a preset's processing.
   * Do not combine with `resegmentation` (use `processing.resegmentRange` / `outlierSigma`).
   */
  processing?: ProcessingSettings | null;
  /** Also report the IBSI diagnostic features of `processing` in `features` (default false). */
  diagnosticsAsFeatures?: boolean;
  /** Families to compute (default: all eleven). */
  families?: IbsiFamily[];
  /** Default discretisation of the intensity-histogram and texture families. */
  discretisation?: DiscretisationSettings;
  /** Intensity histogram overrides. */
  histogram?: { discretisation?: DiscretisationSettings };
  /** Texture families. */
  texture?: TextureOptions;
  /** Intensity-volume histogram discretisation. */
  ivh?: IvhSettings;
  /** Re-segmentation of the intensity mask. */
  resegmentation?: ResegmentationSettings;
  morphology?: MorphologySettings;
  localIntensity?: { radiusMm?: number };
  /** Extra extractors from `extractorRegistry`, by id (e.g. `acme/lbp`). */
  extractorIds?: string[];
  /** Explicit extractors: when given, used INSTEAD of the built-ins (explicit beats global). */
  extractors?: FeatureExtractor<any>[];
  /** Per-extractor settings by extractor id (for third-party extractors). */
  extractorSettings?: Record<string, Record<string, unknown>>;
}

export interface PresetDefinition {
  description: string;
  settings: RadiomicsSettings;
}

/** The IBSI CT configurations A–E as presets: processing + discretisation + IVH + aggregations. */
function ibsiCtPresetDefinitions(): Record<string, PresetDefinition> {
  const out: Record<string, PresetDefinition> = {};
  for (const [name, p] of Object.entries(IBSI_CT_PRESETS)) {
    out[name] = {
      description: p.description,
      settings: {
        processing: p.processing,
        discretisation: { ...p.discretisation },
        histogram: { discretisation: { ...p.discretisation } },
        texture: { ...p.texture, aggregations: [...p.texture.aggregations], discretisation: { ...p.discretisation } },
        ivh: { ...p.ivh },
      },
    };
  }
  return out;
}

/**
 * Named presets. `ibsi-phantom`: the IBSI 1 digital phantom conventions (no processing,
 * intensities are grey levels, distance 1, symmetric GLCM, NGLDM α = 0, IVH without
 * discretisation). `ibsi-ct-A` … `ibsi-ct-E`: the IBSI 1 CT-phantom configurations (the whole
 * chain, see `IBSI_CT_PRESETS`). Further presets are added with `definePreset`.
 */
export const PRESETS: Record<string, PresetDefinition> = {
  'ibsi-phantom': {
    description: 'IBSI 1 digital phantom: no processing, intensities used as grey levels, IVH without discretisation',
    settings: {
      discretisation: { method: 'none' },
      texture: { distance: 1, symmetric: true, ngldmAlpha: 0 },
      ivh: { method: 'none' },
    },
  },
  default: {
    description: 'General default: fixed bin number 32 for histogram and texture, IVH fixed bin number 1000',
    settings: {
      discretisation: { method: 'fbn', bins: 32 },
      texture: { distance: 1, symmetric: true, ngldmAlpha: 0 },
      ivh: { method: 'fbn', bins: 1000 },
    },
  },
  ...ibsiCtPresetDefinitions(),
};

/** Add (or with `override`, replace) a preset. Returns a disposer. */
export function definePreset(name: string, def: PresetDefinition, options: { override?: boolean } = {}): () => void {
  const prev = PRESETS[name];
  if (prev && !options.override) throw new RadcamError('E_SETTINGS', `preset "${name}" already exists`, { expected: 'a new name or { override: true }' });
  validateSettings(def.settings, `preset ${name}`);
  PRESETS[name] = def;
  return () => {
    if (PRESETS[name] !== def) return;
    if (prev) PRESETS[name] = prev;
    else delete PRESETS[name];
  };
}

// ---------------------------------------------------------------------------------------------
// validation

const TOP_KEYS = ['preset', 'processing', 'diagnosticsAsFeatures', 'families', 'discretisation', 'histogram', 'texture', 'ivh', 'resegmentation', 'morphology', 'localIntensity', 'extractorIds', 'extractors', 'extractorSettings'];
const AGGS = ['2D_avg', '2D_comb', '2_5D_avg', '2_5D_comb', '3D_avg', '3D_comb', '2D', '2_5D', '3D'];

function bad(key: string, expected: string, found: unknown): never {
  throw new RadcamError('E_SETTINGS', `invalid setting "${key}"`, { expected, found: JSON.stringify(found) ?? String(found) });
}
function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function checkKeys(obj: Record<string, unknown>, allowed: string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) {
      throw new RadcamError('E_SETTINGS', `unknown setting "${where ? where + '.' : ''}${k}"`, { expected: `one of ${allowed.join(', ')}` });
    }
  }
}
function posInt(v: unknown, key: string): void {
  if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= 1)) bad(key, 'an integer ≥ 1', v);
}
function posNum(v: unknown, key: string): void {
  if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) bad(key, 'a finite number > 0', v);
}
function checkDisc(v: unknown, key: string): void {
  if (v === undefined) return;
  if (!isObj(v)) bad(key, 'an object { method, bins?, binWidth?, lowerBound? }', v);
  checkKeys(v, ['method', 'bins', 'binWidth', 'lowerBound'], key);
  if (!['none', 'fbn', 'fbs'].includes(v.method as string)) bad(`${key}.method`, '"none", "fbn" or "fbs"', v.method);
  posInt(v.bins, `${key}.bins`);
  posNum(v.binWidth, `${key}.binWidth`);
  if (v.method === 'fbn' && v.bins === undefined) bad(`${key}.bins`, 'a bin number for method "fbn"', v.bins);
  if (v.method === 'fbs' && v.binWidth === undefined) bad(`${key}.binWidth`, 'a bin width for method "fbs"', v.binWidth);
  if (v.lowerBound !== undefined && !(typeof v.lowerBound === 'number' && Number.isFinite(v.lowerBound))) bad(`${key}.lowerBound`, 'a finite number', v.lowerBound);
}
function checkRange(v: unknown, key: string): void {
  if (v === undefined) return;
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number' || !Number.isFinite(v[0]) ||
    !(v[1] === null || (typeof v[1] === 'number' && Number.isFinite(v[1]) && v[1] >= v[0]))) {
    bad(key, '[lo, hi] with lo ≤ hi (hi may be null)', v);
  }
}

/** Validate a (partial) settings object; throws `E_SETTINGS` naming the first bad key. */
export function validateSettings(s: unknown, where = 'settings'): asserts s is RadiomicsSettings {
  if (!isObj(s)) bad(where, 'an object', s);
  checkKeys(s, TOP_KEYS, '');
  if (s.processing !== undefined && s.processing !== null) {
    try {
      validateProcessingSettings(s.processing);
    } catch (e) {
      if (e instanceof RadcamError) throw new RadcamError('E_SETTINGS', `processing: ${e.message}`, { cause: e });
      throw e;
    }
    const r = s.resegmentation as { range?: unknown; outlierSigma?: unknown } | undefined;
    if (r && (r.range !== undefined || r.outlierSigma !== undefined)) {
      bad('resegmentation', 'no re-segmentation next to "processing" (use processing.resegmentRange / processing.outlierSigma)', r);
    }
  }
  if (s.diagnosticsAsFeatures !== undefined && typeof s.diagnosticsAsFeatures !== 'boolean') bad('diagnosticsAsFeatures', 'true or false', s.diagnosticsAsFeatures);
  if (s.families !== undefined) {
    if (!Array.isArray(s.families) || s.families.length === 0) bad('families', 'a non-empty list of family names', s.families);
    for (const f of s.families) if (typeof f !== 'string' || !(f in FAMILY_ALIASES)) bad('families', `family names among ${IBSI_FAMILIES.join(', ')}`, f);
  }
  checkDisc(s.discretisation, 'discretisation');
  if (s.histogram !== undefined) {
    if (!isObj(s.histogram)) bad('histogram', 'an object', s.histogram);
    checkKeys(s.histogram, ['discretisation'], 'histogram');
    checkDisc(s.histogram.discretisation, 'histogram.discretisation');
  }
  if (s.texture !== undefined) {
    const t = s.texture;
    if (!isObj(t)) bad('texture', 'an object', t);
    checkKeys(t, ['discretisation', 'distance', 'symmetric', 'aggregations', 'ngldmAlpha'], 'texture');
    checkDisc(t.discretisation, 'texture.discretisation');
    posInt(t.distance, 'texture.distance');
    if (t.symmetric !== undefined && typeof t.symmetric !== 'boolean') bad('texture.symmetric', 'true or false', t.symmetric);
    if (t.ngldmAlpha !== undefined && !(typeof t.ngldmAlpha === 'number' && Number.isInteger(t.ngldmAlpha) && t.ngldmAlpha >= 0)) bad('texture.ngldmAlpha', 'an integer ≥ 0', t.ngldmAlpha);
    if (t.aggregations !== undefined) {
      if (!Array.isArray(t.aggregations) || t.aggregations.length === 0) bad('texture.aggregations', `a non-empty list of ${AGGS.join(', ')}`, t.aggregations);
      for (const a of t.aggregations) if (!AGGS.includes(a as string)) bad('texture.aggregations', `values among ${AGGS.join(', ')}`, a);
    }
  }
  if (s.ivh !== undefined) {
    const v = s.ivh;
    if (!isObj(v)) bad('ivh', 'an object { method, binWidth?, bins?, range? }', v);
    checkKeys(v, ['method', 'binWidth', 'bins', 'range'], 'ivh');
    if (!['none', 'fbn', 'fbs'].includes(v.method as string)) bad('ivh.method', '"none", "fbn" or "fbs"', v.method);
    posNum(v.binWidth, 'ivh.binWidth');
    posInt(v.bins, 'ivh.bins');
    if (v.method === 'fbs' && v.binWidth === undefined) bad('ivh.binWidth', 'a bin width for method "fbs"', v.binWidth);
    checkRange(v.range, 'ivh.range');
  }
  if (s.resegmentation !== undefined) {
    const r = s.resegmentation;
    if (!isObj(r)) bad('resegmentation', 'an object { range?, outlierSigma? }', r);
    checkKeys(r, ['range', 'outlierSigma'], 'resegmentation');
    checkRange(r.range, 'resegmentation.range');
    posNum(r.outlierSigma, 'resegmentation.outlierSigma');
  }
  if (s.morphology !== undefined) {
    const m = s.morphology;
    if (!isObj(m)) bad('morphology', 'an object', m);
    checkKeys(m, ['moran', 'moranMaxExactVoxels', 'moranSampleSize', 'seed', 'meshTriangulation'], 'morphology');
    if (m.moran !== undefined && !['exact', 'auto', 'sampled', 'off'].includes(m.moran as string)) bad('morphology.moran', '"exact", "auto", "sampled" or "off"', m.moran);
    posInt(m.moranMaxExactVoxels, 'morphology.moranMaxExactVoxels');
    posInt(m.moranSampleSize, 'morphology.moranSampleSize');
    if (m.seed !== undefined && !(typeof m.seed === 'number' && Number.isInteger(m.seed))) bad('morphology.seed', 'an integer', m.seed);
    if (m.meshTriangulation !== undefined && !['lewiner', 'max-volume', 'centroid', 'fan'].includes(m.meshTriangulation as string)) bad('morphology.meshTriangulation', '"lewiner", "max-volume", "centroid" or "fan"', m.meshTriangulation);
  }
  if (s.localIntensity !== undefined) {
    if (!isObj(s.localIntensity)) bad('localIntensity', 'an object { radiusMm? }', s.localIntensity);
    checkKeys(s.localIntensity, ['radiusMm'], 'localIntensity');
    posNum(s.localIntensity.radiusMm, 'localIntensity.radiusMm');
  }
  if (s.extractorIds !== undefined && (!Array.isArray(s.extractorIds) || s.extractorIds.some((x) => typeof x !== 'string'))) bad('extractorIds', 'a list of extractor ids', s.extractorIds);
  if (s.extractors !== undefined && (!Array.isArray(s.extractors) || s.extractors.some((x) => !isObj(x) || typeof (x as { extract?: unknown }).extract !== 'function'))) {
    bad('extractors', 'a list of FeatureExtractor objects', '(invalid)');
  }
  if (s.extractorSettings !== undefined && !isObj(s.extractorSettings)) bad('extractorSettings', 'an object keyed by extractor id', s.extractorSettings);
}

/** Parameter file contents: settings plus an optional `preset` to start from. */
export type ParamsFile = RadiomicsSettings & { preset?: string };

/**
 * Read and validate a parameter file (`.yaml`/`.yml` or `.json`; other extensions are tried as
 * YAML, which is a superset of JSON). Throws `E_FILE_NOT_FOUND`, `E_PARAMS_FILE` (syntax) or
 * `E_SETTINGS` (content, naming the bad key).
 */
export function loadParams(path: string): ParamsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new RadcamError('E_FILE_NOT_FOUND', `cannot read parameter file ${path}`, { path, cause });
  }
  return parseParams(text, extname(path).toLowerCase() === '.json' ? 'json' : 'yaml', path);
}

/** Parse parameter-file text (see `loadParams`). */
export function parseParams(text: string, format: 'yaml' | 'json' = 'yaml', path = '(inline)'): ParamsFile {
  let obj: unknown;
  try {
    obj = format === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new RadcamError('E_PARAMS_FILE', `parameter file ${path} is not valid ${format.toUpperCase()}: ${(cause as Error).message}`, { path, cause });
  }
  if (obj === null || obj === undefined) obj = {};
  if (!isObj(obj)) throw new RadcamError('E_PARAMS_FILE', `parameter file ${path} must hold a mapping of settings`, { path, found: Array.isArray(obj) ? 'a list' : typeof obj });
  if ('extractors' in obj) throw new RadcamError('E_SETTINGS', 'setting "extractors" cannot come from a file (use "extractorIds")', { path });
  if (obj.preset !== undefined && (typeof obj.preset !== 'string' || !(obj.preset in PRESETS))) {
    throw new RadcamError('E_SETTINGS', 'invalid setting "preset"', { expected: `one of ${Object.keys(PRESETS).join(', ')}`, found: JSON.stringify(obj.preset), path });
  }
  try {
    validateSettings(obj);
  } catch (e) {
    if (e instanceof RadcamError) throw new RadcamError(e.code, `${path}: ${e.message}`, { path, cause: e });
    throw e;
  }
  return obj as ParamsFile;
}

/** A fully resolved settings object (defaults filled in). */
export interface ResolvedSettings extends RadiomicsSettings {
  families: IbsiFamily[];
  discretisation: DiscretisationSettings;
  histogram: { discretisation: DiscretisationSettings };
  texture: TextureOptions & { discretisation: DiscretisationSettings };
  ivh: IvhSettings;
  morphology: MorphologySettings;
  localIntensity: { radiusMm?: number };
}

export interface ResolveSettingsOptions {
  /** Preset name (default `default`; a `preset` key in `params` is used when this is absent). */
  preset?: string;
  /** Settings from a parameter file or code. */
  params?: RadiomicsSettings & { preset?: string };
  /** Families override (names or aliases, e.g. from `--families glcm,ngtdm`). */
  families?: string[] | string;
}

function mergeDeep<T>(a: T, b: unknown): T {
  if (!isObj(b)) return a;
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    const cur = out[k];
    // discretisation objects replace, never merge (a method switch must not inherit bins)
    if (isObj(v) && isObj(cur) && !('method' in v) && k !== 'extractorSettings') out[k] = mergeDeep(cur, v);
    else out[k] = v;
  }
  return out as T;
}

/** Normalise family names and aliases; throws `E_SETTINGS` on an unknown name. */
export function normaliseFamilies(list: string[] | string): IbsiFamily[] {
  const arr = typeof list === 'string' ? list.split(',').map((s) => s.trim()).filter(Boolean) : list;
  const out: IbsiFamily[] = [];
  for (const f of arr) {
    const fam = FAMILY_ALIASES[f.toLowerCase()];
    if (!fam) bad('families', `family names among ${IBSI_FAMILIES.join(', ')} (or aliases ${Object.keys(FAMILY_ALIASES).join(', ')})`, f);
    if (!out.includes(fam)) out.push(fam);
  }
  if (out.length === 0) bad('families', 'at least one family', arr);
  return out;
}

/** Merge defaults ← preset ← params ← families override, validate, and fill every default. */
export function resolveSettings(options: ResolveSettingsOptions = {}): ResolvedSettings {
  const params = options.params ?? {};
  const presetName = options.preset ?? (params as { preset?: string }).preset ?? 'default';
  const preset = PRESETS[presetName];
  if (!preset) {
    throw new RadcamError('E_SETTINGS', `unknown preset "${presetName}"`, { expected: `one of ${Object.keys(PRESETS).join(', ')}` });
  }
  const { preset: _ignored, ...rest } = params as RadiomicsSettings & { preset?: string };
  void _ignored;
  validateSettings(rest);
  let s: RadiomicsSettings = mergeDeep<RadiomicsSettings>({}, preset.settings);
  s = mergeDeep(s, rest);
  if (options.families !== undefined) s.families = normaliseFamilies(options.families);
  const families = s.families ? normaliseFamilies(s.families) : [...IBSI_FAMILIES];
  const disc = s.discretisation ?? { method: 'fbn', bins: 32 };
  const resolved: ResolvedSettings = {
    ...s,
    families,
    discretisation: disc,
    histogram: { discretisation: s.histogram?.discretisation ?? disc },
    texture: { distance: 1, symmetric: true, ngldmAlpha: 0, ...s.texture, discretisation: s.texture?.discretisation ?? disc },
    ivh: s.ivh ?? { method: 'fbn', bins: 1000 },
    morphology: { ...s.morphology },
    localIntensity: { ...s.localIntensity },
  };
  validateSettings(resolved);
  return resolved;
}
