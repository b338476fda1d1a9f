/**
 * PyRadiomics 3D shape features (`shape.py` + `cshape.c`): PyRadiomics' own marching-cubes mesh
 * of the ROI (`./marching-cubes.ts`; vertices at edge midpoints of the 1-voxel zero-padded mask)
 * gives MeshVolume and SurfaceArea;
 * the diameters are the largest distances between mesh vertices (in one axial slice, one
 * coronal row, one sagittal column, or anywhere); axis lengths come from the eigenvalues of the
 * population covariance of the ROI voxel centres in mm.
 */
import { pyradiomicsMesh } from './marching-cubes.js';
import { symmetricEigenvalues } from './numeric.js';

export const SHAPE_NAMES = [
  'MeshVolume', 'VoxelVolume', 'SurfaceArea', 'SurfaceVolumeRatio', 'Sphericity', 'Maximum3DDiameter',
  'Maximum2DDiameterSlice', 'Maximum2DDiameterColumn', 'Maximum2DDiameterRow', 'MajorAxisLength',
  'MinorAxisLength', 'LeastAxisLength', 'Elongation', 'Flatness',
] as const;

/** Padded copy (one empty voxel on every side) of a binary box. */
function pad1(mask: Uint8Array, nx: number, ny: number, nz: number): { m: Uint8Array; n: [number, number, number] } {
  const px = nx + 2, py = ny + 2, pz = nz + 2;
  const m = new Uint8Array(px * py * pz);
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const s = nx * (y + ny * z);
      const d = 1 + px * (y + 1 + py * (z + 1));
      for (let x = 0; x < nx; x++) m[d + x] = mask[s + x] ? 1 : 0;
    }
  }
  return { m, n: [px, py, pz] };
}

/** Largest vertex–vertex distances: [slice (same z), column (same y), row (same x), 3D]. */
export function meshDiameters(mask: Uint8Array, nx: number, ny: number, nz: number, spacing: readonly [number, number, number]): [number, number, number, number] {
  const { m, n } = pad1(mask, nx, ny, nz);
  const [px, py, pz] = n;
  // vertices: midpoints of edges joining an inside and an outside voxel (doubled index coordinates),
  // the vertex set of PyRadiomics' mesh (cshape.c stores one vertex per crossing grid edge)
  const sx = 1, sy = px, sz = px * py;
  let nv = 0;
  for (let p = 0; p < m.length; p++) {
    const a = m[p]!;
    const x = p % px, y = Math.floor(p / px) % py, z = Math.floor(p / sz);
    if (x + 1 < px && a !== m[p + sx]) nv++;
    if (y + 1 < py && a !== m[p + sy]) nv++;
    if (z + 1 < pz && a !== m[p + sz]) nv++;
  }
  const KX = new Int32Array(nv), KY = new Int32Array(nv), KZ = new Int32Array(nv);
  let k = 0;
  for (let z = 0; z < pz; z++) {
    for (let y = 0; y < py; y++) {
      for (let x = 0; x < px; x++) {
        const p = x + px * (y + py * z);
        const a = m[p]!;
        if (x + 1 < px && a !== m[p + sx]) { KX[k] = 2 * x + 1; KY[k] = 2 * y; KZ[k++] = 2 * z; }
        if (y + 1 < py && a !== m[p + sy]) { KX[k] = 2 * x; KY[k] = 2 * y + 1; KZ[k++] = 2 * z; }
        if (z + 1 < pz && a !== m[p + sz]) { KX[k] = 2 * x; KY[k] = 2 * y; KZ[k++] = 2 * z + 1; }
      }
    }
  }
  const X = new Float64Array(nv), Y = new Float64Array(nv), Z = new Float64Array(nv);
  for (let i = 0; i < nv; i++) {
    X[i] = (KX[i]! / 2) * spacing[0];
    Y[i] = (KY[i]! / 2) * spacing[1];
    Z[i] = (KZ[i]! / 2) * spacing[2];
  }
  let dSlice = 0, dCol = 0, dRow = 0, d3 = 0;
  for (let i = 0; i < nv; i++) {
    const xi = X[i]!, yi = Y[i]!, zi = Z[i]!, ax = KX[i]!, ay = KY[i]!, az = KZ[i]!;
    for (let j = i + 1; j < nv; j++) {
      const dx = xi - X[j]!, dy = yi - Y[j]!, dz = zi - Z[j]!;
      const d = dx * dx + dy * dy + dz * dz;
      if (d > d3) d3 = d;
      if (az === KZ[j] && d > dSlice) dSlice = d;
      if (ay === KY[j] && d > dCol) dCol = d;
      if (ax === KX[j] && d > dRow) dRow = d;
    }
  }
  return [Math.sqrt(dSlice), Math.sqrt(dCol), Math.sqrt(dRow), Math.sqrt(d3)];
}

/** PyRadiomics shape features of a binary ROI box with voxel spacing (x, y, z). */
export function shapeFeatures(mask: Uint8Array, nx: number, ny: number, nz: number, spacing: readonly [number, number, number]): Record<string, number> {
  const { m, n } = pad1(mask, nx, ny, nz);
  const mesh = pyradiomicsMesh(m, n, spacing);
  const V = mesh.volume;
  const A = mesh.area;
  let np = 0, sx = 0, sy = 0, sz = 0;
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    if (!mask[x + nx * (y + ny * z)]) continue;
    np++;
    sx += x * spacing[0];
    sy += y * spacing[1];
    sz += z * spacing[2];
  }
  const mx = sx / np, my = sy / np, mz = sz / np;
  let cxx = 0, cyy = 0, czz = 0, cxy = 0, cxz = 0, cyz = 0;
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    if (!mask[x + nx * (y + ny * z)]) continue;
    const dx = x * spacing[0] - mx, dy = y * spacing[1] - my, dz = z * spacing[2] - mz;
    cxx += dx * dx; cyy += dy * dy; czz += dz * dz; cxy += dx * dy; cxz += dx * dz; cyz += dy * dz;
  }
  const cov = Float64Array.of(cxx, cxy, cxz, cxy, cyy, cyz, cxz, cyz, czz).map((v) => v / np);
  const ev = symmetricEigenvalues(cov, 3);
  for (let i = 0; i < 3; i++) if (ev[i]! < 0 && ev[i]! > -1e-10) ev[i] = 0;
  const [least, minor, major] = [ev[0]!, ev[1]!, ev[2]!];
  const [dSlice, dCol, dRow, d3] = meshDiameters(mask, nx, ny, nz, spacing);
  return {
    MeshVolume: V,
    VoxelVolume: np * spacing[0] * spacing[1] * spacing[2],
    SurfaceArea: A,
    SurfaceVolumeRatio: A / V,
    Sphericity: Math.cbrt(36 * Math.PI * V * V) / A,
    Maximum3DDiameter: d3,
    Maximum2DDiameterSlice: dSlice,
    Maximum2DDiameterColumn: dCol,
    Maximum2DDiameterRow: dRow,
    MajorAxisLength: 4 * Math.sqrt(major),
    MinorAxisLength: 4 * Math.sqrt(minor),
    LeastAxisLength: 4 * Math.sqrt(least),
    Elongation: Math.sqrt(minor / major),
    Flatness: Math.sqrt(least / major),
  };
}
