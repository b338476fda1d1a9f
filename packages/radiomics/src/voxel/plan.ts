/**
 * Preparation of a voxel-wise feature-map run: validation, ONE discretisation of the whole ROI
 * (as PyRadiomics' voxel-based extraction), and the padded working grids shared by every kernel.
 *
 * The result, a {@link VoxelPlan}, is plain data: its large arrays live in `SharedArrayBuffer`s
 * (when available) so worker threads read them without copies, and `postMessage(plan)` shares
 * rather than clones them.
 */
import { RadcamError, assertSameGeometry, boundingBox, countMask, validateVolume, type Mask, type Volume } from '@radcam/core';
import { discretise, type DiscretisationSettings } from '../discretisation.js';
import { resegment } from '../pipeline.js';
import { resolveSettings, normaliseFamilies, type IbsiFamily, type RadiomicsSettings, type ResolvedSettings } from '../settings.js';
import { HISTOGRAM_FEATURES, STATISTICS_FEATURES } from '../families/statistics.js';
import { GLCM_FEATURES } from '../texture/glcm.js';
import { GLRLM_FEATURES } from '../texture/glrlm.js';
import { GLDZM_FEATURES, GLSZM_FEATURES } from '../texture/zones.js';
import { NGTDM_FEATURES } from '../texture/ngtdm.js';
import { NGLDM_FEATURES } from '../texture/ngldm.js';

/** Families available as voxel-wise maps (IBSI names). */
export const VOXEL_FAMILIES = [
  'intensity_statistics', 'intensity_histogram', 'glcm', 'glrlm', 'glszm', 'gldzm', 'ngtdm', 'ngldm',
] as const;
export type VoxelFamily = (typeof VOXEL_FAMILIES)[number];

/** Aggregations of the directional families (GLCM, GLRLM) computed in a 3D kernel. */
export type VoxelMatrixAggregation = '3D_avg' | '3D_comb';

/** Which voxels get a value. */
export type VoxelTargets = 'roi' | 'bbox';

/** Options of {@link prepareVoxelPlan} (and of `computeVoxelMaps`). */
export interface VoxelPlanOptions {
  /** Kernel radius R in voxels (integer ≥ 1): the kernel is the (2R+1)³ cube around the voxel. */
  kernelRadius: number;
  /**
   * Families (names or aliases as `--families`). Default: all {@link VOXEL_FAMILIES}; when absent,
   * `settings.families` is used if it names only supported families.
   */
  families?: readonly string[];
  /** Radiomics settings (discretisation, texture distance / symmetry / aggregations, re-segmentation, preset). */
  settings?: RadiomicsSettings & { preset?: string };
  /** `roi` (default): every voxel of the mask; `bbox`: every voxel of the mask's bounding box. */
  targets?: VoxelTargets;
  /** Keep the grids in `SharedArrayBuffer`s (default: when the runtime has them). */
  shared?: boolean;
}

/**
 * Everything a kernel computer needs, as plain data. Grids are the ROI bounding box padded by R
 * voxels on every side (so a kernel never leaves the array), x fastest.
 */
export interface VoxelPlan {
  radius: number;
  /** Texture distance δ (GLCM offset, zone linkage, NGTDM / NGLDM neighbourhood). */
  distance: number;
  symmetric: boolean;
  alpha: number;
  families: VoxelFamily[];
  matrixAggregations: VoxelMatrixAggregation[];
  /** Feature tags in output order (IBSI tags, identical to `extractFeatures`' tags). */
  tags: string[];
  /** Padded grid dimensions. */
  nx: number;
  ny: number;
  nz: number;
  /** Padding (= R) on every side; padded voxel (pad, pad, pad) is image voxel `origin`. */
  pad: number;
  /** Image index of the bounding-box corner. */
  origin: [number, number, number];
  /** Image size. */
  imageSize: [number, number, number];
  /** Compact texture grey level per padded voxel: 0 outside the intensity ROI, 1..nPresent inside. */
  g: Int32Array;
  /** Histogram grey level per padded voxel (0 outside the intensity ROI). */
  h: Int32Array;
  /** Intensity per padded voxel (meaningful inside the intensity ROI). */
  val: Float64Array;
  /** Morphological mask per padded voxel (GLDZM border distance). */
  morph: Uint8Array;
  /** Texture level value of each compact index (index 0 unused). */
  levelValue: Float64Array;
  nPresent: number;
  /** N_g of the texture discretisation (whole ROI). */
  nLevels: number;
  /** N_g of the histogram discretisation (whole ROI). */
  histLevels: number;
  /** Padded linear indices of the target voxels, ascending (raster order). */
  targets: Int32Array;
  /** Image linear indices of the target voxels (same order). */
  targetImageIndex: Int32Array;
  /** What was done once on the whole ROI. */
  discretisation: { texture: Record<string, unknown>; histogram: Record<string, unknown> };
  roiVoxels: number;
  intensityVoxels: number;
}

