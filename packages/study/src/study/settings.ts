/** Settings of `runStudy` / `radcam study`: defaults, validation, the YAML/JSON parameter file. */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { RadcamError } from '@radcam/core';
import type { Params, StepSpec } from '@radcam/learn';
import { smallCohortPatchOptions, smallCohortTraining, type AugmentOptions, type ModelConfig, type PatchOptions } from '@radcam/model';
import type { ExtractSubregionsOptions } from '@radcam/cam';

/** The study's arms. The CNN arm also produces one CAM-derived arm per CAM method. */
export type StudyArmName = 'radiomics' | 'gradient' | 'cnn';
export const STUDY_ARMS: readonly StudyArmName[] = ['radiomics', 'gradient', 'cnn'];

/** How a tabular arm turns a feature matrix into out-of-fold probabilities. */
export interface ClassifierSettings {
  /** Classifier id of `@radcam/learn` (default `learn/logreg-l2`). */
  id?: string;
  /** Fixed hyper-parameters. */
  params?: Params;
  /** Nested CV over the classifier's default grid (true) or a given grid. Default false. */
  tune?: boolean | Record<string, ReadonlyArray<number | string | boolean | null>>;
  /** Inner folds of the nested CV (default 3). */
  innerK?: number;
  /** Preprocessing fitted inside every training fold (default dropConstant, zscore, dropCorrelated 0.9, selectUnivariate k 10). */
  pipeline?: StepSpec[];
}

export interface CnnSettings {
  /** Patch extraction (`@radcam/model` `extractPatch`). Default `smallCohortPatchOptions()` (keys given here override it). */
  patch?: PatchOptions;
  /** Architecture overrides. Default `smallCohortTraining().model` (8/16/32, strides 1/2/2, no norm). */
  model?: Partial<ModelConfig>;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  patience?: number;
  /** Reconstruction weight λ. */
  lambda?: number;
  validationFraction?: number;
  monitor?: 'val_bce' | 'val_loss' | 'val_auc';
  /** How many of the repeats the CNN (and CAM arms) run on (default 1: CNN training is the costly step). */
  repeats?: number;
  /** Training-time augmentation (`@radcam/model` AugmentOptions), or false for none. */
  augment?: AugmentOptions | false;
  /** Decoupled weight decay per step (default 0). */
  weightDecay?: number;
  /** Class weighting of the BCE (default 'balanced'). */
  classWeight?: 'balanced' | 'none';
  /** Classification loss: 'bce' (default) or 'focal' (γ = focalGamma, default 2). */
  loss?: 'bce' | 'focal';
  focalGamma?: number;
}

export interface CamSettings {
  /** CAM methods (ids of `@radcam/cam`). Default Grad-CAM, Grad-CAM++, LayerCAM (pixel-wise CAM). */
  methods?: string[];
  /** Class explained: 0 = non-responder (default; the resistant subregion drives it), 1 = responder. */
  classIndex?: 0 | 1;
  /** Subregion extraction from the map inside the lesion (default: top quartile, percentile 75). */
  subregion?: ExtractSubregionsOptions;
  /** Radiomics families computed on the top-activated subregion (default intensity statistics, histogram, GLCM). */
  families?: string[];
  /** Method whose subregion is written as `subregions/<lesion>.nii.gz` (default radcam/layercam when run). */
  primary?: string;
  /**
   * Layer explained (default: the network's last convolutional layer). With a GAP → dense head the
   * gradient at the last layer is spatially constant, so pixel-wise CAM (LayerCAM) and Grad-CAM++
   * nearly coincide there; an earlier layer (`enc2`) shows where they differ.
   */
  layer?: string;
}

export interface MetricSettings {
  /** Probability threshold of accuracy / sensitivity / specificity / F1 (default 0.5). */
  threshold?: number;
  /** Patient-bootstrap replicates of every CI (default 2000). */
  replicates?: number;
  /** Confidence level (default 0.95). */
  level?: number;
}

