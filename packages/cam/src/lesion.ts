import * as tf from '@tensorflow/tfjs-core';
import { RadcamError, type Geometry, type Mask, type Volume } from '@radcam/core';
import { computeCam, normalizeMap, type CamResult, type ComputeCamOptions } from './compute.js';
import { camToPatientSpace } from './patient.js';
import { extractSubregions, type ExtractSubregionsOptions, type SubregionsResult } from './subregions.js';
import type { CamTarget } from './types.js';

/** A network input patch with its place in patient space (`@radcam/model`'s `Patch` fits). */
export interface LesionPatch {
  /** Channels-last values of one sample. */
  data: Float32Array;
  /** Tensor shape of one sample: [S, S, S, C] or [S, S, C]. */
  shape: number[];
  /** Patch grid in patient space (LPS); voxel (x, y, z) = tensor element [z, y, x]. */
  geometry: Geometry;
}

export interface ExplainLesionOptions extends ComputeCamOptions {
  /** Min–max normalise the image-space map inside the lesion mask (or the patch extent). Default false (raw). */
  normalize?: boolean;
  /** The lesion mask on the image grid: enables subregions and in-lesion normalisation. */
  lesionMask?: Mask;
  /** Subregion extraction options (requires `lesionMask`); omit to skip subregions. */
  subregions?: ExtractSubregionsOptions;
}

export interface ExplainLesionResult {
  /** The map on the image grid (image geometry, 0 outside the patch). */
  cam: Volume<Float32Array>;
  /** The raw layer-grid result. */
  raw: CamResult;
  /** Present when `lesionMask` and `subregions` were given. */
  subregions?: SubregionsResult;
}

/**
 * One lesion end to end: CAM of the patch → image grid → (optionally) normalised → (optionally)
 * subregions. What `radcam cam` runs per lesion.
 */
export function explainLesion(
  target: CamTarget,
  patch: LesionPatch,
  image: Geometry,
  options: ExplainLesionOptions = {},
): ExplainLesionResult {
  const x = tf.tensor(patch.data, [1, ...patch.shape]);
  let raw: CamResult;
  try {
    raw = computeCam(target, x, options);
  } finally {
    x.dispose();
  }
  let cam = camToPatientSpace(raw.maps[0]!, patch.geometry, image);
  if (options.normalize) {
    const mask = options.lesionMask?.data ?? cam.data.map((v) => (v !== 0 ? 1 : 0));
    cam = { ...cam, data: normalizeMap(cam.data, { mask }) };
    // keep zero outside the lesion / patch after normalisation
    for (let i = 0; i < cam.data.length; i++) if (mask[i] === 0) cam.data[i] = 0;
  }
  const result: ExplainLesionResult = { cam, raw };
  if (options.subregions) {
    if (!options.lesionMask) {
      throw new RadcamError('E_INVALID_ARGUMENT', 'subregions need the lesion mask', { expected: 'options.lesionMask' });
    }
    result.subregions = extractSubregions(cam, options.lesionMask, options.subregions);
  }
  return result;
}
