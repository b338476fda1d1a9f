/**
 * MetaImage (ITK MetaIO): `.mha` (header + data in one file) and `.mhd` + `.raw` / `.zraw`.
 * Supports ElementType MET_(U)CHAR/(U)SHORT/(U)INT/(U)LONG/(U)LONG_LONG/FLOAT/DOUBLE,
 * CompressedData (zlib), TransformMatrix, Offset, ElementSpacing, HeaderSize, byte order.
 * MetaImage physical space is ITK's (LPS): no conversion.
 */
import { type Vec3, type Volume, validateVolume, voxelCount } from '@radcam/core';
import { type DType, type StoredType, decodeBinaryVoxels, decodedDtype, dtypeOf, littleEndianBytes, parseAsciiData, storedBytes } from './dtype.js';
import { fail } from './errors.js';
import { concat, deflateZlib, inflateZlib, isGzip, gunzip } from './gzip.js';
import { completeDirection } from './nrrd.js';
import { NeedMoreBytes, asciiBytes, detachedDataFiles, latin1, num, parseNumbers } from './text-header.js';

const TYPES: Record<string, StoredType> = {
  MET_CHAR: 'int8', MET_UCHAR: 'uint8', MET_SHORT: 'int16', MET_USHORT: 'uint16',
  MET_INT: 'int32', MET_UINT: 'uint32', MET_LONG: 'int32', MET_ULONG: 'uint32',
  MET_LONG_LONG: 'int64', MET_ULONG_LONG: 'uint64', MET_FLOAT: 'float32', MET_DOUBLE: 'float64',
};
const WRITE_TYPE: Record<DType, string> = {
  int8: 'MET_CHAR', uint8: 'MET_UCHAR', int16: 'MET_SHORT', uint16: 'MET_USHORT',
  int32: 'MET_INT', uint32: 'MET_UINT', float32: 'MET_FLOAT', float64: 'MET_DOUBLE',
};

const FIRST_KEYS = /^\s*(ObjectType|NDims|ObjectSubType|Comment|TransformType|Name|ID|FormTypeName)\s*=/i;

export function looksLikeMetaImage(bytes: Uint8Array): boolean {
  return FIRST_KEYS.test(latin1(bytes, 0, Math.min(bytes.length, 256)));
}

export interface MetaHeader {
  fields: Record<string, string>;
  /** Byte offset just after the ElementDataFile line. */
  dataOffset: number;
}

/** Parse a MetaImage header (keys matched case-insensitively; ElementDataFile ends it). */
export function parseMetaHeader(bytes: Uint8Array, partial = false): MetaHeader {
  const fields: Record<string, string> = {};
  let o = 0;
  for (;;) {
    let e = o;
    while (e < bytes.length && bytes[e] !== 0x0a) e++;
    if (e >= bytes.length && partial) throw new NeedMoreBytes(bytes.length * 2);
    const line = latin1(bytes, o, e).replace(/\r$/, '');
    o = Math.min(bytes.length, e + 1);
    const eq = line.indexOf('=');
    if (eq > 0) {
      const key = line.slice(0, eq).trim().toLowerCase();
      fields[key] = line.slice(eq + 1).trim();
      if (key === 'elementdatafile') break;
    } else if (line.trim() !== '') {
      fail('E_MHA_HEADER', 'malformed MetaImage header line', { expected: '"Key = Value"', found: JSON.stringify(line.slice(0, 80)) });
    }
    if (e >= bytes.length) fail('E_MHA_HEADER', 'MetaImage header has no ElementDataFile line');
  }
  return { fields, dataOffset: o };
}

export interface MetaLayout {
  size: Vec3;
  spacing: Vec3;
  origin: Vec3;
  direction: Float64Array;
  stored: StoredType;
  littleEndian: boolean;
  compressed: boolean;
  binary: boolean;
  headerSize: number;
  /** 'LOCAL' or data file names. */
  dataFiles: string[] | 'LOCAL';
}

