/**
 * PyRadiomics' marching-cubes mesh: triangle table against rows of PyRadiomics' `cshape.c`
 * table (geometry: which edge midpoints form the triangles), and volume / area against closed-form
 * values. Case-level parity with PyRadiomics is in pyradiomics-baseline.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { pyradiomicsCubeTriangles, pyradiomicsMesh } from './marching-cubes.js';

/** Triangles as sorted edge triples, sorted: orientation-free geometry. */
const geometry = (tris: ReadonlyArray<readonly number[]>): string[] => tris.map((t) => [...t].sort((a, b) => a - b).join(',')).sort();

function padded(nx: number, ny: number, nz: number, inside: (x: number, y: number, z: number) => boolean): { m: Uint8Array; n: [number, number, number] } {
  const n: [number, number, number] = [nx + 2, ny + 2, nz + 2];
  const m = new Uint8Array(n[0] * n[1] * n[2]);
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    if (inside(x, y, z)) m[x + 1 + n[0] * (y + 1 + n[1] * (z + 1))] = 1;
  }
  return { m, n };
}

describe('PyRadiomics cube triangulation', () => {
  // rows of PyRadiomics' triTable (radiomics/src/cshape.c), as edge-midpoint triples
  const rows: Record<number, number[][]> = {
    1: [[0, 8, 3]],
    3: [[1, 8, 3], [1, 9, 8]],
    7: [[2, 8, 3], [2, 10, 8], [10, 9, 8]],
    30: [[4, 7, 8], [9, 0, 3], [3, 11, 9], [11, 10, 9]], // re-triangulated vs Bourke
    45: [[5, 4, 9], [10, 1, 0], [0, 8, 10], [8, 11, 10]], // re-triangulated vs Bourke
    58: [[11, 2, 3], [0, 1, 8], [1, 7, 8], [1, 5, 7]], // kept from Bourke
    105: [[11, 2, 0], [0, 8, 11], [10, 4, 9], [6, 4, 10]],
    127: [[6, 7, 11]],
  };
  it.each(Object.keys(rows).map(Number))('configuration %i matches cshape.c', (c) => {
    expect(geometry(pyradiomicsCubeTriangles(c))).toEqual(geometry(rows[c]!));
  });

  it('a configuration with corner 7 inside uses its complement triangles', () => {
    for (const c of [128, 200, 254]) expect(geometry(pyradiomicsCubeTriangles(c))).toEqual(geometry(pyradiomicsCubeTriangles(c ^ 0xff)));
  });

  it('every configuration triangulates exactly its crossing edges', () => {
    const ea = [0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3], eb = [1, 2, 3, 0, 5, 6, 7, 4, 4, 5, 6, 7];
    for (let c = 0; c < 256; c++) {
      const used = new Set(pyradiomicsCubeTriangles(c).flat());
      const crossing = new Set([...Array(12).keys()].filter((e) => ((c >> ea[e]!) & 1) !== ((c >> eb[e]!) & 1)));
      expect([...used].sort()).toEqual([...crossing].sort());
    }
  });
});

describe('pyradiomicsMesh', () => {
  it('single voxel: octahedron with vertices at the face centres', () => {
    const sp: [number, number, number] = [0.7, 1.1, 2.5];
    const { m, n } = padded(1, 1, 1, () => true);
    const { volume, area } = pyradiomicsMesh(m, n, sp);
    // volume = (4/3)·(a/2)(b/2)(c/2); each face is the triangle of the three half-axes
    expect(volume).toBeCloseTo((sp[0] * sp[1] * sp[2]) / 6, 12);
    const [a, b, c] = sp.map((s) => s / 2) as [number, number, number];
    const face = 0.5 * Math.sqrt((a * b) ** 2 + (b * c) ** 2 + (a * c) ** 2);
    expect(area).toBeCloseTo(8 * face, 12);
  });

  it('two voxels along x: octahedra joined through a square', () => {
    // hull of (−½,0,0), (3/2,0,0), (0|1, ±½, 0), (0|1, 0, ±½): a square prism with pyramids,
    // volume = 2 pyramids (base ½, height ½) + prism (cross-section ½, length 1) = 1/6 + 1/2
    const { m, n } = padded(2, 1, 1, () => true);
    const { volume, area } = pyradiomicsMesh(m, n, [1, 1, 1]);
    expect(volume).toBeCloseTo(1 / 6 + 1 / 2, 12);
    // 8 pyramid faces (equilateral, side √½) + 4 prism faces (1 × √½)
    expect(area).toBeCloseTo(8 * (Math.sqrt(3) / 4) * 0.5 + 4 * Math.SQRT1_2, 12);
  });
});
