/**
 * IBSI 1 image processing (manual chapter 2): interpolation to a new voxel spacing with IBSI grid
 * alignment, mask interpolation with a partial-volume threshold, range and outlier
 * re-segmentation, and the diagnostic features of each step. Pure functions over core Volumes.
 */
import {
  RadcamError,
  assertSameGeometry,
  boundingBox,
  crop,
  indexToWorld,
  resample,
  resampleToGeometry,
  validateVolume,
  type Geometry,
  type Mask,
  type Vec3,
  type Volume,
} from '@radcam/core';
import { imageDiagnostics, roiDiagnostics, type IbsiDiagnosticTag } from './diagnostics.js';

/** Image interpolation settings (IBSI 1 §2.4). */
export interface ResampleSettings {
  /**
   * New voxel spacing in mm, [x, y, z]. An axis given as `null` / `undefined` keeps its original
   * spacing and is not interpolated (e.g. `[2, 2, null]` for the in-plane-only 2D configuration B).
   */
  spacing: [number | null | undefined, number | null | undefined, number | null | undefined];
  /** Image interpolator: nearest neighbour, (tri/bi)linear or cubic B-spline. */
  interpolator: 'nearest' | 'linear' | 'bspline';
  /** Round interpolated intensities to the nearest integer (CT: yes). Default false. */
  roundIntensities?: boolean;
  /** Mask interpolator. Default `linear`. */
  maskInterpolator?: 'nearest' | 'linear';
  /** A resampled mask voxel is in the ROI when its interpolated value is ≥ this. Default 0.5. */
  partialVolumeThreshold?: number;
  /**
   * Grid alignment: `ibsi` (default; grid centres aligned, size ceil(n·s/s′)) or `origin`
   * (first voxel centre kept). See core `resample`.
   */
  grid?: 'ibsi' | 'origin';
}

/** Settings of `processImage`. Every step is optional; steps run in IBSI order. */
export interface ProcessingSettings {
  /**
   * Round the input intensities to the nearest integer before anything else (the IBSI manual asks
   * for this with the CT phantom NIfTI, whose float values are integral HU). Default false.
   */
  roundInitial?: boolean;
  /** Interpolation of image and mask to a new spacing. Omit to keep the original grid. */
  resample?: ResampleSettings;
  /**
   * Range re-segmentation of the intensity mask: keep voxels with lo ≤ x ≤ hi. A bound may be
   * ±Infinity or `null` (open on that side).
   */
  resegmentRange?: [number | null, number | null];
  /**
   * Outlier re-segmentation: keep voxels within mean ± k·SD (population SD) of the ROI
   * intensities; IBSI uses k = 3. With `resegmentRange` too, the range filter runs first and the
   * mean and SD are those of the range-filtered ROI (IBSI configuration E).
   */
  outlierSigma?: number;
  /**
   * Speed option: process only a block of the (interpolated) grid around the ROI — the bounding
   * box of the initial mask plus this margin in mm on every side. The block lies on exactly the
   * same IBSI grid as the whole-image result, so ROI values are unchanged (linear / nearest:
   * identical; B-spline: the prefilter sees ≥ 12 extra source voxels, differences < 1e-5 of the
   * intensity range). The `*_interp_img`, `*_interp_roi` and `*_reseg_roi` dimension diagnostics
   * then describe the block, not the whole image. Default: whole image (IBSI diagnostics).
   */
  cropMarginMm?: number;
}

/** Intensity bounds actually applied by re-segmentation. */
export interface ResegmentationBounds {
  /** The range filter's bounds (±Infinity for open sides), or null when no range was set. */
  range: [number, number] | null;
  /** mean − k·SD and mean + k·SD of the outlier filter, or null when it was not used. */
  outlier: [number, number] | null;
  /**
   * IBSI lower bound for fixed-bin-size discretisation: the finite lower bound of the range
   * re-segmentation when set, otherwise the minimum intensity of the intensity mask.
   */
  fbsLowerBound: number;
}