/** Hard upper bound on R: kernel matrices grow with (2R+1)³. */
export const MAX_KERNEL_RADIUS = 10;

function alloc<T extends Int32Array | Float64Array | Uint8Array>(ctor: { new (b: ArrayBufferLike): T; BYTES_PER_ELEMENT: number }, n: number, shared: boolean): T {
  const bytes = Math.max(1, n) * ctor.BYTES_PER_ELEMENT;
  const buf = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  return new ctor(buf).subarray(0, n) as T;
}

/** True when the runtime provides `SharedArrayBuffer`. */
export function hasSharedMemory(): boolean {
  return typeof SharedArrayBuffer === 'function';
}

/** Feature tags of the selected families, in IBSI family order. */
export function voxelFeatureTags(families: readonly VoxelFamily[], aggs: readonly VoxelMatrixAggregation[]): string[] {
  const out: string[] = [];
  const has = (f: VoxelFamily) => families.includes(f);
  if (has('intensity_statistics')) out.push(...STATISTICS_FEATURES);
  if (has('intensity_histogram')) out.push(...HISTOGRAM_FEATURES);
  const mat = (prefix: string, names: readonly string[]) => {
    for (const a of aggs) for (const n of names) out.push(`${prefix}_${n}_${a}`);
  };
  if (has('glcm')) mat('cm', GLCM_FEATURES);
  if (has('glrlm')) mat('rlm', GLRLM_FEATURES);
  const zone = (prefix: string, names: readonly string[]) => {
    for (const n of names) out.push(`${prefix}_${n}_3D`);
  };
  if (has('glszm')) zone('szm', GLSZM_FEATURES);
  if (has('gldzm')) zone('dzm', GLDZM_FEATURES);
  if (has('ngtdm')) zone('ngt', NGTDM_FEATURES);
  if (has('ngldm')) zone('ngl', NGLDM_FEATURES);
  return out;
}

function selectFamilies(requested: readonly string[] | undefined, resolved: ResolvedSettings, explicitInSettings: boolean): VoxelFamily[] {
  let fams: IbsiFamily[];
  if (requested !== undefined) fams = normaliseFamilies([...requested]);
  else if (explicitInSettings) fams = resolved.families;
  else return [...VOXEL_FAMILIES];
  const bad = fams.filter((f) => !(VOXEL_FAMILIES as readonly string[]).includes(f));
  if (bad.length) {
    throw new RadcamError('E_UNSUPPORTED', `no voxel-wise map for famil${bad.length > 1 ? 'ies' : 'y'} ${bad.join(', ')}`, {
      expected: `families among ${VOXEL_FAMILIES.join(', ')}`,
      found: bad.join(', '),
    });
  }
  return VOXEL_FAMILIES.filter((f) => (fams as string[]).includes(f));
}

function selectAggregations(resolved: ResolvedSettings): VoxelMatrixAggregation[] {
  const req = resolved.texture.aggregations;
  if (!req) return ['3D_avg', '3D_comb'];
  const out = new Set<VoxelMatrixAggregation>();
  for (const a of req) {
    if (a === '3D') { out.add('3D_avg'); out.add('3D_comb'); }
    else if (a === '3D_avg' || a === '3D_comb') out.add(a);
  }
  if (out.size === 0) {
    throw new RadcamError('E_UNSUPPORTED', 'voxel-wise maps are computed in a 3D kernel only', {
      expected: 'texture.aggregations including 3D, 3D_avg or 3D_comb (or unset)',
      found: JSON.stringify(req),
    });
  }
  return (['3D_avg', '3D_comb'] as const).filter((a) => out.has(a));
}

