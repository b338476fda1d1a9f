/**
 * `extractFeatures(image, mask, settings)`: the IBSI 1 pipeline.
 *
 * Stages (each a separate function): validate → IBSI image processing (`settings.processing`:
 * rounding, interpolation, morphological / intensity masks, re-segmentation; presets
 * `ibsi-ct-A` … `ibsi-ct-E`) or re-segmentation of the intensity mask (`settings.resegmentation`)
 * → discretise (histogram / texture / IVH groups) → run the extractors → assemble
 * `{ features, diagnostics }`.
 */
import {
  RadcamError,
  assertSameGeometry,
  createExtractionContext,
  extractorRegistry,
  validateVolume,
  type ExtractionContext,
  type FeatureExtractor,
  type Mask,
  type Volume,
} from '@radcam/core';
import { roiOf, setTextureLevels } from './context.js';
import { nonTextureExtractors } from './extractors.js';
import { countMask } from './roi.js';
import { resolveSettings, TEXTURE_FAMILIES, type IbsiFamily, type RadiomicsSettings, type ResolvedSettings } from './settings.js';
import * as texture from './texture/index.js';
import { processImage, type ProcessImageResult } from './processing/process.js';

/** Built-in extractors per IBSI family. */
export function builtinExtractors(): Record<IbsiFamily, FeatureExtractor<any> | undefined> {
  const byFamily = {} as Record<IbsiFamily, FeatureExtractor<any> | undefined>;
  for (const e of nonTextureExtractors) byFamily[e.family as IbsiFamily] = e;
  const tex = (texture as { textureExtractors?: ReadonlyArray<FeatureExtractor<any>> }).textureExtractors ?? [];
  for (const e of tex) byFamily[e.family as IbsiFamily] = e;
  return byFamily;
}

/** All built-in IBSI extractors (non-texture and texture), in IBSI family order. */
export function ibsiExtractors(): FeatureExtractor<any>[] {
  const b = builtinExtractors();
  return Object.values(b).filter((e): e is FeatureExtractor<any> => e !== undefined);
}

export interface ExtractFeaturesSettings extends RadiomicsSettings {
  /** Preset to start from (see `PRESETS`); default `default`. */
  preset?: string;
}

export interface ExtractFeaturesResult {
  /** Feature tag → value, in extractor order. NaN where undefined (see diagnostics). */
  features: Record<string, number>;
  diagnostics: {
    preset: string;
    settings: Omit<ResolvedSettings, 'extractors'>;
    roi: { voxels: number; intensityVoxels: number; spacing: [number, number, number] };
    discretisation: Record<string, unknown>;
    /** Per extractor: its diagnostics and time in ms. */
    extractors: Record<string, { timeMs: number; [k: string]: unknown }>;
    /** Features that are NaN, with the reason when the extractor gave one. */
    undefinedFeatures: Record<string, string>;
    /**
     * With `settings.processing`: the 60 IBSI diagnostic features (`img_dim_x_init_img`, …,
     * `int_mask_max_int_reseg_roi`), the re-segmentation bounds applied and the processing time.
     */
    processing?: ProcessImageResult['diagnostics'];
    resegmentation?: ProcessImageResult['resegmentation'];
    processingMs?: number;
  };
}

/** Range / outlier re-segmentation of the intensity mask. Returns the input mask when unchanged. */
export function resegment(image: Volume, mask: Mask, settings: ResolvedSettings): Mask {
  const r = settings.resegmentation;
  if (!r || (r.range === undefined && r.outlierSigma === undefined)) return mask;
  const out = new Uint8Array(mask.data.length);
  const d = image.data;
  const lo = r.range ? r.range[0] : -Infinity;
  const hi = r.range && r.range[1] !== null ? r.range[1] : Infinity;
  for (let i = 0; i < out.length; i++) if (mask.data[i] !== 0 && d[i]! >= lo && d[i]! <= hi) out[i] = 1;
  if (r.outlierSigma !== undefined) {
    // IBSI: mean and SD of the (range re-segmented) ROI; keep μ ± kσ (population SD).
    let n = 0, s = 0, s2 = 0;
    for (let i = 0; i < out.length; i++) if (out[i]) { n++; s += d[i]!; }
    const mu = s / n;
    for (let i = 0; i < out.length; i++) if (out[i]) s2 += (d[i]! - mu) ** 2;
    const sd = Math.sqrt(s2 / n);
    const k = r.outlierSigma;
    for (let i = 0; i < out.length; i++) if (out[i] && (d[i]! < mu - k * sd || d[i]! > mu + k * sd)) out[i] = 0;
  }
  return { ...mask, data: out, size: [...mask.size] as Mask['size'], spacing: [...mask.spacing] as Mask['spacing'], origin: [...mask.origin] as Mask['origin'], direction: Float64Array.from(mask.direction) };
}

