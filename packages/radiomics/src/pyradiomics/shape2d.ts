/**
 * PyRadiomics 2D shape features (`shape2D.py` + `cshape.c` 2D part), for a single-slice ROI
 * with `force2D`: a marching-squares contour of the 1-pixel zero-padded mask (vertices at edge
 * midpoints) gives MeshSurface (enclosed area) and Perimeter; MaximumDiameter is the largest
 * vertex–vertex distance; axis lengths come from the pixel-centre covariance.
 */
import { RadcamError, type Vec3 } from '@radcam/core';
import { symmetricEigenvalues } from './numeric.js';

export const SHAPE2D_NAMES = ['MeshSurface', 'PixelSurface', 'Perimeter', 'PerimeterSurfaceRatio', 'Sphericity', 'MaximumDiameter', 'MajorAxisLength', 'MinorAxisLength', 'Elongation'] as const;

/**
 * @param mask ROI box (x fastest) of size `size`; it must span one slice along the force2D axis
 * @param force2Ddimension numpy axis held fixed (0 = z, 1 = y, 2 = x)
 */
export function shape2DFeatures(mask: Uint8Array, size: Vec3, spacing: Vec3, force2D: boolean, force2Ddimension: 0 | 1 | 2): Record<string, number> {
  if (!force2D) throw new RadcamError('E_PARAMS_FILE', 'PyRadiomics parameter "featureClass.shape2D": shape2D needs setting force2D: true');
  const fixed = 2 - force2Ddimension;
  if (size[fixed] !== 1) {
    throw new RadcamError('E_UNSUPPORTED', 'shape2D needs a ROI of a single slice along the force2D dimension', { found: `${size[fixed]} slices` });
  }
  const axes = [0, 1, 2].filter((a) => a !== fixed) as [number, number];
  const nu = size[axes[0]]!, nv = size[axes[1]]!;
  const su = spacing[axes[0]]!, sv = spacing[axes[1]]!;
  // 2D padded grid (u fastest)
  const pu = nu + 2, pv = nv + 2;
  const m = new Uint8Array(pu * pv);
  const stride = [1, size[0], size[0] * size[1]];
  let np = 0, cu = 0, cv = 0;
  for (let v = 0; v < nv; v++) for (let u = 0; u < nu; u++) {
    const src = u * stride[axes[0]]! + v * stride[axes[1]]!;
    if (mask[src]) {
      m[u + 1 + pu * (v + 1)] = 1;
      np++;
      cu += u * su;
      cv += v * sv;
    }
  }
  cu /= np;
  cv /= np;
  let cuu = 0, cvv = 0, cuv = 0;
  for (let v = 0; v < nv; v++) for (let u = 0; u < nu; u++) {
    if (!m[u + 1 + pu * (v + 1)]) continue;
    const du = u * su - cu, dv = v * sv - cv;
    cuu += du * du; cvv += dv * dv; cuv += du * dv;
  }
  const ev = symmetricEigenvalues(Float64Array.of(cuu / np, cuv / np, cuv / np, cvv / np), 2);
  for (let i = 0; i < 2; i++) if (ev[i]! < 0 && ev[i]! > -1e-10) ev[i] = 0;
  // marching squares: corners 0:(0,0) 1:(1,0) 2:(1,1) 3:(0,1); edges 0:(0-1) 1:(1-2) 2:(2-3) 3:(3-0)
  const em: Array<[number, number]> = [[0.5, 0], [1, 0.5], [0.5, 1], [0, 0.5]];
  let area2 = 0, perim = 0;
  for (let v = 0; v + 1 < pv; v++) for (let u = 0; u + 1 < pu; u++) {
    const p = u + pu * v;
    const c = (m[p] ? 1 : 0) | (m[p + 1] ? 2 : 0) | (m[p + 1 + pu] ? 4 : 0) | (m[p + pu] ? 8 : 0);
    if (c === 0 || c === 15) continue;
    // oriented segments (inside on the left); saddles keep the inside corners separate
    const segs: Array<[number, number]> = [];
    const inside = (k: number) => (c >> k) & 1;
    if (c === 5 || c === 10) {
      // corners 0,2 inside (5) or 1,3 inside (10): cut off each inside corner
      if (c === 5) { segs.push([3, 0], [1, 2]); } else { segs.push([0, 1], [2, 3]); }
    } else {
      // single crossing pair: entry edge → exit edge, walking with inside on the left
      let from = -1, to = -1;
      for (let e = 0; e < 4; e++) {
        const a = inside(e), b = inside((e + 1) % 4);
        if (a && !b) from = e; // leaving inside along the boundary
        if (!a && b) to = e;
      }
      segs.push([to, from]);
    }
    for (const [ea, eb] of segs) {
      const ax = (u + em[ea]![0]) * su, ay = (v + em[ea]![1]) * sv;
      const bx = (u + em[eb]![0]) * su, by = (v + em[eb]![1]) * sv;
      area2 += ax * by - bx * ay;
      perim += Math.hypot(bx - ax, by - ay);
    }
  }
  const A = Math.abs(area2) / 2;
  // diameter over contour vertices (edge midpoints between inside and outside pixels)
  const ku: number[] = [], kv: number[] = [];
  for (let v = 0; v < pv; v++) for (let u = 0; u < pu; u++) {
    const p = u + pu * v;
    if (u + 1 < pu && m[p] !== m[p + 1]) { ku.push(2 * u + 1); kv.push(2 * v); }
    if (v + 1 < pv && m[p] !== m[p + pu]) { ku.push(2 * u); kv.push(2 * v + 1); }
  }
  let dmax = 0;
  for (let i = 0; i < ku.length; i++) {
    const xi = (ku[i]! / 2) * su, yi = (kv[i]! / 2) * sv;
    for (let j = i + 1; j < ku.length; j++) {
      const dx = xi - (ku[j]! / 2) * su, dy = yi - (kv[j]! / 2) * sv;
      const d = dx * dx + dy * dy;
      if (d > dmax) dmax = d;
    }
  }
  return {
    MeshSurface: A,
    PixelSurface: np * su * sv,
    Perimeter: perim,
    PerimeterSurfaceRatio: perim / A,
    Sphericity: (2 * Math.sqrt(Math.PI * A)) / perim,
    MaximumDiameter: Math.sqrt(dmax),
    MajorAxisLength: 4 * Math.sqrt(ev[1]!),
    MinorAxisLength: 4 * Math.sqrt(ev[0]!),
    Elongation: Math.sqrt(ev[0]! / ev[1]!),
  };
}
