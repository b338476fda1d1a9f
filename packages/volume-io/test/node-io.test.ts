// File-level behaviour: round trips between formats, atomic writes, typed errors on bad files.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Volume } from '@radcam/core';
import { sharedPath } from '@radcam/core/testing';
import { decodeVolume, encodeVolume, readMask, readVolume, readVolumeInfo, setForceFflate, writeVolume } from '@radcam/volume-io';
import { gunzipSync } from 'node:zlib';

const dir = mkdtempSync(join(tmpdir(), 'radcam-vio-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (name: string) => join(dir, name);

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as { code?: string }).code ?? `untyped: ${String(err)}`;
  }
  return 'no error';
}

function sameVolume(a: Volume, b: Volume): void {
  expect(b.data.constructor).toBe(a.data.constructor);
  expect(b.size).toEqual(a.size);
  expect(b.spacing).toEqual(a.spacing);
  expect(b.origin).toEqual(a.origin);
  expect(Array.from(b.direction)).toEqual(Array.from(a.direction));
  expect(Buffer.compare(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength), Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength))).toBe(0);
}

describe('round trips', () => {
  it('CT phantom NIfTI → NRRD → MetaImage → NIfTI keeps data and geometry exactly', async () => {
    const src = sharedPath('ibsi', 'ibsi1', 'ct_phantom', 'nifti', 'image', 'phantom.nii.gz');
    const a = await readVolume(src);
    await writeVolume(p('ct.nrrd'), a, { inputs: [src] });
    const b = await readVolume(p('ct.nrrd'));
    sameVolume(a, b);
    await writeVolume(p('ct.mha'), b);
    const c = await readVolume(p('ct.mha'));
    sameVolume(a, c);
    await writeVolume(p('ct.nii.gz'), c, { gzipLevel: 1 });
    const d = await readVolume(p('ct.nii.gz'));
    sameVolume(a, d);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('detached .nhdr / .mhd and raw .nii, NIfTI-2', async () => {
    const v: Volume = { data: Int16Array.from({ length: 24 }, (_, i) => i * 37 - 400), size: [4, 3, 2], spacing: [0.5, 0.75, 2], origin: [-3, 4.25, 0.125] /* float32-exact: NIfTI-1 stores float32 */, direction: Float64Array.of(1, 0, 0, 0, 0, 1, 0, -1, 0) };
    for (const [name, opts] of [['a.nhdr', {}], ['b.nhdr', { compress: false }], ['c.mhd', {}], ['d.mhd', { compress: false }], ['e.nii', {}], ['f.nii.gz', { niftiVersion: 2 }]] as const) {
      await writeVolume(p(name), v, opts);
      sameVolume(v, await readVolume(p(name)));
    }
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(['a.raw.gz', 'b.raw', 'c.zraw', 'd.raw']));
    expect(readFileSync(p('e.nii')).length).toBe(352 + 48);
  });

  it('header-only read of .nii.gz does not need the rest of the file', async () => {
    const v: Volume = { data: new Float32Array(64 * 64 * 64).map((_, i) => Math.sin(i)), size: [64, 64, 64], spacing: [1, 2, 3], origin: [0, 0, 0], direction: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1) };
    const full = encodeVolume(v, { format: '.nii.gz' });
    writeFileSync(p('cut.nii.gz'), full.subarray(0, 600)); // truncated far before the end
    const info = await readVolumeInfo(p('cut.nii.gz'));
    expect(info).toMatchObject({ format: 'radcam/nifti', size: [64, 64, 64], spacing: [1, 2, 3], dtype: 'float32', compressed: true, bytes: 64 ** 3 * 4 });
    expect(await code(readVolume(p('cut.nii.gz')))).toBe('E_GZIP_CORRUPT');
  });
});

