/**
 * NIfTI-1 and NIfTI-2 (single file `.nii`, optionally gzip-compressed). Pure: works on bytes.
 *
 * Orientation follows the standard (nifti1.h "method 3 / 2 / 1"): the sform when
 * `sform_code > 0`, else the qform when `qform_code > 0`, else pixdim scaling with a zero origin.
 * NIfTI world space is RAS; radcam volumes are LPS, so the first two rows of the affine (and
 * offset) are negated on read and again on write.
 */
import { type Geometry, type TypedArray, type Vec3, type Volume, RadcamError, validateVolume, voxelCount } from '@radcam/core';
import { type DType, DTYPE_BYTES, dtypeOf, littleEndianBytes, readInt64, typedView } from './dtype.js';
import { fail } from './errors.js';

/** NIfTI datatype codes (nifti1.h). */
export const NIFTI_TYPES = {
  BINARY: 1, UINT8: 2, INT16: 4, INT32: 8, FLOAT32: 16, COMPLEX64: 32, FLOAT64: 64, RGB24: 128,
  INT8: 256, UINT16: 512, UINT32: 768, INT64: 1024, UINT64: 1280, FLOAT128: 1536, COMPLEX128: 1792,
  COMPLEX256: 2048, RGBA32: 2304,
} as const;

const SCALAR: Record<number, { dtype: DType | 'int64' | 'uint64'; bytes: number }> = {
  2: { dtype: 'uint8', bytes: 1 },
  4: { dtype: 'int16', bytes: 2 },
  8: { dtype: 'int32', bytes: 4 },
  16: { dtype: 'float32', bytes: 4 },
  64: { dtype: 'float64', bytes: 8 },
  256: { dtype: 'int8', bytes: 1 },
  512: { dtype: 'uint16', bytes: 2 },
  768: { dtype: 'uint32', bytes: 4 },
  1024: { dtype: 'int64', bytes: 8 },
  1280: { dtype: 'uint64', bytes: 8 },
};
const NON_SCALAR: Record<number, string> = {
  1: 'BINARY (1 bit)', 32: 'COMPLEX64', 128: 'RGB24', 1536: 'FLOAT128', 1792: 'COMPLEX128', 2048: 'COMPLEX256', 2304: 'RGBA32',
};

const TYPE_OF_DTYPE: Record<DType, number> = {
  uint8: 2, int8: 256, int16: 4, uint16: 512, int32: 8, uint32: 768, float32: 16, float64: 64,
};

export interface NiftiHeader {
  version: 1 | 2;
  littleEndian: boolean;
  /** dim[0..7] */
  dim: number[];
  datatype: number;
  bitpix: number;
  /** pixdim[0..7] (pixdim[0] is qfac) */
  pixdim: number[];
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  qformCode: number;
  sformCode: number;
  quatern: Vec3;
  qoffset: Vec3;
  /** srow_x, srow_y, srow_z (4 each, row-major 3×4) */
  srow: number[];
  xyztUnits: number;
  intentCode: number;
  descrip: string;
}

/** Bytes needed to parse the header of a NIfTI stream starting with `first4` (348 or 540). */
export const NIFTI_HEADER_MAX = 540;

/** True when `bytes` (uncompressed) starts like a NIfTI-1/2 header. */
export function looksLikeNifti(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 4);
  const le = dv.getInt32(0, true);
  const be = dv.getInt32(0, false);
  if (le !== 348 && be !== 348 && le !== 540 && be !== 540) return false;
  if ((le === 348 || be === 348) && bytes.length >= 348) {
    const m = String.fromCharCode(bytes[344]!, bytes[345]!, bytes[346]!);
    return m === 'n+1' || m === 'ni1';
  }
  if ((le === 540 || be === 540) && bytes.length >= 12) {
    const m = String.fromCharCode(bytes[4]!, bytes[5]!, bytes[6]!);
    return m === 'n+2' || m === 'ni2';
  }
  return true;
}

