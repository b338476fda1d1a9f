/**
 * `extractFilteredFeatures(image, mask, { imageTypes, ... })`: features of the original image and
 * of filter responses (IBSI 2 phase 2 / PyRadiomics `imageType`), with prefixed names.
 */
import { RadcamError, boundingBox, crop, validateVolume, assertSameGeometry, type Mask, type Vec3, type Volume } from '@radcam/core';
import { extractFeatures, resegment, type ExtractFeaturesResult, type ExtractFeaturesSettings } from '../pipeline.js';
import { resolveSettings, type IbsiFamily, type RadiomicsSettings } from '../settings.js';
import { processImage, type ProcessingSettings, type ProcessImageResult } from '../processing/process.js';
import {
  applyImageType,
  ibsiImageTypePrefix,
  imageTypeFeatureName,
  imageTypeReach,
  pyradiomicsImageTypeName,
  type FeatureNaming,
  type ImageTypeSpec,
} from './image-type.js';

export interface FilteredExtractionSettings extends ExtractFeaturesSettings {
  /** Image types to compute features on (default `['original']`). */
  imageTypes?: ImageTypeSpec[];
  /** Feature names: `ibsi` (default, `log_s2_stat_mean`) or `pyradiomics` (`log-sigma-2-0-mm-3D_firstorder_Mean`). */
  naming?: FeatureNaming;
  /**
   * IBSI image processing run first (`processImage`: rounding, interpolation, re-segmentation).
   * The intensity mask is re-segmented on the processed ORIGINAL image and then used for every
   * response map (IBSI 2); when given, `resegmentation` is derived from it for the original image.
   */
  processing?: ProcessingSettings;
  /**
   * Filter only the ROI bounding box grown by each filter's reach (clamped at the image border,
   * where the filter's own boundary condition then applies), which leaves the response inside the
   * ROI unchanged. Also interpolates only that block when `processing.resample` is set. Filters
   * that act on the whole image (Simoncelli, Riesz) always get the whole (processed) image.
   * Default true.
   */
  cropToRoi?: boolean;
}

export interface ImageTypeDiagnostics {
  /** IBSI prefix ('' for the original image). */
  prefix: string;
  /** PyRadiomics image-type name, when PyRadiomics has this image type. */
  pyradiomicsName?: string;
  /** Grid the filter ran on ([x, y, z] voxels). */
  filteredSize: Vec3;
  filterMs: number;
  featuresMs: number;
  undefinedFeatures: Record<string, string>;
}

export interface FilteredExtractionResult {
  /** Name → value: original-image features and morphology under their IBSI tags, the others prefixed. */
  features: Record<string, number>;
  diagnostics: {
    imageTypes: ImageTypeDiagnostics[];
    /** Diagnostics of the original-image extraction (or of the morphology-only one). */
    original?: ExtractFeaturesResult['diagnostics'];
    /** The IBSI diagnostic features of `processImage`, when `processing` was given. */
    processing?: ProcessImageResult['diagnostics'];
    intensityVoxels: number;
  };
}

function isOriginal(t: ImageTypeSpec): boolean {
  return t === 'original' || (typeof t === 'object' && t !== null && (t as { filter?: string }).filter === 'none');
}

/** Re-segmentation settings equivalent to the processing's (for the original-image pipeline). */
function resegFromProcessing(p: ProcessingSettings): RadiomicsSettings['resegmentation'] | undefined {
  const r: NonNullable<RadiomicsSettings['resegmentation']> = {};
  if (p.resegmentRange) r.range = [p.resegmentRange[0] ?? -Infinity, p.resegmentRange[1] ?? null];
  if (p.outlierSigma !== undefined) r.outlierSigma = p.outlierSigma;
  return Object.keys(r).length ? r : undefined;
}