export interface ProcessImageResult {
  /** Processed image (Float64Array), on the interpolated grid. */
  image: Volume<Float64Array>;
  /** Morphological mask: the interpolated mask after partial-volume thresholding (0/1). */
  morphMask: Mask;
  /** Intensity mask: morphological mask ∩ re-segmentation (0/1). */
  intensityMask: Mask;
  /** The 60 IBSI diagnostic features under their tags (see `IBSI_DIAGNOSTIC_TAGS`). */
  diagnostics: Record<IbsiDiagnosticTag, number>;
  resegmentation: ResegmentationBounds;
}

function bad(key: string, expected: string, found: unknown): never {
  throw new RadcamError('E_SETTINGS', `invalid processing setting "${key}"`, {
    expected,
    found: typeof found === 'number' ? String(found) : (JSON.stringify(found) ?? String(found)),
  });
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validate processing settings; throws `RadcamError('E_SETTINGS')` naming the offending key. */
export function validateProcessingSettings(s: unknown): asserts s is ProcessingSettings {
  if (!isObj(s)) bad('processing', 'an object', s);
  for (const k of Object.keys(s)) {
    if (!['roundInitial', 'resample', 'resegmentRange', 'outlierSigma', 'cropMarginMm'].includes(k)) {
      bad(k, 'one of roundInitial, resample, resegmentRange, outlierSigma, cropMarginMm', k);
    }
  }
  if (s.roundInitial !== undefined && typeof s.roundInitial !== 'boolean') bad('roundInitial', 'true or false', s.roundInitial);
  if (s.resample !== undefined) {
    const r = s.resample;
    if (!isObj(r)) bad('resample', 'an object { spacing, interpolator, ... }', r);
    for (const k of Object.keys(r)) {
      if (!['spacing', 'interpolator', 'roundIntensities', 'maskInterpolator', 'partialVolumeThreshold', 'grid'].includes(k)) {
        bad(`resample.${k}`, 'one of spacing, interpolator, roundIntensities, maskInterpolator, partialVolumeThreshold, grid', k);
      }
    }
    const sp = r.spacing;
    if (!Array.isArray(sp) || sp.length !== 3 || sp.some((v) => v !== null && v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0))) {
      bad('resample.spacing', 'three positive numbers (null keeps an axis)', sp);
    }
    if (!['nearest', 'linear', 'bspline'].includes(r.interpolator as string)) bad('resample.interpolator', '"nearest", "linear" or "bspline"', r.interpolator);
    if (r.maskInterpolator !== undefined && !['nearest', 'linear'].includes(r.maskInterpolator as string)) {
      bad('resample.maskInterpolator', '"nearest" or "linear"', r.maskInterpolator);
    }
    if (r.roundIntensities !== undefined && typeof r.roundIntensities !== 'boolean') bad('resample.roundIntensities', 'true or false', r.roundIntensities);
    const t = r.partialVolumeThreshold;
    if (t !== undefined && !(typeof t === 'number' && t > 0 && t <= 1)) bad('resample.partialVolumeThreshold', 'a number in (0, 1]', t);
    if (r.grid !== undefined && !['ibsi', 'origin'].includes(r.grid as string)) bad('resample.grid', '"ibsi" or "origin"', r.grid);
  }
  if (s.resegmentRange !== undefined) {
    const g = s.resegmentRange;
    const ok = (v: unknown) => v === null || (typeof v === 'number' && !Number.isNaN(v));
    if (!Array.isArray(g) || g.length !== 2 || !ok(g[0]) || !ok(g[1]) || (g[0] ?? -Infinity) > (g[1] ?? Infinity)) {
      bad('resegmentRange', '[lo, hi] with lo ≤ hi (a bound may be ±Infinity or null)', g);
    }
  }
  if (s.outlierSigma !== undefined && !(typeof s.outlierSigma === 'number' && Number.isFinite(s.outlierSigma) && s.outlierSigma > 0)) {
    bad('outlierSigma', 'a finite number > 0', s.outlierSigma);
  }
  if (s.cropMarginMm !== undefined && !(typeof s.cropMarginMm === 'number' && Number.isFinite(s.cropMarginMm) && s.cropMarginMm >= 0)) {
    bad('cropMarginMm', 'a finite number ≥ 0', s.cropMarginMm);
  }
}