function cstr(bytes: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = off; i < off + len && i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** Parse a NIfTI-1 or NIfTI-2 header from the first (uncompressed) bytes of a file. */
export function parseNiftiHeader(bytes: Uint8Array): NiftiHeader {
  if (bytes.length < 4) {
    fail('E_NIFTI_TRUNCATED', 'file too short for a NIfTI header', { expected: '≥ 348 bytes', found: `${bytes.length} bytes` });
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le32 = dv.getInt32(0, true);
  const be32 = dv.getInt32(0, false);
  let version: 1 | 2;
  let le: boolean;
  if (le32 === 348) [version, le] = [1, true];
  else if (be32 === 348) [version, le] = [1, false];
  else if (le32 === 540) [version, le] = [2, true];
  else if (be32 === 540) [version, le] = [2, false];
  else {
    fail('E_NIFTI_MAGIC', 'not a NIfTI file: sizeof_hdr is neither 348 (NIfTI-1) nor 540 (NIfTI-2)', { found: String(le32) });
  }
  const need = version === 1 ? 348 : 540;
  if (bytes.length < need) {
    fail('E_NIFTI_TRUNCATED', `NIfTI-${version} header is truncated`, { expected: `${need} bytes`, found: `${bytes.length} bytes` });
  }
  const i16 = (o: number) => dv.getInt16(o, le);
  const i32 = (o: number) => dv.getInt32(o, le);
  const f32 = (o: number) => dv.getFloat32(o, le);
  const f64 = (o: number) => dv.getFloat64(o, le);
  const i64 = (o: number) => Number(dv.getBigInt64(o, le));
  if (version === 1) {
    const magic = cstr(bytes, 344, 4);
    if (magic !== 'n+1') {
      if (magic === 'ni1') fail('E_UNSUPPORTED', 'NIfTI-1 header/image pairs (.hdr/.img) are not supported', { expected: 'single-file .nii', found: 'magic "ni1"' });
      fail('E_NIFTI_MAGIC', 'bad NIfTI-1 magic (Analyze 7.5 files are not supported)', { expected: '"n+1"', found: JSON.stringify(magic) });
    }
    return {
      version, littleEndian: le,
      dim: Array.from({ length: 8 }, (_, k) => i16(40 + 2 * k)),
      intentCode: i16(68),
      datatype: i16(70), bitpix: i16(72),
      pixdim: Array.from({ length: 8 }, (_, k) => f32(76 + 4 * k)),
      voxOffset: f32(108), sclSlope: f32(112), sclInter: f32(116),
      xyztUnits: bytes[123]!,
      descrip: cstr(bytes, 148, 80),
      qformCode: i16(252), sformCode: i16(254),
      quatern: [f32(256), f32(260), f32(264)],
      qoffset: [f32(268), f32(272), f32(276)],
      srow: Array.from({ length: 12 }, (_, k) => f32(280 + 4 * k)),
    };
  }
  const magic = cstr(bytes, 4, 4);
  if (magic !== 'n+2') {
    if (magic === 'ni2') fail('E_UNSUPPORTED', 'NIfTI-2 header/image pairs are not supported', { expected: 'single-file .nii', found: 'magic "ni2"' });
    fail('E_NIFTI_MAGIC', 'bad NIfTI-2 magic', { expected: '"n+2"', found: JSON.stringify(magic) });
  }
  return {
    version, littleEndian: le,
    datatype: i16(12), bitpix: i16(14),
    dim: Array.from({ length: 8 }, (_, k) => i64(16 + 8 * k)),
    pixdim: Array.from({ length: 8 }, (_, k) => f64(104 + 8 * k)),
    voxOffset: i64(168), sclSlope: f64(176), sclInter: f64(184),
    descrip: cstr(bytes, 240, 80),
    qformCode: i32(344), sformCode: i32(348),
    quatern: [f64(352), f64(360), f64(368)],
    qoffset: [f64(376), f64(384), f64(392)],
    srow: Array.from({ length: 12 }, (_, k) => f64(400 + 8 * k)),
    xyztUnits: i32(500), intentCode: i32(504),
  };
}

/** Voxel grid size (x, y, z) of a header; throws E_BAD_DIMENSIONS / E_UNSUPPORTED. */
export function niftiSize(h: NiftiHeader): Vec3 {
  const nd = h.dim[0]!;
  if (!(nd >= 1 && nd <= 7)) fail('E_BAD_DIMENSIONS', 'NIfTI dim[0] must be 1…7', { found: String(nd) });
  for (let k = 1; k <= nd; k++) {
    const d = h.dim[k]!;
    if (!Number.isInteger(d) || d <= 0) {
      fail('E_BAD_DIMENSIONS', `NIfTI dim[${k}] must be a positive integer`, { found: `dim = [${h.dim.slice(1, nd + 1).join(', ')}]` });
    }
  }
  let extra = 1;
  for (let k = 4; k <= nd; k++) extra *= h.dim[k]!;
  if (extra !== 1) {
    fail('E_UNSUPPORTED', 'only 3D scalar NIfTI images are supported (dims 4…7 must be 1)', { found: `dim = [${h.dim.slice(1, nd + 1).join(', ')}]` });
  }
  return [h.dim[1]!, nd >= 2 ? h.dim[2]! : 1, nd >= 3 ? h.dim[3]! : 1];
}

function spatialUnitScale(units: number): number {
  switch (units & 0x07) {
    case 1: return 1000; // metre
    case 3: return 0.001; // micron
    default: return 1; // mm or unknown
  }
}

/** RAS affine (3×4, row-major) of a header following the standard's precedence. */
export function niftiAffineRas(h: NiftiHeader): { affine: number[]; method: 'sform' | 'qform' | 'pixdim' } {
  const nd = h.dim[0]!;
  for (let k = 1; k <= Math.min(3, nd); k++) {
    if (!Number.isFinite(h.pixdim[k]!)) {
      fail('E_BAD_SPACING', `NIfTI pixdim[${k}] is not a finite number`, { found: `pixdim = [${h.pixdim.slice(1, 4).join(', ')}]` });
    }
  }
  const px = (k: number) => {
    const v = k <= nd ? h.pixdim[k]! : 1;
    return v > 0 ? v : 1; // nifti1_io: non-positive pixdim is treated as 1
  };
  if (h.sformCode > 0) {
    return { affine: h.srow.slice(), method: 'sform' };
  }
  if (h.qformCode > 0) {
    let [b, c, d] = h.quatern;
    let a = 1 - (b * b + c * c + d * d);
    if (a < 1e-7) {
      a = 1 / Math.sqrt(b * b + c * c + d * d);
      b *= a; c *= a; d *= a;
      a = 0;
    } else a = Math.sqrt(a);
    const qfac = h.pixdim[0]! < 0 ? -1 : 1;
    const dx = px(1), dy = px(2), dz = px(3) * qfac;
    const R = [
      a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c),
      2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b),
      2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b,
    ];
    return {
      affine: [
        R[0]! * dx, R[1]! * dy, R[2]! * dz, h.qoffset[0],
        R[3]! * dx, R[4]! * dy, R[5]! * dz, h.qoffset[1],
        R[6]! * dx, R[7]! * dy, R[8]! * dz, h.qoffset[2],
      ],
      method: 'qform',
    };
  }
  return { affine: [px(1), 0, 0, 0, 0, px(2), 0, 0, 0, 0, px(3), 0], method: 'pixdim' };
}