describe('parallel gzip members', () => {
  const big: Volume = { data: Int16Array.from({ length: 160 * 160 * 90 }, (_, i) => (i * 2654435761) % 4001 - 1000), size: [160, 160, 90], spacing: [1, 1, 2], origin: [0, 0, 0], direction: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1) };

  it('writes standard multi-member gzip that zlib, fflate and the parallel reader all decode', async () => {
    await writeVolume(p('par.nii.gz'), big, { gzipLevel: 1 });
    const file = readFileSync(p('par.nii.gz'));
    // 4.6 MB of voxels → 2 members of ≤ 4 MiB, each starting with the gzip magic and an FEXTRA 'RC' field
    expect(file[3]! & 4).toBe(4);
    expect(file.subarray(12, 14).toString('latin1')).toBe('RC');
    const raw = gunzipSync(file); // plain zlib reads all members
    expect(raw.length).toBe(352 + big.data.byteLength);
    sameVolume(big, await readVolume(p('par.nii.gz')));
    const prev = setForceFflate(true);
    try {
      sameVolume(big, decodeVolume(new Uint8Array(file), { filename: 'par.nii.gz' }));
    } finally {
      setForceFflate(prev);
    }
    await writeVolume(p('single.nii.gz'), big, { gzipLevel: 1, parallelGzip: false });
    expect(readFileSync(p('single.nii.gz'))[3]! & 4).toBe(0);
    sameVolume(big, await readVolume(p('single.nii.gz')));
  });

  it('a corrupt member → E_GZIP_CORRUPT', async () => {
    const file = readFileSync(p('par.nii.gz'));
    const bad = Buffer.from(file);
    for (let i = 2000; i < 2100; i++) bad[i] = 0x55;
    writeFileSync(p('parbad.nii.gz'), bad);
    expect(await code(readVolume(p('parbad.nii.gz')))).toBe('E_GZIP_CORRUPT');
  });
});

describe('writeVolume safety', () => {
  it('refuses to overwrite an input, leaving it untouched', async () => {
    const v: Volume = { data: Uint8Array.of(1, 2), size: [2, 1, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1) };
    await writeVolume(p('in.nii'), v);
    const before = readFileSync(p('in.nii'));
    expect(await code(writeVolume(p('in.nii'), { ...v, data: Uint8Array.of(9, 9) }, { inputs: [p('in.nii')] }))).toBe('E_OUTPUT_IS_INPUT');
    expect(readFileSync(p('in.nii')).equals(before)).toBe(true);
  });

  it('leaves no partial file behind when the target folder is missing or the format unknown', async () => {
    const v: Volume = { data: Uint8Array.of(1), size: [1, 1, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1) };
    expect(await code(writeVolume(p('nope/x.nii'), v))).toBe('E_FILE_NOT_FOUND');
    expect(await code(writeVolume(p('x.png'), v))).toBe('E_UNKNOWN_FORMAT');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp') || f === 'x.png')).toEqual([]);
  });
});

