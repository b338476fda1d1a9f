/**
 * Gradient features: statistics of the gradient maps in the core, margin and margin octants.
 */
import {
  RadcamError,
  assertSameGeometry,
  validateVolume,
  type Mask,
  type Vec3,
  type Volume,
} from '@radcam/core';
import { cropBox, growBox, maskBox, maskCentroid, type IndexBox } from './geometry.js';
import { computeGradientMaps, type GradientMapsResult, type GradientOptions } from './gradient.js';
import { gradientRegions, regionNames, resolveMargin, type GradientRegions, type MarginOptions, type OctantNaming } from './regions.js';
import { momentStats, percentileSorted } from './stats.js';

/** The three maps: gradient magnitude, radial gradient, radial deviation. */
export const GRADIENT_MAP_NAMES = ['mag', 'radial', 'raddev'] as const;
export type GradientMapName = (typeof GRADIENT_MAP_NAMES)[number];
/** Statistics of the basic group. */
export const BASIC_STATS = ['mean', 'sd', 'cv'] as const;
/** Feature groups; each is also a registered extractor `gradient/<group>`. */
export type GradientFeatureGroup = 'basic' | 'distribution' | 'orientation';

export interface GradientFeatureOptions extends MarginOptions, GradientOptions {
  /** `lps` (default): `oct_LPS`…; `numeric`: `oct1`…`oct8` (mapping in OCTANT_LPS_NAMES). */
  octantNaming?: OctantNaming;
  /** Reference point (world LPS mm) for radial maps and octants; default the mask centroid. */
  centroid?: Vec3;
  /** |∇I| at or below this is zero (radial deviation undefined). See computeGradientMaps. */
  zeroGradientTolerance?: number;
  /** A region with fewer valid voxels than this gives NaN statistics (default 1). */
  minVoxels?: number;
  /** Groups to compute (default `['basic']`). */
  groups?: GradientFeatureGroup[];
  /** Percentiles of the distribution group (default 10, 25, 50, 75, 90). */
  percentiles?: number[];
  /** Number of radial-deviation (polar angle) bins of the orientation group (default 6 → 30°). */
  polarBins?: number;
  /**
   * Return the maps: `crop` (on the analysis sub-grid, with its own geometry) or `full` (on the
   * image grid, computed again over the whole image). `true` = `crop`. Default none.
   */
  returnMaps?: boolean | 'crop' | 'full';
  /** Return the region labels (on the analysis sub-grid). Default false. */
  returnRegions?: boolean;
}

export interface GradientDiagnostics {
  innerMm: number;
  outerMm: number;
  marginRule: string;
  lesionVoxels: number;
  lesionVolumeMm3: number;
  /** World LPS mm. */
  centroid: Vec3;
  method: string;
  sigmaMm?: number;
  zeroGradientTolerance: number;
  /** Voxels per region. */
  regionVoxels: Record<string, number>;
  regionVolumesMm3: Record<string, number>;
  /** Per region: voxels excluded from `raddev` because |∇I| ≈ 0, and from `radial`/`raddev` at the centroid. */
  excluded: Record<string, { zeroGradient: number; atCentroid: number }>;
  /** Features that are NaN, with the reason. */
  nanFeatures: Record<string, string>;
  warnings: string[];
  /** The analysis sub-grid (inclusive voxel indices of the image). */
  crop: { min: Vec3; max: Vec3 };
}

export interface GradientFeaturesResult {
  features: Record<string, number>;
  diagnostics: GradientDiagnostics;
  maps?: { magnitude: Volume<Float32Array>; radial: Volume<Float32Array>; raddev: Volume<Float32Array> };
  regions?: GradientRegions;
}

// ---------------------------------------------------------------------------------------------
// Feature names

function percentileTag(p: number): string {
  return `p${String(p).replace('.', '_')}`;
}

/** The 90 basic feature names `grad_<map>_<region>_<stat>` in order (map, region, stat). */
export function basicFeatureNames(naming: OctantNaming = 'lps'): string[] {
  const out: string[] = [];
  for (const m of GRADIENT_MAP_NAMES) for (const r of regionNames(naming)) for (const s of BASIC_STATS) out.push(`grad_${m}_${r}_${s}`);
  return out;
}

