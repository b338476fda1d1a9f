/**
 * The working grid shared by all texture families: the ROI's grey levels cropped to the ROI
 * bounding box, padded with `pad` voxels of "outside" (0) on every side, and remapped to a
 * compact index (1..nPresent) over the grey levels actually present. Padding removes every
 * bounds check from the hot loops (a neighbour offset never leaves the array), and the compact
 * index keeps matrices small when `nLevels` is large (1000+ levels with few present).
 */
import { RadcamError, type Vec3 } from '@radcam/core';

export interface TextureGrid {
  /** Compact grey level per padded voxel: 0 outside the ROI, 1..nPresent inside. */
  readonly g: Int32Array;
  /** Morphological mask on the same padded grid (1 inside), used by GLDZM. */
  readonly morph: Uint8Array;
  /** Padded dimensions. */
  readonly nx: number;
  readonly ny: number;
  readonly nz: number;
  /** Padding (voxels) on every side. */
  readonly pad: number;
  /** Grey level value of compact index c (index 0 unused). */
  readonly levelValue: Float64Array;
  /** Number of grey levels present in the ROI (compact indices 1..nPresent). */
  readonly nPresent: number;
  /** Number of grey levels of the discretisation (Ng where IBSI formulas use it). */
  readonly nLevels: number;
  /** Padded linear indices of the ROI voxels, ascending (so grouped by slice). */
  readonly roi: Int32Array;
  /** roi[sliceStart[z]] .. roi[sliceStart[z+1]-1] are the ROI voxels of padded slice z. */
  readonly sliceStart: Int32Array;
  /** Offset of the crop in the original image (index of padded voxel (pad,pad,pad)). */
  readonly origin: Vec3;
}

export interface TextureGridOptions {
  /** Padding in voxels on every side (≥ 1; use the neighbourhood / linkage distance). */
  pad?: number;
  /** Morphological mask (any non-zero = inside); defaults to the ROI given by the levels. */
  morphMask?: ArrayLike<number>;
  /** Restrict the ROI to voxels where this mask is non-zero (e.g. the intensity mask). */
  roiMask?: ArrayLike<number>;
}

/**
 * Build a {@link TextureGrid} from discretised levels (0 outside the ROI, 1..nLevels inside) on
 * an image of `size` (x fastest). Throws `E_EMPTY_ROI` when no voxel has a level ≥ 1 and
 * `E_SETTINGS` when a level is not an integer in 1..nLevels.
 */
export function buildTextureGrid(
  levels: ArrayLike<number>,
  size: Readonly<Vec3>,
  nLevels: number,
  options: TextureGridOptions = {},
): TextureGrid {
  const [sx, sy, sz] = size;
  const n = sx * sy * sz;
  if (levels.length !== n) {
    throw new RadcamError('E_DATA_SIZE_MISMATCH', 'grey-level array does not match the dimensions', {
      expected: `${n} values (${sx}×${sy}×${sz})`,
      found: `${levels.length}`,
    });
  }
  if (!Number.isInteger(nLevels) || nLevels < 1) {
    throw new RadcamError('E_SETTINGS', 'nLevels must be a positive integer', { found: String(nLevels) });
  }
  const pad = Math.max(1, Math.floor(options.pad ?? 1));
  const morphIn = options.morphMask;
  if (morphIn && morphIn.length !== n) {
    throw new RadcamError('E_DATA_SIZE_MISMATCH', 'morphological mask does not match the dimensions', {
      expected: `${n} values`,
      found: `${morphIn.length}`,
    });
  }
  const roiMask = options.roiMask;
  if (roiMask && roiMask.length !== n) {
    throw new RadcamError('E_DATA_SIZE_MISMATCH', 'ROI mask does not match the dimensions', {
      expected: `${n} values`,
      found: `${roiMask.length}`,
    });
  }
  const intInput = levels instanceof Int32Array || levels instanceof Int16Array || levels instanceof Uint16Array || levels instanceof Uint8Array;
  // Bounding box of the ROI (and of the morphological mask) + level check.
  let x0 = sx, y0 = sy, z0 = sz, x1 = -1, y1 = -1, z1 = -1;
  const present = new Uint8Array(nLevels + 1);
  let count = 0;
  let bad = -1;
  for (let z = 0, i = 0; z < sz; z++) {
    let sliceAny = false;
    for (let y = 0; y < sy; y++) {
      let rx0 = sx, rx1 = -1;
      for (let x = 0; x < sx; x++, i++) {
        const l = levels[i]!;
        const inRoi = l !== 0 && (roiMask === undefined || roiMask[i] !== 0);
        if (inRoi) {
          if (l >= 1 && l <= nLevels) present[l] = 1;
          else bad = i;
          count++;
          if (rx0 === sx) rx0 = x;
          rx1 = x;
        } else if (morphIn !== undefined && morphIn[i] !== 0) {
          if (rx0 === sx) rx0 = x;
          rx1 = x;
        }
      }
      if (rx1 >= 0) {
        if (rx0 < x0) x0 = rx0;
        if (rx1 > x1) x1 = rx1;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
        sliceAny = true;
      }
    }
    if (sliceAny) {
      if (z < z0) z0 = z;
      z1 = z;
    }
  }
  if (bad < 0 && !intInput && count > 0) {
    for (let i = 0; i < n; i++) {
      const l = levels[i]!;
      if (l !== 0 && (roiMask === undefined || roiMask[i] !== 0) && !Number.isInteger(l)) {
        bad = i;
        break;
      }
    }
  }
  if (bad >= 0) {
    const x = bad % sx, y = Math.floor(bad / sx) % sy, z = Math.floor(bad / (sx * sy));
    throw new RadcamError('E_SETTINGS', 'texture grey levels must be integers in 1..nLevels inside the ROI', {
      expected: `1..${nLevels}`,
      found: `${levels[bad]} at voxel (${x}, ${y}, ${z})`,
    });
  }
  if (count === 0) {
    throw new RadcamError('E_EMPTY_ROI', 'the texture ROI is empty', {
      expected: 'at least one voxel with a grey level ≥ 1',
      found: '0',
    });
  }
  const remap = new Int32Array(nLevels + 1);
  let nPresent = 0;
  for (let l = 1; l <= nLevels; l++) if (present[l]) remap[l] = ++nPresent;
  const levelValue = new Float64Array(nPresent + 1);
  for (let l = 1; l <= nLevels; l++) if (present[l]) levelValue[remap[l]!] = l;

  const nx = x1 - x0 + 1 + 2 * pad;
  const ny = y1 - y0 + 1 + 2 * pad;
  const nz = z1 - z0 + 1 + 2 * pad;
  const g = new Int32Array(nx * ny * nz);
  const morph = new Uint8Array(nx * ny * nz);
  const roi = new Int32Array(count);
  const sliceStart = new Int32Array(nz + 1);
  let r = 0;
  for (let z = z0; z <= z1; z++) {
    const pz = z - z0 + pad;
    sliceStart[pz] = r;
    for (let y = y0; y <= y1; y++) {
      let src = x0 + sx * (y + sy * z);
      let dst = pad + nx * (y - y0 + pad + ny * pz);
      for (let x = x0; x <= x1; x++, src++, dst++) {
        const l = levels[src]!;
        const inRoi = l !== 0 && (!roiMask || roiMask[src] !== 0);
        if (inRoi) {
          g[dst] = remap[l]!;
          roi[r++] = dst;
        }
        if (morphIn ? morphIn[src] !== 0 : inRoi) morph[dst] = 1;
      }
    }
  }
  // Slices without ROI voxels (padding) get empty ranges.
  for (let z = 0; z <= nz; z++) {
    if (z < pad) sliceStart[z] = 0;
    else if (z > z1 - z0 + pad) sliceStart[z] = count;
  }
  return { g, morph, nx, ny, nz, pad, levelValue, nPresent, nLevels, roi, sliceStart, origin: [x0, y0, z0] };
}