function cropBox(mask: Mask, reach: Readonly<Vec3>): { lo: Vec3; hi: Vec3 } {
  const bb = boundingBox(mask);
  if (!bb) throw new RadcamError('E_EMPTY_ROI', 'mask is empty', { expected: 'at least one voxel inside the ROI', found: '0' });
  const lo: Vec3 = [0, 0, 0];
  const hi: Vec3 = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    lo[c] = Math.max(0, bb.min[c]! - reach[c]!);
    hi[c] = Math.min(mask.size[c]! - 1, bb.max[c]! + reach[c]!);
  }
  return { lo, hi };
}

/**
 * Compute radiomics features on the original image and on filter responses.
 *
 * 1. optional `processing` (`processImage`) → processed image, morphological mask, intensity mask
 *    (re-segmented on the processed original intensities); without it the intensity mask is
 *    `settings.resegmentation` applied to the input image;
 * 2. the original image (when listed) goes through `extractFeatures` with all requested families;
 * 3. every other image type: the processed image is filtered (cropped to the ROI box + the
 *    filter's reach when `cropToRoi`), then `extractFeatures` runs on the response inside the
 *    intensity mask with the intensity-based families only — morphology is computed once, on the
 *    original — and no further re-segmentation; names are prefixed (`imageTypeFeatureName`).
 *
 * Note: for response maps the texture families see the intensity mask as the ROI (GLDZM
 * distances are measured to its border rather than to the morphological mask's).
 *
 * Throws `E_SETTINGS` (bad image type or settings), `E_EMPTY_ROI`, `E_MASK_GEOMETRY_MISMATCH`.
 */