function copyGeometry<T extends Volume['data']>(g: Volume, data: T): Volume<T> {
  return {
    data,
    size: [...g.size] as Vec3,
    spacing: [...g.spacing] as Vec3,
    origin: [...g.origin] as Vec3,
    direction: Float64Array.from(g.direction),
  };
}

/**
 * Range re-segmentation: a new 0/1 mask with the voxels of `mask` whose intensity lies in
 * [lo, hi] (inclusive; a null bound is open).
 */
export function resegmentRangeMask(image: Volume, mask: Mask, range: [number | null, number | null]): Mask {
  const lo = range[0] ?? -Infinity;
  const hi = range[1] ?? Infinity;
  const d = image.data;
  const m = mask.data;
  const out = new Uint8Array(m.length);
  for (let i = 0; i < m.length; i++) {
    if (m[i] !== 0) {
      const v = d[i]!;
      if (v >= lo && v <= hi) out[i] = 1;
    }
  }
  return copyGeometry(mask, out);
}

/**
 * Outlier bounds mean ± k·SD of the intensities of `image` inside `mask` (population SD, as
 * IBSI 1 §2.5). Throws `E_EMPTY_ROI` for an empty mask.
 */
export function outlierBounds(image: Volume, mask: Mask, k: number): [number, number] {
  const d = image.data;
  const m = mask.data;
  let n = 0;
  let s = 0;
  for (let i = 0; i < m.length; i++) {
    if (m[i] !== 0) {
      n++;
      s += d[i]!;
    }
  }
  if (n === 0) {
    throw new RadcamError('E_EMPTY_ROI', 'outlier re-segmentation needs a non-empty ROI', { expected: 'at least one ROI voxel', found: '0' });
  }
  const mu = s / n;
  let s2 = 0;
  for (let i = 0; i < m.length; i++) {
    if (m[i] !== 0) {
      const e = d[i]! - mu;
      s2 += e * e;
    }
  }
  const sd = Math.sqrt(s2 / n);
  return [mu - k * sd, mu + k * sd];
}

/**
 * Round to the nearest integer, ties up; values within 1e-7 of a tie count as ties, so that
 * interpolation round-off (different summation orders) cannot flip the result.
 */
export function roundHalfUp(v: number): number {
  const f = Math.floor(v);
  return v - f >= 0.5 - 1e-7 ? f + 1 : f;
}

function resolveSpacing(image: Volume, r: ResampleSettings): Vec3 {
  const out: Vec3 = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const s = r.spacing[c];
    out[c] = s === null || s === undefined ? image.spacing[c]! : s;
  }
  return out;
}

/** Per-axis IBSI (or origin) output grid: size and first output centre in source index units. */
function outputGrid(n: number, s: number, s2: number, grid: 'ibsi' | 'origin'): { m: number; x0: number; ratio: number } {
  const ratio = s2 / s;
  if (grid === 'origin') return { m: Math.floor(((n - 1) * s) / s2 + 1e-9) + 1, x0: 0, ratio };
  const m = Math.ceil((n * s) / s2 - 1e-9);
  return { m, x0: 0.5 * (n - 1) - 0.5 * (m - 1) * ratio, ratio };
}

/**
 * Interpolate image and mask only on the block of the output grid around the ROI (see
 * `cropMarginMm`), via `resampleToGeometry` from a cropped source.
 */
