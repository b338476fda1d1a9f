/**
 * NRRD (teem format spec, NRRD0001–0005): attached `.nrrd` and detached `.nhdr` headers,
 * encodings raw, gzip and ascii; `space` LPS / RAS / LAS with `space directions` and
 * `space origin`, or plain `spacings`. Output volumes are LPS.
 */
import { type TypedArray, type Vec3, type Volume, validateVolume, voxelCount } from '@radcam/core';
import { type DType, type StoredType, decodeBinaryVoxels, decodedDtype, dtypeOf, littleEndianBytes, parseAsciiData, storedBytes } from './dtype.js';
import { fail } from './errors.js';
import { concat, gunzip, gzip, isGzip } from './gzip.js';
import { NeedMoreBytes, asciiBytes, detachedDataFiles, latin1, num, parseNumbers } from './text-header.js';

const TYPES: Record<string, StoredType> = {};
const addType = (dt: StoredType, names: string[]) => names.forEach((n) => (TYPES[n] = dt));
addType('int8', ['signed char', 'int8', 'int8_t']);
addType('uint8', ['uchar', 'unsigned char', 'uint8', 'uint8_t']);
addType('int16', ['short', 'short int', 'signed short', 'signed short int', 'int16', 'int16_t']);
addType('uint16', ['ushort', 'unsigned short', 'unsigned short int', 'uint16', 'uint16_t']);
addType('int32', ['int', 'signed int', 'int32', 'int32_t']);
addType('uint32', ['uint', 'unsigned int', 'uint32', 'uint32_t']);
addType('int64', ['longlong', 'long long', 'long long int', 'signed long long', 'signed long long int', 'int64', 'int64_t']);
addType('uint64', ['ulonglong', 'unsigned long long', 'unsigned long long int', 'uint64', 'uint64_t']);
addType('float32', ['float']);
addType('float64', ['double']);

const WRITE_TYPE: Record<DType, string> = {
  int8: 'int8', uint8: 'uint8', int16: 'int16', uint16: 'uint16', int32: 'int32', uint32: 'uint32', float32: 'float', float64: 'double',
};

export interface NrrdHeader {
  fields: Record<string, string>;
  keyValues: Record<string, string>;
  /** Byte offset of the data in an attached file (after the blank line), or the header length. */
  dataOffset: number;
  /** File names listed after a `data file: LIST` header. */
  listFiles: string[];
}

export function looksLikeNrrd(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && latin1(bytes, 0, 7) === 'NRRD000';
}

/**
 * Parse the text header. With `partial`, a header without its terminating blank line throws
 * NeedMoreBytes (the caller had only a prefix of the file).
 */
export function parseNrrdHeader(bytes: Uint8Array, partial = false): NrrdHeader {
  if (!looksLikeNrrd(bytes)) fail('E_NRRD_HEADER', 'not a NRRD file', { expected: 'magic "NRRD000x"', found: JSON.stringify(latin1(bytes, 0, 8)) });
  let end = -1;
  let dataOffset = bytes.length;
  for (let i = 0; i < bytes.length - 1; i++) {
    if (bytes[i] === 0x0a && bytes[i + 1] === 0x0a) { end = i; dataOffset = i + 2; break; }
    if (bytes[i] === 0x0a && bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) { end = i; dataOffset = i + 3; break; }
  }
  if (end < 0) {
    if (partial) throw new NeedMoreBytes(bytes.length * 2);
    end = bytes.length;
  }
  const lines = latin1(bytes, 0, end).split(/\r?\n/);
  const fields: Record<string, string> = {};
  const keyValues: Record<string, string> = {};
  const listFiles: string[] = [];
  let inList = false;
  for (const line of lines.slice(1)) {
    if (inList) { if (line.trim()) listFiles.push(line.trim()); continue; }
    if (line.startsWith('#') || line.trim() === '') continue;
    const kv = line.indexOf(':=');
    const f = line.indexOf(': ');
    if (kv >= 0 && (f < 0 || kv < f)) { keyValues[line.slice(0, kv)] = line.slice(kv + 2); continue; }
    if (f < 0) fail('E_NRRD_HEADER', 'malformed NRRD header line', { expected: '"field: value"', found: JSON.stringify(line) });
    const key = line.slice(0, f).trim().toLowerCase();
    const value = line.slice(f + 2).trim();
    fields[key === 'datafile' ? 'data file' : key] = value;
    if ((key === 'data file' || key === 'datafile') && /^LIST(\s|$)/.test(value)) inList = true;
  }
  return { fields, keyValues, dataOffset: inList ? bytes.length : dataOffset, listFiles };
}