/** The 13 unique 3D directions (one of each ±pair); the first 4 are the in-plane (2D) ones. */
export const DIRECTIONS_3D: ReadonlyArray<Readonly<Vec3>> = [
  [1, 0, 0],
  [1, 1, 0],
  [0, 1, 0],
  [-1, 1, 0],
  [0, 0, 1],
  [1, 0, 1],
  [-1, 0, 1],
  [0, 1, 1],
  [0, -1, 1],
  [1, 1, 1],
  [-1, 1, 1],
  [1, -1, 1],
  [-1, -1, 1],
];

/** The 4 in-plane directions used by 2D / 2.5D aggregation. */
export const DIRECTIONS_2D: ReadonlyArray<Readonly<Vec3>> = DIRECTIONS_3D.slice(0, 4);

/** Linear offset of a displacement on the padded grid. */
export function gridOffset(grid: Pick<TextureGrid, 'nx' | 'ny'>, dx: number, dy: number, dz: number): number {
  return dx + grid.nx * (dy + grid.ny * dz);
}

/**
 * Offsets of every displacement m ≠ 0 with Chebyshev norm ≤ `distance` (in-plane only when
 * `planar`), e.g. 26 (3D) or 8 (2D) offsets for distance 1.
 */
export function neighbourhoodOffsets(grid: Pick<TextureGrid, 'nx' | 'ny'>, distance: number, planar: boolean): Int32Array {
  const d = distance;
  const out: number[] = [];
  const zr = planar ? 0 : d;
  for (let dz = -zr; dz <= zr; dz++)
    for (let dy = -d; dy <= d; dy++)
      for (let dx = -d; dx <= d; dx++) {
        if (dx === 0 && dy === 0 && dz === 0) continue;
        out.push(gridOffset(grid, dx, dy, dz));
      }
  return Int32Array.from(out);
}

/** Slices (padded z) that hold at least one ROI voxel. */
export function roiSlices(grid: TextureGrid): number[] {
  const out: number[] = [];
  for (let z = 0; z < grid.nz; z++) if (grid.sliceStart[z + 1]! > grid.sliceStart[z]!) out.push(z);
  return out;
}

/** Throws `E_SETTINGS` unless `dir` is one of the 26 unit neighbour directions (components −1, 0, 1). */
export function checkDirection(dir: Readonly<Vec3>): void {
  const ok = Array.isArray(dir) && dir.length === 3 && dir.every((c) => c === -1 || c === 0 || c === 1) && dir.some((c) => c !== 0);
  if (!ok) {
    throw new RadcamError('E_SETTINGS', 'a texture direction must have components −1, 0 or 1 (not all 0)', { found: JSON.stringify(dir) });
  }
}
