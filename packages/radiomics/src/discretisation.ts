import { RadcamError } from '@radcam/core';

/** How intensities are mapped to grey levels (IBSI 1 §2.7). */
export type DiscretisationMethod = 'none' | 'fbn' | 'fbs';

export interface DiscretisationSettings {
  /**
   * `none`: intensities are already integer grey levels ≥ 1 and are used as is;
   * `fbn`: fixed bin number (`bins`); `fbs`: fixed bin size (`binWidth`, lower bound `lowerBound`).
   */
  method: DiscretisationMethod;
  /** Number of bins for `fbn`. */
  bins?: number;
  /** Bin width for `fbs` (intensity units). */
  binWidth?: number;
  /**
   * Lower bound X_min for `fbs`: IBSI uses the lower bound of the re-segmentation range when one
   * is set, else the minimum intensity in the ROI. Set by the pipeline; may be given explicitly.
   */
  lowerBound?: number;
}

export interface DiscretisationResult {
  /** Grey level per ROI voxel (same order as the input values), 1..nLevels. */
  levels: Int32Array;
  /** Number of grey levels N_g (the highest possible level). */
  nLevels: number;
  /** Lowest and highest level present. */
  minLevel: number;
  maxLevel: number;
  /** Intensity lower bound and bin width used (NaN for `none`). */
  lowerBound: number;
  binWidth: number;
}

function minMax(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/**
 * Discretise ROI intensities. Pure function of the value array.
 * Throws `E_SETTINGS` on invalid parameters (bins < 1, binWidth ≤ 0, non-integer intensities
 * with method `none`). An empty input returns `nLevels = 0`.
 */
export function discretise(values: ArrayLike<number>, settings: DiscretisationSettings): DiscretisationResult {
  const n = values.length;
  const levels = new Int32Array(n);
  if (n === 0) return { levels, nLevels: 0, minLevel: 0, maxLevel: 0, lowerBound: NaN, binWidth: NaN };
  const [lo, hi] = minMax(values);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new RadcamError('E_INVALID_VOLUME', 'ROI intensities must be finite for discretisation', { found: `range [${lo}, ${hi}]` });
  }
  let minLevel = Infinity;
  let maxLevel = -Infinity;
  let nLevels: number;
  let lowerBound = NaN;
  let binWidth = NaN;
  switch (settings.method) {
    case 'none': {
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        if (!Number.isInteger(v) || v < 1) {
          throw new RadcamError('E_SETTINGS', 'discretisation "none" needs integer grey levels ≥ 1 inside the ROI', {
            expected: 'integer intensities ≥ 1 (or use method "fbs" / "fbn")',
            found: `intensity ${v}`,
          });
        }
        levels[i] = v;
      }
      nLevels = hi;
      break;
    }
    case 'fbn': {
      const bins = settings.bins;
      if (bins === undefined || !Number.isInteger(bins) || bins < 1) {
        throw new RadcamError('E_SETTINGS', 'fixed bin number discretisation needs an integer "bins" ≥ 1', { found: String(bins) });
      }
      const range = hi - lo;
      lowerBound = lo;
      binWidth = range / bins;
      if (range <= 0) {
        levels.fill(1);
      } else {
        const scale = bins / range;
        for (let i = 0; i < n; i++) {
          const l = Math.floor((values[i]! - lo) * scale) + 1;
          levels[i] = l > bins ? bins : l;
        }
      }
      nLevels = bins;
      break;
    }
    case 'fbs': {
      const w = settings.binWidth;
      if (w === undefined || !(w > 0) || !Number.isFinite(w)) {
        throw new RadcamError('E_SETTINGS', 'fixed bin size discretisation needs a finite "binWidth" > 0', { found: String(w) });
      }
      const x0 = settings.lowerBound ?? lo;
      if (x0 > lo) {
        throw new RadcamError('E_SETTINGS', 'fixed bin size lower bound lies above the lowest ROI intensity', {
          expected: `lowerBound ≤ ${lo}`,
          found: String(x0),
        });
      }
      lowerBound = x0;
      binWidth = w;
      let top = 1;
      for (let i = 0; i < n; i++) {
        const l = Math.floor((values[i]! - x0) / w) + 1;
        levels[i] = l;
        if (l > top) top = l;
      }
      nLevels = top;
      break;
    }
    default:
      throw new RadcamError('E_SETTINGS', `unknown discretisation method "${String((settings as { method: unknown }).method)}"`, {
        expected: '"none", "fbn" or "fbs"',
      });
  }
  for (let i = 0; i < n; i++) {
    const l = levels[i]!;
    if (l < minLevel) minLevel = l;
    if (l > maxLevel) maxLevel = l;
  }
  return { levels, nLevels, minLevel, maxLevel, lowerBound, binWidth };
}