function resampleBlock(
  image: Volume<Float64Array>,
  mask: Mask,
  spacing: Vec3,
  r: ResampleSettings,
  marginMm: number,
): { image: Volume<Float64Array>; mask: Volume } {
  const bb = boundingBox(mask)!;
  const support = r.interpolator === 'bspline' ? 14 : 2;
  const srcLo: Vec3 = [0, 0, 0];
  const srcHi: Vec3 = [0, 0, 0];
  const jLo: Vec3 = [0, 0, 0];
  const size: Vec3 = [0, 0, 0];
  const first: Vec3 = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const n = image.size[c]!;
    const { m, x0, ratio } = outputGrid(n, image.spacing[c]!, spacing[c]!, r.grid ?? 'ibsi');
    const marg = marginMm / image.spacing[c]!;
    const a = Math.max(0, Math.ceil((bb.min[c]! - marg - x0) / ratio - 1e-9));
    const b = Math.min(m - 1, Math.floor((bb.max[c]! + marg - x0) / ratio + 1e-9));
    jLo[c] = a;
    size[c] = Math.max(1, b - a + 1);
    first[c] = x0 + a * ratio;
    srcLo[c] = Math.max(0, Math.floor(first[c]!) - support);
    srcHi[c] = Math.min(n - 1, Math.ceil(x0 + (a + size[c]! - 1) * ratio) + support);
  }
  const target: Geometry = {
    size,
    spacing: [...spacing] as Vec3,
    origin: indexToWorld(image, first),
    direction: Float64Array.from(image.direction),
  };
  const opts = { extrapolate: 'nearest' as const, outputType: 'float64' as const };
  const img = resampleToGeometry(crop(image, srcLo, srcHi), target, { ...opts, interpolator: r.interpolator }) as Volume<Float64Array>;
  const msk = resampleToGeometry(crop(mask, srcLo, srcHi), target, { ...opts, interpolator: r.maskInterpolator ?? 'linear' });
  return { image: img, mask: msk };
}

/**
 * Run the IBSI 1 image-processing chain on `image` and `mask` (same grid; any non-zero mask value
 * is inside):
 *
 * 1. optional rounding of the input intensities (`roundInitial`), conversion to float64;
 * 2. interpolation (`resample`): image with `interpolator` on the IBSI grid (centres aligned,
 *    size ceil(n·s/s′), nearest-value extrapolation), then optional rounding; the 0/1 mask with
 *    `maskInterpolator` on the same grid, thresholded at `partialVolumeThreshold` (≥) → the
 *    morphological mask. Axes whose spacing is null are not interpolated (2D configurations);
 * 3. re-segmentation of the intensity mask: range, then outlier filter.
 *
 * Inputs are not modified. Throws `E_MASK_GEOMETRY_MISMATCH`, `E_SETTINGS`, and `E_EMPTY_ROI`
 * when the mask is empty initially, after interpolation or after re-segmentation.
 */
