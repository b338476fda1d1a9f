import { boundingBox, type Mask, type Volume } from '@radcam/core';

/** Processing stages with IBSI diagnostic features. */
export type IbsiImageStage = 'init' | 'interp';
export type IbsiRoiStage = 'init' | 'interp' | 'reseg';

const AXES = ['x', 'y', 'z'] as const;

function imageTags(stage: IbsiImageStage): string[] {
  return [
    ...AXES.map((a) => `img_dim_${a}_${stage}_img`),
    ...AXES.map((a) => `vox_dim_${a}_${stage}_img`),
    `mean_int_${stage}_img`,
    `min_int_${stage}_img`,
    `max_int_${stage}_img`,
  ];
}

function roiTags(stage: IbsiRoiStage): string[] {
  return [
    ...AXES.map((a) => `int_mask_dim_${a}_${stage}_roi`),
    ...AXES.map((a) => `int_mask_bb_dim_${a}_${stage}_roi`),
    ...AXES.map((a) => `morph_mask_bb_dim_${a}_${stage}_roi`),
    `int_mask_vox_count_${stage}_roi`,
    `morph_mask_vox_count_${stage}_roi`,
    `int_mask_mean_int_${stage}_roi`,
    `int_mask_min_int_${stage}_roi`,
    `int_mask_max_int_${stage}_roi`,
  ];
}

/**
 * The 60 IBSI 1 diagnostic feature tags (family `diagnostics` of the CT-phantom reference CSV),
 * in the order of the IBSI-1 submission table: initial image, interpolated image, initial ROI,
 * interpolated ROI, re-segmented ROI.
 */
export const IBSI_DIAGNOSTIC_TAGS: readonly string[] = [
  ...imageTags('init'),
  ...imageTags('interp'),
  ...roiTags('init'),
  ...roiTags('interp'),
  ...roiTags('reseg'),
];

/** One of `IBSI_DIAGNOSTIC_TAGS` (e.g. `img_dim_x_init_img`, `int_mask_vox_count_reseg_roi`). */
export type IbsiDiagnosticTag = string;

/** Write the 9 image diagnostics of `image` for `stage` into `out`. One pass, no allocation. */
export function imageDiagnostics(image: Volume, stage: IbsiImageStage, out: Record<string, number>): void {
  const d = image.data;
  let s = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    s += v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  for (let c = 0; c < 3; c++) {
    out[`img_dim_${AXES[c]}_${stage}_img`] = image.size[c]!;
    out[`vox_dim_${AXES[c]}_${stage}_img`] = image.spacing[c]!;
  }
  out[`mean_int_${stage}_img`] = s / d.length;
  out[`min_int_${stage}_img`] = lo;
  out[`max_int_${stage}_img`] = hi;
}

interface MaskStats {
  count: number;
  bb: [number, number, number];
  sum: number;
  min: number;
  max: number;
}

function maskStats(mask: Mask, image: Volume | null): MaskStats {
  const box = boundingBox(mask);
  if (!box) return { count: 0, bb: [0, 0, 0], sum: 0, min: NaN, max: NaN };
  const [nx, ny] = mask.size;
  const { min: [x0, y0, z0], max: [x1, y1, z1] } = box;
  const m = mask.data;
  const d = image?.data;
  let count = 0, sum = 0, lo = Infinity, hi = -Infinity;
  // Voxels outside the box are all zero: same visiting order (and float sum) as a full raster pass.
  for (let k = z0; k <= z1; k++) {
    for (let j = y0; j <= y1; j++) {
      for (let i = x0, p = x0 + nx * (j + ny * k); i <= x1; i++, p++) {
        if (m[p] === 0) continue;
        count++;
        if (d) {
          const v = d[p]!;
          sum += v;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
    }
  }
  return { count, bb: [x1 - x0 + 1, y1 - y0 + 1, z1 - z0 + 1], sum, min: lo, max: hi };
}

/**
 * Write the 14 ROI diagnostics for `stage` into `out`: intensity-mask grid dimensions, bounding
 * boxes (in voxels) of both masks, voxel counts, and mean / min / max intensity of `image` in the
 * intensity mask (NaN when that mask is empty).
 */
export function roiDiagnostics(image: Volume, morphMask: Mask, intensityMask: Mask, stage: IbsiRoiStage, out: Record<string, number>): void {
  const im = maskStats(intensityMask, image);
  const mm = morphMask === intensityMask ? im : maskStats(morphMask, null);
  for (let c = 0; c < 3; c++) {
    out[`int_mask_dim_${AXES[c]}_${stage}_roi`] = intensityMask.size[c]!;
    out[`int_mask_bb_dim_${AXES[c]}_${stage}_roi`] = im.bb[c]!;
    out[`morph_mask_bb_dim_${AXES[c]}_${stage}_roi`] = mm.bb[c]!;
  }
  out[`int_mask_vox_count_${stage}_roi`] = im.count;
  out[`morph_mask_vox_count_${stage}_roi`] = mm.count;
  out[`int_mask_mean_int_${stage}_roi`] = im.count ? im.sum / im.count : NaN;
  out[`int_mask_min_int_${stage}_roi`] = im.min;
  out[`int_mask_max_int_${stage}_roi`] = im.max;
}