describe('typed errors on bad input', () => {
  const good = () => {
    const v: Volume = { data: Int16Array.of(1, 2, 3, 4, 5, 6), size: [3, 2, 1], spacing: [1, 1, 1], origin: [0, 0, 0], direction: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1) };
    return Buffer.from(encodeVolume(v, { format: '.nii' }));
  };

  it('missing file → E_FILE_NOT_FOUND', async () => {
    expect(await code(readVolume(p('missing.nii.gz')))).toBe('E_FILE_NOT_FOUND');
    expect(await code(readVolumeInfo(p('missing.nrrd')))).toBe('E_FILE_NOT_FOUND');
  });

  it('truncated or corrupt gzip → E_GZIP_CORRUPT', async () => {
    const gz = gzipSync(Buffer.concat([good(), Buffer.alloc(5000, 7)]));
    writeFileSync(p('trunc.nii.gz'), gz.subarray(0, gz.length - 20));
    expect(await code(readVolume(p('trunc.nii.gz')))).toBe('E_GZIP_CORRUPT');
    const bad = Buffer.from(gz);
    for (let i = 30; i < 60; i++) bad[i] = 0xff;
    writeFileSync(p('corrupt.nii.gz'), bad);
    expect(await code(readVolume(p('corrupt.nii.gz')))).toBe('E_GZIP_CORRUPT');
    const trailer = Buffer.from(gz);
    trailer[trailer.length - 6] = trailer[trailer.length - 6]! ^ 0xff; // CRC mismatch
    writeFileSync(p('crc.nii.gz'), trailer);
    expect(await code(readVolume(p('crc.nii.gz')))).toBe('E_GZIP_CORRUPT');
  });

  it('wrong magic → E_NIFTI_MAGIC (.nii) / E_UNKNOWN_FORMAT (unknown extension)', async () => {
    const b = good();
    b.write('xx1\0', 344, 'latin1');
    writeFileSync(p('magic.nii'), b);
    expect(await code(readVolume(p('magic.nii')))).toBe('E_NIFTI_MAGIC');
    writeFileSync(p('junk.nii'), Buffer.from('hello world, definitely not an image'));
    expect(await code(readVolume(p('junk.nii')))).toBe('E_NIFTI_MAGIC');
    writeFileSync(p('junk.bin'), Buffer.from('hello world, definitely not an image'));
    expect(await code(readVolume(p('junk.bin')))).toBe('E_UNKNOWN_FORMAT');
  });

  it('header size ≠ data size → E_NIFTI_TRUNCATED / E_DATA_SIZE_MISMATCH', async () => {
    writeFileSync(p('short.nii'), good().subarray(0, 352 + 5));
    expect(await code(readVolume(p('short.nii')))).toBe('E_NIFTI_TRUNCATED');
    writeFileSync(p('short.nii.gz'), gzipSync(good().subarray(0, 352 + 5)));
    expect(await code(readVolume(p('short.nii.gz')))).toBe('E_NIFTI_TRUNCATED');
    writeFileSync(p('hdr.nii'), good().subarray(0, 200));
    expect(await code(readVolume(p('hdr.nii')))).toBe('E_NIFTI_TRUNCATED');
    writeFileSync(p('short.nrrd'), 'NRRD0004\ntype: short\ndimension: 3\nsizes: 2 2 2\nencoding: raw\n\n\x01\x02\x03');
    expect(await code(readVolume(p('short.nrrd')))).toBe('E_DATA_SIZE_MISMATCH');
    writeFileSync(p('short.mha'), 'NDims = 3\nDimSize = 2 2 2\nElementType = MET_FLOAT\nElementDataFile = LOCAL\n\x01\x02');
    expect(await code(readVolume(p('short.mha')))).toBe('E_DATA_SIZE_MISMATCH');
  });

  it('zero or negative dimensions → E_BAD_DIMENSIONS', async () => {
    for (const [k, val] of [[2, 0], [1, -3]] as const) {
      const b = good();
      b.writeInt16LE(val, 40 + 2 * k);
      writeFileSync(p(`dims${k}.nii`), b);
      expect(await code(readVolume(p(`dims${k}.nii`)))).toBe('E_BAD_DIMENSIONS');
    }
    writeFileSync(p('dims.nrrd'), 'NRRD0004\ntype: short\ndimension: 3\nsizes: 2 0 2\nencoding: raw\n\n');
    expect(await code(readVolume(p('dims.nrrd')))).toBe('E_BAD_DIMENSIONS');
    writeFileSync(p('dims.mha'), 'NDims = 3\nDimSize = 2 -1 2\nElementType = MET_FLOAT\nElementDataFile = LOCAL\n');
    expect(await code(readVolume(p('dims.mha')))).toBe('E_BAD_DIMENSIONS');
  });

  it('NaN spacing → E_BAD_SPACING', async () => {
    const b = good();
    b.writeFloatLE(NaN, 76 + 4 * 2);
    writeFileSync(p('nan.nii'), b);
    expect(await code(readVolume(p('nan.nii')))).toBe('E_BAD_SPACING');
    expect(await code(readVolumeInfo(p('nan.nii')))).toBe('E_BAD_SPACING');
    writeFileSync(p('nan.nrrd'), 'NRRD0004\ntype: uchar\ndimension: 3\nsizes: 1 1 1\nspacings: 1 nan 1\nencoding: raw\n\n\x01');
    expect(await code(readVolume(p('nan.nrrd')))).toBe('E_BAD_SPACING');
    writeFileSync(p('nan2.nrrd'), 'NRRD0004\ntype: uchar\ndimension: 3\nsizes: 1 1 1\nspace: LPS\nspace directions: (1,0,0) (0,NaN,0) (0,0,1)\nencoding: raw\n\n\x01');
    expect(await code(readVolume(p('nan2.nrrd')))).toBe('E_BAD_SPACING');
    writeFileSync(p('nan.mha'), 'NDims = 3\nDimSize = 1 1 1\nElementSpacing = 1 1 NaN\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n\x01');
    expect(await code(readVolume(p('nan.mha')))).toBe('E_BAD_SPACING');
  });

  it('unknown or non-scalar NIfTI datatype → E_NIFTI_DATATYPE', async () => {
    for (const dt of [999, 128, 32]) {
      const b = good();
      b.writeInt16LE(dt, 70);
      writeFileSync(p(`dt${dt}.nii`), b);
      expect(await code(readVolume(p(`dt${dt}.nii`)))).toBe('E_NIFTI_DATATYPE');
    }
  });

  it('mask on another grid → E_MASK_GEOMETRY_MISMATCH', async () => {
    const img = await readVolume(sharedPath('ibsi', 'ibsi1', 'digital_phantom', 'image', 'phantom.nii.gz'));
    const ct = sharedPath('ibsi', 'ibsi1', 'ct_phantom', 'nifti', 'mask', 'mask.nii.gz');
    expect(await code(readMask(ct, { reference: img }))).toBe('E_MASK_GEOMETRY_MISMATCH');
    const shifted = { ...img, origin: [0.5, 0, 0] as [number, number, number] };
    expect(await code(readMask(sharedPath('ibsi', 'ibsi1', 'digital_phantom', 'mask', 'mask.nii.gz'), { reference: shifted }))).toBe('E_MASK_GEOMETRY_MISMATCH');
  });
});