/** Distribution group names: percentiles, `skew`, `kurt` per map and region. */
export function distributionFeatureNames(naming: OctantNaming = 'lps', percentiles: readonly number[] = DEFAULT_PERCENTILES): string[] {
  const out: string[] = [];
  for (const m of GRADIENT_MAP_NAMES) {
    for (const r of regionNames(naming)) {
      for (const p of percentiles) out.push(`grad_${m}_${r}_${percentileTag(p)}`);
      out.push(`grad_${m}_${r}_skew`, `grad_${m}_${r}_kurt`);
    }
  }
  return out;
}

const pad2 = (k: number) => String(k).padStart(2, '0');

/** Orientation group names: `grad_hog_<region>_bNN` (20 bins) and `grad_polar_<region>_bNN`. */
export function orientationFeatureNames(naming: OctantNaming = 'lps', polarBins = 6): string[] {
  const out: string[] = [];
  for (const r of regionNames(naming)) {
    for (let b = 1; b <= ICOSAHEDRON_FACE_NORMALS.length / 3; b++) out.push(`grad_hog_${r}_b${pad2(b)}`);
    for (let b = 1; b <= polarBins; b++) out.push(`grad_polar_${r}_b${pad2(b)}`);
  }
  return out;
}

/** All feature names for `options` (groups in the order basic, distribution, orientation). */
export function gradientFeatureNames(options: GradientFeatureOptions = {}): string[] {
  const groups = options.groups ?? ['basic'];
  const naming = options.octantNaming ?? 'lps';
  const out: string[] = [];
  if (groups.includes('basic')) out.push(...basicFeatureNames(naming));
  if (groups.includes('distribution')) out.push(...distributionFeatureNames(naming, options.percentiles ?? DEFAULT_PERCENTILES));
  if (groups.includes('orientation')) out.push(...orientationFeatureNames(naming, options.polarBins ?? 6));
  return out;
}

export const DEFAULT_PERCENTILES: readonly number[] = [10, 25, 50, 75, 90];

/**
 * Unit normals of the 20 faces of a regular icosahedron (= vertices of the dual dodecahedron),
 * flattened xyz, world LPS. Bin b of the HOG descriptor collects gradients whose direction is
 * closest (largest dot product) to normal b.
 */
export const ICOSAHEDRON_FACE_NORMALS: Float64Array = (() => {
  const phi = (1 + Math.sqrt(5)) / 2;
  const ip = 1 / phi;
  const v: number[][] = [];
  for (const a of [1, -1]) for (const b of [1, -1]) for (const c of [1, -1]) v.push([a, b, c]);
  for (const a of [1, -1]) for (const b of [1, -1]) {
    v.push([0, a * ip, b * phi]);
    v.push([a * ip, b * phi, 0]);
    v.push([a * phi, 0, b * ip]);
  }
  const out = new Float64Array(60);
  v.forEach((p, q) => {
    const n = Math.hypot(p[0]!, p[1]!, p[2]!);
    for (let c = 0; c < 3; c++) out[3 * q + c] = p[c]! / n;
  });
  return out;
})();

// ---------------------------------------------------------------------------------------------
// Analysis (maps + regions + per-region samples), shared by the extractors

/** Everything the feature groups need, computed once per (image, mask, options). */
export interface GradientAnalysis {
  regions: GradientRegions;
  maps: GradientMapsResult;
  /** Region names in feature order. */
  names: string[];
  /** values[map][region]: valid (non-NaN) values of the map in the region. */
  values: Record<GradientMapName, Float64Array[]>;
  excluded: Record<string, { zeroGradient: number; atCentroid: number }>;
  box: IndexBox;
  options: GradientFeatureOptions;
}

/** Padding (voxels per axis) that makes the crop exact for the gradient filter and the dilation. */
function cropPadding(image: Volume, outerMm: number, options: GradientOptions): Vec3 {
  const method = options.method ?? 'central';
  const pad: Vec3 = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const s = image.spacing[c]!;
    const filter = method === 'gaussian' ? Math.max(1, Math.ceil(((options.truncate ?? 4) * (options.sigmaMm ?? 1)) / s)) : 1;
    pad[c] = Math.ceil(outerMm / s) + 1 + filter;
  }
  return pad;
}

/**
 * Crop to the lesion (plus margin and filter support), build regions and maps and gather the
 * per-region samples. Throws `E_EMPTY_ROI`, `E_MASK_GEOMETRY_MISMATCH`, `E_INVALID_ARGUMENT`.
 */