export function metaLayout(h: MetaHeader): MetaLayout {
  const F = h.fields;
  const need = (k: string, name: string) => F[k] ?? fail('E_MHA_HEADER', `MetaImage header lacks ${name}`);
  if (F.objecttype && F.objecttype.toLowerCase() !== 'image') fail('E_UNSUPPORTED', 'MetaImage object is not an Image', { found: F.objecttype });
  const nd = Number(need('ndims', 'NDims'));
  if (!Number.isInteger(nd) || nd < 1 || nd > 3) fail('E_UNSUPPORTED', 'only 1–3 dimensional MetaImages are supported', { found: `NDims = ${F.ndims}` });
  const dims = parseNumbers(need('dimsize', 'DimSize'), 'DimSize', 'E_MHA_HEADER');
  if (dims.length !== nd || dims.some((d) => !Number.isInteger(d) || d <= 0)) {
    fail('E_BAD_DIMENSIONS', 'MetaImage DimSize must be NDims positive integers', { found: F.dimsize });
  }
  const channels = Number(F.elementnumberofchannels ?? 1);
  if (channels !== 1) fail('E_UNSUPPORTED', 'multi-channel MetaImages are not supported', { found: `ElementNumberOfChannels = ${channels}` });
  const et = need('elementtype', 'ElementType').toUpperCase();
  const stored = TYPES[et];
  if (!stored) fail('E_UNSUPPORTED', 'unsupported MetaImage ElementType', { expected: Object.keys(TYPES).join(', '), found: et });
  const size: Vec3 = [1, 1, 1];
  dims.forEach((d, i) => (size[i] = d));
  const spacing: Vec3 = [1, 1, 1];
  const spStr = F.elementspacing ?? F.elementsize;
  if (spStr !== undefined) {
    const sp = parseNumbers(spStr, 'ElementSpacing', 'E_MHA_HEADER');
    for (let i = 0; i < nd; i++) {
      const s = sp[i]!;
      if (!Number.isFinite(s) || s <= 0) fail('E_BAD_SPACING', 'MetaImage ElementSpacing must be finite positive numbers', { found: spStr });
      spacing[i] = s;
    }
  }
  const origin: Vec3 = [0, 0, 0];
  const oStr = F.offset ?? F.position ?? F.origin;
  if (oStr !== undefined) {
    const o = parseNumbers(oStr, 'Offset', 'E_MHA_HEADER');
    for (let i = 0; i < nd; i++) origin[i] = o[i]!;
    if (origin.some((v) => !Number.isFinite(v))) fail('E_MHA_HEADER', 'MetaImage Offset is not finite', { found: oStr });
  }
  const direction = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
  const mStr = F.transformmatrix ?? F.rotation ?? F.orientation;
  if (mStr !== undefined) {
    const m = parseNumbers(mStr, 'TransformMatrix', 'E_MHA_HEADER');
    if (m.length !== nd * nd || m.some((v) => !Number.isFinite(v))) fail('E_MHA_HEADER', 'TransformMatrix must have NDims² finite values', { found: mStr });
    // TransformMatrix lists the direction of axis 0 first (ITK MetaImageIO): m[i*nd + j] = D[j][i].
    for (let i = 0; i < nd; i++) for (let j = 0; j < nd; j++) direction[j * 3 + i] = m[i * nd + j]! + 0;
    if (nd < 3) completeDirection(direction, nd);
  }
  const msb = (F.binarydatabyteordermsb ?? F.elementbyteordermsb ?? 'False').toLowerCase() === 'true';
  const compressed = (F.compresseddata ?? 'False').toLowerCase() === 'true';
  const binary = (F.binarydata ?? 'True').toLowerCase() === 'true';
  const df = need('elementdatafile', 'ElementDataFile');
  let dataFiles: MetaLayout['dataFiles'];
  if (df.toUpperCase() === 'LOCAL') dataFiles = 'LOCAL';
  else if (/^LIST/i.test(df)) fail('E_UNSUPPORTED', 'MetaImage ElementDataFile = LIST is not supported');
  else {
    const parts = df.split(/\s+/);
    if (parts.length >= 4 && parts[0]!.includes('%')) {
      const [fmt, a, b, step] = [parts[0]!, Number(parts[1]), Number(parts[2]), Number(parts[3])];
      dataFiles = [];
      for (let i = a; step > 0 ? i <= b : i >= b; i += step) dataFiles.push(fmt.replace(/%0?(\d*)d/, (_, w: string) => String(i).padStart(Number(w || 0), '0')));
    } else dataFiles = [df];
  }
  return { size, spacing, origin, direction, stored, littleEndian: !msb, compressed, binary, headerSize: Number(F.headersize ?? 0), dataFiles };
}

