/**
 * Node-only file functions. `node:fs` / `node:path` are imported dynamically inside each
 * function, so importing `@radcam/volume-io` stays browser-safe (bundlers leave these imports
 * unexecuted). Write operations are atomic: temporary name in the target folder, then rename.
 */
import { type Geometry, type Mask, type Volume, RadcamError, assertSameGeometry, isRadcamError, voxelCount } from '@radcam/core';
import { type DicomSeriesOptions, SUPPORTED_TRANSFER_SYNTAXES, decodeDicomSeries, dicomSeriesGeometry, looksLikeDicom } from './dicom.js';
import { fail } from './errors.js';
import { type EncodeVolumeOptions, type EncodedPart, type VolumeInfo, detectFormat, dicomDtype, encodeVolumeFiles, resolveFormat, resolvePartsSync } from './formats.js';
import { gzipMembers, isGzip } from './gzip.js';
import { type RtstructMaskOptions, type RtstructRoi, listRtstructRoisFromBytes, rtstructMaskFromBytes } from './rtstruct.js';
import { NeedMoreBytes } from './text-header.js';

const fsp = () => import('node:fs/promises');
const pathMod = () => import('node:path');

function notFound(path: string, err: unknown): never {
  fail('E_FILE_NOT_FOUND', `no such file or folder: ${path}`, { expected: 'an existing image file or DICOM folder', path, cause: err });
}

async function statOrThrow(path: string) {
  const fs = await fsp();
  try {
    return await fs.stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') notFound(path, err);
    throw new RadcamError('E_IO', `cannot access ${path}`, { found: String((err as Error).message), path, cause: err });
  }
}

async function readBytes(path: string): Promise<Uint8Array> {
  const fs = await fsp();
  try {
    const b = await fs.readFile(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') notFound(path, err);
    throw new RadcamError('E_IO', `cannot read ${path}`, { found: String((err as Error).message), path, cause: err });
  }
}

/** Attach the path to RadcamErrors raised while decoding a file. */
function withPath<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isRadcamError(err) && err.path === undefined) (err as { path?: string }).path = path;
    throw err;
  }
}

export interface ReadVolumeOptions extends DicomSeriesOptions {
  /** Force a format (id, short name or extension) instead of detecting it. */
  format?: string;
  /**
   * Inflate a single-member `.nii.gz` (as other tools write it) on several threads by splitting
   * the deflate stream (see docs/volume-io.md). Default `false`: on the 2-core machines measured
   * it costs ~50 % more CPU for ≤ 7 % less wall time. `'auto'`: only when the file is ≥ 8 MB, the
   * machine has ≥ 2 CPUs and the 1-minute load average leaves a core idle; `true`: always try.
   * radcam's own multi-member files are always inflated in parallel.
   */
  parallelGunzip?: boolean | 'auto';
}

/** Whether a split (multi-threaded) inflate of a single gzip member is worth trying now. */
async function splitInflateWanted(option: boolean | 'auto' | undefined, compressedBytes: number): Promise<boolean> {
  if (option === true) return true;
  if (option !== 'auto' || compressedBytes < 8 << 20) return false;
  const os = await import('node:os');
  const cpus = os.availableParallelism?.() ?? os.cpus().length;
  return cpus >= 2 && os.loadavg()[0]! <= cpus - 1;
}

/** List the files of a DICOM folder (recursively), keeping those with the DICM preamble or `.dcm`. */
async function dicomFiles(dir: string): Promise<{ name: string; bytes: Uint8Array }[]> {
  const fs = await fsp();
  const { join } = await pathMod();
  const out: { name: string; bytes: Uint8Array }[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await fs.readdir(d, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && !e.name.startsWith('.')) {
        const bytes = await readBytes(p);
        if (looksLikeDicom(bytes) || /\.dcm$/i.test(e.name)) out.push({ name: p, bytes });
      }
    }
  };
  await walk(dir);
  if (out.length === 0) fail('E_DICOM', `no DICOM files in ${dir}`, { expected: 'files with a DICM preamble or .dcm extension', path: dir });
  return out;
}

/** Read a DICOM image series from a folder (see `decodeDicomSeries`). */
export async function readDicomSeries(dir: string, options: DicomSeriesOptions = {}): Promise<Volume> {
  await statOrThrow(dir);
  const files = await dicomFiles(dir);
  return withPath(dir, () => decodeDicomSeries(files, options));
}

async function readDetached(path: string, names: string[]): Promise<Record<string, Uint8Array>> {
  const { dirname, resolve } = await pathMod();
  const files: Record<string, Uint8Array> = {};
  for (const name of names) files[name] = await readBytes(resolve(dirname(path), name));
  return files;
}