const SPACE_FLIP: Record<string, Vec3> = {
  'left-posterior-superior': [1, 1, 1], lps: [1, 1, 1],
  'right-anterior-superior': [-1, -1, 1], ras: [-1, -1, 1],
  'left-anterior-superior': [1, -1, 1], las: [1, -1, 1],
  'scanner-xyz': [1, 1, 1], '3d-right-handed': [1, 1, 1], '3d-left-handed': [1, 1, 1],
};

export interface NrrdLayout {
  size: Vec3;
  spacing: Vec3;
  origin: Vec3;
  direction: Float64Array;
  stored: StoredType;
  littleEndian: boolean;
  encoding: 'raw' | 'gzip' | 'ascii';
  /** Detached data files (relative names), empty for attached data. */
  dataFiles: string[];
  byteSkip: number;
  lineSkip: number;
}

/** Interpret the fields of a NRRD header (geometry, type, encoding, data files). */
export function nrrdLayout(h: NrrdHeader): NrrdLayout {
  const F = h.fields;
  const need = (k: string) => F[k] ?? fail('E_NRRD_HEADER', `NRRD header lacks the required field "${k}"`);
  const typeName = need('type').toLowerCase();
  const stored = TYPES[typeName];
  if (!stored) fail('E_UNSUPPORTED', 'unsupported NRRD type', { expected: Object.keys(TYPES).join(', '), found: typeName });
  const dim = Number(need('dimension'));
  const sizes = parseNumbers(need('sizes'), 'NRRD sizes', 'E_NRRD_HEADER');
  if (!Number.isInteger(dim) || dim < 1 || sizes.length !== dim) {
    fail('E_BAD_DIMENSIONS', 'NRRD dimension and sizes disagree', { expected: `${dim} sizes`, found: F.sizes });
  }
  if (sizes.some((s) => !Number.isInteger(s) || s <= 0)) fail('E_BAD_DIMENSIONS', 'NRRD sizes must be positive integers', { found: F.sizes });
  // Which axes are spatial?
  let dirs: (number[] | null)[] | null = null;
  if (F['space directions'] !== undefined) {
    const toks = F['space directions'].match(/none|\([^)]*\)/g) ?? [];
    if (toks.length !== dim) fail('E_NRRD_HEADER', 'NRRD space directions must have one entry per axis', { expected: `${dim}`, found: F['space directions'] });
    dirs = toks.map((t) => (t === 'none' ? null : parseNumbers(t, 'NRRD space direction', 'E_NRRD_HEADER')));
  }
  const spatial = dirs ? dirs.map((d, i) => (d ? i : -1)).filter((i) => i >= 0) : sizes.map((_, i) => i);
  const nonSpatial = sizes.map((_, i) => i).filter((i) => !spatial.includes(i));
  if (spatial.length > 3 || spatial.length < 1) fail('E_UNSUPPORTED', 'only 1–3 spatial NRRD axes are supported', { found: `${spatial.length}` });
  for (const i of nonSpatial) {
    if (sizes[i] !== 1) fail('E_UNSUPPORTED', 'multi-component or time-series NRRD images are not supported', { found: `non-spatial axis ${i} of size ${sizes[i]}` });
  }
  const size: Vec3 = [1, 1, 1];
  spatial.forEach((ax, k) => (size[k] = sizes[ax]!));
  const spaceName = (F.space ?? '').toLowerCase();
  let flip: Vec3 = [1, 1, 1];
  if (spaceName) {
    const f = SPACE_FLIP[spaceName];
    if (!f) fail('E_UNSUPPORTED', 'unsupported NRRD space', { expected: 'left-posterior-superior, right-anterior-superior, left-anterior-superior or scanner-xyz', found: spaceName });
    flip = f;
  }
  const spacing: Vec3 = [1, 1, 1];
  const direction = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
  if (dirs) {
    spatial.forEach((ax, c) => {
      const v = dirs![ax]!;
      if (v.length < 1 || v.length > 3) fail('E_NRRD_HEADER', 'NRRD space direction must have 1–3 components', { found: v.join(',') });
      const w = [0, 1, 2].map((r) => (v[r] ?? 0) * flip[r]!);
      const n = Math.hypot(w[0]!, w[1]!, w[2]!);
      if (!Number.isFinite(n) || n === 0) fail('E_BAD_SPACING', `NRRD space direction of axis ${ax} is zero or not finite`, { found: `(${v.join(',')})` });
      spacing[c] = n;
      for (let r = 0; r < 3; r++) direction[r * 3 + c] = w[r]! / n + 0; // + 0: no −0
    });
    // Fill unused direction columns (2D images) with a right-handed completion.
    if (spatial.length < 3) completeDirection(direction, spatial.length);
  } else if (F.spacings !== undefined) {
    const sp = parseNumbers(F.spacings, 'NRRD spacings', 'E_NRRD_HEADER');
    spatial.forEach((ax, c) => {
      const s = sp[ax]!;
      if (!Number.isFinite(s) || s <= 0) fail('E_BAD_SPACING', 'NRRD spacings must be finite positive numbers', { found: F.spacings });
      spacing[c] = s;
    });
  }
  const origin: Vec3 = [0, 0, 0];
  if (F['space origin'] !== undefined) {
    const o = parseNumbers(F['space origin'], 'NRRD space origin', 'E_NRRD_HEADER');
    for (let r = 0; r < Math.min(3, o.length); r++) origin[r] = o[r]! * flip[r]! + 0;
    if (origin.some((v) => !Number.isFinite(v))) fail('E_NRRD_HEADER', 'NRRD space origin is not finite', { found: F['space origin'] });
  }
  const enc = (F.encoding ?? need('encoding')).toLowerCase();
  let encoding: NrrdLayout['encoding'];
  if (enc === 'raw') encoding = 'raw';
  else if (enc === 'gzip' || enc === 'gz') encoding = 'gzip';
  else if (enc === 'ascii' || enc === 'text' || enc === 'txt') encoding = 'ascii';
  else fail('E_UNSUPPORTED', 'unsupported NRRD encoding', { expected: 'raw, gzip or ascii', found: enc });
  const endian = (F.endian ?? 'little').toLowerCase();
  let dataFiles: string[] = [];
  const df = F['data file'];
  if (df !== undefined) {
    const m = /^LIST(?:\s+\d+)?$/.exec(df);
    if (m) dataFiles = h.listFiles;
    else {
      const parts = df.split(/\s+/);
      if (parts.length >= 4 && parts[0]!.includes('%')) {
        const [fmt, a, b, step] = [parts[0]!, Number(parts[1]), Number(parts[2]), Number(parts[3])];
        for (let i = a; step > 0 ? i <= b : i >= b; i += step) dataFiles.push(fmt.replace(/%0?(\d*)d/, (_, w: string) => String(i).padStart(Number(w || 0), '0')));
      } else dataFiles = [df];
    }
  }
  return {
    size, spacing, origin, direction, stored, littleEndian: endian !== 'big', encoding, dataFiles,
    byteSkip: Number(F['byte skip'] ?? 0), lineSkip: Number(F['line skip'] ?? 0),
  };
}