/** Every setting of a study (all optional; `resolveStudySettings` fills the defaults). */
export interface StudySettings {
  folds?: number;
  repeats?: number;
  seed?: number;
  arms?: StudyArmName[];
  radiomics?: { preset?: string; families?: string[]; params?: Record<string, unknown> };
  gradient?: { options?: Record<string, unknown> };
  classifier?: ClassifierSettings;
  cnn?: CnnSettings;
  cam?: CamSettings;
  metrics?: MetricSettings;
  /** Write an `index.html` report (default true). */
  report?: boolean;
}

export interface ResolvedStudySettings {
  folds: number;
  repeats: number;
  seed: number;
  arms: StudyArmName[];
  radiomics: { preset: string; families: string[] | null; params: Record<string, unknown> };
  gradient: { options: Record<string, unknown> };
  classifier: Required<Omit<ClassifierSettings, 'params'>> & { params: Params };
  cnn: Required<Omit<CnnSettings, 'patch' | 'model'>> & { patch: PatchOptions; model: Partial<ModelConfig> };
  cam: Required<Omit<CamSettings, 'primary' | 'layer'>> & { primary: string; layer: string | null };
  metrics: Required<MetricSettings>;
  report: boolean;
}

export const DEFAULT_PIPELINE: StepSpec[] = [
  { type: 'dropConstant' },
  { type: 'zscore' },
  { type: 'dropCorrelated', threshold: 0.9 },
  { type: 'selectUnivariate', k: 10, method: 'auc' },
];

export const DEFAULT_CAM_METHODS = ['radcam/gradcam', 'radcam/gradcampp', 'radcam/layercam'];

function bad(message: string, found: unknown, expected?: string): never {
  throw new RadcamError('E_STUDY_SETTINGS', message, { found: JSON.stringify(found), ...(expected ? { expected } : {}) });
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const TOP_KEYS = ['folds', 'repeats', 'seed', 'arms', 'radiomics', 'gradient', 'classifier', 'cnn', 'cam', 'metrics', 'report'];

/** Merge `over` into `base` (objects recursively, arrays and scalars replaced). */
export function mergeSettings<T>(base: T, over: unknown): T {
  if (!isObj(over)) return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isObj(v) && isObj(out[k]) ? mergeSettings(out[k], v) : v;
  }
  return out as T;
}