/**
 * Build the extraction context for `settings`: re-segmented intensity mask and the texture
 * grey levels in `cache['ibsi/texture-levels']`. Empty masks are allowed here (the extractors
 * raise `E_EMPTY_ROI`), so the conformance suite can use it too.
 */
export function createRadiomicsContext(
  image: Volume,
  mask: Mask,
  settings: ResolvedSettings,
  intensityMaskOverride?: Mask,
): { context: ExtractionContext; discretisation: Record<string, unknown> } {
  const intensityMask = intensityMaskOverride ?? resegment(image, mask, settings);
  const context = intensityMask === mask ? createExtractionContext(image, mask) : createExtractionContext(image, mask, intensityMask);
  const tdisc = { ...settings.texture.discretisation };
  if (tdisc.method === 'fbs' && tdisc.lowerBound === undefined && settings.resegmentation?.range) tdisc.lowerBound = settings.resegmentation.range[0];
  const d = setTextureLevels(context, tdisc);
  const discretisation: Record<string, unknown> = {
    texture: d ? { ...tdisc, nLevels: d.nLevels, minLevel: d.minLevel, maxLevel: d.maxLevel, lowerBound: d.lowerBound, binWidth: d.binWidth } : { ...tdisc, nLevels: 0 },
  };
  return { context, discretisation };
}

/**
 * The re-segmentation range implied by `processImage`'s bounds, in `settings.resegmentation` form,
 * so that the FBS lower bound and the IVH range rules (IBSI: the re-segmentation range when one is
 * set) see it. Only a finite lower bound counts; outlier bounds are data-driven and do not.
 */
function rangeFromProcessing(pr: ProcessImageResult): ResolvedSettings['resegmentation'] {
  const r = pr.resegmentation.range;
  if (!r || !Number.isFinite(r[0])) return undefined;
  return { range: [r[0], Number.isFinite(r[1]) ? r[1] : null] };
}

function settingsFor(e: FeatureExtractor<any>, s: ResolvedSettings, builtins: Set<FeatureExtractor<any>>): Record<string, unknown> {
  const own = s.extractorSettings?.[e.id];
  if (builtins.has(e) && TEXTURE_FAMILIES.includes(e.family as IbsiFamily)) {
    const { discretisation: _d, ...tex } = s.texture;
    void _d;
    return { ...tex, ...own };
  }
  if (builtins.has(e)) {
    const hd = { ...s.histogram.discretisation };
    if (hd.method === 'fbs' && hd.lowerBound === undefined && s.resegmentation?.range) hd.lowerBound = s.resegmentation.range[0];
    return { ...s, histogram: { discretisation: hd }, ...own };
  }
  return own ?? {};
}

/**
 * Compute IBSI features of `image` inside `mask`.
 *
 * Extractors: `settings.extractors` when given (explicit beats global), else the built-in
 * extractors of `settings.families` (default all eleven), plus registry extractors named in
 * `settings.extractorIds`. Throws `E_MASK_GEOMETRY_MISMATCH`, `E_EMPTY_ROI` (empty mask or
 * empty after re-segmentation), `E_SETTINGS`, `E_REGISTRY_UNKNOWN`.
 */
