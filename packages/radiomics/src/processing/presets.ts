/**
 * The IBSI 1 CT-phantom configurations A–E as data, transcribed from
 * `ibsi1/reference_values/ibsi1_ct_configurations.csv` (IBSI 1 manual, chapter 5).
 */
import type { DiscretisationSettings } from '../discretisation.js';
import type { IvhSettings } from '../families/ivh.js';
import type { Aggregation, RadiomicsSettings } from '../settings.js';
import type { ProcessingSettings } from './process.js';

export type IbsiCtPresetName = 'ibsi-ct-A' | 'ibsi-ct-B' | 'ibsi-ct-C' | 'ibsi-ct-D' | 'ibsi-ct-E';

export interface IbsiCtPreset {
  description: string;
  /** Image processing for `processImage` (interpolation, re-segmentation). */
  processing: ProcessingSettings;
  /** Discretisation of the intensity histogram and the texture families. */
  discretisation: DiscretisationSettings;
  /** Discretisation of the intensity-volume histogram. */
  ivh: IvhSettings;
  /** Texture matrices per slice (`2D`, configurations A/B) or over the volume (`3D`, C–E). */
  textureDims: '2D' | '3D';
  texture: { distance: number; symmetric: boolean; ngldmAlpha: number; aggregations: Aggregation[] };
  /**
   * The same configuration as a `RadiomicsSettings` fragment for `extractFeatures`, to be run on
   * `processImage`'s output image and morphological mask (the pipeline re-applies the
   * re-segmentation given here, which reproduces `processImage`'s intensity mask).
   */
  settings: RadiomicsSettings;
}

const AGG_2D: Aggregation[] = ['2D_avg', '2D_comb', '2_5D_avg', '2_5D_comb', '2D', '2_5D'];
const AGG_3D: Aggregation[] = ['3D_avg', '3D_comb', '3D'];

function preset(
  description: string,
  processing: ProcessingSettings,
  discretisation: DiscretisationSettings,
  ivh: IvhSettings,
  textureDims: '2D' | '3D',
): IbsiCtPreset {
  const texture = { distance: 1, symmetric: true, ngldmAlpha: 0, aggregations: textureDims === '2D' ? AGG_2D : AGG_3D };
  const resegmentation: NonNullable<RadiomicsSettings['resegmentation']> = {};
  if (processing.resegmentRange) {
    resegmentation.range = [processing.resegmentRange[0] ?? -Infinity, processing.resegmentRange[1] ?? null];
  }
  if (processing.outlierSigma !== undefined) resegmentation.outlierSigma = processing.outlierSigma;
  return {
    description,
    processing,
    discretisation,
    ivh,
    textureDims,
    texture,
    settings: {
      discretisation: { ...discretisation },
      histogram: { discretisation: { ...discretisation } },
      texture: { ...texture, aggregations: [...texture.aggregations], discretisation: { ...discretisation } },
      ivh: { ...ivh },
      ...(Object.keys(resegmentation).length ? { resegmentation } : {}),
    },
  };
}

/**
 * IBSI 1 CT configurations A–E. All: GLCM/NGTDM/NGLDM distance 1 (Chebyshev), zone linkage 1,
 * NGLDM α = 0, symmetric GLCM, input intensities rounded to integers (`roundInitial`).
 *
 * | cfg | dims | interpolation | re-segmentation | texture / IH | IVH |
 * |---|---|---|---|---|---|
 * | A | 2D | none | [−500, 400] | FBS 25 from −500 | discrete, w 1 HU, range [−500, 400] |
 * | B | 2D | 2×2 mm in-plane, bilinear, rounded; mask bilinear ≥ 0.5 | [−500, 400] | FBN 32 | discrete, w 1 HU, range [−500, 400] |
 * | C | 3D | 2×2×2 mm trilinear, rounded; mask trilinear ≥ 0.5 | [−1000, 400] | FBS 25 from −1000 | FBS 2.5 HU from −1000 (bin centres) |
 * | D | 3D | as C | outliers mean ± 3 SD | FBN 32 | discrete, w 1 HU, range ROI [min, max] |
 * | E | 3D | 2×2×2 mm cubic B-spline, rounded; mask trilinear ≥ 0.5 | [−1000, 400], then ± 3 SD | FBN 32 | FBN 1000 |
 */
export const IBSI_CT_PRESETS: Readonly<Record<IbsiCtPresetName, IbsiCtPreset>> = {
  'ibsi-ct-A': preset(
    'IBSI 1 CT configuration A: 2D, no interpolation, re-segmentation [-500, 400] HU, FBS 25 HU',
    { roundInitial: true, resegmentRange: [-500, 400] },
    { method: 'fbs', binWidth: 25, lowerBound: -500 },
    { method: 'none', range: [-500, 400] },
    '2D',
  ),
  'ibsi-ct-B': preset(
    'IBSI 1 CT configuration B: 2D, 2x2 mm in-plane bilinear interpolation, re-segmentation [-500, 400] HU, FBN 32',
    {
      roundInitial: true,
      resample: { spacing: [2, 2, null], interpolator: 'linear', roundIntensities: true, maskInterpolator: 'linear', partialVolumeThreshold: 0.5 },
      resegmentRange: [-500, 400],
    },
    { method: 'fbn', bins: 32 },
    { method: 'none', range: [-500, 400] },
    '2D',
  ),
  'ibsi-ct-C': preset(
    'IBSI 1 CT configuration C: 3D, 2x2x2 mm trilinear interpolation, re-segmentation [-1000, 400] HU, FBS 25 HU; IVH FBS 2.5 HU',
    {
      roundInitial: true,
      resample: { spacing: [2, 2, 2], interpolator: 'linear', roundIntensities: true, maskInterpolator: 'linear', partialVolumeThreshold: 0.5 },
      resegmentRange: [-1000, 400],
    },
    { method: 'fbs', binWidth: 25, lowerBound: -1000 },
    { method: 'fbs', binWidth: 2.5, range: [-1000, 400] },
    '3D',
  ),
  'ibsi-ct-D': preset(
    'IBSI 1 CT configuration D: 3D, 2x2x2 mm trilinear interpolation, outlier re-segmentation (3 SD), FBN 32',
    {
      roundInitial: true,
      resample: { spacing: [2, 2, 2], interpolator: 'linear', roundIntensities: true, maskInterpolator: 'linear', partialVolumeThreshold: 0.5 },
      outlierSigma: 3,
    },
    { method: 'fbn', bins: 32 },
    { method: 'none' },
    '3D',
  ),
  'ibsi-ct-E': preset(
    'IBSI 1 CT configuration E: 3D, 2x2x2 mm tricubic spline interpolation, re-segmentation [-1000, 400] HU then 3 SD, FBN 32; IVH FBN 1000',
    {
      roundInitial: true,
      resample: { spacing: [2, 2, 2], interpolator: 'bspline', roundIntensities: true, maskInterpolator: 'linear', partialVolumeThreshold: 0.5 },
      resegmentRange: [-1000, 400],
      outlierSigma: 3,
    },
    { method: 'fbn', bins: 32 },
    { method: 'fbn', bins: 1000 },
    '3D',
  ),
};

/** The IBSI CT preset `name`, or undefined. */
export function ibsiCtPreset(name: string): IbsiCtPreset | undefined {
  return Object.prototype.hasOwnProperty.call(IBSI_CT_PRESETS, name) ? IBSI_CT_PRESETS[name as IbsiCtPresetName] : undefined;
}
