import { percentileSorted, sortedCopy } from '../roi.js';

/** IBSI 1 intensity-based statistical feature tags. */
export const STATISTICS_FEATURES = [
  'stat_mean', 'stat_var', 'stat_skew', 'stat_kurt', 'stat_median', 'stat_min', 'stat_p10', 'stat_p90',
  'stat_max', 'stat_iqr', 'stat_range', 'stat_mad', 'stat_rmad', 'stat_medad', 'stat_cov', 'stat_qcod',
  'stat_energy', 'stat_rms',
] as const;

/** Intensity histogram feature tags. */
export const HISTOGRAM_FEATURES = [
  'ih_mean', 'ih_var', 'ih_skew', 'ih_kurt', 'ih_median', 'ih_min', 'ih_p10', 'ih_p90', 'ih_max', 'ih_mode',
  'ih_iqr', 'ih_range', 'ih_mad', 'ih_rmad', 'ih_medad', 'ih_cov', 'ih_qcod', 'ih_entropy', 'ih_uniformity',
  'ih_max_grad', 'ih_max_grad_g', 'ih_min_grad', 'ih_min_grad_g',
] as const;

export interface DistributionStats {
  mean: number; var: number; skew: number; kurt: number; median: number; min: number; p10: number; p90: number;
  max: number; iqr: number; range: number; mad: number; rmad: number; medad: number; cov: number; qcod: number;
  energy: number; rms: number;
}

/**
 * Distribution statistics shared by the statistical and histogram families (IBSI 1 §3.3, §3.4):
 * biased moments, percentiles by linear interpolation between order statistics, skewness and
 * excess kurtosis 0 for zero variance. Non-finite ratios (CoV of a zero-mean ROI, QCoD with
 * P75 + P25 = 0) are NaN and listed in `undefinedWhy`.
 */
export function distributionStats(values: Float64Array, undefinedWhy: Record<string, string> = {}): DistributionStats {
  const n = values.length;
  const s = sortedCopy(values);
  let sum = 0, sum2 = 0;
  for (let i = 0; i < n; i++) { sum += values[i]!; sum2 += values[i]! * values[i]!; }
  const mean = sum / n;
  let m2 = 0, m3 = 0, m4 = 0, mad = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    const d2 = d * d;
    m2 += d2; m3 += d2 * d; m4 += d2 * d2; mad += Math.abs(d);
  }
  m2 /= n; m3 /= n; m4 /= n; mad /= n;
  const median = percentileSorted(s, 50);
  const p10 = percentileSorted(s, 10), p90 = percentileSorted(s, 90);
  const p25 = percentileSorted(s, 25), p75 = percentileSorted(s, 75);
  let rs = 0, rn = 0;
  for (let i = 0; i < n; i++) { const v = values[i]!; if (v >= p10 && v <= p90) { rs += v; rn++; } }
  const rmean = rs / rn;
  let rmad = 0;
  for (let i = 0; i < n; i++) { const v = values[i]!; if (v >= p10 && v <= p90) rmad += Math.abs(v - rmean); }
  rmad /= rn;
  let medad = 0;
  for (let i = 0; i < n; i++) medad += Math.abs(values[i]! - median);
  medad /= n;
  let cov = Math.sqrt(m2) / mean;
  if (!Number.isFinite(cov)) { undefinedWhy.cov = 'NaN: mean intensity is zero'; cov = NaN; }
  let qcod = (p75 - p25) / (p75 + p25);
  if (!Number.isFinite(qcod)) { undefinedWhy.qcod = 'NaN: P75 + P25 is zero'; qcod = NaN; }
  return {
    mean, var: m2, skew: m2 > 0 ? m3 / m2 ** 1.5 : 0, kurt: m2 > 0 ? m4 / (m2 * m2) - 3 : 0,
    median, min: s[0]!, p10, p90, max: s[n - 1]!, iqr: p75 - p25, range: s[n - 1]! - s[0]!, mad, rmad, medad, cov, qcod,
    energy: sum2, rms: Math.sqrt(sum2 / n),
  };
}

export interface FamilyResult { features: Record<string, number>; diagnostics: Record<string, unknown> }

/** IBSI intensity-based statistics of the ROI intensities (volume-independent: energy is Σx²). */
export function statisticsFeatures(values: Float64Array): FamilyResult {
  const why: Record<string, string> = {};
  const st = distributionStats(values, why);
  const features: Record<string, number> = {};
  for (const tag of STATISTICS_FEATURES) features[tag] = st[tag.slice(5) as keyof DistributionStats];
  const diagnostics: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(why)) diagnostics[`stat_${k}`] = v;
  return { features, diagnostics };
}

/**
 * IBSI intensity-histogram features of discretised grey levels `levels` (1..nLevels). The
 * histogram runs over all levels 1..nLevels, empty bins included (needed for the gradient).
 */
export function histogramFeatures(levels: Int32Array, nLevels: number): FamilyResult {
  const n = levels.length;
  const vals = Float64Array.from(levels);
  const why: Record<string, string> = {};
  const st = distributionStats(vals, why);
  const ng = Math.max(nLevels, st.max);
  const h = new Float64Array(ng + 1);
  for (let i = 0; i < n; i++) h[levels[i]!]!++;
  let entropy = 0, uniformity = 0;
  let best = -1, mode = NaN;
  for (let i = 1; i <= ng; i++) {
    const c = h[i]!;
    if (c === 0) continue;
    const p = c / n;
    entropy -= p * Math.log2(p);
    uniformity += p * p;
    // IBSI: ties → bin closest to the mean; equidistant → the lower one.
    if (c > best || (c === best && Math.abs(i - st.mean) < Math.abs(mode - st.mean))) { best = c; mode = i; }
  }
  let maxG = -Infinity, maxGi = 1, minG = Infinity, minGi = 1;
  if (ng === 1) {
    maxG = 0; minG = 0;
  } else {
    for (let i = 1; i <= ng; i++) {
      const g = i === 1 ? h[2]! - h[1]! : i === ng ? h[ng]! - h[ng - 1]! : (h[i + 1]! - h[i - 1]!) / 2;
      if (g > maxG) { maxG = g; maxGi = i; }
      if (g < minG) { minG = g; minGi = i; }
    }
  }
  const features: Record<string, number> = {};
  for (const tag of HISTOGRAM_FEATURES) {
    const k = tag.slice(3);
    if (k in st) features[tag] = st[k as keyof DistributionStats];
  }
  features.ih_mode = mode;
  features.ih_entropy = entropy;
  features.ih_uniformity = uniformity;
  features.ih_max_grad = maxG;
  features.ih_max_grad_g = maxGi;
  features.ih_min_grad = minG;
  features.ih_min_grad_g = minGi;
  const ordered: Record<string, number> = {};
  for (const tag of HISTOGRAM_FEATURES) ordered[tag] = features[tag]!;
  const diagnostics: Record<string, unknown> = { ih_n_levels: ng };
  for (const [k, v] of Object.entries(why)) diagnostics[`ih_${k}`] = v;
  return { features: ordered, diagnostics };
}
