/**
 * Internal consistency of the fast paths (branch-free whole-volume run lengths, triangular
 * symmetric GLCM, union-find zone labelling, compact grey-level remapping) against identities
 * that hold by definition. The IBSI references are checked in ibsi-phantom.test.ts / matrices.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createExtractionContext, createRng, createVolume, type Vec3 } from '@radcam/core';
import {
  borderDistance, buildGlcm, buildGlrlm, buildGlszm, buildTextureGrid, DIRECTIONS_2D, glcmExtractor, glcmFeatures, glcmWorkspace, GLCM_FEATURES, matrixEntries,
  textureExtractors, type TextureMatrix,
} from './index.js';
import { loadPhantom } from './phantom.testutil.js';
import { neighbourhoodOffsets, roiSlices } from './grid.js';
import { accumulateNgtdm, accumulateNgtdmSeparable, type NgtdmAccumulator } from './ngtdm.js';

function randomCase(seed: number, size: Vec3, nLevels: number): Int32Array {
  const rng = createRng(seed);
  const n = size[0] * size[1] * size[2];
  const levels = new Int32Array(n);
  for (let i = 0; i < n; i++) if (rng.next() < 0.8) levels[i] = 1 + rng.int(nLevels);
  return levels;
}

function sumEntries(ms: TextureMatrix[]): Array<[number, number, number]> {
  const acc = new Map<string, number>();
  for (const m of ms) for (const [a, b, c] of matrixEntries(m)) acc.set(`${a},${b}`, (acc.get(`${a},${b}`) ?? 0) + c);
  return [...acc].map(([k, c]) => [...k.split(',').map(Number), c] as [number, number, number]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

describe('texture fast paths', () => {
  const size: Vec3 = [9, 7, 6];
  const levels = randomCase(3, size, 4);

  it('whole-volume GLRLM / GLCM of an in-plane direction equals the sum of its slice matrices', () => {
    for (const dir of DIRECTIONS_2D) {
      const volRl = matrixEntries(buildGlrlm(levels, size, 4, { directions: [dir] }));
      const sliceRl = sumEntries([0, 1, 2, 3, 4, 5].map((z) => buildGlrlm(levels, size, 4, { slice: z, directions: [dir] })));
      expect(volRl).toEqual(sliceRl);
      const volCm = matrixEntries(buildGlcm(levels, size, 4, { directions: [dir] }));
      const sliceCm = sumEntries([0, 1, 2, 3, 4, 5].map((z) => buildGlcm(levels, size, 4, { slice: z, directions: [dir] })));
      expect(volCm).toEqual(sliceCm);
    }
  });

  it('symmetric GLCM = non-symmetric GLCM + its transpose; run lengths and zone sizes add up to N_v', () => {
    const sym = matrixEntries(buildGlcm(levels, size, 4, { symmetric: true }));
    const asym = matrixEntries(buildGlcm(levels, size, 4, { symmetric: false }));
    const both = new Map<string, number>();
    for (const [i, j, c] of asym) {
      both.set(`${i},${j}`, (both.get(`${i},${j}`) ?? 0) + c);
      both.set(`${j},${i}`, (both.get(`${j},${i}`) ?? 0) + c);
    }
    expect(sym).toEqual([...both].map(([k, c]) => [...k.split(',').map(Number), c]).sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!));
    const nv = levels.reduce((s, l) => s + (l > 0 ? 1 : 0), 0);
    const rl = buildGlrlm(levels, size, 4);
    expect(matrixEntries(rl).reduce((s, [, r, c]) => s + r * c, 0)).toBe(13 * nv);
    expect(matrixEntries(buildGlszm(levels, size, 4)).reduce((s, [, z, c]) => s + z * c, 0)).toBe(nv);
    for (let z = 0; z < 6; z++) {
      const nz = levels.slice(z * 63, z * 63 + 63).reduce((s, l) => s + (l > 0 ? 1 : 0), 0);
      expect(matrixEntries(buildGlszm(levels, size, 4, { slice: z })).reduce((s, [, zz, c]) => s + zz * c, 0)).toBe(nz);
    }
  });

  it('zone labelling matches a plain flood fill (δ = 1 and 2, 2D and 3D)', () => {
    // Reference: breadth-first flood fill over the Chebyshev neighbourhood, written independently here.
    const floodZones = (lv: Int32Array, sz: Vec3, delta: number, slice: number | undefined): string[] => {
      const [X, Y, Z] = sz;
      const seen = new Uint8Array(lv.length);
      const zones: string[] = [];
      for (let i = 0; i < lv.length; i++) {
        const z0 = Math.floor(i / (X * Y));
        if (lv[i] === 0 || seen[i] || (slice !== undefined && z0 !== slice)) continue;
        const queue = [i];
        seen[i] = 1;
        let n = 0;
        while (queue.length) {
          const u = queue.pop()!;
          n++;
          const ux = u % X, uy = Math.floor(u / X) % Y, uz = Math.floor(u / (X * Y));
          const dzr = slice !== undefined ? 0 : delta;
          for (let dz = -dzr; dz <= dzr; dz++) for (let dy = -delta; dy <= delta; dy++) for (let dx = -delta; dx <= delta; dx++) {
            const x = ux + dx, y = uy + dy, z = uz + dz;
            if (x < 0 || y < 0 || z < 0 || x >= X || y >= Y || z >= Z) continue;
            const w = x + X * (y + Y * z);
            if (!seen[w] && lv[w] === lv[i]) {
              seen[w] = 1;
              queue.push(w);
            }
          }
        }
        zones.push(`${lv[i]}:${n}`);
      }
      return zones.sort();
    };
    const fromMatrix = (m: TextureMatrix): string[] =>
      matrixEntries(m).flatMap(([l, sz, c]) => new Array(c).fill(`${l}:${sz}`)).sort();
    for (const seed of [5, 6, 7]) {
      const sz: Vec3 = [11, 9, 7];
      const lv = randomCase(seed, sz, 3);
      for (const delta of [1, 2]) {
        expect(fromMatrix(buildGlszm(lv, sz, 3, { distance: delta }))).toEqual(floodZones(lv, sz, delta, undefined));
        for (const z of [0, 3, 6]) {
          expect(fromMatrix(buildGlszm(lv, sz, 3, { distance: delta, slice: z }))).toEqual(floodZones(lv, sz, delta, z));
        }
      }
    }
  });

  it('border distance equals the brute-force Manhattan distance to the nearest outside voxel', () => {
    const sz: Vec3 = [8, 7, 6];
    const rng = createRng(9);
    const lv = new Int32Array(8 * 7 * 6);
    for (let i = 0; i < lv.length; i++) if (rng.next() < 0.85) lv[i] = 1;
    const grid = buildTextureGrid(lv, sz, 1, { pad: 1 });
    for (const planar of [false, true]) {
      const dist = borderDistance(grid, planar);
      for (let z = 0; z < 6; z++) for (let y = 0; y < 7; y++) for (let x = 0; x < 8; x++) {
        if (!lv[x + 8 * (y + 7 * z)]) continue;
        // Outside voxels include everything beyond the image border.
        let best = planar ? Math.min(x + 1, 8 - x, y + 1, 7 - y) : Math.min(x + 1, 8 - x, y + 1, 7 - y, z + 1, 6 - z);
        for (let zz = 0; zz < 6; zz++) for (let yy = 0; yy < 7; yy++) for (let xx = 0; xx < 8; xx++) {
          if (lv[xx + 8 * (yy + 7 * zz)] || (planar && zz !== z)) continue;
          best = Math.min(best, Math.abs(xx - x) + Math.abs(yy - y) + Math.abs(zz - z));
        }
        const p = grid.pad;
        const v = x - grid.origin[0] + p + grid.nx * (y - grid.origin[1] + p + grid.ny * (z - grid.origin[2] + p));
        expect(dist[v], `(${x},${y},${z}) planar=${planar}`).toBe(best);
      }
    }
  });

  it('NGTDM from separable box sums equals the direct neighbour loop (δ = 1, 2; 2D and 3D)', () => {
    const sz: Vec3 = [10, 9, 7];
    const lv = randomCase(21, sz, 9);
    for (const delta of [1, 2]) {
      const grid = buildTextureGrid(lv, sz, 9, { pad: delta });
      const mk = (): NgtdmAccumulator => ({ n: new Float64Array(grid.nPresent + 1), s: new Float64Array(grid.nPresent + 1) });
      for (const planar of [false, true]) {
        const slices = roiSlices(grid);
        const fast = new Map(slices.map((z) => [z, mk()]));
        const whole = mk();
        expect(accumulateNgtdmSeparable(grid, delta, planar, planar ? slices : null, (z) => (planar ? fast.get(z)! : whole))).toBe(true);
        const offs = neighbourhoodOffsets(grid, delta, planar);
        if (planar) {
          for (const z of slices) {
            const ref = mk();
            accumulateNgtdm(grid, offs, z, ref);
            expect(Array.from(fast.get(z)!.n)).toEqual(Array.from(ref.n));
            fast.get(z)!.s.forEach((v, i) => expect(v).toBeCloseTo(ref.s[i]!, 10));
          }
        } else {
          const ref = mk();
          accumulateNgtdm(grid, offs, -1, ref);
          expect(Array.from(whole.n)).toEqual(Array.from(ref.n));
          whole.s.forEach((v, i) => expect(v).toBeCloseTo(ref.s[i]!, 10));
        }
      }
    }
  });

  it('GLCM features of the expanded full matrix equal those of the triangular storage', () => {
    const { image, mask, levels: lv } = loadPhantom();
    const f = glcmExtractor.extract(createExtractionContext(image, mask), { aggregations: ['3D_comb'] }).features;
    const full = buildGlcm(lv, image.size, 6);
    const out = new Float64Array(GLCM_FEATURES.length);
    glcmFeatures(full.counts, 6, out, glcmWorkspace(full.rowLevels, 6), false);
    GLCM_FEATURES.forEach((name, k) => expect(out[k], name).toBeCloseTo(f[`cm_${name}_3D_comb`]!, 12));
  });

  it('a large N_g with few present grey levels: only the N_g-normalised GLCM features change', () => {
    const { image, mask } = loadPhantom();
    const small = glcmExtractor.extract(createExtractionContext(image, mask)).features;
    const t0 = performance.now();
    const large = glcmExtractor.extract(createExtractionContext(image, mask), { nLevels: 100_000 }).features;
    expect(performance.now() - t0).toBeLessThan(2000);
    for (const k of Object.keys(small)) {
      if (k.startsWith('cm_inv_diff_norm_') || k.startsWith('cm_inv_diff_mom_norm_')) {
        expect(large[k]!, k).toBeGreaterThan(small[k]!);
      } else if (Number.isNaN(small[k])) expect(large[k], k).toBeNaN();
      else expect(large[k], k).toBe(small[k]);
    }
    // All six families run with 100 000 levels (compact matrices) and give finite values.
    for (const ex of textureExtractors) {
      const f = ex.extract(createExtractionContext(image, mask), { nLevels: 100_000 }).features;
      for (const [k, v] of Object.entries(f)) expect(Number.isFinite(v), k).toBe(true);
    }
  });

  it('is deterministic and leaves its inputs untouched', () => {
    const image = createVolume(Float32Array.from(levels, (l) => (l > 0 ? l : 1)), size);
    const mask = createVolume(Uint8Array.from(levels, (l) => (l > 0 ? 1 : 0)), size);
    const imgCopy = image.data.slice();
    const maskCopy = mask.data.slice();
    for (const ex of textureExtractors) {
      const a = ex.extract(createExtractionContext(image, mask)).features;
      const b = ex.extract(createExtractionContext(image, mask)).features;
      expect(b).toEqual(a);
    }
    expect(image.data).toEqual(imgCopy);
    expect(mask.data).toEqual(maskCopy);
  });
});