/** Validate the kernel radius (integer in 1..MAX_KERNEL_RADIUS) or throw `E_INVALID_ARGUMENT`. */
export function checkKernelRadius(r: unknown): number {
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 1 || r > MAX_KERNEL_RADIUS) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'kernelRadius must be an integer voxel radius', {
      expected: `an integer in 1..${MAX_KERNEL_RADIUS}`,
      found: String(r),
    });
  }
  return r;
}

function withLowerBound(d: DiscretisationSettings, s: ResolvedSettings): DiscretisationSettings {
  const out = { ...d };
  if (out.method === 'fbs' && out.lowerBound === undefined && s.resegmentation?.range) out.lowerBound = s.resegmentation.range[0];
  return out;
}

/**
 * Validate the inputs and build the {@link VoxelPlan}: re-segment, discretise the WHOLE ROI once
 * for the texture and histogram families (IBSI / PyRadiomics lower-bound rules as
 * `extractFeatures`), and copy the ROI bounding box (padded by R) into flat grids.
 *
 * Throws `E_INVALID_ARGUMENT` (kernel radius), `E_MASK_GEOMETRY_MISMATCH`, `E_EMPTY_ROI`
 * (empty mask, or empty after re-segmentation), `E_SETTINGS`, `E_UNSUPPORTED` (a family without
 * a voxel map, or 2D-only aggregations).
 */
