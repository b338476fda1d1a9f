import { RadcamError } from '@radcam/core';
import type { FamilyResult } from './statistics.js';

export const IVH_FEATURES = ['ivh_v10', 'ivh_v90', 'ivh_i10', 'ivh_i90', 'ivh_diff_v10_v90', 'ivh_diff_i10_i90', 'ivh_auc'] as const;

/**
 * How the IVH discretises intensities (IBSI 1 §3.5):
 * - `none`: discrete calibrated intensities (CT): X_d,gl = X_gl, w_d = 1, G = `range` or
 *   [min, max] of the ROI (a half-open range `[lo, null]` takes the ROI maximum);
 * - `fbs`: continuous calibrated (PET): bin centres X_min + (X_d − 0.5) w_b with X_min / X_max from
 *   `range` (else the ROI), G = [X_min + w/2, X_max − w/2], w_d = w_b;
 * - `fbn`: arbitrary units (MRI): `bins` (default 1000) bins, X_d,gl = X_d, w_d = 1, G = [1, N_g].
 */
export interface IvhSettings {
  method: 'none' | 'fbs' | 'fbn';
  binWidth?: number;
  bins?: number;
  /** Re-segmentation range [lo, hi]; `hi` may be null for a half-open range. */
  range?: [number, number | null];
}

/** IVH features of ROI intensities `values`. */
export function ivhFeatures(values: Float64Array, settings: IvhSettings): FamilyResult {
  const n = values.length;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) { const v = values[i]!; if (v < lo) lo = v; if (v > hi) hi = v; }
  const d = new Float64Array(n);
  let g0: number, g1: number, w: number;
  const r = settings.range;
  switch (settings.method) {
    case 'none': {
      for (let i = 0; i < n; i++) d[i] = values[i]!;
      g0 = r ? r[0] : lo;
      g1 = r && r[1] !== null && r[1] !== undefined ? r[1] : hi;
      w = 1;
      break;
    }
    case 'fbs': {
      const wb = settings.binWidth;
      if (!(wb !== undefined && wb > 0 && Number.isFinite(wb))) {
        throw new RadcamError('E_SETTINGS', 'IVH fixed bin size needs a finite "binWidth" > 0', { found: String(wb) });
      }
      const x0 = r ? r[0] : lo;
      const x1 = r && r[1] !== null && r[1] !== undefined ? r[1] : hi;
      for (let i = 0; i < n; i++) d[i] = x0 + (Math.floor((values[i]! - x0) / wb) + 1 - 0.5) * wb;
      g0 = x0 + 0.5 * wb;
      g1 = x1 - 0.5 * wb;
      w = wb;
      break;
    }
    case 'fbn': {
      const nb = settings.bins ?? 1000;
      if (!Number.isInteger(nb) || nb < 1) throw new RadcamError('E_SETTINGS', 'IVH fixed bin number needs an integer "bins" ≥ 1', { found: String(nb) });
      const range = hi - lo;
      for (let i = 0; i < n; i++) d[i] = range > 0 ? Math.min(nb, Math.floor((nb * (values[i]! - lo)) / range) + 1) : 1;
      g0 = 1; g1 = nb; w = 1;
      break;
    }
    default:
      throw new RadcamError('E_SETTINGS', `unknown IVH discretisation "${String((settings as { method: unknown }).method)}"`, { expected: '"none", "fbs" or "fbn"' });
  }
  const diagnostics: Record<string, unknown> = { ivh_range: [g0, g1], ivh_bin_width: w };
  // Volume fraction ν_i = fraction of voxels with X_d ≥ i, on the grid i = g0 + k w.
  const nSteps = Math.max(0, Math.round((g1 - g0) / w));
  const sorted = Float64Array.from(d).sort();
  const grid = new Float64Array(nSteps + 1);
  const nu = new Float64Array(nSteps + 1);
  let p = 0;
  for (let k = 0; k <= nSteps; k++) {
    const i = g0 + k * w;
    grid[k] = i;
    const tol = 1e-9 * Math.max(1, Math.abs(i));
    while (p < n && sorted[p]! < i - tol) p++;
    nu[k] = 1 - p / n;
  }
  const gamma = (k: number) => (nSteps === 0 ? 0 : k / nSteps);
  const volumeAt = (x: number): number => {
    for (let k = 0; k <= nSteps; k++) if (gamma(k) >= x - 1e-12) return nu[k]!;
    return 0;
  };
  const intensityAt = (x: number): number => {
    for (let k = 0; k <= nSteps; k++) if (nu[k]! <= x + 1e-12) return grid[k]!;
    return g1 + w;
  };
  const v10 = volumeAt(0.1), v90 = volumeAt(0.9);
  const i10 = intensityAt(0.1), i90 = intensityAt(0.9);
  let auc = 0;
  if (nSteps > 0) for (let k = 0; k < nSteps; k++) auc += ((nu[k]! + nu[k + 1]!) / 2) * (gamma(k + 1) - gamma(k));
  else diagnostics.ivh_auc = '0: a single discretised intensity (IBSI definition)';
  const features: Record<string, number> = {
    ivh_v10: v10, ivh_v90: v90, ivh_i10: i10, ivh_i90: i90, ivh_diff_v10_v90: v10 - v90, ivh_diff_i10_i90: i10 - i90, ivh_auc: auc,
  };
  return { features, diagnostics };
}