export function analyzeGradients(image: Volume, mask: Mask, options: GradientFeatureOptions = {}): GradientAnalysis {
  validateVolume(image);
  validateVolume(mask);
  assertSameGeometry(image, mask);
  const lesionBox = maskBox(mask);
  if (!lesionBox) {
    throw new RadcamError('E_EMPTY_ROI', 'lesion mask is empty', { expected: 'at least one voxel inside the ROI', found: '0' });
  }
  const lesionVoxels = lesionBox.count;
  const minVoxels = options.minVoxels ?? 1;
  if (!(Number.isInteger(minVoxels) && minVoxels >= 1)) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'minVoxels must be an integer ≥ 1', { found: String(minVoxels) });
  }
  const lesionVolume = lesionVoxels * image.spacing[0] * image.spacing[1] * image.spacing[2];
  const margin = resolveMargin(lesionVolume, options);
  const box = growBox(lesionBox, cropPadding(image, margin.outerMm, options), image.size);
  const cImage = cropBox(image, box);
  const cMask = cropBox(mask, box);
  const centroid: Vec3 = options.centroid ? [...options.centroid] as Vec3 : maskCentroid(cMask);
  const regions = gradientRegions(cMask, { ...options, innerMm: margin.innerMm, outerMm: margin.outerMm, centroid });
  regions.marginRule = margin.rule;
  const wantVector = (options.groups ?? ['basic']).includes('orientation');
  const maps = computeGradientMaps(cImage, cMask, { ...options, centroid, keepVector: wantVector });

  const names = regions.names;
  const labels = regions.labels.data;
  // Per-label (1 core, 2..9 octants) gathering; the margin (region 1) is the union of the octants.
  const counts = new Int32Array(10);
  for (let p = 0; p < labels.length; p++) counts[labels[p]!]!++;
  const mk = () => Array.from({ length: 10 }, (_, l) => new Float64Array(l === 0 ? 0 : counts[l]!));
  const byLabel: Record<GradientMapName, Float64Array[]> = { mag: mk(), radial: mk(), raddev: mk() };
  const fill: Record<GradientMapName, Int32Array> = { mag: new Int32Array(10), radial: new Int32Array(10), raddev: new Int32Array(10) };
  const zeroG = new Int32Array(10), atC = new Int32Array(10);
  const src: Record<GradientMapName, Float32Array> = { mag: maps.magnitude.data, radial: maps.radial.data, raddev: maps.raddev.data };
  for (let p = 0; p < labels.length; p++) {
    const l = labels[p]!;
    if (l === 0) continue;
    for (const m of GRADIENT_MAP_NAMES) {
      const v = src[m][p]!;
      if (Number.isNaN(v)) continue;
      byLabel[m][l]![fill[m][l]!++] = v;
    }
    if (Number.isNaN(src.radial[p]!)) atC[l]!++;
    else if (Number.isNaN(src.raddev[p]!)) zeroG[l]!++;
  }
  const values = {} as Record<GradientMapName, Float64Array[]>;
  for (const m of GRADIENT_MAP_NAMES) {
    const per = byLabel[m].map((a, l) => a.subarray(0, fill[m][l]!));
    let nMargin = 0;
    for (let l = 2; l <= 9; l++) nMargin += per[l]!.length;
    const marginVals = new Float64Array(nMargin);
    let o = 0;
    for (let l = 2; l <= 9; l++) {
      marginVals.set(per[l]!, o);
      o += per[l]!.length;
    }
    values[m] = [per[1]!, marginVals, ...per.slice(2, 10)];
  }
  const excluded: GradientAnalysis['excluded'] = {};
  const sum = (a: Int32Array) => { let s = 0; for (let l = 2; l <= 9; l++) s += a[l]!; return s; };
  names.forEach((name, r) => {
    const l = r === 0 ? 1 : r === 1 ? -1 : r;
    excluded[name] = l === -1 ? { zeroGradient: sum(zeroG), atCentroid: sum(atC) } : { zeroGradient: zeroG[l]!, atCentroid: atC[l]! };
  });
  return { regions, maps, names, values, excluded, box, options };
}

// ---------------------------------------------------------------------------------------------
// Groups

type NanLog = Record<string, string>;

function tooSmall(n: number, minVoxels: number): string | null {
  if (n === 0) return 'empty region';
  if (n < minVoxels) return `region has ${n} valid voxels (< minVoxels ${minVoxels})`;
  return null;
}

