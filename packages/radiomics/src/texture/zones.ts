/**
 * Grey level size zone matrix and grey level distance zone matrix (IBSI 1). Both count zones:
 * groups of linked voxels (Chebyshev distance ≤ δ, i.e. 26- / 8-connected for δ = 1) sharing a
 * grey level; GLSZM tabulates zone size, GLDZM the zone's distance to the ROI border.
 */
import type { ExtractionContext, ExtractorResult, FeatureExtractor, Vec3 } from '@radcam/core';
import { CountMatrix } from './accumulator.js';
import { checkDistance, FeatureMean, tagList, textureGridFromContext, textureResult, zoneAggregations, type TextureSettings, type ZoneAggregation } from './common.js';
import { gridOffset, roiSlices, type TextureGrid } from './grid.js';
import {
  builderGrid, oneToN, paddedSlice, runLikeFeatures, runLikeWorkspace, RUN_LIKE_COUNT,
  type BuilderOptions, type TextureMatrix,
} from './matrix.js';

export const GLSZM_FEATURES = [
  'sze', 'lze', 'lgze', 'hgze', 'szlge', 'szhge', 'lzlge', 'lzhge',
  'glnu', 'glnu_norm', 'zsnu', 'zsnu_norm', 'z_perc', 'gl_var', 'zs_var', 'zs_entr',
] as const;

export const GLDZM_FEATURES = [
  'sde', 'lde', 'lgze', 'hgze', 'sdlge', 'sdhge', 'ldlge', 'ldhge',
  'glnu', 'glnu_norm', 'zdnu', 'zdnu_norm', 'z_perc', 'gl_var', 'zd_var', 'zd_entr',
] as const;

/** Zones of a grid, labelled in 2D (per slice) or 3D. */
export interface ZoneLabels {
  planar: boolean;
  /** Zone id + 1 per padded voxel (0 outside the ROI). */
  label: Int32Array;
  /** Compact grey level (1-based) of each zone. */
  level: Int32Array;
  /** Voxel count of each zone. */
  size: Int32Array;
  count: number;
  /** Planar only: zones of padded slice z are zoneStart[z] .. zoneStart[z+1]-1. */
  zoneStart: Int32Array;
}

/**
 * Label the zones of `grid` with linkage distance `distance` (Chebyshev), per slice when `planar`.
 * Two-pass union-find over the ROI voxels in raster order, looking only at the already visited
 * half of the neighbourhood (13 neighbours in 3D, 4 in 2D for δ = 1), so memory access stays local.
 * Zone ids follow the raster order of each zone's first voxel (hence grouped by slice in 2D).
 */
export function labelZones(grid: TextureGrid, distance: number, planar: boolean): ZoneLabels {
  const { g, roi } = grid;
  // Backward half of the neighbourhood (already visited in raster order), and its leading
  // column (dx = +δ): when the previous voxel in the row has the same grey level, every other
  // backward neighbour is also a neighbour of that voxel and already linked to it.
  const back: number[] = [];
  const lead: number[] = [];
  const zr = planar ? 0 : distance;
  for (let dz = -zr; dz <= zr; dz++)
    for (let dy = -distance; dy <= distance; dy++)
      for (let dx = -distance; dx <= distance; dx++) {
        const o = gridOffset(grid, dx, dy, dz);
        if (o >= 0) continue;
        back.push(o);
        if (dx === distance) lead.push(o);
      }
  const nroi = roi.length;
  // rix[v] = ROI index of voxel v + 1 (0 outside); reused as the final label map.
  const rix = new Int32Array(g.length);
  for (let t = 0; t < nroi; t++) rix[roi[t]!] = t + 1;
  const parent = new Int32Array(nroi);
  const backArr = Int32Array.from(back);
  const leadArr = Int32Array.from(lead);
  for (let t = 0; t < nroi; t++) {
    const v = roi[t]!;
    const lvl = g[v]!;
    // cur: root of t's set so far (−1: t is alone). Every earlier voxel has a smaller index, so
    // linking the larger root under the smaller keeps each root the first voxel of its set.
    let cur = -1;
    let offs = backArr;
    if (g[v - 1] === lvl) {
      cur = t - 1; // the previous ROI voxel is v − 1
      while (parent[cur] !== cur) cur = parent[cur]!;
      offs = leadArr;
    }
    const no = offs.length;
    for (let o = 0; o < no; o++) {
      const w = v + offs[o]!;
      if (g[w] !== lvl) continue;
      let a = rix[w]! - 1;
      while (parent[a] !== a) {
        const p = parent[parent[a]!]!;
        parent[a] = p;
        a = p;
      }
      if (cur < 0) cur = a;
      else if (a < cur) {
        parent[cur] = a;
        cur = a;
      } else if (a > cur) parent[a] = cur;
    }
    parent[t] = cur < 0 ? t : cur;
  }
  const zoneOfRoot = new Int32Array(nroi);
  const level = new Int32Array(nroi);
  const size = new Int32Array(nroi);
  const zoneStart = new Int32Array(grid.nz + 1);
  const plane = grid.nx * grid.ny;
  let count = 0;
  let lastZ = -1;
  for (let t = 0; t < nroi; t++) {
    let r = parent[t]!;
    while (parent[r] !== r) r = parent[r]!;
    parent[t] = r;
    let id: number;
    if (r === t) {
      const v = roi[t]!;
      if (planar) {
        const z = (v / plane) | 0;
        while (lastZ < z) zoneStart[++lastZ] = count;
      }
      id = count++;
      zoneOfRoot[t] = id;
      level[id] = g[v]!;
    } else id = zoneOfRoot[r]!;
    size[id] = size[id]! + 1;
    rix[roi[t]!] = id + 1;
  }
  while (lastZ < grid.nz) zoneStart[++lastZ] = count;
  return { planar, label: rix, level: level.slice(0, count), size: size.slice(0, count), count, zoneStart };
}