export interface DecodeMetaOptions {
  /** Contents of detached data files by the name the header gives. */
  files?: Record<string, Uint8Array>;
}

export function decodeMetaImage(bytes: Uint8Array, options: DecodeMetaOptions = {}): Volume {
  const h = parseMetaHeader(bytes);
  const L = metaLayout(h);
  const n = voxelCount(L.size);
  const blobs = L.dataFiles === 'LOCAL' ? [bytes.subarray(h.dataOffset)] : detachedDataFiles('MetaImage', L.dataFiles, options.files);
  const per = Math.ceil((n * storedBytes(L.stored)) / blobs.length);
  const parts = blobs.map((b) => {
    if (L.compressed) return isGzip(b) ? gunzip(b, per) : inflateZlib(b, per);
    if (L.headerSize === -1) return b.subarray(Math.max(0, b.length - per));
    return L.headerSize > 0 && L.dataFiles !== 'LOCAL' ? b.subarray(L.headerSize) : b;
  });
  const data = L.binary
    ? decodeBinaryVoxels(concat(parts), L.stored, L.size, L.littleEndian, 'MetaImage')
    : parseAsciiData(parts.map((p) => latin1(p)).join('\n'), decodedDtype(L.stored), n);
  const vol: Volume = { data, size: L.size, spacing: L.spacing, origin: L.origin, direction: L.direction };
  validateVolume(vol);
  return vol;
}

export interface EncodeMetaOptions {
  /** zlib-compress the data (CompressedData = True). Default true. */
  compress?: boolean;
  gzipLevel?: number;
  /** Detached data file name (`.mhd`); LOCAL when absent. */
  dataFile?: string;
}

function orientationCode(D: Float64Array): string {
  let s = '';
  for (let c = 0; c < 3; c++) {
    const col = [D[c]!, D[3 + c]!, D[6 + c]!];
    const r = [0, 1, 2].reduce((best, i) => (Math.abs(col[i]!) > Math.abs(col[best]!) ? i : best), 0);
    s += col[r]! >= 0 ? 'RAI'[r] : 'LPS'[r];
  }
  return s;
}

/** Header text and payload of a MetaImage. */
export function encodeMetaParts(vol: Volume, opts: EncodeMetaOptions = {}): { header: string; payload: Uint8Array } {
  validateVolume(vol);
  const compress = opts.compress ?? true;
  const raw = littleEndianBytes(vol.data);
  const payload = compress ? deflateZlib(raw, { level: opts.gzipLevel ?? 6 }) : raw;
  const D = vol.direction;
  const tm: string[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) tm.push(num(D[j * 3 + i]!));
  const lines = [
    'ObjectType = Image',
    'NDims = 3',
    'BinaryData = True',
    'BinaryDataByteOrderMSB = False',
    `CompressedData = ${compress ? 'True' : 'False'}`,
    ...(compress ? [`CompressedDataSize = ${payload.length}`] : []),
    `TransformMatrix = ${tm.join(' ')}`,
    `Offset = ${vol.origin.map(num).join(' ')}`,
    'CenterOfRotation = 0 0 0',
    `AnatomicalOrientation = ${orientationCode(D)}`,
    `ElementSpacing = ${vol.spacing.map(num).join(' ')}`,
    `DimSize = ${vol.size.join(' ')}`,
    `ElementType = ${WRITE_TYPE[dtypeOf(vol.data)]}`,
    `ElementDataFile = ${opts.dataFile ?? 'LOCAL'}`,
  ];
  return { header: lines.join('\n') + '\n', payload };
}

/** Encode a single-file `.mha`. */
export function encodeMetaImage(vol: Volume, opts: EncodeMetaOptions = {}): Uint8Array {
  const { header, payload } = encodeMetaParts(vol, { ...opts, dataFile: undefined });
  return concat([asciiBytes(header), payload]);
}
