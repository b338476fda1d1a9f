/**
 * Tumour core, peritumoural margin and the margin's 8 octants.
 *
 * - core   = { v ∈ mask : d_in(v) > innerMm }        (mask eroded by a ball of radius innerMm)
 * - margin = { v ∈ mask : d_in(v) ≤ innerMm } ∪ { v ∉ mask : d_out(v) ≤ outerMm }
 *            (the mask dilated by outerMm minus the core)
 * where d_in is the exact EDT (mm) from a mask voxel to the nearest non-mask voxel centre (the
 * region beyond the image border counts as non-mask) and d_out the EDT from a non-mask voxel to
 * the nearest mask voxel centre.
 */
import {
  RadcamError,
  assertNonEmptyMask,
  distanceTransform,
  validateVolume,
  type Mask,
  type Vec3,
  type Volume,
} from '@radcam/core';
import { maskCentroid } from './geometry.js';

/** Octant names in the order oct1…oct8 (Roman-numeral octant order on the LPS axes). */
export const OCTANT_LPS_NAMES = ['LPS', 'RPS', 'RAS', 'LAS', 'LPI', 'RPI', 'RAI', 'LAI'] as const;
export type OctantLpsName = (typeof OCTANT_LPS_NAMES)[number];

/** How octant regions are named in feature tags: `oct_LPS` (default) or `oct1`. */
export type OctantNaming = 'lps' | 'numeric';

/**
 * Octant code 1…8 of a world offset (dx, dy, dz) from the centroid. A zero offset counts as
 * positive (L, P or S). oct1 = LPS (+,+,+), oct2 = RPS (−,+,+), oct3 = RAS (−,−,+),
 * oct4 = LAS (+,−,+), oct5 = LPI (+,+,−), oct6 = RPI (−,+,−), oct7 = RAI (−,−,−), oct8 = LAI (+,−,−).
 */
export function octantCode(dx: number, dy: number, dz: number): number {
  const xNeg = dx < 0, yNeg = dy < 0;
  const quad = !xNeg && !yNeg ? 1 : xNeg && !yNeg ? 2 : xNeg && yNeg ? 3 : 4;
  return dz < 0 ? quad + 4 : quad;
}

/** The region names in feature order: `core`, `margin`, then the 8 octants. */
export function regionNames(naming: OctantNaming = 'lps'): string[] {
  return [
    'core',
    'margin',
    ...OCTANT_LPS_NAMES.map((name, q) => (naming === 'numeric' ? `oct${q + 1}` : `oct_${name}`)),
  ];
}

export interface MarginOptions {
  /** Fixed margin distance (mm) used both inside (erosion) and outside (dilation). */
  marginMm?: number;
  /** Erosion distance (mm) that defines the core; overrides `marginMm` / the size rule inside. */
  innerMm?: number;
  /** Dilation distance (mm) of the outer margin border; overrides `marginMm` / the size rule outside. */
  outerMm?: number;
  /** Size rule: lesions with volume > this (mm³) get `largeMarginMm`, others `smallMarginMm`. Default 4000. */
  sizeThresholdMm3?: number;
  /** Default 3 mm. */
  largeMarginMm?: number;
  /** Default 1 mm. */
  smallMarginMm?: number;
}

export interface ResolvedMargin {
  innerMm: number;
  outerMm: number;
  /** Which rule gave the distances. */
  rule: 'fixed' | 'size-rule' | 'explicit' | 'mixed';
}

function checkDistance(name: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
    throw new RadcamError('E_INVALID_ARGUMENT', `${name} must be a finite distance ≥ 0 mm`, { found: String(v) });
  }
}

/** Margin distances for a lesion of `lesionVolumeMm3` under `options` (see MarginOptions). */
export function resolveMargin(lesionVolumeMm3: number, options: MarginOptions = {}): ResolvedMargin {
  for (const key of ['marginMm', 'innerMm', 'outerMm', 'sizeThresholdMm3', 'largeMarginMm', 'smallMarginMm'] as const) {
    checkDistance(key, options[key]);
  }
  const threshold = options.sizeThresholdMm3 ?? 4000;
  const sizeRule = lesionVolumeMm3 > threshold ? (options.largeMarginMm ?? 3) : (options.smallMarginMm ?? 1);
  const base = options.marginMm ?? sizeRule;
  const innerMm = options.innerMm ?? base;
  const outerMm = options.outerMm ?? base;
  const explicit = options.innerMm !== undefined && options.outerMm !== undefined;
  const rule: ResolvedMargin['rule'] = explicit
    ? 'explicit'
    : options.innerMm !== undefined || options.outerMm !== undefined
      ? 'mixed'
      : options.marginMm !== undefined
        ? 'fixed'
        : 'size-rule';
  return { innerMm, outerMm, rule };
}

/**
 * Exact EDTs (mm, between voxel centres) of a mask, via `distanceTransform` of @radcam/core on a
 * copy padded with one layer of background, so that a lesion touching the image border is eroded
 * from the border too. `inside[p]`: distance from a mask voxel to the nearest non-mask voxel;
 * `outside[p]`: distance from a non-mask voxel to the nearest mask voxel.
 */