export function processImage(image: Volume, mask: Volume, settings: ProcessingSettings = {}): ProcessImageResult {
  validateVolume(image);
  validateVolume(mask);
  assertSameGeometry(image, mask);
  validateProcessingSettings(settings);
  const diagnostics: Record<string, number> = {};

  // 1. initial image (float, optionally rounded) and binarised mask
  const n = image.data.length;
  const img0 = new Float64Array(n);
  const src = image.data;
  if (settings.roundInitial) for (let i = 0; i < n; i++) img0[i] = roundHalfUp(src[i]!);
  else for (let i = 0; i < n; i++) img0[i] = src[i]!;
  const initImage = copyGeometry(image, img0);
  const m0 = new Uint8Array(n);
  let nInit = 0;
  for (let i = 0; i < n; i++) {
    if (mask.data[i] !== 0) {
      m0[i] = 1;
      nInit++;
    }
  }
  if (nInit === 0) throw new RadcamError('E_EMPTY_ROI', 'mask is empty', { expected: 'at least one voxel inside the ROI', found: '0' });
  const initMask = copyGeometry(image, m0);
  imageDiagnostics(initImage, 'init', diagnostics);
  roiDiagnostics(initImage, initMask, initMask, 'init', diagnostics);

  // 2. interpolation
  let outImage: Volume<Float64Array> = initImage;
  let morphMask: Mask = initMask;
  const r = settings.resample;
  const marginMm = settings.cropMarginMm;
  if (r) {
    const spacing = resolveSpacing(image, r);
    const grid = r.grid ?? 'ibsi';
    let fm: Volume;
    if (marginMm !== undefined) {
      const block = resampleBlock(initImage, initMask, spacing, r, marginMm);
      outImage = block.image;
      fm = block.mask;
    } else {
      outImage = resample(initImage, { spacing, interpolator: r.interpolator, grid, outputType: 'float64' }) as Volume<Float64Array>;
      fm = resample(initMask, { spacing, interpolator: r.maskInterpolator ?? 'linear', grid, outputType: 'float64' });
    }
    if (r.roundIntensities) {
      const d = outImage.data;
      for (let i = 0; i < d.length; i++) d[i] = roundHalfUp(d[i]!);
    }
    const threshold = r.partialVolumeThreshold ?? 0.5;
    const md = new Uint8Array(fm.data.length);
    // Tolerance for interpolation round-off exactly at the threshold (e.g. 0.5 between two voxels).
    const t = threshold - 1e-9;
    for (let i = 0; i < md.length; i++) if (fm.data[i]! >= t) md[i] = 1;
    morphMask = copyGeometry(outImage, md);
  } else if (marginMm !== undefined) {
    const bb = boundingBox(initMask)!;
    const lo: Vec3 = [0, 0, 0];
    const hi: Vec3 = [0, 0, 0];
    for (let c = 0; c < 3; c++) {
      const marg = Math.floor(marginMm / image.spacing[c]! + 1e-9);
      lo[c] = Math.max(0, bb.min[c]! - marg);
      hi[c] = Math.min(image.size[c]! - 1, bb.max[c]! + marg);
    }
    outImage = crop(initImage, lo, hi);
    morphMask = crop(initMask, lo, hi);
  }
  if (outImage === initImage) {
    for (const k of ['mean', 'min', 'max']) diagnostics[`${k}_int_interp_img`] = diagnostics[`${k}_int_init_img`]!;
    for (const c of ['x', 'y', 'z']) {
      diagnostics[`img_dim_${c}_interp_img`] = diagnostics[`img_dim_${c}_init_img`]!;
      diagnostics[`vox_dim_${c}_interp_img`] = diagnostics[`vox_dim_${c}_init_img`]!;
    }
  } else imageDiagnostics(outImage, 'interp', diagnostics);
  roiDiagnostics(outImage, morphMask, morphMask, 'interp', diagnostics);
  if (diagnostics.morph_mask_vox_count_interp_roi === 0) {
    throw new RadcamError('E_EMPTY_ROI', 'the ROI vanished after mask interpolation', {
      expected: 'at least one voxel at or above the partial-volume threshold',
      found: '0',
    });
  }

  // 3. re-segmentation
  let intensityMask: Mask = morphMask;
  let range: [number, number] | null = null;
  let outlier: [number, number] | null = null;
  if (settings.resegmentRange) {
    range = [settings.resegmentRange[0] ?? -Infinity, settings.resegmentRange[1] ?? Infinity];
    intensityMask = resegmentRangeMask(outImage, morphMask, range);
  }
  if (settings.outlierSigma !== undefined) {
    outlier = outlierBounds(outImage, intensityMask, settings.outlierSigma);
    intensityMask = resegmentRangeMask(outImage, intensityMask, outlier);
  }
  if (intensityMask === morphMask) intensityMask = copyGeometry(morphMask, Uint8Array.from(morphMask.data));
  roiDiagnostics(outImage, morphMask, intensityMask, 'reseg', diagnostics);
  if (diagnostics.int_mask_vox_count_reseg_roi === 0) {
    throw new RadcamError('E_EMPTY_ROI', 'no ROI voxel is left after re-segmentation', {
      expected: 'at least one voxel inside the re-segmentation range',
      found: `0 of ${diagnostics.morph_mask_vox_count_interp_roi}`,
    });
  }
  const fbsLowerBound = range && Number.isFinite(range[0]) ? range[0] : diagnostics.int_mask_min_int_reseg_roi!;
  return {
    image: outImage,
    morphMask,
    intensityMask,
    diagnostics,
    resegmentation: { range, outlier, fbsLowerBound },
  };
}