export function completeDirection(D: Float64Array, nCols: number): void {
  if (nCols === 1) {
    // pick any vector orthogonal to column 0
    const a = [D[0]!, D[3]!, D[6]!];
    const t = Math.abs(a[0]!) < 0.9 ? [1, 0, 0] : [0, 1, 0];
    const dot = a[0]! * t[0]! + a[1]! * t[1]! + a[2]! * t[2]!;
    const b = [t[0]! - dot * a[0]!, t[1]! - dot * a[1]!, t[2]! - dot * a[2]!];
    const n = Math.hypot(b[0]!, b[1]!, b[2]!);
    for (let r = 0; r < 3; r++) D[r * 3 + 1] = b[r]! / n;
  }
  const a = [D[0]!, D[3]!, D[6]!];
  const b = [D[1]!, D[4]!, D[7]!];
  D[2] = a[1]! * b[2]! - a[2]! * b[1]!;
  D[5] = a[2]! * b[0]! - a[0]! * b[2]!;
  D[8] = a[0]! * b[1]! - a[1]! * b[0]!;
}

function skipLines(bytes: Uint8Array, lines: number): number {
  let o = 0;
  for (let l = 0; l < lines; l++) {
    while (o < bytes.length && bytes[o] !== 0x0a) o++;
    o++;
  }
  return o;
}

