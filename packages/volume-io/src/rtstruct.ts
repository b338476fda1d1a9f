/**
 * DICOM RTSTRUCT → binary mask on a reference grid. Pure (bytes in, Mask out).
 *
 * Each CLOSED_PLANAR contour is mapped to continuous voxel indices of the reference geometry and
 * assigned to the nearest slice. Per slice, a voxel is inside when its centre is inside the
 * slice's contours under the even–odd rule (so a contour inside another one is a hole).
 */
import type { DataSet } from 'dicom-parser';
import { type Geometry, type Mask, invert3x3, voxelCount } from '@radcam/core';
import { parseDicomBytes } from './dicom.js';
import { fail } from './errors.js';

export interface RtstructRoi {
  /** ROINumber */
  number: number;
  /** ROIName */
  name: string;
  /** Number of contours in the ROIContourSequence (0 when the ROI has none). */
  contours: number;
}

function checkRt(ds: DataSet, name: string): void {
  const modality = ds.string('x00080060');
  if (modality !== 'RTSTRUCT' && !ds.elements.x30060020) {
    fail('E_RTSTRUCT', `${name} is not an RT Structure Set`, { expected: 'Modality RTSTRUCT', found: modality ?? '(no Modality)', path: name });
  }
}

function rois(ds: DataSet): RtstructRoi[] {
  const out: RtstructRoi[] = [];
  const counts = new Map<number, number>();
  for (const it of ds.elements.x30060039?.items ?? []) {
    const ref = Number(it.dataSet?.string('x30060084'));
    counts.set(ref, (counts.get(ref) ?? 0) + (it.dataSet?.elements.x30060040?.items?.length ?? 0));
  }
  for (const it of ds.elements.x30060020?.items ?? []) {
    const d = it.dataSet;
    if (!d) continue;
    const number = Number(d.string('x30060022'));
    out.push({ number, name: d.string('x30060026') ?? '', contours: counts.get(number) ?? 0 });
  }
  return out;
}

/** The ROIs of an RTSTRUCT file. */
export function listRtstructRoisFromBytes(bytes: Uint8Array, name = 'RTSTRUCT'): RtstructRoi[] {
  const ds = parseDicomBytes(bytes, name);
  checkRt(ds, name);
  return rois(ds);
}

export interface RtstructMaskOptions {
  /** Max distance (in slices) of a contour plane from a slice centre to be accepted. Default 0.5. */
  sliceTolerance?: number;
}

/** Rasterise ROI `roiName` (exact name first, then case-insensitive) on `reference`'s grid. */
export function rtstructMaskFromBytes(bytes: Uint8Array, reference: Geometry, roiName: string, options: RtstructMaskOptions = {}, name = 'RTSTRUCT'): Mask {
  const ds = parseDicomBytes(bytes, name);
  checkRt(ds, name);
  const list = rois(ds);
  const roi = list.find((r) => r.name === roiName) ?? list.find((r) => r.name.trim().toLowerCase() === roiName.trim().toLowerCase());
  if (!roi) {
    fail('E_ROI_NOT_FOUND', `ROI "${roiName}" not found in ${name}`, {
      expected: `one of ${list.map((r) => JSON.stringify(r.name)).join(', ') || '(no ROIs)'}`,
      found: JSON.stringify(roiName),
      path: name,
    });
  }
  const [nx, ny, nz] = reference.size;
  const inv = invert3x3(reference.direction);
  const { origin: o, spacing: sp } = reference;
  const tol = options.sliceTolerance ?? 0.5;
  // polygons per slice: flat [i0, j0, i1, j1, …]
  const perSlice = new Map<number, Float64Array[]>();
  for (const it of ds.elements.x30060039?.items ?? []) {
    const rc = it.dataSet;
    if (!rc || Number(rc.string('x30060084')) !== roi.number) continue;
    for (const c of rc.elements.x30060040?.items ?? []) {
      const cd = c.dataSet;
      if (!cd) continue;
      const type = (cd.string('x30060042') ?? 'CLOSED_PLANAR').trim();
      if (type !== 'CLOSED_PLANAR' && type !== 'CLOSEDPLANAR_XOR') continue;
      const txt = cd.string('x30060050');
      if (!txt) continue;
      const pts = txt.split('\\').map(Number);
      const np = Math.floor(pts.length / 3);
      if (np < 3) continue;
      const poly = new Float64Array(np * 2);
      let kMin = Infinity;
      let kMax = -Infinity;
      let kSum = 0;
      for (let p = 0; p < np; p++) {
        const x = pts[3 * p]! - o[0];
        const y = pts[3 * p + 1]! - o[1];
        const z = pts[3 * p + 2]! - o[2];
        if (!Number.isFinite(x + y + z)) fail('E_RTSTRUCT', 'non-numeric ContourData', { path: name });
        poly[2 * p] = (inv[0]! * x + inv[1]! * y + inv[2]! * z) / sp[0];
        poly[2 * p + 1] = (inv[3]! * x + inv[4]! * y + inv[5]! * z) / sp[1];
        const k = (inv[6]! * x + inv[7]! * y + inv[8]! * z) / sp[2];
        kSum += k;
        if (k < kMin) kMin = k;
        if (k > kMax) kMax = k;
      }
      if (kMax - kMin > 2 * tol) {
        fail('E_RTSTRUCT', 'a contour is not parallel to the reference image slices', {
          expected: 'planar contours in the image slice planes',
          found: `contour spans ${(kMax - kMin).toFixed(2)} slices`,
          path: name,
        });
      }
      const kc = kSum / np;
      const k = Math.round(kc);
      if (Math.abs(kc - k) > tol || k < 0 || k >= nz) continue; // off the grid
      const arr = perSlice.get(k) ?? [];
      arr.push(poly);
      perSlice.set(k, arr);
    }
  }
  const data = new Uint8Array(voxelCount(reference.size));
  const xs = new Float64Array(1024);
  let xbuf = xs;
  for (const [k, polys] of perSlice) {
    const base = k * nx * ny;
    for (let j = 0; j < ny; j++) {
      // crossings of the scanline y = j with all polygon edges (half-open rule on y)
      let nc = 0;
      for (const poly of polys) {
        const np = poly.length / 2;
        for (let p = 0, q = np - 1; p < np; q = p++) {
          const yi = poly[2 * p + 1]!;
          const yq = poly[2 * q + 1]!;
          if (yi > j !== yq > j) {
            const xi = poly[2 * p]!;
            const xq = poly[2 * q]!;
            if (nc >= xbuf.length) {
              const g = new Float64Array(xbuf.length * 2);
              g.set(xbuf);
              xbuf = g;
            }
            xbuf[nc++] = xi + ((j - yi) * (xq - xi)) / (yq - yi);
          }
        }
      }
      if (nc < 2) continue;
      const cr = xbuf.subarray(0, nc).sort();
      for (let m = 0; m + 1 < nc; m += 2) {
        // voxel centre i is inside when cr[m] < i ≤ cr[m+1]… use the ray-casting convention: the
        // number of crossings strictly right of i is odd ⇔ cr[m] ≤ i < cr[m+1].
        const a = Math.max(0, Math.ceil(cr[m]!));
        const b = Math.min(nx - 1, Math.ceil(cr[m + 1]!) - 1);
        for (let i = a; i <= b; i++) data[base + j * nx + i] = 1;
      }
    }
  }
  return {
    data,
    size: [nx, ny, nz],
    spacing: [...reference.spacing],
    origin: [...reference.origin],
    direction: Float64Array.from(reference.direction),
  };
}
