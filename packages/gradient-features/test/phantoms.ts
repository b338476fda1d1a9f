/** Analytic phantoms for the tests: intensity and mask are functions of the world LPS position. */
import { createVolume, indexToWorld, type Mask, type Vec3, type Volume } from '@radcam/core';

export interface PhantomGrid {
  size: Vec3;
  spacing: Vec3;
  origin?: Vec3;
  direction?: number[];
}

export function phantom(
  grid: PhantomGrid,
  intensity: (x: number, y: number, z: number) => number,
  inside: (x: number, y: number, z: number) => boolean,
): { image: Volume<Float32Array>; mask: Mask } {
  const [nx, ny, nz] = grid.size;
  const img = new Float32Array(nx * ny * nz);
  const msk = new Uint8Array(nx * ny * nz);
  const opts = { spacing: grid.spacing, origin: grid.origin ?? [0, 0, 0] as Vec3, direction: grid.direction ?? [1, 0, 0, 0, 1, 0, 0, 0, 1] };
  const geom = createVolume(new Uint8Array(nx * ny * nz), grid.size, opts);
  const w: Vec3 = [0, 0, 0];
  let p = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, p++) {
        indexToWorld(geom, [i, j, k], w);
        img[p] = intensity(w[0], w[1], w[2]);
        msk[p] = inside(w[0], w[1], w[2]) ? 1 : 0;
      }
    }
  }
  return { image: createVolume(img, grid.size, opts), mask: createVolume(msk, grid.size, opts) };
}

/**
 * An isotropic-world grid of half-width `halfMm` around `centre` with the given spacing; the
 * grid is shifted by a fraction of a voxel so the centre is not on a voxel centre.
 */
export function gridAround(centre: Vec3, halfMm: number, spacing: Vec3, direction?: number[]): PhantomGrid {
  const size = spacing.map((s) => 2 * Math.ceil(halfMm / s) + 1) as Vec3;
  const dir = direction ?? [1, 0, 0, 0, 1, 0, 0, 0, 1];
  // origin = centre − D·(half extent) + a small world shift
  const half = size.map((n, c) => ((n - 1) / 2) * spacing[c]!);
  const origin: Vec3 = [0, 0, 0];
  for (let r = 0; r < 3; r++) {
    origin[r] = centre[r]! + [0.137, -0.071, 0.093][r]! * Math.min(...spacing);
    for (let c = 0; c < 3; c++) origin[r] = origin[r]! - dir[3 * r + c]! * half[c]!;
  }
  return { size, spacing, origin, direction: dir };
}

export const dist = (c: Vec3) => (x: number, y: number, z: number) => Math.hypot(x - c[0], y - c[1], z - c[2]);

export const ballVolume = (r: number) => (4 / 3) * Math.PI * r ** 3;