/** Turn one data blob (attached tail or a detached file) into raw voxel bytes. */
function payload(blob: Uint8Array, L: NrrdLayout, expectBytes: number): Uint8Array {
  let b = blob.subarray(skipLines(blob, L.lineSkip));
  if (L.encoding === 'gzip') {
    b = gunzip(b, expectBytes + Math.max(0, L.byteSkip));
    return L.byteSkip > 0 ? b.subarray(L.byteSkip) : b;
  }
  if (L.encoding === 'raw') {
    if (L.byteSkip === -1) return b.subarray(Math.max(0, b.length - expectBytes));
    return L.byteSkip > 0 ? b.subarray(L.byteSkip) : b;
  }
  return b;
}

export interface DecodeNrrdOptions {
  /** Contents of detached data files by the name the header gives. */
  files?: Record<string, Uint8Array>;
}

/** Decode a NRRD file (attached or detached header) into an LPS Volume. */
export function decodeNrrd(bytes: Uint8Array, options: DecodeNrrdOptions = {}): Volume {
  const h = parseNrrdHeader(bytes);
  const L = nrrdLayout(h);
  const n = voxelCount(L.size);
  const blobs = L.dataFiles.length === 0 ? [bytes.subarray(h.dataOffset)] : detachedDataFiles('NRRD', L.dataFiles, options.files);
  let data: TypedArray;
  if (L.encoding === 'ascii') {
    data = parseAsciiData(blobs.map((b) => latin1(payload(b, L, 0))).join('\n'), decodedDtype(L.stored), n);
  } else {
    const per = Math.ceil((n * storedBytes(L.stored)) / blobs.length);
    data = decodeBinaryVoxels(concat(blobs.map((b) => payload(b, L, per))), L.stored, L.size, L.littleEndian, 'NRRD');
  }
  const vol: Volume = { data, size: L.size, spacing: L.spacing, origin: L.origin, direction: L.direction };
  validateVolume(vol);
  return vol;
}

export interface EncodeNrrdOptions {
  /** 'gzip' (default) or 'raw'. */
  encoding?: 'gzip' | 'raw';
  gzipLevel?: number;
  /** Write a detached header naming this data file (the caller stores the data under that name). */
  dataFile?: string;
}

/** NRRD header text for a volume. */
export function nrrdHeaderText(vol: Volume, opts: EncodeNrrdOptions = {}): string {
  const D = vol.direction;
  const dirs = [0, 1, 2].map((c) => `(${[0, 1, 2].map((r) => num(D[r * 3 + c]! * vol.spacing[c]!)).join(',')})`);
  const lines = [
    'NRRD0004',
    '# Complete NRRD file format specification at:',
    '# http://teem.sourceforge.net/nrrd/format.html',
    `type: ${WRITE_TYPE[dtypeOf(vol.data)]}`,
    'dimension: 3',
    'space: left-posterior-superior',
    `sizes: ${vol.size.join(' ')}`,
    `space directions: ${dirs.join(' ')}`,
    'kinds: domain domain domain',
    'endian: little',
    `encoding: ${opts.encoding ?? 'gzip'}`,
    `space origin: (${vol.origin.map(num).join(',')})`,
  ];
  if (opts.dataFile) lines.push(`data file: ${opts.dataFile}`);
  return lines.join('\n') + '\n';
}

/** Encode the voxel payload (gzip or raw, little-endian). */
export function nrrdPayload(vol: Volume, opts: EncodeNrrdOptions = {}): Uint8Array {
  const raw = littleEndianBytes(vol.data);
  return (opts.encoding ?? 'gzip') === 'gzip' ? gzip(raw, { level: opts.gzipLevel ?? 6 }) : raw;
}

/** Encode an attached `.nrrd` file. */
export function encodeNrrd(vol: Volume, opts: EncodeNrrdOptions = {}): Uint8Array {
  validateVolume(vol);
  const head = asciiBytes(nrrdHeaderText(vol, { ...opts, dataFile: undefined }) + '\n');
  return concat([head, nrrdPayload(vol, opts)]);
}

export { isGzip };