function maskDistances(mask: Mask): { inside: Float32Array; outside: Float32Array } {
  const [nx, ny, nz] = mask.size;
  const px = nx + 2, py = ny + 2, pz = nz + 2;
  const padded = new Uint8Array(px * py * pz);
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const src = nx * (j + ny * k);
      const dst = 1 + px * (j + 1 + py * (k + 1));
      for (let i = 0; i < nx; i++) padded[dst + i] = mask.data[src + i] !== 0 ? 1 : 0;
    }
  }
  const pmask: Mask = { data: padded, size: [px, py, pz], spacing: [...mask.spacing] as Vec3, origin: [0, 0, 0], direction: Float64Array.from(mask.direction) };
  const din = distanceTransform(pmask, { to: 'background' }).data;
  const dout = distanceTransform(pmask, { to: 'foreground' }).data;
  const n = nx * ny * nz;
  const inside = new Float32Array(n);
  const outside = new Float32Array(n);
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const src = nx * (j + ny * k);
      const dst = 1 + px * (j + 1 + py * (k + 1));
      for (let i = 0; i < nx; i++) {
        inside[src + i] = din[dst + i]!;
        outside[src + i] = dout[dst + i]!;
      }
    }
  }
  return { inside, outside };
}

export interface GradientRegionsOptions extends MarginOptions {
  /** Reference point for the octants (world LPS mm); default the mask centroid. */
  centroid?: Vec3;
  /** Octant naming in `names` / `voxelCounts`; default `lps`. */
  octantNaming?: OctantNaming;
}

export interface GradientRegions {
  /**
   * Region label per voxel: 0 outside all regions, 1 core, 2…9 margin octant oct1…oct8
   * (label = octant code + 1). Same geometry as the mask.
   */
  labels: Volume<Uint8Array>;
  /** The core as a 0/1 mask. */
  core: Mask;
  /** The margin (all octants) as a 0/1 mask. */
  margin: Mask;
  /** Region names in feature order (`core`, `margin`, 8 octants). */
  names: string[];
  innerMm: number;
  outerMm: number;
  marginRule: ResolvedMargin['rule'];
  lesionVoxels: number;
  lesionVolumeMm3: number;
  /** Octant reference point (world LPS mm). */
  centroid: Vec3;
  /** Voxel count per region name. */
  voxelCounts: Record<string, number>;
  /** Volume (mm³) per region name. */
  volumesMm3: Record<string, number>;
}

/**
 * Core, margin and margin octants of a lesion mask. Throws `E_EMPTY_ROI` for an empty mask.
 * The lesion volume for the size rule is the voxel count × voxel volume.
 */
export function gradientRegions(mask: Mask, options: GradientRegionsOptions = {}): GradientRegions {
  validateVolume(mask);
  const lesionVoxels = assertNonEmptyMask(mask, 'lesion mask');
  const voxelVolume = mask.spacing[0] * mask.spacing[1] * mask.spacing[2];
  const lesionVolumeMm3 = lesionVoxels * voxelVolume;
  const margin = resolveMargin(lesionVolumeMm3, options);
  const centroid: Vec3 = options.centroid ? [...options.centroid] as Vec3 : maskCentroid(mask);
  const { inside, outside } = maskDistances(mask);
  const n = mask.data.length;
  const labels = new Uint8Array(n);
  const core = new Uint8Array(n);
  const marg = new Uint8Array(n);
  // Tolerance so that lattice-aligned distances (e.g. exactly 1 mm) compare as intended.
  const eps = 1e-5;
  const inner = margin.innerMm;
  const outer = margin.outerMm;
  const counts = new Float64Array(10);
  const [nx, ny, nz] = mask.size;
  const [s0, s1, s2] = mask.spacing;
  const D = mask.direction;
  const bx = mask.origin[0] - centroid[0], by = mask.origin[1] - centroid[1], bz = mask.origin[2] - centroid[2];
  let p = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, p++) {
        let inMargin: boolean;
        if (mask.data[p] !== 0) {
          if (inside[p]! > inner + eps) {
            labels[p] = 1;
            core[p] = 1;
            counts[1]!++;
            continue;
          }
          inMargin = true;
        } else {
          inMargin = outside[p]! <= outer + eps;
        }
        if (!inMargin) continue;
        const u = i * s0, v = j * s1, w = k * s2;
        const dx = bx + D[0]! * u + D[1]! * v + D[2]! * w;
        const dy = by + D[3]! * u + D[4]! * v + D[5]! * w;
        const dz = bz + D[6]! * u + D[7]! * v + D[8]! * w;
        const code = octantCode(dx, dy, dz);
        labels[p] = code + 1;
        marg[p] = 1;
        counts[code + 1]!++;
      }
    }
  }
  const names = regionNames(options.octantNaming ?? 'lps');
  const voxelCounts: Record<string, number> = {};
  const volumesMm3: Record<string, number> = {};
  let marginCount = 0;
  for (let q = 2; q <= 9; q++) marginCount += counts[q]!;
  const perRegion = [counts[1]!, marginCount, ...Array.from(counts.subarray(2, 10))];
  names.forEach((name, r) => {
    voxelCounts[name] = perRegion[r]!;
    volumesMm3[name] = perRegion[r]! * voxelVolume;
  });
  const like = (data: Uint8Array): Volume<Uint8Array> => ({
    data,
    size: [...mask.size] as Vec3,
    spacing: [...mask.spacing] as Vec3,
    origin: [...mask.origin] as Vec3,
    direction: Float64Array.from(D),
  });
  return {
    labels: like(labels),
    core: like(core),
    margin: like(marg),
    names,
    innerMm: inner,
    outerMm: outer,
    marginRule: margin.rule,
    lesionVoxels,
    lesionVolumeMm3,
    centroid,
    voxelCounts,
    volumesMm3,
  };
}
