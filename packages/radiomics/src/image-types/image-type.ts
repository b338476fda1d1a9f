/**
 * Image types: the images features are computed on (the original image or a filter response),
 * their names (IBSI 2 style by default, PyRadiomics style in compat mode) and their spatial
 * support (how far a response voxel looks into the image), which decides whether the image may
 * be cropped to the ROI before filtering without changing the response inside the ROI.
 */
import { RadcamError, type Vec3, type Volume } from '@radcam/core';
import { applyFilter, type FilterSpec } from '../filters/index.js';
import { gradientMagnitude, lbp2D, pointTransform, type PointTransform } from '../filters/nonlinear.js';
import { WAVELET_DEC_LO } from '../filters/kernels.js';
import { ibsiToPyradiomics } from '../pyradiomics/mapping.js';

/** A non-convolutional image type (PyRadiomics' point transforms, gradient and 2D LBP). */
export type NonlinearImageType =
  | { filter: PointTransform }
  | { filter: 'gradient'; useSpacing?: boolean }
  | { filter: 'lbp2D'; radius?: number; samples?: number };

/**
 * One image type: `'original'`, a convolutional filter (`FilterSpec` of `applyFilter`) or a
 * non-linear transform. `name` overrides the generated feature-name prefix.
 */
export type ImageTypeSpec = 'original' | ((FilterSpec | NonlinearImageType) & { name?: string });

/** Feature naming: IBSI tags with an image-type prefix, or PyRadiomics names. */
export type FeatureNaming = 'ibsi' | 'pyradiomics';

const POINT_TRANSFORMS: readonly string[] = ['square', 'squareroot', 'logarithm', 'exponential'];

function isOriginal(t: ImageTypeSpec): t is 'original' {
  return t === 'original' || (typeof t === 'object' && t !== null && (t as { filter?: string }).filter === 'none');
}

/** Number token for names: 1.5 → `1p5`, −2 → `m2`, 2 → `2`. */
function tok(v: number): string {
  const s = String(Math.round(v * 1e6) / 1e6);
  return s.replace('-', 'm').replace('.', 'p');
}