/** The basic group: mean, population SD and CV of each map in each region (90 values). */
export function basicFeatures(a: GradientAnalysis, nan: NanLog = {}): Record<string, number> {
  const out: Record<string, number> = {};
  const minVoxels = a.options.minVoxels ?? 1;
  for (const m of GRADIENT_MAP_NAMES) {
    a.names.forEach((r, ri) => {
      const x = a.values[m][ri]!;
      const why = tooSmall(x.length, minVoxels);
      const st = why ? null : momentStats(x);
      for (const s of BASIC_STATS) {
        const name = `grad_${m}_${r}_${s}`;
        const v = st ? st[s] : NaN;
        out[name] = v;
        if (Number.isNaN(v)) nan[name] = why ?? (s === 'cv' ? 'mean is 0' : 'undefined');
      }
    });
  }
  return out;
}

/** The distribution group: percentiles, skewness, excess kurtosis of each map in each region. */
export function distributionFeatures(a: GradientAnalysis, nan: NanLog = {}): Record<string, number> {
  const out: Record<string, number> = {};
  const minVoxels = a.options.minVoxels ?? 1;
  const ps = a.options.percentiles ?? DEFAULT_PERCENTILES;
  for (const p of ps) {
    if (!(p >= 0 && p <= 100)) throw new RadcamError('E_INVALID_ARGUMENT', 'percentiles must lie in [0, 100]', { found: String(p) });
  }
  for (const m of GRADIENT_MAP_NAMES) {
    a.names.forEach((r, ri) => {
      const x = a.values[m][ri]!;
      const why = tooSmall(x.length, minVoxels);
      const sorted = Float64Array.from(x).sort();
      for (const p of ps) {
        const name = `grad_${m}_${r}_${percentileTag(p)}`;
        out[name] = why ? NaN : percentileSorted(sorted, p);
        if (why) nan[name] = why;
      }
      const st = why ? null : momentStats(x);
      for (const s of ['skew', 'kurt'] as const) {
        const name = `grad_${m}_${r}_${s}`;
        out[name] = st ? st[s] : NaN;
        if (Number.isNaN(out[name])) nan[name] = why ?? 'zero variance';
      }
    });
  }
  return out;
}

/**
 * The orientation group (3D HOG-style): per region, (1) the magnitude-weighted histogram of the
 * world gradient direction over the 20 icosahedron face normals (nearest normal), and (2) the
 * magnitude-weighted histogram of the polar angle to the radial direction (radial deviation) in
 * `polarBins` equal bins over 0–180°. Both are L1-normalised (sum 1); NaN when the region's total
 * gradient magnitude is 0.
 */
export function orientationFeatures(a: GradientAnalysis, nan: NanLog = {}): Record<string, number> {
  const out: Record<string, number> = {};
  const bins = a.options.polarBins ?? 6;
  if (!(Number.isInteger(bins) && bins >= 1)) throw new RadcamError('E_INVALID_ARGUMENT', 'polarBins must be an integer ≥ 1', { found: String(bins) });
  const vec = a.maps.vector;
  if (!vec) throw new RadcamError('E_INVALID_ARGUMENT', 'orientation features need the analysis run with groups including "orientation"');
  const nb = ICOSAHEDRON_FACE_NORMALS.length / 3;
  const N = ICOSAHEDRON_FACE_NORMALS;
  const hog = new Float64Array(10 * nb);
  const polar = new Float64Array(10 * bins);
  const labels = a.regions.labels.data;
  const mag = a.maps.magnitude.data, dev = a.maps.raddev.data;
  for (let p = 0; p < labels.length; p++) {
    const l = labels[p]!;
    if (l === 0) continue;
    const m = mag[p]!;
    if (!(m > 0)) continue;
    const gx = vec.x[p]!, gy = vec.y[p]!, gz = vec.z[p]!;
    let best = 0, bestDot = -Infinity;
    for (let b = 0; b < nb; b++) {
      const d = N[3 * b]! * gx + N[3 * b + 1]! * gy + N[3 * b + 2]! * gz;
      if (d > bestDot) { bestDot = d; best = b; }
    }
    hog[l * nb + best]! += m;
    const t = dev[p]!;
    if (!Number.isNaN(t)) polar[l * bins + Math.min(bins - 1, Math.floor((t / 180) * bins))]! += m;
  }
  const minVoxels = a.options.minVoxels ?? 1;
  a.names.forEach((r, ri) => {
    // region index → label list
    const ls = ri === 0 ? [1] : ri === 1 ? [2, 3, 4, 5, 6, 7, 8, 9] : [ri];
    const h = new Float64Array(nb), q = new Float64Array(bins);
    for (const l of ls) {
      for (let b = 0; b < nb; b++) h[b]! += hog[l * nb + b]!;
      for (let b = 0; b < bins; b++) q[b]! += polar[l * bins + b]!;
    }
    const n = a.values.mag[ri]!.length;
    const why = tooSmall(n, minVoxels);
    const write = (prefix: string, arr: Float64Array) => {
      let s = 0;
      for (const v of arr) s += v;
      arr.forEach((v, b) => {
        const name = `grad_${prefix}_${r}_b${pad2(b + 1)}`;
        const val = why || !(s > 0) ? NaN : v / s;
        out[name] = val;
        if (Number.isNaN(val)) nan[name] = why ?? 'zero total gradient magnitude';
      });
    };
    write('hog', h);
    write('polar', q);
  });
  // Keep the documented order: per region, hog bins then polar bins.
  const ordered: Record<string, number> = {};
  for (const name of orientationFeatureNames(a.options.octantNaming ?? 'lps', bins)) ordered[name] = out[name]!;
  return ordered;
}