/**
 * City-block (Manhattan) distance of every morphological-mask voxel to the nearest voxel outside
 * the mask (the image border counts as outside): 1 for voxels on the ROI edge. 4-connected per
 * slice when `planar`, else 6-connected. Equals IBSI's iterative erosion with a cross element.
 */
export function borderDistance(grid: TextureGrid, planar: boolean): Int32Array {
  const { morph, nx, ny, nz } = grid;
  const plane = nx * ny;
  const big = 1 << 30;
  const dist = new Int32Array(morph.length);
  for (let i = 0; i < morph.length; i++) dist[i] = morph[i] ? big : 0;
  // Mask voxels never lie on the padding, so every neighbour index below is in range.
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      let v = nx * (y + ny * z);
      for (let x = 0; x < nx; x++, v++) {
        if (!morph[v]) continue;
        let m = dist[v]!;
        const a = dist[v - 1]! + 1;
        if (a < m) m = a;
        const b = dist[v - nx]! + 1;
        if (b < m) m = b;
        if (!planar) {
          const c = dist[v - plane]! + 1;
          if (c < m) m = c;
        }
        dist[v] = m;
      }
    }
  }
  for (let z = nz - 1; z >= 0; z--) {
    for (let y = ny - 1; y >= 0; y--) {
      let v = nx - 1 + nx * (y + ny * z);
      for (let x = nx - 1; x >= 0; x--, v--) {
        if (!morph[v]) continue;
        let m = dist[v]!;
        const a = dist[v + 1]! + 1;
        if (a < m) m = a;
        const b = dist[v + nx]! + 1;
        if (b < m) m = b;
        if (!planar) {
          const c = dist[v + plane]! + 1;
          if (c < m) m = c;
        }
        dist[v] = m;
      }
    }
  }
  return dist;
}

/** Minimum border distance of every zone (at least 1). */
export function zoneDistances(grid: TextureGrid, zones: ZoneLabels, dist: Int32Array): Int32Array {
  const out = new Int32Array(zones.count).fill(1 << 30);
  const { roi } = grid;
  const label = zones.label;
  for (let t = 0; t < roi.length; t++) {
    const v = roi[t]!;
    const z = label[v]! - 1;
    const d = dist[v]!;
    if (d < out[z]!) out[z] = d;
  }
  for (let z = 0; z < zones.count; z++) if (out[z]! < 1) out[z] = 1;
  return out;
}

/** Zone-value → column mapping: compact ranks of the distinct values (sizes) or the values 1..max (distances). */
interface ColumnMap {
  colOf: Int32Array;
  colValues: Float64Array;
}