/** LPS geometry (spacing, origin, direction) of a NIfTI header. */
export function niftiGeometry(h: NiftiHeader): Geometry & { method: 'sform' | 'qform' | 'pixdim' } {
  const size = niftiSize(h);
  const { affine, method } = niftiAffineRas(h);
  const unit = spatialUnitScale(h.xyztUnits);
  const flip = [-1, -1, 1];
  const spacing: Vec3 = [0, 0, 0];
  const direction = new Float64Array(9);
  for (let c = 0; c < 3; c++) {
    const col = [0, 1, 2].map((r) => flip[r]! * affine[r * 4 + c]! * unit);
    const n = Math.hypot(col[0]!, col[1]!, col[2]!);
    if (!Number.isFinite(n) || n === 0) {
      fail('E_BAD_SPACING', `NIfTI ${method} gives a zero or non-finite voxel size along axis ${c}`, {
        found: `column ${c} = (${col.join(', ')})`,
      });
    }
    spacing[c] = n;
    for (let r = 0; r < 3; r++) direction[r * 3 + c] = col[r]! / n + 0; // + 0: no −0
  }
  const origin: Vec3 = [-affine[3]! * unit + 0, -affine[7]! * unit + 0, affine[11]! * unit + 0];
  if (origin.some((v) => !Number.isFinite(v))) fail('E_INVALID_VOLUME', 'NIfTI origin is not finite', { found: origin.join(', ') });
  return { size, spacing, origin, direction, method };
}

/** The dtype a decoded NIfTI volume will have (after scl_slope / scl_inter). */
export function niftiOutputDtype(h: NiftiHeader): DType {
  const t = SCALAR[h.datatype];
  if (!t) throw datatypeError(h.datatype);
  const base: DType = t.dtype === 'int64' || t.dtype === 'uint64' ? 'float64' : t.dtype;
  if (!scaled(h)) return base;
  return base === 'float64' || base === 'int32' || base === 'uint32' ? 'float64' : 'float32';
}

function scaled(h: NiftiHeader): boolean {
  const s = h.sclSlope;
  return Number.isFinite(s) && s !== 0 && !(s === 1 && (h.sclInter === 0 || !Number.isFinite(h.sclInter)));
}

