/**
 * Settings, aggregation handling and extraction-context plumbing shared by the texture extractors.
 */
import { RadcamError, type ExtractionContext, type ExtractorResult, type Mask } from '@radcam/core';
import { buildTextureGrid, type TextureGrid } from './grid.js';

/** IBSI aggregation methods. Matrix families (GLCM, GLRLM) use the six `_avg`/`_comb` forms,
 * zone and neighbourhood families use `2D`, `2_5D`, `3D`. */
export type TextureAggregation = '2D_avg' | '2D_comb' | '2_5D_avg' | '2_5D_comb' | '3D_avg' | '3D_comb' | '2D' | '2_5D' | '3D';

export const MATRIX_AGGREGATIONS = ['2D_avg', '2D_comb', '2_5D_avg', '2_5D_comb', '3D_avg', '3D_comb'] as const;
export const ZONE_AGGREGATIONS = ['2D', '2_5D', '3D'] as const;
export type MatrixAggregation = (typeof MATRIX_AGGREGATIONS)[number];
export type ZoneAggregation = (typeof ZONE_AGGREGATIONS)[number];

/** Settings accepted by every texture extractor (unused fields are ignored by a family). */
export interface TextureSettings {
  /** Chebyshev distance: GLCM offset, zone linkage, NGTDM / NGLDM neighbourhood (default 1). */
  distance?: number;
  /** GLCM: count each pair in both orders (default true, as IBSI). */
  symmetric?: boolean;
  /** Aggregations to compute (default: all of the family). A dimension-only name (`'3D'`) selects
   * both `3D_avg` and `3D_comb` for GLCM/GLRLM; `'3D_avg'`/`'3D_comb'` select `3D` for the zone
   * and neighbourhood families. */
  aggregations?: TextureAggregation[];
  /** NGLDM coarseness parameter α (default 0). */
  ngldmAlpha?: number;
  /** Number of grey levels N_g (default: from the discretisation, else the highest level in the ROI). */
  nLevels?: number;
}

/** Key of the discretised levels in `ExtractionContext.cache`. */
export const TEXTURE_LEVELS_CACHE_KEY = 'ibsi/texture-levels';

export interface TextureLevelsCacheEntry {
  levels: Int32Array;
  nLevels: number;
}

const ALL_AGGREGATIONS = new Set<string>([...MATRIX_AGGREGATIONS, ...ZONE_AGGREGATIONS]);

function dimensionOf(a: TextureAggregation): '2D' | '2_5D' | '3D' {
  return a.startsWith('2_5D') ? '2_5D' : a.startsWith('2D') ? '2D' : '3D';
}

/** Aggregations of a matrix family (GLCM/GLRLM) selected by `settings.aggregations`, in canonical order. */
export function matrixAggregations(settings: Partial<TextureSettings> = {}): MatrixAggregation[] {
  const req = checkAggregations(settings.aggregations);
  if (!req) return [...MATRIX_AGGREGATIONS];
  const want = new Set<string>();
  for (const a of req) {
    if (a === '2D' || a === '2_5D' || a === '3D') {
      want.add(`${a}_avg`);
      want.add(`${a}_comb`);
    } else want.add(a);
  }
  return MATRIX_AGGREGATIONS.filter((a) => want.has(a));
}

/** Aggregations of a zone / neighbourhood family selected by `settings.aggregations`. */
export function zoneAggregations(settings: Partial<TextureSettings> = {}): ZoneAggregation[] {
  const req = checkAggregations(settings.aggregations);
  if (!req) return [...ZONE_AGGREGATIONS];
  const want = new Set<string>(req.map(dimensionOf));
  return ZONE_AGGREGATIONS.filter((a) => want.has(a));
}

function checkAggregations(aggs: unknown): TextureAggregation[] | undefined {
  if (aggs === undefined) return undefined;
  if (!Array.isArray(aggs) || aggs.length === 0) {
    throw new RadcamError('E_SETTINGS', 'aggregations must be a non-empty array', { found: JSON.stringify(aggs) });
  }
  for (const a of aggs) {
    if (typeof a !== 'string' || !ALL_AGGREGATIONS.has(a)) {
      throw new RadcamError('E_SETTINGS', 'unknown texture aggregation', {
        expected: [...ALL_AGGREGATIONS].join(', '),
        found: JSON.stringify(a),
      });
    }
  }
  return aggs as TextureAggregation[];
}

/** Validated Chebyshev distance (integer ≥ 1). */
export function checkDistance(d: unknown): number {
  const v = d ?? 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 64) {
    throw new RadcamError('E_SETTINGS', 'texture distance must be an integer between 1 and 64', { found: String(d) });
  }
  return v;
}

interface GridCacheEntry {
  source: unknown;
  morph: Mask;
  intensity: Mask;
  requested: number | undefined;
  sourceLevels: number | undefined;
  grid: TextureGrid;
}

/**
 * The texture grid for an extraction context: discretised levels from the cache entry
 * `ibsi/texture-levels` when present, else the image intensities (integers ≥ 1 inside the
 * intensity mask). The grid is cached in `context.cache` per padding and N_g.
 */