function columnsBySizeRank(sizes: Int32Array): ColumnMap {
  let max = 0;
  for (let i = 0; i < sizes.length; i++) if (sizes[i]! > max) max = sizes[i]!;
  const seen = new Uint8Array(max + 1);
  for (let i = 0; i < sizes.length; i++) seen[sizes[i]!] = 1;
  const colOf = new Int32Array(max + 1);
  const vals: number[] = [];
  for (let s = 1; s <= max; s++) if (seen[s]) { colOf[s] = vals.length; vals.push(s); }
  return { colOf, colValues: Float64Array.from(vals) };
}

function columnsByValue(values: Int32Array): ColumnMap {
  let max = 1;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  const colOf = new Int32Array(max + 1);
  for (let s = 1; s <= max; s++) colOf[s] = s - 1;
  return { colOf, colValues: oneToN(max) };
}

/** Add zones [from, to) to a matrix whose columns are given by `cols.colOf[value]`. */
function addZones(zones: ZoneLabels, values: Int32Array, cols: ColumnMap, from: number, to: number, acc: CountMatrix): void {
  const nc = acc.cols;
  for (let z = from; z < to; z++) acc.add((zones.level[z]! - 1) * nc + cols.colOf[values[z]!]!, 1);
}

function sliceVoxels(grid: TextureGrid, z: number): number {
  return grid.sliceStart[z + 1]! - grid.sliceStart[z]!;
}

/** Options of {@link buildGlszm} / {@link buildGldzm}. */
export interface ZoneOptions extends BuilderOptions {
  /** Linkage distance (Chebyshev, default 1: 26-connected in 3D, 8-connected in 2D). */
  distance?: number;
}

export interface GldzmOptions extends ZoneOptions {
  /** Morphological mask for the border distance (default: the ROI of `levels`). */
  morphMask?: ArrayLike<number>;
}

function buildZoneMatrix(
  levels: ArrayLike<number>,
  size: Readonly<Vec3>,
  nLevels: number,
  options: GldzmOptions,
  kind: 'size' | 'distance',
): TextureMatrix {
  const distance = checkDistance(options.distance);
  const grid = builderGrid(levels, size, nLevels, distance, options.morphMask);
  const planar = options.slice !== undefined;
  const zones = labelZones(grid, distance, planar);
  const values = kind === 'size' ? zones.size : zoneDistances(grid, zones, borderDistance(grid, planar));
  let from = 0, to = zones.count, nv = grid.roi.length;
  if (planar) {
    const z = paddedSlice(grid, options.slice!);
    if (z < 0) { from = 0; to = 0; nv = 0; }
    else { from = zones.zoneStart[z]!; to = zones.zoneStart[z + 1]!; nv = sliceVoxels(grid, z); }
  }
  const sub = values.subarray(from, to);
  const cols = kind === 'size' ? columnsBySizeRank(sub.length ? sub : Int32Array.of(1)) : columnsByValue(sub);
  const acc = new CountMatrix(grid.nPresent, cols.colValues.length);
  addZones(zones, values, cols, from, to, acc);
  acc.nVoxels = nv;
  return { rowLevels: grid.levelValue.subarray(1), colValues: cols.colValues, counts: acc, nVoxels: nv };
}

/** The GLSZM of `levels` (columns: the distinct zone sizes, ascending), one slice or 3D. */
export function buildGlszm(levels: ArrayLike<number>, size: Readonly<Vec3>, nLevels: number, options: ZoneOptions = {}): TextureMatrix {
  return buildZoneMatrix(levels, size, nLevels, options, 'size');
}

/** The GLDZM of `levels` (columns: distances 1..max), one slice or 3D. */
export function buildGldzm(levels: ArrayLike<number>, size: Readonly<Vec3>, nLevels: number, options: GldzmOptions = {}): TextureMatrix {
  return buildZoneMatrix(levels, size, nLevels, options, 'distance');
}

