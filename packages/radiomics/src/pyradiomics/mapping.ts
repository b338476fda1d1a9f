/**
 * IBSI tag ↔ PyRadiomics name map for features with the same definition (PyRadiomics' GLCM and
 * GLRLM average over the 13 3D directions with symmetrical matrices = IBSI `3D_avg`; GLSZM,
 * GLDM (= IBSI NGLDM, α = 0, distance 1) and NGTDM are 3D single-matrix features).
 *
 * `relation`:
 * - `same`: identical definition (numbers agree given the same ROI and discretised levels);
 * - `same-if`: identical under the condition in `note`;
 * - `related`: a fixed transformation of each other (see `note`), listed for convenience.
 */
export interface IbsiPyradiomicsEntry {
  ibsi: string;
  pyradiomics: string;
  relation: 'same' | 'same-if' | 'related';
  note?: string;
}

const SHIFT0 = 'voxelArrayShift = 0 (PyRadiomics adds the shift before squaring)';
const NG = 'IBSI Ng (number of bins) equals PyRadiomics Ng (highest level present in the ROI)';

const rows: Array<[string, string, IbsiPyradiomicsEntry['relation'], string?]> = [
  // first order (intensity statistics on the un-discretised intensities)
  ['stat_mean', 'original_firstorder_Mean', 'same'],
  ['stat_var', 'original_firstorder_Variance', 'same'],
  ['stat_skew', 'original_firstorder_Skewness', 'same'],
  ['stat_kurt', 'original_firstorder_Kurtosis', 'related', 'PyRadiomics Kurtosis = IBSI (excess) kurtosis + 3'],
  ['stat_median', 'original_firstorder_Median', 'same'],
  ['stat_min', 'original_firstorder_Minimum', 'same'],
  ['stat_p10', 'original_firstorder_10Percentile', 'same-if', 'percentiles interpolated linearly (numpy default), as IBSI implementations mostly do'],
  ['stat_p90', 'original_firstorder_90Percentile', 'same-if', 'percentiles interpolated linearly (numpy default)'],
  ['stat_max', 'original_firstorder_Maximum', 'same'],
  ['stat_iqr', 'original_firstorder_InterquartileRange', 'same-if', 'percentiles interpolated linearly (numpy default)'],
  ['stat_range', 'original_firstorder_Range', 'same'],
  ['stat_mad', 'original_firstorder_MeanAbsoluteDeviation', 'same'],
  ['stat_rmad', 'original_firstorder_RobustMeanAbsoluteDeviation', 'same-if', 'percentiles interpolated linearly (numpy default)'],
  ['stat_energy', 'original_firstorder_Energy', 'same-if', SHIFT0],
  ['stat_rms', 'original_firstorder_RootMeanSquared', 'same-if', SHIFT0],
  ['ih_entropy', 'original_firstorder_Entropy', 'same-if', 'the same discretisation (PyRadiomics bins are multiples of binWidth from 0, IBSI FBS bins start at the lower bound)'],
  ['ih_uniformity', 'original_firstorder_Uniformity', 'same-if', 'the same discretisation'],
  // morphology
  ['morph_volume', 'original_shape_MeshVolume', 'same'],
  ['morph_vol_approx', 'original_shape_VoxelVolume', 'same'],
  ['morph_area_mesh', 'original_shape_SurfaceArea', 'same'],
  ['morph_av', 'original_shape_SurfaceVolumeRatio', 'same'],
  ['morph_sphericity', 'original_shape_Sphericity', 'same'],
  ['morph_diam', 'original_shape_Maximum3DDiameter', 'same'],
  ['morph_pca_maj_axis', 'original_shape_MajorAxisLength', 'same'],
  ['morph_pca_min_axis', 'original_shape_MinorAxisLength', 'same'],
  ['morph_pca_least_axis', 'original_shape_LeastAxisLength', 'same'],
  ['morph_pca_elongation', 'original_shape_Elongation', 'same'],
  ['morph_pca_flatness', 'original_shape_Flatness', 'same'],
];

const cm: Array<[string, string, IbsiPyradiomicsEntry['relation']?, string?]> = [
  ['joint_max', 'MaximumProbability'], ['joint_avg', 'JointAverage'], ['joint_var', 'SumSquares'], ['joint_entr', 'JointEntropy'],
  ['diff_avg', 'DifferenceAverage'], ['diff_var', 'DifferenceVariance'], ['diff_entr', 'DifferenceEntropy'],
  ['sum_avg', 'SumAverage'], ['sum_entr', 'SumEntropy'], ['energy', 'JointEnergy'], ['contrast', 'Contrast'],
  ['inv_diff', 'Id'], ['inv_diff_norm', 'Idn', 'same-if', NG], ['inv_diff_mom', 'Idm'], ['inv_diff_mom_norm', 'Idmn', 'same-if', NG],
  ['inv_var', 'InverseVariance'], ['corr', 'Correlation'], ['auto_corr', 'Autocorrelation'], ['clust_tend', 'ClusterTendency'],
  ['clust_shade', 'ClusterShade'], ['clust_prom', 'ClusterProminence'], ['info_corr1', 'Imc1'], ['info_corr2', 'Imc2'],
];
for (const [i, p, rel, note] of cm) rows.push([`cm_${i}_3D_avg`, `original_glcm_${p}`, rel ?? 'same', note]);