export function textureGridFromContext(
  context: ExtractionContext,
  settings: Partial<TextureSettings>,
  pad: number,
): TextureGrid {
  const { image, mask } = context;
  const intensityMask = context.intensityMask ?? mask;
  const n = image.size[0] * image.size[1] * image.size[2];
  for (const [m, what] of [[mask, 'mask'], [intensityMask, 'intensity mask']] as const) {
    if (m.data.length !== n || m.size.some((s, i) => s !== image.size[i])) {
      throw new RadcamError('E_MASK_GEOMETRY_MISMATCH', `${what} and image are not on the same voxel grid`, {
        expected: image.size.join('×'),
        found: m.size.join('×'),
      });
    }
  }
  const cached = context.cache.get(TEXTURE_LEVELS_CACHE_KEY) as TextureLevelsCacheEntry | undefined;
  const source: unknown = cached ? cached.levels : image.data;
  const key = `ibsi/texture-grid:${pad}`;
  const hit = context.cache.get(key) as GridCacheEntry | undefined;
  const wantLevels = settings.nLevels;
  if (hit && hit.source === source && hit.morph === mask && hit.intensity === intensityMask && hit.requested === wantLevels && hit.sourceLevels === cached?.nLevels) {
    return hit.grid;
  }

  const im = intensityMask.data;
  let levels: ArrayLike<number>;
  let nLevels: number;
  if (cached) {
    if (!(cached.levels instanceof Int32Array) || cached.levels.length !== n) {
      throw new RadcamError('E_SETTINGS', `cache entry ${TEXTURE_LEVELS_CACHE_KEY} must hold an Int32Array of the image size`, {
        found: String(cached.levels?.length),
      });
    }
    // Used in place (not copied); voxels outside the intensity mask are ignored.
    levels = cached.levels;
    nLevels = cached.nLevels;
  } else {
    const copy = new Int32Array(n);
    const d = image.data;
    let max = 0;
    for (let i = 0; i < n; i++) {
      if (im[i] === 0) continue;
      const v = d[i]!;
      if (!(Number.isInteger(v) && v >= 1)) {
        throw new RadcamError('E_SETTINGS', 'texture features need discretised grey levels: image values inside the ROI must be integers ≥ 1 (or provide the ibsi/texture-levels cache entry)', {
          found: `${v} at voxel index ${i}`,
        });
      }
      copy[i] = v;
      if (v > max) max = v;
    }
    levels = copy;
    nLevels = max;
  }
  if (wantLevels !== undefined) {
    if (!Number.isInteger(wantLevels) || wantLevels < 1) {
      throw new RadcamError('E_SETTINGS', 'nLevels must be a positive integer', { found: String(wantLevels) });
    }
    nLevels = wantLevels;
  }
  if (nLevels < 1) {
    throw new RadcamError('E_EMPTY_ROI', 'the texture ROI is empty', { expected: 'at least one voxel inside the intensity mask', found: '0' });
  }
  const grid = buildTextureGrid(levels, image.size, nLevels, { pad, morphMask: mask.data, roiMask: im });
  context.cache.set(key, { source, morph: mask, intensity: intensityMask, requested: wantLevels, sourceLevels: cached?.nLevels, grid } satisfies GridCacheEntry);
  return grid;
}

/** Running NaN-skipping mean of feature vectors. */
export class FeatureMean {
  readonly sum: Float64Array;
  readonly count: Int32Array;
  units = 0;
  constructor(n: number) {
    this.sum = new Float64Array(n);
    this.count = new Int32Array(n);
  }
  push(v: ArrayLike<number>): void {
    this.units++;
    for (let i = 0; i < this.sum.length; i++) {
      const x = v[i]!;
      if (Number.isFinite(x)) {
        this.sum[i] = this.sum[i]! + x;
        this.count[i] = this.count[i]! + 1;
      }
    }
  }
  mean(): Float64Array {
    const out = new Float64Array(this.sum.length);
    for (let i = 0; i < out.length; i++) out[i] = this.count[i]! > 0 ? this.sum[i]! / this.count[i]! : NaN;
    return out;
  }
}

/**
 * A texture extractor's result: feature `${prefix}_${names[i]}_${agg}` = `values.get(agg)[i]` for
 * every aggregation (non-finite values become NaN); diagnostics are the grid summary (`nLevels`,
 * `presentLevels`, `roiVoxels`), then `extra`, then `nanFeatures` + `nanReason` when a feature is NaN.
 */
export function textureResult(
  prefix: string,
  names: readonly string[],
  aggs: readonly string[],
  values: ReadonlyMap<string, ArrayLike<number>>,
  grid: TextureGrid,
  extra: Record<string, unknown>,
  nanReason: string,
): ExtractorResult {
  const features: Record<string, number> = {};
  const nan: string[] = [];
  for (const agg of aggs) {
    const v = values.get(agg)!;
    for (let i = 0; i < names.length; i++) {
      const tag = `${prefix}_${names[i]}_${agg}`;
      const x = v[i]!;
      if (Number.isFinite(x)) features[tag] = x;
      else {
        features[tag] = NaN;
        nan.push(tag);
      }
    }
  }
  return {
    features,
    diagnostics: {
      nLevels: grid.nLevels,
      presentLevels: grid.nPresent,
      roiVoxels: grid.roi.length,
      ...extra,
      ...(nan.length ? { nanFeatures: nan, nanReason } : {}),
    },
  };
}

/** Tag list for a family: every feature for every aggregation (aggregation-major, as the IBSI tables). */
export function tagList(prefix: string, names: readonly string[], aggs: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of aggs) for (const n of names) out.push(`${prefix}_${n}_${a}`);
  return out;
}