/** IBSI 2D (slice average), 2.5D (merged slices) and 3D features of a zone family. */
function zoneFeatures(
  grid: TextureGrid,
  aggs: readonly ZoneAggregation[],
  distance: number,
  kind: 'size' | 'distance',
  cache: Map<string, unknown> | undefined,
): { values: Map<ZoneAggregation, Float64Array>; units: Record<string, number> } {
  const values = new Map<ZoneAggregation, Float64Array>();
  const units: Record<string, number> = {};
  const full = new Float64Array(RUN_LIKE_COUNT);
  const nf = 16;
  const lv = grid.levelValue.subarray(1);
  const getZones = (planar: boolean): ZoneLabels => {
    const key = `ibsi/texture-zones:${planar ? '2D' : '3D'}:${distance}`;
    const hit = cache?.get(key) as { grid: TextureGrid; zones: ZoneLabels } | undefined;
    if (hit && hit.grid === grid) return hit.zones;
    const zones = labelZones(grid, distance, planar);
    cache?.set(key, { grid, zones });
    return zones;
  };
  const run = (zones: ZoneLabels, vals: Int32Array, from: number, to: number, nv: number, cols: ColumnMap, acc: CountMatrix, ws: ReturnType<typeof runLikeWorkspace>): Float64Array => {
    addZones(zones, vals, cols, from, to, acc);
    acc.nVoxels = nv;
    runLikeFeatures(acc, lv, cols.colValues, full, ws);
    return full.subarray(0, nf);
  };
  if (aggs.includes('2D') || aggs.includes('2_5D')) {
    const zones = getZones(true);
    const vals = kind === 'size' ? zones.size : zoneDistances(grid, zones, borderDistance(grid, true));
    const cols = kind === 'size' ? columnsBySizeRank(vals) : columnsByValue(vals);
    const acc = new CountMatrix(grid.nPresent, cols.colValues.length);
    const ws = runLikeWorkspace(grid.nPresent, cols.colValues.length);
    if (aggs.includes('2D')) {
      const mean = new FeatureMean(nf);
      for (const z of roiSlices(grid)) {
        acc.clear();
        mean.push(run(zones, vals, zones.zoneStart[z]!, zones.zoneStart[z + 1]!, sliceVoxels(grid, z), cols, acc, ws));
      }
      values.set('2D', mean.mean());
      units['2D'] = mean.units;
    }
    if (aggs.includes('2_5D')) {
      acc.clear();
      values.set('2_5D', Float64Array.from(run(zones, vals, 0, zones.count, grid.roi.length, cols, acc, ws)));
      units['2_5D'] = 1;
    }
  }
  if (aggs.includes('3D')) {
    const zones = getZones(false);
    const vals = kind === 'size' ? zones.size : zoneDistances(grid, zones, borderDistance(grid, false));
    const cols = kind === 'size' ? columnsBySizeRank(vals) : columnsByValue(vals);
    const acc = new CountMatrix(grid.nPresent, cols.colValues.length);
    const ws = runLikeWorkspace(grid.nPresent, cols.colValues.length);
    values.set('3D', Float64Array.from(run(zones, vals, 0, zones.count, grid.roi.length, cols, acc, ws)));
    units['3D'] = 1;
  }
  return { values, units };
}

function zoneExtractor(id: string, family: string, prefix: string, names: readonly string[], kind: 'size' | 'distance', description: string): FeatureExtractor<TextureSettings> {
  return {
    id,
    family,
    description,
    featureNames(settings: Partial<TextureSettings> = {}): string[] {
      return tagList(prefix, names, zoneAggregations(settings));
    },
    extract(context: ExtractionContext, settings: Partial<TextureSettings> = {}): ExtractorResult {
      const distance = checkDistance(settings.distance);
      const aggs = zoneAggregations(settings);
      const grid = textureGridFromContext(context, settings, distance);
      const res = zoneFeatures(grid, aggs, distance, kind, context.cache);
      return textureResult(prefix, names, aggs, res.values, grid, { linkageDistance: distance, matricesAveraged: res.units }, 'no zones for this aggregation (empty matrix)');
    },
  };
}

/** IBSI GLSZM features (`szm_*`), aggregations 2D / 2.5D / 3D. */
export const glszmExtractor = zoneExtractor('ibsi/glszm', 'glszm', 'szm', GLSZM_FEATURES, 'size', 'IBSI grey level size zone matrix features (2D / 2.5D / 3D)');

/** IBSI GLDZM features (`dzm_*`), aggregations 2D / 2.5D / 3D; the border distance uses the morphological mask. */
export const gldzmExtractor = zoneExtractor('ibsi/gldzm', 'gldzm', 'dzm', GLDZM_FEATURES, 'distance', 'IBSI grey level distance zone matrix features (2D / 2.5D / 3D)');