/** Python's `str(float)` of a number (2 → `2.0`, 1.5 → `1.5`), as PyRadiomics prints σ. */
function pyFloat(v: number): string {
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

function deg(rad: number): string {
  return tok((rad * 180) / Math.PI);
}

/**
 * IBSI-style prefix of an image type (`''` for the original image). Tokens joined by `_`:
 *
 * | image type | prefix |
 * |---|---|
 * | mean, support 5 (2D) | `mean_k5` (`mean_2D_k5`) |
 * | LoG σ = 1.5 mm | `log_s1p5` (`log_2D_s1p5`; truncation ≠ 4 adds `_t<n>`) |
 * | Laws L5E5E5, rotation invariant max, energy δ 7 | `laws_L5E5E5_rimax_e7` |
 * | Gabor σ 5, λ 2, γ 1.5, Δθ 22.5°, 3 planes, average | `gabor_s5_l2_g1p5_dt22p5_3D_avg` (single θ: `_t60`) |
 * | wavelet db3 LLH level 1, rotation invariant average | `wavelet_db3_LLH_l1_riavg` |
 * | Simoncelli level 2 (2D) | `simoncelli_l2` (`simoncelli_2D_l2`) |
 * | Riesz-LoG σ 3, order (1,0,0) | `rieszlog_s3_o100` |
 * | square / squareroot / logarithm / exponential / gradient | the transform's name |
 * | LBP 2D radius 1, 8 samples | `lbp2D_r1_n8` |
 */
export function ibsiImageTypePrefix(t: ImageTypeSpec): string {
  if (isOriginal(t)) return '';
  if (t.name !== undefined) return t.name;
  const dims = (d: unknown) => (d === '2D' ? ['2D'] : []);
  const ri = (on: unknown, pooling: unknown, def: string) => (on ? [`ri${pooling ?? def}`] : []);
  switch (t.filter) {
    case 'mean':
      return ['mean', ...dims(t.dims), `k${t.support}`].join('_');
    case 'log':
      return ['log', ...dims(t.dims), `s${tok(t.sigmaMm)}`, ...(t.truncate !== undefined && t.truncate !== 4 ? [`t${tok(t.truncate)}`] : [])].join('_');
    case 'laws':
      return ['laws', t.kernel.toUpperCase(), ...ri(t.rotationInvariant, t.pooling, 'max'), ...(t.energyDelta !== undefined ? [`e${t.energyDelta}`] : [])].join('_');
    case 'gabor': {
      const planes = t.planes === 'orthogonal' ? ['3D'] : Array.isArray(t.planes) ? [t.planes.join('-')] : [];
      const orient = t.thetaStep !== undefined ? `dt${deg(t.thetaStep)}` : `t${deg(t.theta ?? 0)}`;
      const pooled = t.thetaStep !== undefined || planes.length > 0 ? [t.pooling ?? 'avg'] : [];
      const resp = t.response && t.response !== 'modulus' ? [t.response] : [];
      return ['gabor', `s${tok(t.sigmaMm)}`, `l${tok(t.lambdaMm)}`, `g${tok(t.gamma)}`, orient, ...planes, ...pooled.map((p) => (p === 'average' ? 'avg' : p)), ...resp].join('_');
    }
    case 'wavelet':
      return ['wavelet', t.wavelet.toLowerCase(), t.subband.toUpperCase(), `l${t.level ?? 1}`, ...ri(t.rotationInvariant, t.pooling === 'average' || !t.pooling ? 'avg' : t.pooling, 'avg')].join('_');
    case 'simoncelli':
      return ['simoncelli', ...dims(t.dims), `l${t.level}`, ...(t.rieszOrder ? [`o${t.rieszOrder.join('')}`] : [])].join('_');
    case 'riesz-log':
      return ['rieszlog', `s${tok(t.sigmaMm)}`, `o${t.rieszOrder.join('')}`].join('_');
    case 'gradient':
      return 'gradient';
    case 'lbp2D':
      return ['lbp2D', `r${tok(t.radius ?? 1)}`, `n${t.samples ?? 8}`].join('_');
    default:
      if (POINT_TRANSFORMS.includes(t.filter)) return t.filter;
      throw new RadcamError('E_SETTINGS', `unknown image type "${(t as { filter: string }).filter}"`, {
        expected: 'original, mean, log, laws, gabor, wavelet, simoncelli, riesz-log, square, squareroot, logarithm, exponential, gradient or lbp2D',
      });
  }
}

/**
 * PyRadiomics image-type name (`original`, `log-sigma-2-0-mm-3D`, `wavelet-LLH`, `wavelet2-HHH`,
 * `square`, `squareroot`, `logarithm`, `exponential`, `gradient`, `lbp-2D`), or undefined when
 * PyRadiomics has no such image type (mean, Laws, Gabor, Simoncelli, Riesz, 2D LoG, rotation-
 * invariant wavelets). Wavelet levels are numbered as PyRadiomics numbers the levels it returns
 * (`start_level` 0): level 1 → `wavelet-`, level n → `wavelet<n>-`.
 */
export function pyradiomicsImageTypeName(t: ImageTypeSpec): string | undefined {
  if (isOriginal(t)) return 'original';
  switch (t.filter) {
    case 'log':
      if (t.dims === '2D') return undefined;
      return `log-sigma-${pyFloat(t.sigmaMm).replace('.', '-')}-mm-3D`;
    case 'wavelet': {
      if (t.rotationInvariant || t.subband.length !== 3) return undefined;
      const level = t.level ?? 1;
      return `wavelet${level === 1 ? '' : level}-${t.subband.toUpperCase()}`;
    }
    case 'gradient':
      return 'gradient';
    case 'lbp2D':
      return 'lbp-2D';
    default:
      return POINT_TRANSFORMS.includes(t.filter) ? t.filter : undefined;
  }
}

/**
 * Name of feature `tag` (an IBSI tag) computed on image type `t`.
 * - `ibsi`: `<prefix>_<tag>` (`log_s2_stat_mean`); the original image keeps the bare tag.
 * - `pyradiomics`: `<imageType>_<class>_<Feature>` (`log-sigma-2-0-mm-3D_firstorder_Mean`) when
 *   the IBSI tag has a PyRadiomics counterpart with the same definition (`ibsiToPyradiomics`,
 *   relation `same` / `same-if`; kurtosis, which differs by 3, keeps its tag) and the image type exists in
 *   PyRadiomics; otherwise the image-type name (or the IBSI prefix) joined to the IBSI tag.
 */
export function imageTypeFeatureName(t: ImageTypeSpec, tag: string, naming: FeatureNaming = 'ibsi'): string {
  if (naming === 'pyradiomics') {
    const py = pyradiomicsImageTypeName(t) ?? (isOriginal(t) ? 'original' : ibsiImageTypePrefix(t));
    const entry = ibsiToPyradiomics(tag);
    // only features with the same definition are renamed (`related` ones, e.g. kurtosis = excess + 3, keep the IBSI tag)
    if (entry && entry.relation !== 'related' && entry.pyradiomics.startsWith('original_')) return `${py}_${entry.pyradiomics.slice('original_'.length)}`;
    return `${py}_${tag}`;
  }
  const prefix = ibsiImageTypePrefix(t);
  return prefix ? `${prefix}_${tag}` : tag;
}

/** Half-width of the composed (à trous) wavelet filter of `level` levels, in voxels. */
function waveletReach(wavelet: string, level: number): number {
  const lo = WAVELET_DEC_LO[wavelet.toLowerCase()];
  const L = lo ? lo.length : 8;
  return (L - 1) * (2 ** level - 1);
}

/**
 * How far (in voxels, per axis x, y, z) a response voxel depends on the input, or `null` when the
 * response depends on the whole image (Fourier-domain filters: Simoncelli; Gabor kernels as
 * large as the slice are treated as reaching 7σ/min(γ, 1), where the envelope is < 3e-11).
 * Cropping the input to the ROI box grown by this reach (or up to the image border) leaves the
 * response inside the ROI unchanged.
 */
export function imageTypeReach(t: ImageTypeSpec, spacing: Readonly<Vec3>): Vec3 | null {
  if (isOriginal(t)) return [0, 0, 0];
  const z = (dims: unknown, r: number) => (dims === '2D' ? 0 : r);
  switch (t.filter) {
    case 'mean': {
      const r = Math.floor(t.support / 2);
      return [r, r, z(t.dims, r)];
    }
    case 'log': {
      const tr = t.truncate ?? 4;
      const r = (a: number) => Math.floor((tr * t.sigmaMm) / spacing[a]! + 0.5);
      return [r(0), r(1), z(t.dims, r(2))];
    }
    case 'laws': {
      const parts = t.kernel.toUpperCase().match(/[LESWR][35]/g) ?? [];
      const half = Math.max(1, ...parts.map((p) => (p.endsWith('5') ? 2 : 1)));
      const r = half + (t.energyDelta ?? 0);
      return [r, r, parts.length === 3 ? r : 0];
    }
    case 'gabor': {
      const axial = !t.planes || t.planes === 'axial' || (Array.isArray(t.planes) && t.planes.length === 1 && t.planes[0] === 'axial');
      const mm = (7 * t.sigmaMm) / Math.min(1, t.gamma);
      const r = (a: number) => Math.ceil(mm / spacing[a]!);
      return [r(0), r(1), axial ? 0 : r(2)];
    }
    case 'wavelet': {
      const r = waveletReach(t.wavelet, t.level ?? 1);
      return [r, r, t.subband.length === 3 ? r : 0];
    }
    case 'riesz-log':
    case 'simoncelli':
      return null;
    case 'gradient':
      return [1, 1, 1];
    case 'lbp2D': {
      const r = Math.ceil(t.radius ?? 1) + 1;
      return [r, r, 0];
    }
    default:
      if (POINT_TRANSFORMS.includes(t.filter)) return [0, 0, 0];
      ibsiImageTypePrefix(t); // throws the typed error
      return null;
  }
}

/** The response of image type `t` on `image`'s grid (float32, geometry kept). */
export function applyImageType(image: Volume, t: ImageTypeSpec): Volume<Float32Array> {
  if (isOriginal(t)) return applyFilter(image, { filter: 'none' });
  const geometry = (data: Float64Array): Volume<Float32Array> => ({
    data: Float32Array.from(data),
    size: [...image.size] as Vec3,
    spacing: [...image.spacing] as Vec3,
    origin: [...image.origin] as Vec3,
    direction: Float64Array.from(image.direction),
  });
  const f64 = () => Float64Array.from(image.data as ArrayLike<number>);
  switch (t.filter) {
    case 'gradient':
      return geometry(gradientMagnitude(f64(), image.size, image.spacing, t.useSpacing ?? true));
    case 'lbp2D':
      return geometry(lbp2D(f64(), image.size, t.radius ?? 1, t.samples ?? 8));
    default:
      if (POINT_TRANSFORMS.includes(t.filter)) return geometry(pointTransform(f64(), t.filter as PointTransform));
      return applyFilter(image, t as FilterSpec);
  }
}