/**
 * Read an image file (NIfTI, NRRD, MetaImage, single DICOM file) or a DICOM series folder into an
 * LPS Volume. Throws `E_FILE_NOT_FOUND`, `E_UNKNOWN_FORMAT` and the format's own typed errors.
 */
export async function readVolume(path: string, options: ReadVolumeOptions = {}): Promise<Volume> {
  const st = await statOrThrow(path);
  if (st.isDirectory()) return readDicomSeries(path, options);
  const bytes = await readBytes(path);
  const fmt = withPath(path, () => (options.format ? resolveFormat(options.format) : detectFormat(bytes, path)));
  if (fmt.id === 'radcam/dicom') return withPath(path, () => decodeDicomSeries([{ name: path, bytes }], options));
  if (fmt.id === 'radcam/nifti' && isGzip(bytes)) {
    // radcam-written multi-member gzip: inflate the members in parallel on the thread pool
    const members = gzipMembers(bytes);
    if (members && members.length > 1) {
      const { gunzipParallel } = await import('./node-gzip.js');
      const raw = await withPath(path, () => gunzipParallel(bytes, members));
      return withPath(path, () => fmt.decode(raw, { filename: path }));
    }
    // one member (gzip(1), nibabel, ITK, …): split the deflate stream over threads when it pays;
    // null = not splittable or a check failed → the serial path below (which reports corruption)
    if (!members && (await splitInflateWanted(options.parallelGunzip, bytes.length))) {
      const { gunzipSplit } = await import('./node-gzip.js');
      const raw = await gunzipSplit(bytes, options.parallelGunzip === true ? { minPartBytes: 256 << 10 } : {});
      if (raw) return withPath(path, () => fmt.decode(raw, { filename: path }));
    }
  }
  const names = fmt.dataFiles ? withPath(path, () => fmt.dataFiles!(bytes)) : [];
  const files = names.length ? await readDetached(path, names) : undefined;
  return withPath(path, () => fmt.decode(bytes, { filename: path, ...(files ? { files } : {}) }));
}

/**
 * Header-only description of an image file or DICOM folder. For `.nii.gz` only the first few KB
 * are read and inflated; DICOM folders are parsed up to the pixel data.
 */
export async function readVolumeInfo(path: string, options: ReadVolumeOptions = {}): Promise<VolumeInfo> {
  const st = await statOrThrow(path);
  if (st.isDirectory()) {
    const files = await dicomFiles(path);
    return withPath(path, () => {
      const g = dicomSeriesGeometry(files, options);
      return { format: 'radcam/dicom', size: g.size, spacing: g.spacing, origin: g.origin, direction: g.direction, dtype: dicomDtype(g), bytes: voxelCount(g.size) * (g.bitsAllocated / 8), compressed: false };
    });
  }
  const fs = await fsp();
  const fh = await fs.open(path, 'r');
  try {
    let want = Math.min(st.size, 16384);
    for (;;) {
      const buf = new Uint8Array(want);
      const { bytesRead } = await fh.read(buf, 0, want, 0);
      const head = buf.subarray(0, bytesRead);
      const complete = bytesRead >= st.size;
      try {
        return withPath(path, () => {
          const fmt = options.format ? resolveFormat(options.format) : detectFormat(head, path);
          return fmt.info(head, { complete, filename: path });
        });
      } catch (err) {
        if (err instanceof NeedMoreBytes && !complete) {
          want = Math.min(st.size, Math.max(err.atLeast, want * 4));
          continue;
        }
        throw err;
      }
    }
  } finally {
    await fh.close();
  }
}

export interface WriteVolumeOptions extends Partial<EncodeVolumeOptions> {
  /** Paths the output must not overwrite (the command's inputs). */
  inputs?: string[];
  /**
   * Gzip as independent members of 4 MiB compressed in parallel (default true). The file is
   * standard gzip (concatenated members); each member records its size in an FEXTRA 'RC'
   * sub-field so radcam can also inflate it in parallel. `false` writes one member.
   */
  parallelGzip?: boolean;
}

async function resolveParts(parts: EncodedPart[], parallel: boolean): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const p of parts) {
    if (p instanceof Uint8Array) out.push(p);
    else if (parallel) {
      const { gzipParallel } = await import('./node-gzip.js');
      out.push(...(await gzipParallel(p.gzip, p.level)));
    } else out.push(...resolvePartsSync([p]));
  }
  return out;
}

