/**
 * The volume-format registry and the browser-safe codec API (`decodeVolume`, `encodeVolume`,
 * `decodeVolumeInfo`). Formats are registered on the shared `globalRegistry('volume-formats')`
 * by {@link registerVolumeFormats} (called lazily by the codec functions).
 */
import { type Disposer, type RegistryItem, type Vec3, type Volume, globalRegistry, validateVolume, voxelCount } from '@radcam/core';
import { dicomSeriesGeometry, decodeDicomSeries, looksLikeDicom } from './dicom.js';
import { type DType, DTYPE_BYTES, dtypeOf, littleEndianBytes } from './dtype.js';
import { fail } from './errors.js';
import { concat, gunzip, gunzipPrefix, gzip, hex, isGzip } from './gzip.js';
import { decodeMetaImage, encodeMetaParts, looksLikeMetaImage, metaLayout, parseMetaHeader } from './metaimage.js';
import { decodeNifti, encodeNiftiParts, looksLikeNifti, niftiDataBytes, niftiGeometry, niftiOutputDtype, parseNiftiHeader } from './nifti.js';
import { decodeNrrd, looksLikeNrrd, nrrdHeaderText, nrrdLayout, parseNrrdHeader } from './nrrd.js';
import { NeedMoreBytes, asciiBytes, basename } from './text-header.js';

/** Header-level description of an image file (what `radcam info` prints). */
export interface VolumeInfo {
  /** Registry id of the format, e.g. `radcam/nifti`. */
  format: string;
  size: Vec3;
  spacing: Vec3;
  origin: Vec3;
  /** 3×3 row-major direction cosines (LPS). */
  direction: Float64Array;
  /** Element type of the Volume a full read returns (after NIfTI scl_slope / DICOM rescale). */
  dtype: DType;
  /** Bytes of voxel data as stored (uncompressed). */
  bytes?: number;
  /** True when the voxel data is gzip / zlib compressed. */
  compressed?: boolean;
}

export interface DecodeContext {
  filename?: string;
  /** Detached data files (`.nhdr` / `.mhd`) by the name the header uses. */
  files?: Record<string, Uint8Array>;
}

export interface InfoContext {
  filename?: string;
  /** True when `head` is the whole file; otherwise a parser may throw NeedMoreBytes. */
  complete: boolean;
}

export interface EncodeContext {
  filename?: string;
  /** Compress voxel data (gzip for NIfTI / NRRD, zlib for MetaImage). */
  compress: boolean;
  /** 0…9, default 6. */
  gzipLevel?: number;
  /** NIfTI version (1 or 2). */
  niftiVersion?: 1 | 2;
}

/**
 * A piece of an encoded file: bytes, or bytes still to be gzip-compressed as one stream (so the
 * Node writer can compress them in parallel members; the in-memory encoder compresses them at once).
 */
export type EncodedPart = Uint8Array | { gzip: Uint8Array[]; level: number };

/** One output file of an encoder: `name` '' is the main file, others are sidecars (detached data). */
export interface EncodedFile {
  name: string;
  parts: EncodedPart[];
}

/** Compress the pending gzip parts synchronously (single gzip member). */
export function resolvePartsSync(parts: EncodedPart[]): Uint8Array[] {
  return parts.map((p) => (p instanceof Uint8Array ? p : gzip(p.gzip, { level: p.level })));
}

/** A volume file format (one registry item). */
export interface VolumeFormat extends RegistryItem {
  /** Namespaced id, e.g. `radcam/nifti`. */
  readonly id: string;
  /** Short name accepted as `format` option, e.g. `nifti`. */
  readonly name: string;
  /** Lower-case file extensions with the dot (`.nii.gz` before `.nii` is not required). */
  readonly extensions: readonly string[];
  /** True when the first bytes (decompressed when the file is gzip) are this format. */
  sniff(head: Uint8Array, gzipped: boolean): boolean;
  /** Names of detached data files the header refers to (relative to the header). */
  dataFiles?(header: Uint8Array): string[];
  decode(bytes: Uint8Array, ctx: DecodeContext): Volume;
  /** Header-only description; may throw NeedMoreBytes when `ctx.complete` is false. */
  info(head: Uint8Array, ctx: InfoContext): VolumeInfo;
  encode?(volume: Volume, ctx: EncodeContext): EncodedFile[];
  /** Default of `compress` for a filename (e.g. `.nii` → false, `.nii.gz` → true). */
  defaultCompress?(filename: string | undefined): boolean;
}

/** The shared registry of volume formats. */
export const volumeFormats = globalRegistry<VolumeFormat>('volume-formats', 'volume format');

