/** Summary statistics of a sample (pure numerics over Float64Array). */

export interface MomentStats {
  n: number;
  mean: number;
  /** Population standard deviation (denominator n, as PyRadiomics / IBSI). */
  sd: number;
  /** sd / mean (NaN when mean = 0). */
  cv: number;
  /** IBSI skewness m3 / m2^1.5 (NaN when m2 = 0). */
  skew: number;
  /** IBSI (excess) kurtosis m4 / m2² − 3 (NaN when m2 = 0). */
  kurt: number;
}

/** Mean, population SD, CV, skewness and excess kurtosis (two-pass). NaN for an empty sample. */
export function momentStats(x: Float64Array, n: number = x.length): MomentStats {
  if (n === 0) return { n, mean: NaN, sd: NaN, cv: NaN, skew: NaN, kurt: NaN };
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i]!;
  const mean = s / n;
  let m2 = 0, m3 = 0, m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  const sd = Math.sqrt(m2);
  // Relative threshold: a constant sample has m2 = 0 up to rounding.
  const flat = m2 <= 1e-24 * Math.max(mean * mean, 1e-300);
  return {
    n,
    mean,
    sd,
    cv: mean === 0 ? NaN : sd / mean,
    skew: flat ? NaN : m3 / Math.pow(m2, 1.5),
    kurt: flat ? NaN : m4 / (m2 * m2) - 3,
  };
}

/**
 * Percentile p ∈ [0, 100] of the first `n` values of `sorted` (ascending), linear interpolation
 * between order statistics (numpy's default, Hyndman–Fan type 7). NaN for an empty sample.
 */
export function percentileSorted(sorted: Float64Array, p: number, n: number = sorted.length): number {
  if (n === 0) return NaN;
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