async function writeAtomic(path: string, parts: Uint8Array[]): Promise<void> {
  const fs = await fsp();
  const { dirname, basename, join } = await pathMod();
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  let fh: Awaited<ReturnType<typeof fs.open>> | undefined;
  try {
    fh = await fs.open(tmp, 'wx');
    for (const p of parts) {
      let off = 0;
      while (off < p.length) {
        const { bytesWritten } = await fh.write(p, off, Math.min(p.length - off, 1 << 30));
        off += bytesWritten;
      }
    }
    await fh.close();
    fh = undefined;
    await fs.rename(tmp, path);
  } catch (err) {
    if (fh) await fh.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    if (isRadcamError(err)) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') fail('E_FILE_NOT_FOUND', `output folder does not exist: ${dirname(path)}`, { path, cause: err });
    throw new RadcamError('E_IO', `cannot write ${path}`, { found: String((err as Error).message), path, cause: err });
  }
}

async function samePath(a: string, b: string): Promise<boolean> {
  const fs = await fsp();
  const { resolve } = await pathMod();
  const real = async (p: string) => fs.realpath(p).catch(() => resolve(p));
  return (await real(a)) === (await real(b));
}

/**
 * Write a volume; the format comes from `options.format` or the extension (`.nii`, `.nii.gz`,
 * `.nrrd`, `.nhdr` + `.raw[.gz]`, `.mha`, `.mhd` + `.raw`/`.zraw`). Atomic (temporary file +
 * rename); refuses (`E_OUTPUT_IS_INPUT`) to overwrite any of `options.inputs`.
 */
export async function writeVolume(path: string, volume: Volume, options: WriteVolumeOptions = {}): Promise<void> {
  const { dirname, join } = await pathMod();
  const files = withPath(path, () => encodeVolumeFiles(volume, path, options));
  const targets = files.map((f) => ({ path: f.name ? join(dirname(path), f.name) : path, parts: f.parts }));
  const parallel = options.parallelGzip ?? true;
  for (const t of targets) {
    for (const inp of options.inputs ?? []) {
      if (await samePath(t.path, inp)) {
        fail('E_OUTPUT_IS_INPUT', `refusing to overwrite an input file: ${t.path}`, { expected: 'an output path different from the inputs', path: t.path });
      }
    }
  }
  // sidecars first, main file (the one readers open) last
  for (const t of [...targets.slice(1), targets[0]!]) await writeAtomic(t.path, await resolveParts(t.parts, parallel));
}

export interface ReadMaskOptions extends ReadVolumeOptions {
  /** Image whose grid the mask must share (else `E_MASK_GEOMETRY_MISMATCH`). */
  reference?: Geometry;
  /** Keep only voxels equal to this label (default: every non-zero voxel). */
  label?: number;
  /** Geometry tolerance in mm (default 1e-3). */
  tolerance?: number;
}

/** Read a label image as a 0/1 Uint8 Mask, optionally checking it against a reference grid. */
export async function readMask(path: string, options: ReadMaskOptions = {}): Promise<Mask> {
  const vol = await readVolume(path, options);
  const d = vol.data;
  const out = new Uint8Array(d.length);
  if (options.label !== undefined) {
    const l = options.label;
    for (let i = 0; i < d.length; i++) out[i] = d[i] === l ? 1 : 0;
  } else {
    for (let i = 0; i < d.length; i++) out[i] = d[i] !== 0 && !Number.isNaN(d[i]) ? 1 : 0;
  }
  const mask: Mask = { data: out, size: vol.size, spacing: vol.spacing, origin: vol.origin, direction: vol.direction };
  if (options.reference) {
    const tol = options.tolerance ?? 1e-3;
    withPath(path, () => assertSameGeometry(options.reference!, mask, { mm: tol, direction: Math.max(1e-5, tol) }));
  }
  return mask;
}

/** The ROIs (number, name, contour count) of an RTSTRUCT file. */
export async function listRtstructRois(rtPath: string): Promise<RtstructRoi[]> {
  await statOrThrow(rtPath);
  const bytes = await readBytes(rtPath);
  return withPath(rtPath, () => listRtstructRoisFromBytes(bytes, rtPath));
}

/**
 * Rasterise ROI `roiName` of an RTSTRUCT on `reference`'s grid (voxel-centre point-in-polygon per
 * slice, even–odd rule). Throws `E_ROI_NOT_FOUND` listing the available names.
 */
export async function readRtstructMask(rtPath: string, reference: Geometry, roiName: string, options: RtstructMaskOptions = {}): Promise<Mask> {
  await statOrThrow(rtPath);
  const bytes = await readBytes(rtPath);
  return withPath(rtPath, () => rtstructMaskFromBytes(bytes, reference, roiName, options, rtPath));
}

export { SUPPORTED_TRANSFER_SYNTAXES };