// ---------------------------------------------------------------- NIfTI
function niftiHead(bytes: Uint8Array, complete: boolean): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  const head = gunzipPrefix(bytes.subarray(0, Math.min(bytes.length, 8192)), 544);
  if (head.length < 544 && !complete && bytes.length >= 8192) throw new NeedMoreBytes(bytes.length * 4);
  if (head.length < 544 && bytes.length > 8192) return gunzipPrefix(bytes, 544);
  return head;
}

export const niftiFormat: VolumeFormat = {
  id: 'radcam/nifti',
  name: 'nifti',
  extensions: ['.nii.gz', '.nii'],
  sniff: (head) => looksLikeNifti(head),
  decode(bytes) {
    if (!isGzip(bytes)) return decodeNifti(bytes);
    const h = parseNiftiHeader(niftiHead(bytes, true));
    let hint: number | undefined;
    try {
      hint = Math.max(h.version === 1 ? 352 : 544, Math.floor(h.voxOffset)) + niftiDataBytes(h);
    } catch {
      hint = undefined;
    }
    return decodeNifti(gunzip(bytes, hint));
  },
  info(head, ctx) {
    const gz = isGzip(head);
    const h = parseNiftiHeader(niftiHead(head, ctx.complete));
    const g = niftiGeometry(h);
    return {
      format: 'radcam/nifti', size: g.size, spacing: g.spacing, origin: g.origin, direction: g.direction,
      dtype: niftiOutputDtype(h), bytes: niftiDataBytes(h), compressed: gz,
    };
  },
  encode(volume, ctx) {
    const parts = encodeNiftiParts(volume, ctx.niftiVersion ? { version: ctx.niftiVersion } : {});
    return [{ name: '', parts: ctx.compress ? [{ gzip: parts, level: ctx.gzipLevel ?? 6 }] : parts }];
  },
  defaultCompress: (f) => !(f && /\.nii$/i.test(f)),
};

// ---------------------------------------------------------------- NRRD
function rawName(filename: string | undefined, ext: string): string {
  const b = basename(filename ?? 'volume');
  return b.replace(/\.(nhdr|mhd|nrrd|mha)$/i, '') + ext;
}

export const nrrdFormat: VolumeFormat = {
  id: 'radcam/nrrd',
  name: 'nrrd',
  extensions: ['.nrrd', '.nhdr'],
  sniff: (head, gz) => !gz && looksLikeNrrd(head),
  dataFiles: (header) => nrrdLayout(parseNrrdHeader(header)).dataFiles,
  decode: (bytes, ctx) => decodeNrrd(bytes, ctx.files ? { files: ctx.files } : {}),
  info(head, ctx) {
    const h = parseNrrdHeader(head, !ctx.complete);
    const L = nrrdLayout(h);
    const dtype: DType = L.stored === 'int64' || L.stored === 'uint64' ? 'float64' : L.stored;
    return {
      format: 'radcam/nrrd', size: L.size, spacing: L.spacing, origin: L.origin, direction: L.direction, dtype,
      bytes: voxelCount(L.size) * (L.stored === 'int64' || L.stored === 'uint64' ? 8 : DTYPE_BYTES[L.stored]),
      compressed: L.encoding === 'gzip',
    };
  },
  encode(volume, ctx) {
    validateVolume(volume);
    const encoding = ctx.compress ? 'gzip' : 'raw';
    const raw = littleEndianBytes(volume.data);
    const payload: EncodedPart = ctx.compress ? { gzip: [raw], level: ctx.gzipLevel ?? 6 } : raw;
    if (ctx.filename && /\.nhdr$/i.test(ctx.filename)) {
      const data = rawName(ctx.filename, ctx.compress ? '.raw.gz' : '.raw');
      return [
        { name: '', parts: [asciiBytes(nrrdHeaderText(volume, { encoding, dataFile: data }))] },
        { name: data, parts: [payload] },
      ];
    }
    return [{ name: '', parts: [asciiBytes(nrrdHeaderText(volume, { encoding }) + '\n'), payload] }];
  },
  defaultCompress: () => true,
};

