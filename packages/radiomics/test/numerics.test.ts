import { describe, expect, it } from 'vitest';
import { createRng } from '@radcam/core';
import { convexHull3D, discretise, ellipsoidAreaLegendre, symmetricEigenvalues3, MC_LOOPS, spatialAutocorrelation, ivhFeatures } from '../src/index.js';

describe('discretisation (IBSI 1 §2.7 formulas)', () => {
  it('fixed bin number: floor(Ng (x − min)/(max − min)) + 1, max → Ng', () => {
    const d = discretise([0, 1, 2.5, 5, 10], { method: 'fbn', bins: 4 });
    // 4·x/10 → 0, 0.4, 1, 2, 4 → levels 1, 1, 2, 3, 4(clipped)
    expect(Array.from(d.levels)).toEqual([1, 1, 2, 3, 4]);
    expect(d.nLevels).toBe(4);
  });
  it('fixed bin size with the re-segmentation lower bound', () => {
    const d = discretise([-500, -476, -475, 399, 400], { method: 'fbs', binWidth: 25, lowerBound: -500 });
    expect(Array.from(d.levels)).toEqual([1, 1, 2, 36, 37]);
  });
  it('fixed bin size without a bound uses the ROI minimum', () => {
    expect(Array.from(discretise([3, 4, 5.5], { method: 'fbs', binWidth: 2 }).levels)).toEqual([1, 1, 2]);
  });
  it('none keeps integer levels and rejects others', () => {
    expect(Array.from(discretise([1, 6, 3], { method: 'none' }).levels)).toEqual([1, 6, 3]);
    expect(() => discretise([0.5], { method: 'none' })).toThrow(expect.objectContaining({ code: 'E_SETTINGS' }));
    expect(() => discretise([1], { method: 'fbn', bins: 0 })).toThrow(expect.objectContaining({ code: 'E_SETTINGS' }));
  });
});

describe('geometry helpers', () => {
  it('ellipsoid area: sphere 4πr²; the IBSI Legendre series evaluated directly', () => {
    expect(ellipsoidAreaLegendre(2, 2, 2)).toBeCloseTo(16 * Math.PI, 10);
    // Direct evaluation of IBSI's series: 4πab Σ_{ν≤20} (αβ)^ν/(1−4ν²) P_ν((α²+β²)/(2αβ))
    const a = 3, b = 2.5, c = 2;
    const al = Math.sqrt(1 - (b * b) / (a * a)), be = Math.sqrt(1 - (c * c) / (a * a));
    const x = (al * al + be * be) / (2 * al * be);
    const P = [1, x];
    for (let n = 1; n < 20; n++) P.push(((2 * n + 1) * x * P[n]! - n * P[n - 1]!) / (n + 1));
    let sum = 0;
    for (let n = 0; n <= 20; n++) sum += ((al * be) ** n / (1 - 4 * n * n)) * P[n]!;
    expect(ellipsoidAreaLegendre(a, b, c)).toBeCloseTo(4 * Math.PI * a * b * sum, 9);
  });
  it('symmetric 3×3 eigenvalues', () => {
    expect(symmetricEigenvalues3(2, 3, 1, 0, 0, 0)).toEqual([3, 2, 1]);
    const [l1, l2, l3] = symmetricEigenvalues3(2, 2, 3, 1, 0, 0); // eigenvalues 3, 3, 1
    expect(l1).toBeCloseTo(3, 6);
    expect(l2).toBeCloseTo(3, 6);
    expect(l3).toBeCloseTo(1, 6);
  });
  it('marching-cubes loops: every crossed edge is used exactly once in every case', () => {
    for (let c = 0; c < 256; c++) {
      let crossed = 0;
      for (const [a, b] of [[0, 1], [0, 2], [0, 4], [1, 3], [1, 5], [2, 3], [2, 6], [3, 7], [4, 5], [4, 6], [5, 7], [6, 7]] as const) {
        if (((c >> a) & 1) !== ((c >> b) & 1)) crossed++;
      }
      const used = MC_LOOPS[c]!.reduce((s, l) => s + l.length, 0);
      expect(used).toBe(crossed);
    }
  });
});