export function prepareVoxelPlan(image: Volume, mask: Mask, options: VoxelPlanOptions): VoxelPlan {
  const R = checkKernelRadius(options.kernelRadius);
  validateVolume(image);
  validateVolume(mask);
  assertSameGeometry(image, mask);
  const { preset, ...rest } = (options.settings ?? {}) as RadiomicsSettings & { preset?: string };
  if ((rest as { extractors?: unknown }).extractors !== undefined || (rest as { extractorIds?: unknown }).extractorIds !== undefined) {
    throw new RadcamError('E_UNSUPPORTED', 'voxel-wise maps use the built-in families only', { expected: 'no extractors / extractorIds', found: 'custom extractors' });
  }
  const resolved = resolveSettings(preset !== undefined ? { preset, params: rest } : { params: rest });
  const families = selectFamilies(options.families, resolved, rest.families !== undefined);
  const aggs = selectAggregations(resolved);
  const targetsMode = options.targets ?? 'roi';
  if (targetsMode !== 'roi' && targetsMode !== 'bbox') {
    throw new RadcamError('E_INVALID_ARGUMENT', 'targets must be "roi" or "bbox"', { found: String(targetsMode) });
  }
  const shared = (options.shared ?? true) && hasSharedMemory();

  const [sx, sy, sz] = image.size;
  const md = mask.data;
  // Bounding box of the morphological mask.
  const box = boundingBox(mask);
  if (!box) {
    throw new RadcamError('E_EMPTY_ROI', 'mask is empty', { expected: 'at least one voxel inside the ROI', found: '0' });
  }
  const { min: [x0, y0, z0], max: [x1, y1, z1] } = box;
  const nMorph = countMask(mask);
  const intensityMask = resegment(image, mask, resolved);
  const im = intensityMask.data;
  const d = image.data;
  const nInt = countMask(intensityMask);
  if (nInt === 0) {
    throw new RadcamError('E_EMPTY_ROI', 'no ROI voxel is left after re-segmentation', {
      expected: 'at least one voxel inside the re-segmentation range',
      found: `0 of ${nMorph}`,
    });
  }
  const roiIdx = new Int32Array(nInt);
  const roiVal = new Float64Array(nInt);
  for (let i = 0, k = 0; i < im.length; i++) {
    if (im[i] !== 0) {
      roiIdx[k] = i;
      roiVal[k++] = d[i]!;
    }
  }
  // ONE discretisation of the whole ROI (texture and histogram groups).
  const tdisc = withLowerBound(resolved.texture.discretisation, resolved);
  const hdisc = withLowerBound(resolved.histogram.discretisation, resolved);
  const needTex = families.some((f) => f !== 'intensity_statistics' && f !== 'intensity_histogram');
  const needHist = families.includes('intensity_histogram');
  const td = needTex ? discretise(roiVal, tdisc) : null;
  const hd = needHist ? discretise(roiVal, hdisc) : null;

  const pad = R;
  const nx = x1 - x0 + 1 + 2 * pad, ny = y1 - y0 + 1 + 2 * pad, nz = z1 - z0 + 1 + 2 * pad;
  const n = nx * ny * nz;
  const g = alloc(Int32Array, n, shared);
  const h = alloc(Int32Array, n, shared);
  const val = alloc(Float64Array, n, shared);
  const morph = alloc(Uint8Array, n, shared);
  const toPadded = (i: number): number => {
    const x = i % sx, y = ((i / sx) | 0) % sy, z = (i / (sx * sy)) | 0;
    return x - x0 + pad + nx * (y - y0 + pad + ny * (z - z0 + pad));
  };
  // Compact texture levels.
  let nPresent = 0;
  let levelValue = new Float64Array(1);
  if (td) {
    const present = new Uint8Array(td.nLevels + 1);
    for (let k = 0; k < nInt; k++) present[td.levels[k]!] = 1;
    const remap = new Int32Array(td.nLevels + 1);
    for (let l = 1; l <= td.nLevels; l++) if (present[l]) remap[l] = ++nPresent;
    levelValue = alloc(Float64Array, nPresent + 1, shared);
    for (let l = 1; l <= td.nLevels; l++) if (present[l]) levelValue[remap[l]!] = l;
    for (let k = 0; k < nInt; k++) g[toPadded(roiIdx[k]!)] = remap[td.levels[k]!]!;
  }
  for (let k = 0; k < nInt; k++) {
    const p = toPadded(roiIdx[k]!);
    val[p] = roiVal[k]!;
    if (hd) h[p] = hd.levels[k]!;
    else h[p] = 1; // marks the intensity ROI for the statistics family
  }
  // Morphological mask and targets (raster order).
  const nTargets = targetsMode === 'roi' ? nMorph : (x1 - x0 + 1) * (y1 - y0 + 1) * (z1 - z0 + 1);
  const targets = alloc(Int32Array, nTargets, shared);
  const targetImageIndex = alloc(Int32Array, nTargets, shared);
  let t = 0;
  for (let z = z0; z <= z1; z++) {
    for (let y = y0; y <= y1; y++) {
      let i = x0 + sx * (y + sy * z);
      let p = x0 - x0 + pad + nx * (y - y0 + pad + ny * (z - z0 + pad));
      for (let x = x0; x <= x1; x++, i++, p++) {
        const inside = md[i] !== 0;
        if (inside) morph[p] = 1;
        if (inside || targetsMode === 'bbox') {
          targets[t] = p;
          targetImageIndex[t++] = i;
        }
      }
    }
  }
  const discInfo = (dd: ReturnType<typeof discretise> | null, s: DiscretisationSettings): Record<string, unknown> =>
    dd ? { ...s, nLevels: dd.nLevels, minLevel: dd.minLevel, maxLevel: dd.maxLevel, lowerBound: dd.lowerBound, binWidth: dd.binWidth } : { ...s, unused: true };
  return {
    radius: R,
    distance: resolved.texture.distance ?? 1,
    symmetric: resolved.texture.symmetric ?? true,
    alpha: resolved.texture.ngldmAlpha ?? 0,
    families,
    matrixAggregations: aggs,
    tags: voxelFeatureTags(families, aggs),
    nx, ny, nz, pad,
    origin: [x0, y0, z0],
    imageSize: [sx, sy, sz],
    g, h, val, morph, levelValue, nPresent,
    nLevels: td ? td.nLevels : 0,
    histLevels: hd ? hd.nLevels : 0,
    targets, targetImageIndex,
    discretisation: { texture: discInfo(td, tdisc), histogram: discInfo(hd, hdisc) },
    roiVoxels: nMorph,
    intensityVoxels: nInt,
  };
}