// ---------------------------------------------------------------- MetaImage
export const metaImageFormat: VolumeFormat = {
  id: 'radcam/metaimage',
  name: 'metaimage',
  extensions: ['.mha', '.mhd'],
  sniff: (head, gz) => !gz && looksLikeMetaImage(head),
  dataFiles(header) {
    const L = metaLayout(parseMetaHeader(header));
    return L.dataFiles === 'LOCAL' ? [] : L.dataFiles;
  },
  decode: (bytes, ctx) => decodeMetaImage(bytes, ctx.files ? { files: ctx.files } : {}),
  info(head, ctx) {
    const h = parseMetaHeader(head, !ctx.complete);
    const L = metaLayout(h);
    const dtype: DType = L.stored === 'int64' || L.stored === 'uint64' ? 'float64' : L.stored;
    return {
      format: 'radcam/metaimage', size: L.size, spacing: L.spacing, origin: L.origin, direction: L.direction, dtype,
      bytes: voxelCount(L.size) * (L.stored === 'int64' || L.stored === 'uint64' ? 8 : DTYPE_BYTES[L.stored]),
      compressed: L.compressed,
    };
  },
  encode(volume, ctx) {
    const level = ctx.gzipLevel ?? 6;
    if (ctx.filename && /\.mhd$/i.test(ctx.filename)) {
      const data = rawName(ctx.filename, ctx.compress ? '.zraw' : '.raw');
      const { header, payload } = encodeMetaParts(volume, { compress: ctx.compress, gzipLevel: level, dataFile: data });
      return [{ name: '', parts: [asciiBytes(header)] }, { name: data, parts: [payload] }];
    }
    const { header, payload } = encodeMetaParts(volume, { compress: ctx.compress, gzipLevel: level });
    return [{ name: '', parts: [asciiBytes(header), payload] }];
  },
  defaultCompress: () => true,
};

// ---------------------------------------------------------------- DICOM (single file)
export const dicomFormat: VolumeFormat = {
  id: 'radcam/dicom',
  name: 'dicom',
  extensions: ['.dcm', '.dicom'],
  sniff: (head, gz) => !gz && looksLikeDicom(head),
  decode: (bytes, ctx) => decodeDicomSeries([{ bytes, ...(ctx.filename ? { name: ctx.filename } : {}) }]),
  info(head, ctx) {
    if (!ctx.complete) throw new NeedMoreBytes(head.length * 8);
    const g = dicomSeriesGeometry([{ bytes: head, ...(ctx.filename ? { name: ctx.filename } : {}) }]);
    return { format: 'radcam/dicom', size: g.size, spacing: g.spacing, origin: g.origin, direction: g.direction, dtype: dicomDtype(g), bytes: voxelCount(g.size) * (g.bitsAllocated / 8), compressed: false };
  },
};

/** The dtype a DICOM series decodes to, as far as the header tells (integer rescale → int16 / int32). */
export function dicomDtype(g: { bitsAllocated: number; signed: boolean; slope: number; inter: number }): DType {
  if (!Number.isInteger(g.slope) || !Number.isInteger(g.inter)) return 'float32';
  if (g.bitsAllocated <= 16 && g.slope === 1 && g.inter === 0 && !g.signed && g.bitsAllocated === 16) return 'uint16';
  return g.bitsAllocated <= 16 ? 'int16' : 'int32';
}

export const BUILTIN_FORMATS: readonly VolumeFormat[] = [niftiFormat, nrrdFormat, metaImageFormat, dicomFormat];

/**
 * Register the built-in formats on the shared registry (idempotent). Returns a disposer that
 * removes the ones this call added.
 */
export function registerVolumeFormats(): Disposer {
  const disposers: Disposer[] = [];
  for (const f of BUILTIN_FORMATS) if (!volumeFormats.has(f.id)) disposers.push(volumeFormats.register(f));
  return () => disposers.forEach((d) => d());
}

/** A format by id (`radcam/nifti`), short name (`nifti`) or extension / filename (`.nii.gz`, `x.mha`). */
export function resolveFormat(spec: string): VolumeFormat {
  registerVolumeFormats();
  const byId = volumeFormats.find(spec);
  if (byId) return byId;
  const s = spec.toLowerCase();
  for (const f of volumeFormats.list()) if (f.name === s) return f;
  const byExt = formatForFilename(s.includes('.') ? s : `.${s}`);
  if (byExt) return byExt;
  fail('E_UNKNOWN_FORMAT', `unknown volume format "${spec}"`, {
    expected: volumeFormats.list().map((f) => `${f.id} (${f.extensions.join(', ')})`).join('; '),
  });
}

/** The format whose extension ends `filename` (longest match), or undefined. */
export function formatForFilename(filename: string): VolumeFormat | undefined {
  registerVolumeFormats();
  const f = filename.toLowerCase();
  let best: VolumeFormat | undefined;
  let len = 0;
  for (const fmt of volumeFormats.list()) {
    for (const e of fmt.extensions) if (f.endsWith(e) && e.length > len) [best, len] = [fmt, e.length];
  }
  return best;
}

