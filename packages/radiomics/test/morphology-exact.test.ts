/**
 * Exact Moran's I / Geary's C by FFT against an explicit all-pairs sum written out here, the
 * Lewiner marching-cubes table against analytic meshes and closure, and the counting sort of
 * integer intensities against a comparison sort.
 */
import { describe, expect, it } from 'vitest';
import { createRng, createVolume } from '@radcam/core';
import { LEWINER_TABLE, meshMeasures, morphologyFeatures, percentileSorted } from '../src/index.js';
import { gridAutocorrelation } from '../src/morphology/autocorrelation.js';
import { sortedCopy } from '../src/roi.js';

/** IBSI 1 definitions, literally: all ordered pairs i ≠ j, w = 1/‖r_i − r_j‖ in mm. */
function bruteForce(idx: Int32Array, v: Float64Array, size: number[], sp: number[]): { moran: number; geary: number } {
  const n = idx.length;
  const mu = v.reduce((a, b) => a + b, 0) / n;
  const xyz = Array.from(idx, (l) => [(l % size[0]!) * sp[0]!, (Math.floor(l / size[0]!) % size[1]!) * sp[1]!, Math.floor(l / (size[0]! * size[1]!)) * sp[2]!]);
  let W = 0, num = 0, gnum = 0, ss = 0;
  for (let i = 0; i < n; i++) {
    ss += (v[i]! - mu) ** 2;
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const w = 1 / Math.hypot(xyz[i]![0]! - xyz[j]![0]!, xyz[i]![1]! - xyz[j]![1]!, xyz[i]![2]! - xyz[j]![2]!);
      W += w;
      num += w * (v[i]! - mu) * (v[j]! - mu);
      gnum += w * (v[i]! - v[j]!) ** 2;
    }
  }
  return { moran: (n / W) * (num / ss), geary: ((n - 1) / (2 * W)) * (gnum / ss) };
}

function randomRoi(size: [number, number, number], seed: number, fill = 0.6) {
  const rng = createRng(seed);
  const [nx, ny, nz] = size;
  const mask = new Uint8Array(nx * ny * nz);
  const img = new Float32Array(nx * ny * nz);
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const l = i + nx * (j + ny * k);
    mask[l] = rng.next() < fill ? 1 : 0;
    img[l] = Math.round(50 * Math.sin(i / 3) + 20 * Math.cos(j / 2 + k) + 10 * rng.normal());
  }
  return { mask, img };
}

describe("exact Moran's I and Geary's C (FFT)", () => {
  it('equals the all-pairs sum on an irregular ROI with anisotropic spacing', () => {
    const size: [number, number, number] = [17, 13, 6];
    const sp = [0.8, 1.1, 2.5];
    const { mask, img } = randomRoi(size, 3);
    const idx = Int32Array.from([...mask.keys()].filter((l) => mask[l]));
    const v = Float64Array.from(idx, (l) => img[l]!);
    const g = gridAutocorrelation(idx, v, size, sp);
    const b = bruteForce(idx, v, size, sp);
    expect(Math.abs(g.moran - b.moran)).toBeLessThan(1e-10 * Math.max(1, Math.abs(b.moran)));
    expect(Math.abs(g.geary - b.geary)).toBeLessThan(1e-10 * b.geary);
  });

  it('one-slice ROI (2D FFT box) and the morphology extractor path above the direct-sum size', () => {
    for (const [size, sp] of [[[60, 45, 1], [0.7, 0.7, 3]], [[16, 15, 12], [1, 1, 1]]] as [[number, number, number], number[]][]) {
      const { mask, img } = randomRoi(size, 5, 0.9);
      const idx = Int32Array.from([...mask.keys()].filter((l) => mask[l]));
      expect(idx.length).toBeGreaterThan(2000); // beyond the direct O(n²) path
      const v = Float64Array.from(idx, (l) => img[l]!);
      const b = bruteForce(idx, v, size, sp);
      const spacing = sp as [number, number, number];
      const r = morphologyFeatures(createVolume(img, size, { spacing }), createVolume(mask, size, { spacing }));
      expect(r.diagnostics.moran_method).toBe('fft');
      expect(Math.abs(r.features.morph_moran_i! - b.moran)).toBeLessThan(1e-9);
      expect(Math.abs(r.features.morph_geary_c! - b.geary)).toBeLessThan(1e-9);
    }
  });
});

describe('Lewiner marching-cubes table (binary masks)', () => {
  it('has 256 cases, empty for the all-outside and all-inside cube', () => {
    expect(LEWINER_TABLE).toHaveLength(256);
    expect(LEWINER_TABLE[0]).toBe('');
    expect(LEWINER_TABLE[255]).toBe('');
    for (const c of LEWINER_TABLE) expect(c.length % 3).toBe(0);
  });

  it('single voxel → the octahedron through the face centres (V = 1/6, A = √3)', () => {
    const m = new Uint8Array(27);
    m[13] = 1;
    const r = meshMeasures(m, [3, 3, 3], [1, 1, 1], 'lewiner');
    expect(r.volume).toBeCloseTo(1 / 6, 12);
    expect(r.signedVolume).toBeCloseTo(1 / 6, 12);
    expect(r.area).toBeCloseTo(Math.sqrt(3), 12);
  });

  it('random masks: closed, consistently oriented meshes (signed volume > 0, translation invariant)', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const n = 7;
      const { mask } = randomRoi([n, n, n], seed, 0.5);
      const place = (off: number, N: number) => {
        const out = new Uint8Array(N * N * N);
        for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
          out[i + off + N * (j + off + N * (k + off))] = mask[i + n * (j + n * k)]!;
        }
        return out;
      };
      const a = meshMeasures(place(1, n + 2), [n + 2, n + 2, n + 2], [1, 1.5, 2], 'lewiner');
      const b = meshMeasures(place(3, n + 6), [n + 6, n + 6, n + 6], [1, 1.5, 2], 'lewiner');
      expect(a.signedVolume).toBeGreaterThan(0);
      expect(b.signedVolume).toBeCloseTo(a.signedVolume, 9);
      expect(b.area).toBeCloseTo(a.area, 9);
    }
  });
});

describe('sortedCopy (counting sort for integer data)', () => {
  it('matches a comparison sort, and percentiles agree', () => {
    const rng = createRng(9);
    for (const [n, scale, integral] of [[5000, 1000, true], [3000, 10, true], [2000, 100, false]] as const) {
      const v = Float64Array.from({ length: n }, () => (integral ? Math.round(scale * rng.normal()) + 0 : scale * rng.normal()));
      const ref = Float64Array.from(v).sort();
      const got = sortedCopy(v);
      expect(Array.from(got)).toEqual(Array.from(ref));
      for (const p of [10, 25, 50, 75, 90]) expect(percentileSorted(got, p)).toBe(percentileSorted(ref, p));
    }
  });
});