function datatypeError(code: number): RadcamError {
  const name = NON_SCALAR[code];
  if (name) {
    return new RadcamError('E_NIFTI_DATATYPE', `NIfTI datatype ${name} is not a scalar type radcam volumes can hold`, {
      expected: 'a scalar integer or float datatype', found: `datatype ${code} (${name})`,
    });
  }
  return new RadcamError('E_NIFTI_DATATYPE', 'unknown NIfTI datatype', {
    expected: `one of ${Object.keys(SCALAR).join(', ')}`, found: `datatype ${code}`,
  });
}

/** Bytes of voxel data a header describes. */
export function niftiDataBytes(h: NiftiHeader): number {
  const t = SCALAR[h.datatype];
  if (!t) throw datatypeError(h.datatype);
  return voxelCount(niftiSize(h)) * t.bytes;
}

export interface DecodeNiftiOptions {
  /** Apply scl_slope / scl_inter (default true). */
  applyScaling?: boolean;
}

/** Decode an uncompressed NIfTI file into an LPS Volume. The data may be a view on `bytes`. */
export function decodeNifti(bytes: Uint8Array, options: DecodeNiftiOptions = {}): Volume {
  const h = parseNiftiHeader(bytes);
  const geom = niftiGeometry(h);
  const t = SCALAR[h.datatype];
  if (!t) throw datatypeError(h.datatype);
  const n = voxelCount(geom.size);
  const hdrLen = h.version === 1 ? 348 : 540;
  const voxOff = Number.isFinite(h.voxOffset) && h.voxOffset >= hdrLen ? Math.floor(h.voxOffset) : hdrLen + 4;
  const need = voxOff + n * t.bytes;
  if (bytes.length < need) {
    fail('E_NIFTI_TRUNCATED', 'NIfTI voxel data is shorter than the header says', {
      expected: `${need} bytes (${geom.size.join('×')} × ${t.bytes} B from offset ${voxOff})`,
      found: `${bytes.length} bytes`,
    });
  }
  let data: TypedArray =
    t.dtype === 'int64' || t.dtype === 'uint64'
      ? readInt64(bytes, voxOff, n, h.littleEndian, t.dtype === 'int64')
      : typedView(t.dtype, bytes, voxOff, n, h.littleEndian);
  if ((options.applyScaling ?? true) && scaled(h)) {
    const out = niftiOutputDtype(h) === 'float64' ? new Float64Array(n) : new Float32Array(n);
    const s = h.sclSlope;
    const b = Number.isFinite(h.sclInter) ? h.sclInter : 0;
    for (let i = 0; i < n; i++) out[i] = data[i]! * s + b;
    data = out;
  }
  const vol: Volume = { data, size: geom.size, spacing: geom.spacing, origin: geom.origin, direction: geom.direction };
  validateVolume(vol);
  return vol;
}

export interface EncodeNiftiOptions {
  /** 1 (default; 348-byte header, float32 geometry) or 2 (540-byte header, float64 geometry). */
  version?: 1 | 2;
  /** Free text stored in `descrip` (≤ 79 ASCII characters). */
  description?: string;
}

/** Quaternion (b, c, d) and qfac of a 3×3 row-major rotation (nifti_mat44_to_quatern). */
export function rotationToQuaternion(R: ArrayLike<number>): { b: number; c: number; d: number; qfac: number } {
  let [r11, r12, r13, r21, r22, r23, r31, r32, r33] = Array.from(R) as number[] as [number, number, number, number, number, number, number, number, number];
  const det = r11 * (r22 * r33 - r32 * r23) - r12 * (r21 * r33 - r31 * r23) + r13 * (r21 * r32 - r31 * r22);
  let qfac = 1;
  if (det < 0) {
    qfac = -1;
    r13 = -r13; r23 = -r23; r33 = -r33;
  }
  let a = r11 + r22 + r33 + 1;
  let b: number, c: number, d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (r32 - r23)) / a;
    c = (0.25 * (r13 - r31)) / a;
    d = (0.25 * (r21 - r12)) / a;
  } else {
    const xd = 1 + r11 - (r22 + r33);
    const yd = 1 + r22 - (r11 + r33);
    const zd = 1 + r33 - (r11 + r22);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd); c = (0.25 * (r12 + r21)) / b; d = (0.25 * (r13 + r31)) / b; a = (0.25 * (r32 - r23)) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd); b = (0.25 * (r12 + r21)) / c; d = (0.25 * (r23 + r32)) / c; a = (0.25 * (r13 - r31)) / c;
    } else {
      d = 0.5 * Math.sqrt(zd); b = (0.25 * (r13 + r31)) / d; c = (0.25 * (r23 + r32)) / d; a = (0.25 * (r21 - r12)) / d;
    }
    if (a < 0) { b = -b; c = -c; d = -d; }
  }
  return { b, c, d, qfac };
}

