/**
 * PyRadiomics first-order features (`firstorder.py`): computed on the un-discretised ROI
 * intensities, except Entropy and Uniformity (on the discretised levels). Energy, TotalEnergy
 * and RootMeanSquared use intensities shifted by `voxelArrayShift`; Kurtosis is m4/m2² (not the
 * IBSI excess form), Variance is the population variance.
 */
import { EPS, percentileSortedNp } from './numeric.js';

export const FIRSTORDER_NAMES = [
  'Energy', 'TotalEnergy', 'Entropy', 'Minimum', '10Percentile', '90Percentile', 'Maximum', 'Mean', 'Median',
  'InterquartileRange', 'Range', 'MeanAbsoluteDeviation', 'RobustMeanAbsoluteDeviation', 'RootMeanSquared',
  'Skewness', 'Kurtosis', 'Variance', 'Uniformity',
] as const;

/**
 * @param values ROI intensities (any order)
 * @param levels the matching discretised levels (1…Ng)
 * @param voxelVolume mm³ per voxel
 */
export function firstOrderFeatures(values: Float64Array, levels: Int32Array, ng: number, voxelVolume: number, voxelArrayShift: number): Record<string, number> {
  const n = values.length;
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    sum += v;
    const s = v + voxelArrayShift;
    energy += s * s;
  }
  const mean = sum / n;
  let m2 = 0, m3 = 0, m4 = 0, mad = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
    mad += Math.abs(d);
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  mad /= n;
  const p10 = percentileSortedNp(sorted, 10);
  const p90 = percentileSortedNp(sorted, 90);
  const p25 = percentileSortedNp(sorted, 25);
  const p75 = percentileSortedNp(sorted, 75);
  const median = percentileSortedNp(sorted, 50);
  // robust MAD: voxels with p10 ≤ x ≤ p90
  let rn = 0, rs = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v >= p10 && v <= p90) {
      rn++;
      rs += v;
    }
  }
  const rmean = rs / rn;
  let rmad = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v >= p10 && v <= p90) rmad += Math.abs(v - rmean);
  }
  rmad /= rn;
  const hist = new Float64Array(ng + 1);
  for (let i = 0; i < levels.length; i++) hist[levels[i]!]! += 1;
  let entropy = 0, uniformity = 0;
  for (let l = 1; l <= ng; l++) {
    const p = hist[l]! / n;
    entropy -= p * Math.log2(p + EPS);
    uniformity += p * p;
  }
  return {
    Energy: energy,
    TotalEnergy: energy * voxelVolume,
    Entropy: entropy,
    Minimum: sorted[0]!,
    '10Percentile': p10,
    '90Percentile': p90,
    Maximum: sorted[n - 1]!,
    Mean: mean,
    Median: median,
    InterquartileRange: p75 - p25,
    Range: sorted[n - 1]! - sorted[0]!,
    MeanAbsoluteDeviation: mad,
    RobustMeanAbsoluteDeviation: rmad,
    RootMeanSquared: Math.sqrt(energy / n),
    Skewness: m2 === 0 ? 0 : m3 / Math.pow(m2, 1.5),
    Kurtosis: m2 === 0 ? 0 : m4 / (m2 * m2),
    Variance: m2,
    Uniformity: uniformity,
  };
}