export function extractFeatures(image: Volume, mask: Mask, settings: ExtractFeaturesSettings = {}): ExtractFeaturesResult {
  validateVolume(image);
  validateVolume(mask);
  assertSameGeometry(image, mask);
  const { extractors: explicit, ...rest } = settings;
  const resolvedIn = resolveSettings({ params: rest });
  const presetName = settings.preset ?? 'default';
  let work: Volume = image;
  let morphMask: Mask = mask;
  let processed: ProcessImageResult | undefined;
  let processingMs: number | undefined;
  let resolved = resolvedIn;
  if (resolvedIn.processing) {
    const t0 = performance.now();
    processed = processImage(image, mask, resolvedIn.processing);
    processingMs = performance.now() - t0;
    work = processed.image;
    morphMask = processed.morphMask;
    const range = rangeFromProcessing(processed);
    if (range) resolved = { ...resolvedIn, resegmentation: range };
  }
  const nMorph = countMask(morphMask);
  if (nMorph === 0) {
    throw new RadcamError('E_EMPTY_ROI', 'mask is empty', { expected: 'at least one voxel inside the ROI', found: '0' });
  }
  const { context, discretisation } = createRadiomicsContext(work, morphMask, resolved, processed?.intensityMask);
  const roi = (() => {
    try {
      return roiOf(context);
    } catch (e) {
      if (e instanceof RadcamError && e.code === 'E_EMPTY_ROI') {
        throw new RadcamError('E_EMPTY_ROI', 'no ROI voxel is left after re-segmentation', {
          expected: 'at least one voxel inside the re-segmentation range',
          found: `0 of ${nMorph}`,
        });
      }
      throw e;
    }
  })();

  const builtinMap = builtinExtractors();
  const builtins = new Set(Object.values(builtinMap).filter((e): e is FeatureExtractor<any> => !!e));
  let list: FeatureExtractor<any>[];
  if (explicit && explicit.length > 0) list = [...explicit];
  else {
    list = [];
    for (const fam of resolved.families) {
      const e = builtinMap[fam];
      if (!e) {
        throw new RadcamError('E_UNSUPPORTED', `no extractor is available for family "${fam}"`, { expected: 'a built-in IBSI family' });
      }
      list.push(e);
    }
  }
  for (const id of resolved.extractorIds ?? []) list.push(extractorRegistry.get(id));

  const features: Record<string, number> = {};
  const extractorsDiag: Record<string, { timeMs: number; [k: string]: unknown }> = {};
  const undefinedFeatures: Record<string, string> = {};
  for (const e of list) {
    const t0 = performance.now();
    const r = e.extract(context, settingsFor(e, resolved, builtins));
    const timeMs = performance.now() - t0;
    const diag = r.diagnostics ?? {};
    extractorsDiag[e.id] = { timeMs, ...diag };
    for (const [k, v] of Object.entries(r.features)) {
      if (k in features) {
        throw new RadcamError('E_SETTINGS', `feature "${k}" is produced by two extractors`, { found: e.id });
      }
      let val = v;
      if (!Number.isFinite(val)) {
        if (!Number.isNaN(val)) {
          undefinedFeatures[k] = `non-finite value ${val} replaced by NaN`;
          val = NaN;
        } else {
          const why = diag[k];
          undefinedFeatures[k] = typeof why === 'string' ? why : `undefined for this ROI (${e.id})`;
        }
      }
      features[k] = val;
    }
  }
  if (processed && resolved.diagnosticsAsFeatures) {
    for (const [k, v] of Object.entries(processed.diagnostics)) {
      if (k in features) throw new RadcamError('E_SETTINGS', `feature "${k}" is produced twice`, { found: 'processing diagnostics' });
      features[k] = v;
    }
  }
  const { extractors: _x, ...settingsOut } = resolvedIn;
  void _x;
  return {
    features,
    diagnostics: {
      preset: presetName,
      settings: settingsOut,
      roi: { voxels: nMorph, intensityVoxels: roi.indices.length, spacing: [...work.spacing] as [number, number, number] },
      discretisation,
      extractors: extractorsDiag,
      undefinedFeatures,
      ...(processed ? { processing: processed.diagnostics, resegmentation: processed.resegmentation, processingMs } : {}),
    },
  };
}