/** Fill defaults and validate. Throws `E_STUDY_SETTINGS` naming the offending value. */
export function resolveStudySettings(s: StudySettings = {}): ResolvedStudySettings {
  if (!isObj(s as unknown)) bad('study settings must be an object', s);
  for (const k of Object.keys(s)) if (!TOP_KEYS.includes(k)) bad(`unknown study setting "${k}"`, k, TOP_KEYS.join(', '));
  const int = (v: unknown, name: string, def: number, min: number, max = 1e9): number => {
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(`${name} must be an integer in [${min}, ${max}]`, v);
    return v;
  };
  const arms = s.arms ?? [...STUDY_ARMS];
  if (!Array.isArray(arms) || arms.length === 0) bad('arms must be a non-empty list', arms, STUDY_ARMS.join(', '));
  for (const a of arms) if (!STUDY_ARMS.includes(a)) bad(`unknown arm "${String(a)}"`, a, STUDY_ARMS.join(', '));
  const cnn = s.cnn ?? {};
  // CNN defaults: @radcam/model's small-cohort configuration (docs/model.md)
  const preset = { patch: smallCohortPatchOptions(), training: smallCohortTraining() };
  const cam = s.cam ?? {};
  const methods = cam.methods ?? DEFAULT_CAM_METHODS;
  if (!Array.isArray(methods) || methods.length === 0) bad('cam.methods must be a non-empty list', methods);
  const canon = methods.map((m) => (m.includes('/') ? m : `radcam/${m}`));
  const primary = cam.primary ? (cam.primary.includes('/') ? cam.primary : `radcam/${cam.primary}`) : canon.includes('radcam/layercam') ? 'radcam/layercam' : canon[0]!;
  if (!canon.includes(primary)) bad('cam.primary must be one of cam.methods', cam.primary, canon.join(', '));
  const repeats = int(s.repeats, 'repeats', 10, 1, 1000);
  const res: ResolvedStudySettings = {
    folds: int(s.folds, 'folds', 5, 2, 1000),
    repeats,
    seed: int(s.seed, 'seed', 42, 0, 2 ** 32 - 1),
    arms: [...STUDY_ARMS.filter((a) => arms.includes(a))],
    radiomics: { preset: s.radiomics?.preset ?? 'default', families: s.radiomics?.families ?? null, params: s.radiomics?.params ?? {} },
    gradient: { options: s.gradient?.options ?? {} },
    classifier: {
      id: s.classifier?.id ?? 'learn/logreg-l2',
      params: s.classifier?.params ?? {},
      tune: s.classifier?.tune ?? false,
      innerK: int(s.classifier?.innerK, 'classifier.innerK', 3, 2, 100),
      pipeline: s.classifier?.pipeline ?? DEFAULT_PIPELINE,
    },
    cnn: {
      patch: { ...preset.patch, ...(cnn.patch ?? {}) },
      model: { ...preset.training.model, ...(cnn.model ?? {}) },
      epochs: int(cnn.epochs, 'cnn.epochs', preset.training.epochs, 1, 100000),
      batchSize: int(cnn.batchSize, 'cnn.batchSize', 8, 1, 100000),
      learningRate: cnn.learningRate ?? preset.training.learningRate,
      patience: int(cnn.patience, 'cnn.patience', 10, 1, 100000),
      lambda: cnn.lambda ?? preset.training.lambda,
      validationFraction: cnn.validationFraction ?? preset.training.validationFraction,
      monitor: cnn.monitor ?? 'val_bce',
      repeats: Math.min(repeats, int(cnn.repeats, 'cnn.repeats', 1, 1, 1000)),
      augment: cnn.augment ?? preset.training.augment,
      weightDecay: cnn.weightDecay ?? 0,
      classWeight: cnn.classWeight ?? 'balanced',
      loss: cnn.loss ?? 'bce',
      focalGamma: cnn.focalGamma ?? 2,
    },
    cam: {
      methods: canon,
      classIndex: cam.classIndex ?? 0,
      subregion: cam.subregion ?? { method: 'percentile', percentile: 75 },
      families: cam.families ?? ['intensity_statistics', 'intensity_histogram', 'glcm'],
      primary,
      layer: cam.layer ?? null,
    },
    metrics: {
      threshold: s.metrics?.threshold ?? 0.5,
      replicates: int(s.metrics?.replicates, 'metrics.replicates', 2000, 10, 1e7),
      level: s.metrics?.level ?? 0.95,
    },
    report: s.report ?? true,
  };
  if (res.cam.classIndex !== 0 && res.cam.classIndex !== 1) bad('cam.classIndex must be 0 or 1', res.cam.classIndex);
  if (!(res.metrics.level > 0 && res.metrics.level < 1)) bad('metrics.level must be in (0, 1)', res.metrics.level);
  return res;
}

/** Read a YAML or JSON study parameter file (`--params study.yaml`). */
export async function loadStudyParams(path: string): Promise<StudySettings> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RadcamError(code === 'ENOENT' ? 'E_FILE_NOT_FOUND' : 'E_IO', `cannot read study parameters ${path}`, { path, cause: err });
  }
  let parsed: unknown;
  try {
    parsed = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new RadcamError('E_STUDY_SETTINGS', `cannot parse study parameters ${path}: ${(err as Error).message}`, { path, cause: err });
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isObj(parsed)) bad(`study parameters ${path} must hold a mapping`, parsed);
  return parsed as StudySettings;
}

/** Stable JSON (sorted keys) — the basis of checkpoint fingerprints. */
export function stableStringify(x: unknown): string {
  if (x === null || typeof x !== 'object') return JSON.stringify(x) ?? 'null';
  if (ArrayBuffer.isView(x)) return stableStringify(Array.from(x as unknown as ArrayLike<number>));
  if (Array.isArray(x)) return `[${x.map(stableStringify).join(',')}]`;
  const o = x as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
    .join(',')}}`;
}

/** Short SHA-256 fingerprint of any JSON-able value. */
export function fingerprint(x: unknown, length = 12): string {
  return createHash('sha256').update(stableStringify(x)).digest('hex').slice(0, length);
}
