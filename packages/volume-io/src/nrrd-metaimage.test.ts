import { describe, expect, it } from 'vitest';
import { deflateSync, gzipSync } from 'node:zlib';
import { decodeVolume, decodeVolumeInfo, encodeVolume } from './formats.js';

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const cat = (...p: Uint8Array[]) => new Uint8Array(Buffer.concat(p));
const i16 = (...v: number[]) => new Uint8Array(Int16Array.from(v).buffer);

describe('NRRD', () => {
  it('RAS space: directions and origin are converted to LPS', () => {
    const head = 'NRRD0004\ntype: short\ndimension: 3\nspace: right-anterior-superior\nsizes: 2 1 1\n' +
      'space directions: (0.5,0,0) (0,2,0) (0,0,3)\nkinds: domain domain domain\nendian: little\nencoding: raw\nspace origin: (10,20,30)\n\n';
    const v = decodeVolume(cat(enc(head), i16(-7, 9)));
    expect(Array.from(v.data)).toEqual([-7, 9]);
    expect(v.spacing).toEqual([0.5, 2, 3]);
    expect(Array.from(v.direction)).toEqual([-1, 0, 0, 0, -1, 0, 0, 0, 1]);
    expect(v.origin).toEqual([-10, -20, 30]);
  });

  it('plain `spacings`, big endian, ascii and gzip encodings', () => {
    const be = new Uint8Array(4);
    new DataView(be.buffer).setInt16(0, 258, false);
    new DataView(be.buffer).setInt16(2, -3, false);
    const h = (enc: string, extra = '') => `NRRD0001\ntype: int16\ndimension: 2\nsizes: 2 1\nspacings: 0.25 4\nendian: big\nencoding: ${enc}\n${extra}\n`;
    const raw = decodeVolume(cat(enc(h('raw')), be));
    expect(Array.from(raw.data)).toEqual([258, -3]);
    expect(raw.size).toEqual([2, 1, 1]);
    expect(raw.spacing).toEqual([0.25, 4, 1]);
    expect(Array.from(decodeVolume(cat(enc(h('gzip')), new Uint8Array(gzipSync(be)))).data)).toEqual([258, -3]);
    expect(Array.from(decodeVolume(enc(h('ascii') + '258 -3\n')).data)).toEqual([258, -3]);
  });

  it('detached header (.nhdr) with a data file, byte skip and a non-spatial axis of size 1', () => {
    const head = 'NRRD0005\ntype: uchar\ndimension: 4\nsizes: 1 2 2 1\nspace: LPS\nspace directions: none (1,0,0) (0,1,0) (0,0,1)\n' +
      'kinds: scalar domain domain domain\nencoding: raw\nbyte skip: 3\ndata file: vol.raw\n';
    const v = decodeVolume(enc(head), { filename: 'x.nhdr', files: { 'vol.raw': Uint8Array.of(9, 9, 9, 1, 2, 3, 4) } });
    expect(Array.from(v.data)).toEqual([1, 2, 3, 4]);
    expect(v.size).toEqual([2, 2, 1]);
    const info = decodeVolumeInfo(enc(head));
    expect(info).toMatchObject({ format: 'radcam/nrrd', size: [2, 2, 1], dtype: 'uint8', bytes: 4, compressed: false });
  });

  it('writes `space directions` = direction × spacing and reads them back exactly', () => {
    const v = { data: Float32Array.of(1, 2, 3, 4, 5, 6), size: [3, 2, 1] as [number, number, number], spacing: [0.3, 0.7, 1.1] as [number, number, number], origin: [0.1, -0.2, 1e-7] as [number, number, number], direction: Float64Array.of(0, 1, 0, -1, 0, 0, 0, 0, 1) };
    const bytes = encodeVolume(v, { format: 'nrrd' });
    const text = Buffer.from(bytes.subarray(0, 400)).toString('latin1');
    expect(text).toContain('space directions: (0,-0.3,0) (0.7,0,0) (0,0,1.1)');
    expect(text).toContain('encoding: gzip');
    const back = decodeVolume(bytes);
    expect(Array.from(back.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(back.spacing).toEqual(v.spacing);
    expect(back.origin).toEqual(v.origin);
    expect(Array.from(back.direction).map((x) => x + 0)).toEqual(Array.from(v.direction));
  });
});

describe('MetaImage', () => {
  it('TransformMatrix lists axis 0 direction first (ITK convention), Offset, ElementSpacing', () => {
    const head = 'ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\nCompressedData = False\n' +
      'TransformMatrix = 0 1 0 -1 0 0 0 0 1\nOffset = 1 2 3\nElementSpacing = 0.5 0.25 2\nDimSize = 2 1 1\nElementType = MET_SHORT\nElementDataFile = LOCAL\n';
    const v = decodeVolume(cat(enc(head), i16(5, -6)));
    expect(Array.from(v.data)).toEqual([5, -6]);
    // axis 0 → (0,1,0), axis 1 → (-1,0,0): columns of D
    expect(Array.from(v.direction)).toEqual([0, -1, 0, 1, 0, 0, 0, 0, 1]);
    expect(v.origin).toEqual([1, 2, 3]);
    expect(v.spacing).toEqual([0.5, 0.25, 2]);
  });

  it('.mhd + .zraw (zlib CompressedData) and MSB byte order', () => {
    const be = new Uint8Array(4);
    new DataView(be.buffer).setUint16(0, 513, false);
    new DataView(be.buffer).setUint16(2, 65535, false);
    const head = 'ObjectType = Image\nNDims = 2\nBinaryData = True\nElementByteOrderMSB = True\nCompressedData = True\n' +
      'DimSize = 1 2\nElementSpacing = 3 4\nElementType = MET_USHORT\nElementDataFile = img.zraw\n';
    const v = decodeVolume(enc(head), { filename: 'img.mhd', files: { 'img.zraw': new Uint8Array(deflateSync(be)) } });
    expect(Array.from(v.data)).toEqual([513, 65535]);
    expect(v.size).toEqual([1, 2, 1]);
    expect(v.spacing).toEqual([3, 4, 1]);
  });

  it('encode → decode keeps data and geometry exactly (compressed and raw)', () => {
    const v = { data: Int32Array.of(-1, 2, -3, 4), size: [2, 2, 1] as [number, number, number], spacing: [0.1, 0.2, 0.3] as [number, number, number], origin: [1 / 3, -2 / 7, 5] as [number, number, number], direction: Float64Array.of(Math.SQRT1_2, -Math.SQRT1_2, 0, Math.SQRT1_2, Math.SQRT1_2, 0, 0, 0, 1) };
    for (const compress of [true, false]) {
      const back = decodeVolume(encodeVolume(v, { format: 'mha', compress }));
      expect(Array.from(back.data)).toEqual([-1, 2, -3, 4]);
      expect(back.spacing).toEqual(v.spacing);
      expect(back.origin).toEqual(v.origin);
      expect(Array.from(back.direction)).toEqual(Array.from(v.direction));
    }
  });
});
