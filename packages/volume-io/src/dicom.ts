/**
 * DICOM image series (CT, MR, …: single-frame, uncompressed) → Volume, with dicom-parser.
 * Pure: works on bytes, so it also runs in browsers (the Node `readDicomSeries` lists a folder).
 *
 * Slices are grouped by SeriesInstanceUID, sorted by position along the slice normal
 * (row × column cosines), rescaled with RescaleSlope/Intercept; the slice spacing comes from the
 * positions. Uneven spacing (`E_DICOM_UNEVEN_SPACING`) and gantry tilt (`E_DICOM_GANTRY_TILT`) are
 * errors unless `allowResample: true`, which linearly resamples onto an even grid along the normal.
 */
import dicomParser from 'dicom-parser';
import type { DataSet } from 'dicom-parser';
import { type TypedArray, type Vec3, type Volume, validateVolume } from '@radcam/core';
import { type DType, typedView } from './dtype.js';
import { fail } from './errors.js';

export interface DicomFile {
  /** File name, used in error messages. */
  name?: string;
  bytes: Uint8Array;
}

export interface DicomSeriesOptions {
  /** SeriesInstanceUID to read when the files hold several series (default: the largest series). */
  seriesUid?: string;
  /** Resample uneven or tilted series to even spacing instead of throwing. Default false. */
  allowResample?: boolean;
  /** Tolerance (mm) on slice-spacing differences and in-plane slice shifts. Default 0.01 mm. */
  tolerance?: number;
}

/** Transfer syntaxes whose pixel data can be read directly. */
export const SUPPORTED_TRANSFER_SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian (retired)',
};

