/**
 * A third-party feature extractor: "ACME edge contrast". For every ROI voxel it takes the mean
 * absolute intensity difference to its 6 face neighbours that are also in the ROI, and reports
 * the mean and maximum of that local contrast plus the fraction of ROI voxels on the ROI border.
 *
 * It follows the radcam extractor contract: pure numerics over typed arrays, a namespaced id,
 * `featureNames()` matching the result keys, `E_EMPTY_ROI` on an empty mask, inputs untouched.
 */
import { RadcamError, type ExtractionContext, type ExtractorResult, type FeatureExtractor } from '@radcam/core';

export interface EdgeContrastSettings {
  /** Prefix of the feature names (default `acme_edge`). */
  prefix?: string;
}

export interface EdgeContrastStats {
  meanContrast: number;
  maxContrast: number;
  borderFraction: number;
}

/** Pure numerics: local 6-neighbour contrast statistics of `data` inside `mask`. */
export function edgeContrast(data: ArrayLike<number>, mask: ArrayLike<number>, size: readonly [number, number, number]): EdgeContrastStats {
  const [nx, ny, nz] = size;
  const nxy = nx * ny;
  let n = 0, sum = 0, max = 0, border = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const l = i + nx * j + nxy * k;
    if (!mask[l]) continue;
    n++;
    let s = 0, c = 0, out = false;
    const v = data[l]!;
    const visit = (inside: boolean, m: number) => {
      if (inside && mask[m]) { s += Math.abs(data[m]! - v); c++; } else out = true;
    };
    visit(i > 0, l - 1); visit(i < nx - 1, l + 1);
    visit(j > 0, l - nx); visit(j < ny - 1, l + nx);
    visit(k > 0, l - nxy); visit(k < nz - 1, l + nxy);
    const contrast = c > 0 ? s / c : 0;
    sum += contrast;
    if (contrast > max) max = contrast;
    if (out) border++;
  }
  if (n === 0) throw new RadcamError('E_EMPTY_ROI', 'mask is empty', { expected: 'at least one voxel inside the ROI', found: '0' });
  return { meanContrast: sum / n, maxContrast: max, borderFraction: border / n };
}

export const edgeContrastExtractor: FeatureExtractor<EdgeContrastSettings> = {
  id: 'acme/edge-contrast',
  family: 'acme_edge',
  description: 'Mean / max 6-neighbour intensity contrast inside the ROI and the ROI border fraction',
  featureNames(settings = {}) {
    const p = settings.prefix ?? 'acme_edge';
    return [`${p}_mean_contrast`, `${p}_max_contrast`, `${p}_border_fraction`];
  },
  extract(context: ExtractionContext, settings = {}): ExtractorResult {
    const mask = context.intensityMask ?? context.mask;
    const r = edgeContrast(context.image.data, mask.data, context.image.size);
    const [a, b, c] = this.featureNames(settings) as [string, string, string];
    return { features: { [a]: r.meanContrast, [b]: r.maxContrast, [c]: r.borderFraction } };
  },
};