const rlm: Array<[string, string]> = [
  ['sre', 'ShortRunEmphasis'], ['lre', 'LongRunEmphasis'], ['lgre', 'LowGrayLevelRunEmphasis'], ['hgre', 'HighGrayLevelRunEmphasis'],
  ['srlge', 'ShortRunLowGrayLevelEmphasis'], ['srhge', 'ShortRunHighGrayLevelEmphasis'], ['lrlge', 'LongRunLowGrayLevelEmphasis'],
  ['lrhge', 'LongRunHighGrayLevelEmphasis'], ['glnu', 'GrayLevelNonUniformity'], ['glnu_norm', 'GrayLevelNonUniformityNormalized'],
  ['rlnu', 'RunLengthNonUniformity'], ['rlnu_norm', 'RunLengthNonUniformityNormalized'], ['r_perc', 'RunPercentage'],
  ['gl_var', 'GrayLevelVariance'], ['rl_var', 'RunVariance'], ['rl_entr', 'RunEntropy'],
];
for (const [i, p] of rlm) rows.push([`rlm_${i}_3D_avg`, `original_glrlm_${p}`, 'same']);

const szm: Array<[string, string]> = [
  ['sze', 'SmallAreaEmphasis'], ['lze', 'LargeAreaEmphasis'], ['lgze', 'LowGrayLevelZoneEmphasis'], ['hgze', 'HighGrayLevelZoneEmphasis'],
  ['szlge', 'SmallAreaLowGrayLevelEmphasis'], ['szhge', 'SmallAreaHighGrayLevelEmphasis'], ['lzlge', 'LargeAreaLowGrayLevelEmphasis'],
  ['lzhge', 'LargeAreaHighGrayLevelEmphasis'], ['glnu', 'GrayLevelNonUniformity'], ['glnu_norm', 'GrayLevelNonUniformityNormalized'],
  ['zsnu', 'SizeZoneNonUniformity'], ['zsnu_norm', 'SizeZoneNonUniformityNormalized'], ['z_perc', 'ZonePercentage'],
  ['gl_var', 'GrayLevelVariance'], ['zs_var', 'ZoneVariance'], ['zs_entr', 'ZoneEntropy'],
];
for (const [i, p] of szm) rows.push([`szm_${i}_3D`, `original_glszm_${p}`, 'same']);

const ngl: Array<[string, string]> = [
  ['lde', 'SmallDependenceEmphasis'], ['hde', 'LargeDependenceEmphasis'], ['lgce', 'LowGrayLevelEmphasis'], ['hgce', 'HighGrayLevelEmphasis'],
  ['ldlge', 'SmallDependenceLowGrayLevelEmphasis'], ['ldhge', 'SmallDependenceHighGrayLevelEmphasis'],
  ['hdlge', 'LargeDependenceLowGrayLevelEmphasis'], ['hdhge', 'LargeDependenceHighGrayLevelEmphasis'],
  ['glnu', 'GrayLevelNonUniformity'], ['dcnu', 'DependenceNonUniformity'], ['dcnu_norm', 'DependenceNonUniformityNormalized'],
  ['gl_var', 'GrayLevelVariance'], ['dc_var', 'DependenceVariance'], ['dc_entr', 'DependenceEntropy'],
];
for (const [i, p] of ngl) rows.push([`ngl_${i}_3D`, `original_gldm_${p}`, 'same-if', 'IBSI NGLDM with coarseness α = gldm_a (0) and distance 1']);

for (const f of ['coarseness', 'contrast', 'busyness', 'complexity', 'strength']) {
  rows.push([`ngt_${f}_3D`, `original_ngtdm_${f[0]!.toUpperCase()}${f.slice(1)}`, 'same']);
}

/** The IBSI ↔ PyRadiomics correspondence table. */
export const IBSI_PYRADIOMICS_MAP: readonly IbsiPyradiomicsEntry[] = rows.map(([ibsi, pyradiomics, relation, note]) => (note ? { ibsi, pyradiomics, relation, note } : { ibsi, pyradiomics, relation }));

const byIbsi = new Map(IBSI_PYRADIOMICS_MAP.map((e) => [e.ibsi, e]));
const byPy = new Map(IBSI_PYRADIOMICS_MAP.map((e) => [e.pyradiomics, e]));

/** PyRadiomics name of an IBSI tag (undefined when no PyRadiomics feature corresponds). */
export function ibsiToPyradiomics(tag: string): IbsiPyradiomicsEntry | undefined {
  return byIbsi.get(tag);
}

/** IBSI tag of a PyRadiomics feature name (undefined when none corresponds). */
export function pyradiomicsToIbsi(name: string): IbsiPyradiomicsEntry | undefined {
  return byPy.get(name);
}
