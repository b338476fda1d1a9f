/**
 * `extractPyradiomics(image, mask, params)`: PyRadiomics 3.x-compatible extraction for the
 * Original, LoG, Wavelet, Square, SquareRoot, Logarithm, Exponential, Gradient and LBP2D image types — feature values and names (`original_<class>_<Feature>`,
 * `log-sigma-1-0-mm-3D_firstorder_Mean`, `wavelet-LLH_glcm_Contrast`) as PyRadiomics'
 * `RadiomicsFeatureExtractor.execute` produces them.
 */
import type { Vec3, Volume } from '@radcam/core';
import { discretise } from './discretize.js';
import { firstOrderFeatures } from './firstorder.js';
import { pyradiomicsDerivedImages, pyradiomicsImageTypeSettings } from './image-types.js';
import { defaultPyradiomicsParams, PYRADIOMICS_FEATURES, type PyradiomicsClass, type PyradiomicsImageType, type PyradiomicsParams, type PyradiomicsSettings } from './params.js';
import { boundingBox, checkMask, cropGrid, normalizeGrid, resampleGrid, resegment, toGrid, type BoundingBox, type Grid } from './preprocess.js';
import { shapeFeatures } from './shape.js';
import { shape2DFeatures } from './shape2d.js';
import { glcmFeatures, gldmFeatures, glrlmFeatures, glszmFeatures, ngtdmFeatures, type LevelBox, type TextureOptions } from './texture.js';

export type PyradiomicsDiagnostic = string | number | boolean | number[] | null;

export interface PyradiomicsResult {
  /** `<imageType>_<class>_<Feature>` → value: shape first, then per image type in class order. */
  features: Record<string, number>;
  /** PyRadiomics-style `diagnostics_*` entries (geometry and voxel counts after each step). */
  diagnostics: Record<string, PyradiomicsDiagnostic>;
}

function bbTuple(bb: BoundingBox): number[] {
  return [bb.min[0], bb.min[1], bb.min[2], bb.max[0] - bb.min[0] + 1, bb.max[1] - bb.min[1] + 1, bb.max[2] - bb.min[2] + 1];
}

function stats(values: Float64Array, mask?: Uint8Array): { mean: number; min: number; max: number } {
  let n = 0, s = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (mask && !mask[i]) continue;
    const v = values[i]!;
    n++;
    s += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { mean: s / n, min, max };
}

function describe(d: Record<string, PyradiomicsDiagnostic>, prefix: string, g: Grid, bb: BoundingBox): void {
  const im = stats(g.values);
  const roi = stats(g.values, g.mask);
  d[`diagnostics_Image-${prefix}_Spacing`] = [...g.spacing];
  d[`diagnostics_Image-${prefix}_Size`] = [...g.size];
  d[`diagnostics_Image-${prefix}_Mean`] = im.mean;
  d[`diagnostics_Image-${prefix}_Minimum`] = im.min;
  d[`diagnostics_Image-${prefix}_Maximum`] = im.max;
  d[`diagnostics_Mask-${prefix}_BoundingBox`] = bbTuple(bb);
  d[`diagnostics_Mask-${prefix}_VoxelNum`] = bb.count;
  d[`diagnostics_Mask-${prefix}_Mean`] = roi.mean;
  d[`diagnostics_Mask-${prefix}_Minimum`] = roi.min;
  d[`diagnostics_Mask-${prefix}_Maximum`] = roi.max;
}

function enabled(params: PyradiomicsParams, cls: PyradiomicsClass): readonly string[] | null {
  if (!(cls in params.featureClasses)) return null;
  return params.featureClasses[cls] ?? PYRADIOMICS_FEATURES[cls];
}

function emit(out: Record<string, number>, prefix: string, cls: PyradiomicsClass, names: readonly string[], values: Record<string, number>): void {
  for (const n of names) out[`${prefix}_${cls}_${n}`] = values[n]!;
}

/**
 * PyRadiomics' `computeFeatures` for one (derived) image: crop image and mask to the ROI bounding
 * box, discretise, first order and the texture classes, names prefixed with the image-type name.
 */