function diagnosticsOf(a: GradientAnalysis, nan: NanLog): GradientDiagnostics {
  const warnings: string[] = [];
  const reg = a.regions;
  if (reg.voxelCounts.core === 0) warnings.push(`core is empty after erosion by ${reg.innerMm} mm: core features are NaN`);
  for (const r of a.names) if (reg.voxelCounts[r] === 0 && r !== 'core') warnings.push(`region ${r} is empty: its features are NaN`);
  const d: GradientDiagnostics = {
    innerMm: reg.innerMm,
    outerMm: reg.outerMm,
    marginRule: reg.marginRule,
    lesionVoxels: reg.lesionVoxels,
    lesionVolumeMm3: reg.lesionVolumeMm3,
    centroid: reg.centroid,
    method: a.maps.diagnostics.method,
    zeroGradientTolerance: a.maps.diagnostics.zeroGradientTolerance,
    regionVoxels: reg.voxelCounts,
    regionVolumesMm3: reg.volumesMm3,
    excluded: a.excluded,
    nanFeatures: nan,
    warnings,
    crop: { min: [...a.box.min] as Vec3, max: [...a.box.max] as Vec3 },
  };
  if (a.maps.diagnostics.sigmaMm !== undefined) d.sigmaMm = a.maps.diagnostics.sigmaMm;
  return d;
}

/** Run the requested groups on an analysis. */
export function gradientFeaturesFromAnalysis(a: GradientAnalysis, groups: readonly GradientFeatureGroup[] = a.options.groups ?? ['basic']): {
  features: Record<string, number>;
  diagnostics: GradientDiagnostics;
} {
  const nan: NanLog = {};
  const features: Record<string, number> = {};
  if (groups.includes('basic')) Object.assign(features, basicFeatures(a, nan));
  if (groups.includes('distribution')) Object.assign(features, distributionFeatures(a, nan));
  if (groups.includes('orientation')) Object.assign(features, orientationFeatures(a, nan));
  return { features, diagnostics: diagnosticsOf(a, nan) };
}

/**
 * Gradient features of one lesion: mean / SD / CV of |∇I|, the radial gradient and the radial
 * deviation in the core, the margin and its 8 octants (90 features by default; more with
 * `groups`). Empty or too-small regions give NaN (listed in `diagnostics.nanFeatures`).
 *
 * Throws `E_EMPTY_ROI` for an empty mask and `E_MASK_GEOMETRY_MISMATCH` when the grids differ.
 */
export function extractGradientFeatures(image: Volume, mask: Mask, options: GradientFeatureOptions = {}): GradientFeaturesResult {
  const groups = options.groups ?? ['basic'];
  for (const g of groups) {
    if (g !== 'basic' && g !== 'distribution' && g !== 'orientation') {
      throw new RadcamError('E_INVALID_ARGUMENT', `unknown gradient feature group "${String(g)}"`, { expected: 'basic, distribution or orientation' });
    }
  }
  const a = analyzeGradients(image, mask, options);
  const { features, diagnostics } = gradientFeaturesFromAnalysis(a, groups);
  const result: GradientFeaturesResult = { features, diagnostics };
  const rm = options.returnMaps;
  if (rm === 'full') {
    const full = computeGradientMaps(image, mask, { ...options, centroid: a.regions.centroid, zeroGradientTolerance: a.maps.diagnostics.zeroGradientTolerance, keepVector: false });
    result.maps = { magnitude: full.magnitude, radial: full.radial, raddev: full.raddev };
  } else if (rm === true || rm === 'crop') {
    result.maps = { magnitude: a.maps.magnitude, radial: a.maps.radial, raddev: a.maps.raddev };
  }
  if (options.returnRegions) result.regions = a.regions;
  return result;
}