/** Names of transfer syntaxes that radcam recognises but cannot decode. */
export const TRANSFER_SYNTAX_NAMES: Record<string, string> = {
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (Process 1)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (Process 2 & 4)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless, Non-Hierarchical (Process 14)',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Lossy (Near-Lossless)',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Image Compression (Lossless Only)',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000 Image Compression',
  '1.2.840.10008.1.2.4.92': 'JPEG 2000 Part 2 Multi-component (Lossless Only)',
  '1.2.840.10008.1.2.4.93': 'JPEG 2000 Part 2 Multi-component',
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile / Main Level',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264 High Profile / Level 4.1',
  '1.2.840.10008.1.2.4.201': 'High-Throughput JPEG 2000 (Lossless Only)',
  '1.2.840.10008.1.2.4.202': 'High-Throughput JPEG 2000 with RPCL Options (Lossless Only)',
  '1.2.840.10008.1.2.4.203': 'High-Throughput JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};

/** True when the bytes are a DICOM Part 10 file ("DICM" at offset 128). */
export function looksLikeDicom(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/** Parse a DICOM file; `headerOnly` stops before the pixel data. */
export function parseDicomBytes(bytes: Uint8Array, name = 'DICOM file', headerOnly = false): DataSet {
  try {
    return dicomParser.parseDicom(bytes, headerOnly ? { untilTag: 'x7fe00010' } : undefined);
  } catch (err) {
    const msg = err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err);
    fail('E_DICOM', `cannot parse ${name}`, { expected: 'a DICOM Part 10 file', found: msg, path: name, cause: err });
  }
}

function nums(ds: DataSet, tag: string): number[] | undefined {
  const s = ds.string(tag);
  if (s === undefined || s.trim() === '') return undefined;
  return s.split('\\').map((x) => Number(x));
}

interface Slice {
  name: string;
  ds: DataSet;
  bytes: Uint8Array;
  series: string;
  ipp: Vec3;
  iop: number[];
  rows: number;
  cols: number;
  ps: [number, number];
  slope: number;
  inter: number;
  ts: string;
}

function sliceOf(f: DicomFile, ds: DataSet): Slice | null {
  const name = f.name ?? 'DICOM file';
  if (!ds.elements.x7fe00010 && !ds.elements.x00280010) return null; // not an image (RTSTRUCT, SR, …)
  const ts = ds.string('x00020010') ?? '1.2.840.10008.1.2';
  const ipp = nums(ds, 'x00200032');
  const iop = nums(ds, 'x00200037');
  if (!ipp || ipp.length !== 3 || !iop || iop.length !== 6 || [...ipp, ...iop].some((v) => !Number.isFinite(v))) {
    fail('E_DICOM', `${name} lacks ImagePositionPatient / ImageOrientationPatient`, { expected: '3 + 6 numbers', path: name });
  }
  const ps = nums(ds, 'x00280030') ?? nums(ds, 'x00181164');
  if (!ps || ps.length < 2 || ps.some((v) => !Number.isFinite(v) || v <= 0)) {
    fail('E_BAD_SPACING', `${name} has no valid PixelSpacing`, { found: ds.string('x00280030') ?? '(missing)', path: name });
  }
  const frames = Number(ds.string('x00280008') ?? 1);
  if (frames > 1) fail('E_UNSUPPORTED', 'multi-frame DICOM images are not supported', { found: `${frames} frames`, path: name });
  const spp = ds.uint16('x00280002') ?? 1;
  if (spp !== 1) fail('E_UNSUPPORTED', 'colour DICOM images are not supported', { found: `SamplesPerPixel ${spp}`, path: name });
  const slope = Number(ds.string('x00281053') ?? 1);
  const inter = Number(ds.string('x00281052') ?? 0);
  return {
    name, ds, bytes: f.bytes, ts,
    series: ds.string('x0020000e') ?? '',
    ipp: ipp as Vec3, iop,
    rows: ds.uint16('x00280010') ?? 0,
    cols: ds.uint16('x00280011') ?? 0,
    ps: [ps[0]!, ps[1]!],
    slope: Number.isFinite(slope) && slope !== 0 ? slope : 1,
    inter: Number.isFinite(inter) ? inter : 0,
  };
}

function checkTransferSyntax(s: Slice): void {
  if (SUPPORTED_TRANSFER_SYNTAXES[s.ts]) return;
  const nm = TRANSFER_SYNTAX_NAMES[s.ts] ?? 'unknown transfer syntax';
  fail('E_DICOM_TRANSFER_SYNTAX', `unsupported DICOM transfer syntax ${s.ts} (${nm}) in ${s.name}`, {
    expected: Object.entries(SUPPORTED_TRANSFER_SYNTAXES).map(([u, n]) => `${u} (${n})`).join(', '),
    found: `${s.ts} (${nm})`,
    path: s.name,
  });
}

const cross = (a: number[], b: number[]): Vec3 => [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;

interface SeriesLayout {
  slices: Slice[];
  size: Vec3;
  spacing: Vec3;
  origin: Vec3;
  direction: Float64Array;
  /** offsets of each slice along the normal from slice 0 (mm) */
  depth: number[];
  /** in-plane shift of each slice's origin relative to slice 0, in (column, row) pixel units */
  shift: [number, number][];
  needsResample: boolean;
}

function layout(all: Slice[], options: DicomSeriesOptions): SeriesLayout {
  if (all.length === 0) fail('E_DICOM', 'no DICOM image slices found', { expected: 'at least one image file' });
  const bySeries = new Map<string, Slice[]>();
  for (const s of all) {
    const list = bySeries.get(s.series) ?? [];
    list.push(s);
    bySeries.set(s.series, list);
  }
  let slices: Slice[];
  if (options.seriesUid !== undefined) {
    slices = bySeries.get(options.seriesUid) ?? fail('E_DICOM', `series ${options.seriesUid} not found`, { expected: `one of ${[...bySeries.keys()].join(', ')}` });
  } else {
    slices = [...bySeries.values()].sort((a, b) => b.length - a.length)[0]!;
  }
  const s0 = slices[0]!;
  for (const s of slices) {
    if (s.rows !== s0.rows || s.cols !== s0.cols) fail('E_DICOM', 'slices of the series differ in Rows/Columns', { expected: `${s0.cols}×${s0.rows}`, found: `${s.cols}×${s.rows} in ${s.name}` });
    if (s.iop.some((v, i) => Math.abs(v - s0.iop[i]!) > 1e-4)) fail('E_DICOM', 'slices of the series differ in ImageOrientationPatient', { found: s.name });
    if (Math.abs(s.ps[0] - s0.ps[0]) > 1e-6 || Math.abs(s.ps[1] - s0.ps[1]) > 1e-6) fail('E_DICOM', 'slices of the series differ in PixelSpacing', { found: s.name });
    checkTransferSyntax(s);
  }
  if (s0.rows <= 0 || s0.cols <= 0) fail('E_BAD_DIMENSIONS', 'DICOM Rows/Columns must be positive', { found: `${s0.cols}×${s0.rows}` });
  const row = s0.iop.slice(0, 3);
  const col = s0.iop.slice(3, 6);
  const n = cross(row, col);
  const nn = Math.hypot(...n);
  n[0] = n[0] / nn + 0; n[1] = n[1] / nn + 0; n[2] = n[2] / nn + 0; // + 0: no −0
  slices = slices.slice().sort((a, b) => dot(a.ipp, n) - dot(b.ipp, n));
  const p0 = slices[0]!.ipp;
  const depth = slices.map((s) => dot(s.ipp, n) - dot(p0, n));
  const tol = options.tolerance ?? 0.01;
  const dx = s0.ps[1];
  const dy = s0.ps[0];
  const shift = slices.map((s): [number, number] => {
    const d = [s.ipp[0] - p0[0], s.ipp[1] - p0[1], s.ipp[2] - p0[2]];
    return [dot(d, row) / dx, dot(d, col) / dy];
  });
  let dz: number;
  let needsResample = false;
  if (slices.length === 1) {
    dz = Number(s0.ds.string('x00180088') ?? s0.ds.string('x00180050') ?? 1) || 1;
  } else {
    for (let k = 1; k < depth.length; k++) {
      if (depth[k]! - depth[k - 1]! <= tol) {
        fail('E_DICOM', 'two slices share the same position (several acquisitions in one series?)', {
          found: `${slices[k - 1]!.name} and ${slices[k]!.name} at ${depth[k]!.toFixed(3)} mm`,
        });
      }
    }
    dz = (depth[depth.length - 1]! - depth[0]!) / (depth.length - 1);
    let worstGap = 0;
    for (let k = 1; k < depth.length; k++) worstGap = Math.max(worstGap, Math.abs(depth[k]! - depth[k - 1]! - dz));
    let worstShift = 0;
    for (const [u, v] of shift) worstShift = Math.max(worstShift, Math.hypot(u * dx, v * dy));
    if (worstShift > tol) {
      if (!options.allowResample) {
        fail('E_DICOM_GANTRY_TILT', 'slice positions are not along the slice normal (gantry tilt or sheared series)', {
          expected: `in-plane shift ≤ ${tol} mm (or pass { allowResample: true })`,
          found: `${worstShift.toFixed(3)} mm`,
        });
      }
      needsResample = true;
    }
    if (worstGap > tol) {
      if (!options.allowResample) {
        fail('E_DICOM_UNEVEN_SPACING', 'slice spacing is uneven', {
          expected: `gaps equal within ${tol} mm (or pass { allowResample: true })`,
          found: `gaps from ${Math.min(...depth.slice(1).map((d, k) => d - depth[k]!)).toFixed(3)} to ${Math.max(...depth.slice(1).map((d, k) => d - depth[k]!)).toFixed(3)} mm`,
        });
      }
      needsResample = true;
    }
  }
  return {
    slices, depth, shift, needsResample,
    size: [s0.cols, s0.rows, slices.length],
    spacing: [dx, dy, dz],
    origin: [p0[0], p0[1], p0[2]],
    direction: Float64Array.of(row[0]!, col[0]!, n[0], row[1]!, col[1]!, n[1], row[2]!, col[2]!, n[2]),
  };
}

function parseAll(files: DicomFile[], headerOnly: boolean): Slice[] {
  const out: Slice[] = [];
  for (const f of files) {
    const ds = parseDicomBytes(f.bytes, f.name, headerOnly);
    const s = sliceOf(f, ds);
    if (s) out.push(s);
  }
  return out;
}

/** Geometry of a DICOM series from headers only (pixel data not decoded). */
export function dicomSeriesGeometry(files: DicomFile[], options: DicomSeriesOptions = {}) {
  const L = layout(parseAll(files, true), options);
  const s0 = L.slices[0]!;
  const ba = s0.ds.uint16('x00280100') ?? 16;
  const signed = (s0.ds.uint16('x00280103') ?? 0) === 1;
  return { size: L.size, spacing: L.spacing, origin: L.origin, direction: L.direction, bitsAllocated: ba, signed, slope: s0.slope, inter: s0.inter, count: L.slices.length };
}

function rawSlice(s: Slice): TypedArray {
  const el = s.ds.elements.x7fe00010;
  if (!el) fail('E_DICOM', `${s.name} has no PixelData`, { path: s.name });
  const n = s.rows * s.cols;
  const ba = s.ds.uint16('x00280100') ?? 16;
  const bs = s.ds.uint16('x00280101') ?? ba;
  const signed = (s.ds.uint16('x00280103') ?? 0) === 1;
  const le = s.ts !== '1.2.840.10008.1.2.2';
  let dt: DType;
  if (ba === 8) dt = signed ? 'int8' : 'uint8';
  else if (ba === 16) dt = signed ? 'int16' : 'uint16';
  else if (ba === 32) dt = signed ? 'int32' : 'uint32';
  else fail('E_UNSUPPORTED', 'unsupported DICOM BitsAllocated', { expected: '8, 16 or 32', found: String(ba), path: s.name });
  const need = n * (ba / 8);
  if (el.length < need || el.dataOffset + need > s.bytes.length) {
    fail('E_DATA_SIZE_MISMATCH', `${s.name}: PixelData shorter than Rows × Columns`, { expected: `${need} bytes`, found: `${Math.min(el.length, s.bytes.length - el.dataOffset)} bytes`, path: s.name });
  }
  let a = typedView(dt, s.bytes, el.dataOffset, n, le);
  if (bs < ba && ba <= 16) {
    // drop unused high bits (overlays) and sign-extend signed data
    const copy = new Int32Array(n);
    const sh = 32 - bs;
    for (let i = 0; i < n; i++) copy[i] = signed ? (a[i]! << sh) >> sh : a[i]! & ((1 << bs) - 1);
    a = copy;
  }
  return a;
}

/** Decode a DICOM image series (any order of files; non-image files are ignored). */
export function decodeDicomSeries(files: DicomFile[], options: DicomSeriesOptions = {}): Volume {
  const L = layout(parseAll(files, false), options);
  const [nx, ny, nz] = L.size;
  const np = nx * ny;
  const raws = L.slices.map(rawSlice);
  // Output type: integer rescale → smallest integer type holding the actual range, else float32.
  let integral = true;
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < nz; k++) {
    const s = L.slices[k]!;
    if (!Number.isInteger(s.slope) || !Number.isInteger(s.inter)) integral = false;
    const r = raws[k]!;
    let mn = Infinity;
    let mx = -Infinity;
    for (let i = 0; i < np; i++) {
      const v = r[i]!;
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    const a = mn * s.slope + s.inter;
    const b = mx * s.slope + s.inter;
    lo = Math.min(lo, a, b);
    hi = Math.max(hi, a, b);
  }
  let data: TypedArray;
  if (L.needsResample) data = new Float32Array(np * nz);
  else if (integral && lo >= -32768 && hi <= 32767) data = new Int16Array(np * nz);
  else if (integral && lo >= 0 && hi <= 65535) data = new Uint16Array(np * nz);
  else if (integral && lo >= -2147483648 && hi <= 2147483647) data = new Int32Array(np * nz);
  else data = new Float32Array(np * nz);
  const scaled: TypedArray[] = [];
  for (let k = 0; k < nz; k++) {
    const s = L.slices[k]!;
    const r = raws[k]!;
    const out = L.needsResample ? new Float32Array(np) : data.subarray(k * np, (k + 1) * np);
    if (s.slope === 1 && s.inter === 0) out.set(r);
    else for (let i = 0; i < np; i++) out[i] = r[i]! * s.slope + s.inter;
    if (L.needsResample) scaled.push(out);
  }
  if (L.needsResample) resampleSlices(scaled, L, data as Float32Array, lo);
  const vol: Volume = { data, size: L.size, spacing: L.spacing, origin: L.origin, direction: L.direction };
  validateVolume(vol);
  return vol;
}

/**
 * Linear resampling of tilted / unevenly spaced slices onto the grid of `L` (even spacing along
 * the normal, in-plane grid of slice 0). Each output voxel interpolates between the two bracketing
 * input slices, each sampled bilinearly at the voxel's in-plane position. Outside → `fill`.
 */
function resampleSlices(slices: TypedArray[], L: SeriesLayout, out: Float32Array, fill: number): void {
  const [nx, ny, nz] = L.size;
  const dz = L.spacing[2];
  let k0 = 0;
  for (let z = 0; z < nz; z++) {
    const d = z * dz;
    while (k0 < L.depth.length - 2 && L.depth[k0 + 1]! < d) k0++;
    const k1 = Math.min(k0 + 1, L.depth.length - 1);
    const span = L.depth[k1]! - L.depth[k0]!;
    const w = span > 0 ? Math.min(1, Math.max(0, (d - L.depth[k0]!) / span)) : 0;
    const base = z * nx * ny;
    for (const [k, wk] of [[k0, 1 - w], [k1, w]] as const) {
      if (wk === 0) continue;
      const src = slices[k]!;
      // voxel (i,j) of the output slice lies at in-plane pixel (i - shift_u, j - shift_v) of slice k
      const [su, sv] = L.shift[k]!;
      for (let j = 0; j < ny; j++) {
        const y = j - sv;
        const y0 = Math.floor(y);
        const fy = y - y0;
        for (let i = 0; i < nx; i++) {
          const x = i - su;
          const x0 = Math.floor(x);
          const fx = x - x0;
          let v: number;
          if (x0 < 0 || y0 < 0 || x0 >= nx || y0 >= ny || (fx > 0 && x0 + 1 >= nx) || (fy > 0 && y0 + 1 >= ny)) v = fill;
          else {
            const o = x0 + nx * y0;
            const a = src[o]!;
            const b = fx > 0 ? src[o + 1]! : a;
            const c = fy > 0 ? src[o + nx]! : a;
            const e = fx > 0 && fy > 0 ? src[o + nx + 1]! : c;
            v = (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + e * fx) * fy;
          }
          out[base + i + nx * j] = (out[base + i + nx * j] ?? 0) + wk * v;
        }
      }
    }
  }
}