/** Detect the format of `bytes` (magic first, then the filename's extension). */
export function detectFormat(bytes: Uint8Array, filename?: string): VolumeFormat {
  registerVolumeFormats();
  const gz = isGzip(bytes);
  let head: Uint8Array = bytes.subarray(0, 1024);
  if (gz) head = gunzipPrefix(bytes.subarray(0, Math.min(bytes.length, 8192)), 1024);
  for (const f of volumeFormats.list()) if (f.sniff(head, gz)) return f;
  const byExt = filename ? formatForFilename(filename) : undefined;
  if (byExt) return byExt;
  fail('E_UNKNOWN_FORMAT', `unrecognised volume file${filename ? ` ${filename}` : ''}`, {
    expected: 'NIfTI (.nii/.nii.gz), NRRD (.nrrd/.nhdr), MetaImage (.mha/.mhd) or DICOM',
    found: `first bytes ${hex(bytes.subarray(0, 8))}${gz ? ' (gzip)' : ''}`,
  });
}

export interface DecodeVolumeOptions {
  /** File name (for extension-based detection and detached data). */
  filename?: string;
  /** Force a format (id, short name or extension). */
  format?: string;
  /** Detached data files by name (`.nhdr` / `.mhd`). */
  files?: Record<string, Uint8Array>;
}

/**
 * Decode an image file held in memory (browser-safe). Returns an LPS Volume whose `data` may be a
 * view on `bytes` (uncompressed files) or on a freshly inflated buffer.
 */
export function decodeVolume(bytes: Uint8Array, options: DecodeVolumeOptions = {}): Volume {
  const fmt = options.format ? resolveFormat(options.format) : detectFormat(bytes, options.filename);
  return fmt.decode(bytes, { ...(options.filename ? { filename: options.filename } : {}), ...(options.files ? { files: options.files } : {}) });
}

/** Header-only description of an in-memory file (pass a prefix with `complete: false`). */
export function decodeVolumeInfo(bytes: Uint8Array, options: DecodeVolumeOptions & { complete?: boolean } = {}): VolumeInfo {
  const fmt = options.format ? resolveFormat(options.format) : detectFormat(bytes, options.filename);
  return fmt.info(bytes, { complete: options.complete ?? true, ...(options.filename ? { filename: options.filename } : {}) });
}

export interface EncodeVolumeOptions {
  /** Format id, short name or extension (`radcam/nifti`, `nrrd`, `.nii.gz`, `.mha`). */
  format: string;
  /** Compress the voxel data. Default: true, except `.nii` (and formats named by a raw extension). */
  compress?: boolean;
  /** gzip / zlib level 0…9 (default 6). */
  gzipLevel?: number;
  /** NIfTI version 1 (default) or 2. */
  niftiVersion?: 1 | 2;
}

function encodeContext(fmt: VolumeFormat, options: EncodeVolumeOptions, filename?: string): EncodeContext {
  const nameHint = filename ?? (options.format.includes('.') ? options.format : undefined);
  return {
    compress: options.compress ?? fmt.defaultCompress?.(nameHint) ?? true,
    ...(nameHint ? { filename: nameHint } : {}),
    ...(options.gzipLevel !== undefined ? { gzipLevel: options.gzipLevel } : {}),
    ...(options.niftiVersion ? { niftiVersion: options.niftiVersion } : {}),
  };
}

/** Encode a volume into the bytes of a single file (browser-safe; attached formats only). */
export function encodeVolume(volume: Volume, options: EncodeVolumeOptions): Uint8Array {
  const fmt = resolveFormat(options.format);
  if (!fmt.encode) fail('E_UNSUPPORTED', `format ${fmt.id} cannot be written`);
  const ctx = encodeContext(fmt, options);
  if (ctx.filename && /\.(nhdr|mhd)$/i.test(ctx.filename)) ctx.filename = ctx.filename.replace(/\.nhdr$/i, '.nrrd').replace(/\.mhd$/i, '.mha');
  const files = fmt.encode(volume, ctx);
  return concat(resolvePartsSync(files[0]!.parts));
}

/** Encode into one or more files (main file `name: ''` plus detached data sidecars). */
export function encodeVolumeFiles(volume: Volume, filename: string, options: Partial<EncodeVolumeOptions> = {}): EncodedFile[] {
  const fmt = options.format ? resolveFormat(options.format) : formatForFilename(filename) ?? fail('E_UNKNOWN_FORMAT', `cannot tell the output format from "${filename}"`, {
    expected: 'an extension .nii, .nii.gz, .nrrd, .nhdr, .mha or .mhd (or a format option)',
  });
  if (!fmt.encode) fail('E_UNSUPPORTED', `format ${fmt.id} cannot be written`);
  return fmt.encode(volume, encodeContext(fmt, { format: fmt.id, ...options }, filename));
}

export { dtypeOf };