function imageFeatures(
  features: Record<string, number>,
  diagnostics: Record<string, PyradiomicsDiagnostic>,
  prefix: string,
  g: Grid,
  bb: BoundingBox,
  s: PyradiomicsSettings,
  params: PyradiomicsParams,
): void {
  const crop = cropGrid(g, bb.min, bb.max);
  const disc = discretise(crop.values, crop.mask, { binWidth: s.binWidth, binCount: s.binCount });
  const key = prefix === 'original' ? 'diagnostics_Discretisation' : `diagnostics_Discretisation-${prefix}`;
  diagnostics[`${key}_Ng`] = disc.ng;
  diagnostics[`${key}_GrayLevels`] = disc.present.length;
  const fixedAxis = s.force2D ? 2 - s.force2Ddimension : -1;

  const foNames = enabled(params, 'firstorder');
  if (foNames) {
    const n = bb.count;
    const vals = new Float64Array(n);
    const lv = new Int32Array(n);
    for (let i = 0, k = 0; i < crop.mask.length; i++) {
      if (!crop.mask[i]) continue;
      vals[k] = crop.values[i]!;
      lv[k++] = disc.levels[i]!;
    }
    const vv = crop.spacing[0] * crop.spacing[1] * crop.spacing[2];
    emit(features, prefix, 'firstorder', foNames, firstOrderFeatures(vals, lv, disc.ng, vv, s.voxelArrayShift));
  }
  const box: LevelBox = {
    nx: crop.size[0], ny: crop.size[1], nz: crop.size[2],
    levels: disc.levels, ng: disc.ng, present: disc.present,
    spacing: crop.spacing as Readonly<Vec3>,
  };
  const topts: TextureOptions = {
    distances: s.distances,
    fixedAxis,
    weightingNorm: s.weightingNorm,
    symmetricalGLCM: s.symmetricalGLCM,
    gldmAlpha: s.gldm_a,
  };
  const texture: Array<[PyradiomicsClass, (b: LevelBox, o: TextureOptions) => Record<string, number>]> = [
    ['glcm', glcmFeatures], ['glrlm', glrlmFeatures], ['glszm', glszmFeatures], ['gldm', gldmFeatures], ['ngtdm', ngtdmFeatures],
  ];
  for (const [cls, fn] of texture) {
    const names = enabled(params, cls);
    if (names) emit(features, prefix, cls, names, fn(box, topts));
  }
}

/**
 * Extract PyRadiomics-compatible features.
 *
 * @param image scalar image (any numeric type; integer types are kept for the resampling cast)
 * @param mask label image on the same grid; voxels equal to `settings.label` form the ROI
 * @param params from `loadPyradiomicsParams` / `pyradiomicsParams` (default: PyRadiomics defaults,
 *   all classes except shape2D)
 */
export function extractPyradiomics(image: Volume, mask: Volume, params: PyradiomicsParams = defaultPyradiomicsParams()): PyradiomicsResult {
  const s = params.settings;
  const diagnostics: Record<string, PyradiomicsDiagnostic> = {
    diagnostics_Versions_radcam: 'pyradiomics-compat (PyRadiomics 3.x definitions)',
    diagnostics_Configuration_Settings: JSON.stringify(s),
    diagnostics_Configuration_EnabledImageTypes: JSON.stringify(params.imageTypes),
  };
  let g = toGrid(image, mask, s);
  describe(diagnostics, 'original', g, boundingBox(g.mask, g.size)!);
  if (s.normalize) normalizeGrid(g, s);
  const pad = s.padDistance;
  const padCrop = (grid: Grid): Grid => {
    const bb = boundingBox(grid.mask, grid.size)!;
    return cropGrid(grid, [bb.min[0] - pad, bb.min[1] - pad, bb.min[2] - pad], [bb.max[0] + pad, bb.max[1] + pad, bb.max[2] + pad]);
  };
  if (s.interpolator !== null && s.resampledPixelSpacing !== null) {
    const r = resampleGrid(g, s);
    g = r ? r.grid : padCrop(g);
    if (r) describe(diagnostics, 'interpolated', g, boundingBox(g.mask, g.size) ?? { min: [0, 0, 0], max: [-1, -1, -1], count: 0 });
  } else if (s.preCrop) {
    g = padCrop(g);
  }
  let bb = checkMask(g, s);
  const shapeMaskGrid = g;
  if (s.resegmentRange !== null) {
    g = { ...g, mask: resegment(g, s) };
    bb = checkMask(g, s);
    diagnostics['diagnostics_Mask-resegmented_BoundingBox'] = bbTuple(bb);
    diagnostics['diagnostics_Mask-resegmented_VoxelNum'] = bb.count;
  }
  const features: Record<string, number> = {};

  const shapeNames = enabled(params, 'shape');
  const shape2dNames = enabled(params, 'shape2D');
  if (shapeNames || shape2dNames) {
    const src = s.resegmentShape ? g : shapeMaskGrid;
    const sbb = boundingBox(src.mask, src.size)!;
    const c = cropGrid(src, sbb.min, sbb.max);
    if (shapeNames) emit(features, 'original', 'shape', shapeNames, shapeFeatures(c.mask, c.size[0], c.size[1], c.size[2], c.spacing));
    if (shape2dNames) emit(features, 'original', 'shape2D', shape2dNames, shape2DFeatures(c.mask, c.size, c.spacing, s.force2D, s.force2Ddimension));
  }

  // 6. every enabled image type, filters applied to the pre-processed (not yet ROI-cropped) image
  const skipped: string[] = [];
  for (const type of Object.keys(params.imageTypes) as PyradiomicsImageType[]) {
    const ts = pyradiomicsImageTypeSettings(params, type);
    const derived = pyradiomicsDerivedImages(type, g.values, g.size, g.spacing, ts, { intRange: g.intRange });
    skipped.push(...derived.skipped);
    for (const im of derived.images) imageFeatures(features, diagnostics, im.name, { ...g, values: im.values }, bb, ts, params);
  }
  if (skipped.length > 0) diagnostics['diagnostics_ImageTypes_Skipped'] = skipped.join('; ');
  return { features, diagnostics };
}