/** Encode a Volume as an uncompressed single-file NIfTI (header + 4 extension bytes + data). */
export function encodeNiftiParts(vol: Volume, options: EncodeNiftiOptions = {}): [Uint8Array, Uint8Array] {
  validateVolume(vol);
  const version = options.version ?? (vol.size.some((s) => s > 32767) ? 2 : 1);
  if (version === 1 && vol.size.some((s) => s > 32767)) {
    fail('E_INVALID_ARGUMENT', 'NIfTI-1 dimensions are limited to 32767; use version 2', { found: vol.size.join('×') });
  }
  const dtype = dtypeOf(vol.data);
  const datatype = TYPE_OF_DTYPE[dtype];
  const hdrLen = version === 1 ? 348 : 540;
  const voxOffset = hdrLen + 4;
  const head = new Uint8Array(voxOffset);
  const dv = new DataView(head.buffer);
  const { spacing: sp, origin: o, direction: D } = vol;
  // LPS → RAS
  const flip = [-1, -1, 1];
  const srow: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) srow.push(flip[r]! * D[r * 3 + c]! * sp[c]!);
    srow.push(flip[r]! * o[r]!);
  }
  const Rras = [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => flip[r]! * D[r * 3 + c]!));
  const q = rotationToQuaternion(Rras);
  const dims = [3, vol.size[0], vol.size[1], vol.size[2], 1, 1, 1, 1];
  const pixdim = [q.qfac, sp[0], sp[1], sp[2], 0, 0, 0, 0];
  const descrip = (options.description ?? 'radcam').slice(0, 79);
  const putStr = (off: number, s: string) => {
    for (let i = 0; i < s.length; i++) head[off + i] = s.charCodeAt(i) & 0x7f;
  };
  const bitpix = DTYPE_BYTES[dtype] * 8;
  if (version === 1) {
    dv.setInt32(0, 348, true);
    dims.forEach((d, k) => dv.setInt16(40 + 2 * k, d, true));
    dv.setInt16(70, datatype, true);
    dv.setInt16(72, bitpix, true);
    pixdim.forEach((p, k) => dv.setFloat32(76 + 4 * k, p, true));
    dv.setFloat32(108, voxOffset, true);
    dv.setFloat32(112, 1, true);
    dv.setFloat32(116, 0, true);
    head[123] = 2 | 8; // mm, s
    putStr(148, descrip);
    dv.setInt16(252, 1, true);
    dv.setInt16(254, 1, true);
    dv.setFloat32(256, q.b, true); dv.setFloat32(260, q.c, true); dv.setFloat32(264, q.d, true);
    dv.setFloat32(268, srow[3]!, true); dv.setFloat32(272, srow[7]!, true); dv.setFloat32(276, srow[11]!, true);
    srow.forEach((v, k) => dv.setFloat32(280 + 4 * k, v, true));
    putStr(344, 'n+1');
  } else {
    dv.setInt32(0, 540, true);
    head.set([0x6e, 0x2b, 0x32, 0x00, 0x0d, 0x0a, 0x1a, 0x0a], 4);
    dv.setInt16(12, datatype, true);
    dv.setInt16(14, bitpix, true);
    dims.forEach((d, k) => dv.setBigInt64(16 + 8 * k, BigInt(d), true));
    pixdim.forEach((p, k) => dv.setFloat64(104 + 8 * k, p, true));
    dv.setBigInt64(168, BigInt(voxOffset), true);
    dv.setFloat64(176, 1, true);
    dv.setFloat64(184, 0, true);
    putStr(240, descrip);
    dv.setInt32(344, 1, true);
    dv.setInt32(348, 1, true);
    dv.setFloat64(352, q.b, true); dv.setFloat64(360, q.c, true); dv.setFloat64(368, q.d, true);
    dv.setFloat64(376, srow[3]!, true); dv.setFloat64(384, srow[7]!, true); dv.setFloat64(392, srow[11]!, true);
    srow.forEach((v, k) => dv.setFloat64(400 + 8 * k, v, true));
    dv.setInt32(500, 2 | 8, true);
  }
  return [head, littleEndianBytes(vol.data)];
}