export function extractFilteredFeatures(image: Volume, mask: Mask, settings: FilteredExtractionSettings = {}): FilteredExtractionResult {
  validateVolume(image);
  validateVolume(mask);
  assertSameGeometry(image, mask);
  const { imageTypes = ['original'], naming = 'ibsi', processing, cropToRoi = true, ...base } = settings;
  if (!Array.isArray(imageTypes) || imageTypes.length === 0) {
    throw new RadcamError('E_SETTINGS', 'invalid setting "imageTypes"', { expected: 'a non-empty list of image types', found: JSON.stringify(imageTypes) });
  }
  if (naming !== 'ibsi' && naming !== 'pyradiomics') {
    throw new RadcamError('E_SETTINGS', 'invalid setting "naming"', { expected: '"ibsi" or "pyradiomics"', found: JSON.stringify(naming) });
  }
  const prefixes = new Set<string>();
  for (const t of imageTypes) {
    const p = ibsiImageTypePrefix(t); // validates the image type
    if (prefixes.has(p)) throw new RadcamError('E_SETTINGS', `image type "${p || 'original'}" is listed twice`);
    prefixes.add(p);
  }
  const { preset: _p, ...baseNoPreset } = base;
  void _p;
  const resolved = resolveSettings({ ...(base.preset ? { preset: base.preset } : {}), params: baseNoPreset });
  const families = resolved.families;
  // explicit `processing` wins; otherwise a preset's processing (e.g. `ibsi-ct-C`) runs here, once:
  // every extractFeatures call below gets `processing: null` so that it is not applied again
  const effProcessing: ProcessingSettings | undefined =
    processing !== undefined ? (processing ?? undefined) : (resolved.processing ?? undefined);

  // 1. processing
  let img: Volume = image;
  let morphMask: Mask = mask;
  let intensityMask: Mask;
  let procDiag: ProcessImageResult['diagnostics'] | undefined;
  let originalSettings: ExtractFeaturesSettings = { ...base, processing: null };
  if (effProcessing) {
    const processing = effProcessing;
    const targetSpacing: Vec3 = [0, 0, 0];
    for (let c = 0; c < 3; c++) targetSpacing[c] = processing.resample?.spacing[c] ?? image.spacing[c]!;
    const reaches = imageTypes.map((t) => imageTypeReach(t, targetSpacing));
    let proc = processing;
    if (cropToRoi && reaches.every((r) => r !== null)) {
      let mm = 0;
      for (const r of reaches) for (let c = 0; c < 3; c++) mm = Math.max(mm, (r![c]! + 1) * targetSpacing[c]!);
      proc = { ...processing, cropMarginMm: Math.max(mm, processing.cropMarginMm ?? 0) };
    }
    const p = processImage(image, mask, proc);
    img = p.image;
    morphMask = p.morphMask;
    intensityMask = p.intensityMask;
    procDiag = p.diagnostics;
    const reseg = resegFromProcessing(processing);
    if (reseg && !base.resegmentation) originalSettings = { ...originalSettings, resegmentation: reseg };
  } else {
    intensityMask = resegment(image, mask, resolved);
  }
  let nIntensity = 0;
  for (let i = 0; i < intensityMask.data.length; i++) if (intensityMask.data[i]) nIntensity++;
  if (nIntensity === 0) {
    throw new RadcamError('E_EMPTY_ROI', 'no ROI voxel is left after re-segmentation', { expected: 'at least one voxel inside the re-segmentation range', found: '0' });
  }

  const features: Record<string, number> = {};
  const diags: ImageTypeDiagnostics[] = [];
  let originalDiag: ExtractFeaturesResult['diagnostics'] | undefined;
  const hasOriginal = imageTypes.some(isOriginal);
  const nonMorph = families.filter((f) => f !== 'morphology') as IbsiFamily[];

  // 2. original image (all families) or morphology alone
  if (hasOriginal || families.includes('morphology')) {
    const t0 = performance.now();
    const fams = hasOriginal ? families : (['morphology'] as IbsiFamily[]);
    const r = extractFeatures(img, morphMask, { ...originalSettings, families: fams });
    originalDiag = r.diagnostics;
    const t = imageTypes.find(isOriginal) ?? 'original';
    for (const [k, v] of Object.entries(r.features)) {
      features[k.startsWith('morph_') ? (naming === 'ibsi' ? k : imageTypeFeatureName('original', k, naming)) : imageTypeFeatureName(t, k, naming)] = v;
    }
    if (hasOriginal) {
      diags.push({
        prefix: '',
        pyradiomicsName: 'original',
        filteredSize: [...img.size] as Vec3,
        filterMs: 0,
        featuresMs: performance.now() - t0,
        undefinedFeatures: r.diagnostics.undefinedFeatures,
      });
    }
  }

  // 3. response maps
  const { resegmentation: _r, ...filteredSettings } = base;
  void _r;
  for (const t of imageTypes) {
    if (isOriginal(t)) continue;
    if (nonMorph.length === 0) break;
    const reach = cropToRoi ? imageTypeReach(t, img.spacing) : null;
    let src = img;
    let imask = intensityMask;
    if (reach) {
      const { lo, hi } = cropBox(morphMask, reach);
      src = crop(img, lo, hi);
      imask = crop(intensityMask, lo, hi);
    }
    const t0 = performance.now();
    const response = applyImageType(src, t);
    const t1 = performance.now();
    const r = extractFeatures(response, imask, { ...filteredSettings, processing: null, families: nonMorph });
    const t2 = performance.now();
    const undef: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.features)) {
      const name = imageTypeFeatureName(t, k, naming);
      if (name in features) throw new RadcamError('E_SETTINGS', `feature name "${name}" is produced twice`, { expected: 'distinct image-type names' });
      features[name] = v;
    }
    for (const [k, why] of Object.entries(r.diagnostics.undefinedFeatures)) undef[imageTypeFeatureName(t, k, naming)] = why;
    const py = pyradiomicsImageTypeName(t);
    diags.push({
      prefix: ibsiImageTypePrefix(t),
      ...(py !== undefined ? { pyradiomicsName: py } : {}),
      filteredSize: [...src.size] as Vec3,
      filterMs: t1 - t0,
      featuresMs: t2 - t1,
      undefinedFeatures: undef,
    });
  }
  return {
    features,
    diagnostics: {
      imageTypes: diags,
      ...(originalDiag ? { original: originalDiag } : {}),
      ...(procDiag ? { processing: procDiag } : {}),
      intensityVoxels: nIntensity,
    },
  };
}