describe('convex hull (Quickhull, exact integer predicates)', () => {
  it('cube corners plus interior and face points → volume 8, area 24, 8 vertices', () => {
    const pts: number[] = [];
    for (const x of [0, 2]) for (const y of [0, 2]) for (const z of [0, 2]) pts.push(x, y, z);
    const rng = createRng(3);
    for (let i = 0; i < 200; i++) pts.push(rng.int(3), rng.int(3), rng.int(3));
    const h = convexHull3D(Float64Array.from(pts), pts.length / 3)!;
    expect(h.vertices.length).toBe(8);
    let v6 = 0, a2 = 0;
    const P = (i: number) => [pts[3 * i]!, pts[3 * i + 1]!, pts[3 * i + 2]!];
    for (let t = 0; t < h.faces.length; t += 3) {
      const [a, b, c] = [P(h.faces[t]!), P(h.faces[t + 1]!), P(h.faces[t + 2]!)] as [number[], number[], number[]];
      v6 += a[0]! * (b[1]! * c[2]! - b[2]! * c[1]!) + a[1]! * (b[2]! * c[0]! - b[0]! * c[2]!) + a[2]! * (b[0]! * c[1]! - b[1]! * c[0]!);
      const u = [b[0]! - a[0]!, b[1]! - a[1]!, b[2]! - a[2]!], w = [c[0]! - a[0]!, c[1]! - a[1]!, c[2]! - a[2]!];
      a2 += Math.hypot(u[1]! * w[2]! - u[2]! * w[1]!, u[2]! * w[0]! - u[0]! * w[2]!, u[0]! * w[1]! - u[1]! * w[0]!);
    }
    expect(Math.abs(v6) / 6).toBeCloseTo(8, 12);
    expect(a2 / 2).toBeCloseTo(24, 12);
  });
  it('random points: all points lie inside or on every hull face', () => {
    const rng = createRng(11);
    const n = 2000;
    const pts = new Float64Array(3 * n);
    for (let i = 0; i < 3 * n; i++) pts[i] = rng.int(61) - 30;
    const h = convexHull3D(pts, n)!;
    const F = h.faces;
    for (let t = 0; t < F.length; t += 3) {
      const a = F[t]!, b = F[t + 1]!, c = F[t + 2]!;
      const ux = pts[3 * b]! - pts[3 * a]!, uy = pts[3 * b + 1]! - pts[3 * a + 1]!, uz = pts[3 * b + 2]! - pts[3 * a + 2]!;
      const vx = pts[3 * c]! - pts[3 * a]!, vy = pts[3 * c + 1]! - pts[3 * a + 1]!, vz = pts[3 * c + 2]! - pts[3 * a + 2]!;
      const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
      const d = nx * pts[3 * a]! + ny * pts[3 * a + 1]! + nz * pts[3 * a + 2]!;
      for (let i = 0; i < n; i++) expect(nx * pts[3 * i]! + ny * pts[3 * i + 1]! + nz * pts[3 * i + 2]! - d).toBeLessThanOrEqual(0);
    }
  });
  it('coplanar input → null', () => {
    expect(convexHull3D(Float64Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0]), 4)).toBeNull();
  });
});

describe("Moran's I / Geary's C", () => {
  it('two voxels: I = −1 and C = 1 by the definitions (any distance)', () => {
    // N = 2, w12 = w21 = 1/d: I = (2 / (2w)) · (2w·(a)(−a)) / (2a²) = −1; C = (1/(4w))·(2w·(2a)²)/(2a²) = 1
    const r = spatialAutocorrelation(Float64Array.from([0, 0, 0, 3, 0, 0]), Float64Array.from([1, 5]));
    expect(r.moran).toBeCloseTo(-1, 12);
    expect(r.geary).toBeCloseTo(1, 12);
  });
  it('sampled mode (an approximation) stays close to the exact value on a smooth field', () => {
    const n = 3000;
    const xyz = new Float64Array(3 * n), v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x = i % 15, y = Math.floor(i / 15) % 20, z = Math.floor(i / 300);
      xyz[3 * i] = x; xyz[3 * i + 1] = y; xyz[3 * i + 2] = z;
      v[i] = Math.sin(x / 3) + Math.cos(y / 4) + z / 5;
    }
    const exact = spatialAutocorrelation(xyz, v, { moran: 'exact' });
    const approx = spatialAutocorrelation(xyz, v, { moran: 'sampled', moranSampleSize: 1500, seed: 1 });
    expect(approx.method).toBe('sampled');
    expect(Math.abs(approx.moran - exact.moran)).toBeLessThan(0.02);
    expect(Math.abs(approx.geary - exact.geary) / exact.geary).toBeLessThan(0.05);
  });
});

describe('IVH', () => {
  it('IBSI example table of the digital phantom (ν at i = 1…6)', () => {
    // 50 × 1, 1 × 3, 16 × 4, 7 × 6 → ν(2) = 24/74, ν(4) = 23/74, ν(5) = 7/74
    const vals = Float64Array.from([...Array(50).fill(1), 3, ...Array(16).fill(4), ...Array(7).fill(6)]);
    const r = ivhFeatures(vals, { method: 'none' });
    expect(r.features.ivh_v10).toBeCloseTo(24 / 74, 12);
    expect(r.features.ivh_v90).toBeCloseTo(7 / 74, 12);
    expect(r.features.ivh_i10).toBe(5);
    expect(r.features.ivh_i90).toBe(2);
  });
});
