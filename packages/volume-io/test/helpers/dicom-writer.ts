/**
 * Minimal DICOM Part 10 writer for tests (explicit VR little endian data set, defined lengths).
 * Written independently of the reader: it follows PS3.5 §7.1.2 / §7.5 byte layouts directly.
 */
export type El = { tag: number; vr: string; value: Uint8Array | string | number[] | El[][] };

const LONG_VR = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN']);

function bytesOfString(s: string, vr: string): Uint8Array {
  const pad = vr === 'UI' ? 0 : 0x20;
  const n = s.length + (s.length % 2);
  const b = new Uint8Array(n).fill(pad);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

function encodeValue(el: El): Uint8Array {
  const v = el.value;
  if (v instanceof Uint8Array) return v.length % 2 ? Uint8Array.from([...v, 0]) : v;
  if (typeof v === 'string') return bytesOfString(v, el.vr);
  if (el.vr === 'SQ') {
    const items = (v as El[][]).map((item) => {
      const body = encodeDataSet(item);
      const head = new Uint8Array(8);
      const dv = new DataView(head.buffer);
      dv.setUint16(0, 0xfffe, true);
      dv.setUint16(2, 0xe000, true);
      dv.setUint32(4, body.length, true);
      return cat([head, body]);
    });
    return cat(items);
  }
  const nums = v as number[];
  const size = el.vr === 'US' ? 2 : 4;
  const b = new Uint8Array(nums.length * size);
  const dv = new DataView(b.buffer);
  nums.forEach((x, i) => (el.vr === 'US' ? dv.setUint16(i * size, x, true) : dv.setUint32(i * size, x, true)));
  return b;
}

function encodeElement(el: El): Uint8Array {
  const val = encodeValue(el);
  const long = LONG_VR.has(el.vr);
  const head = new Uint8Array(long ? 12 : 8);
  const dv = new DataView(head.buffer);
  dv.setUint16(0, el.tag >>> 16, true);
  dv.setUint16(2, el.tag & 0xffff, true);
  head[4] = el.vr.charCodeAt(0);
  head[5] = el.vr.charCodeAt(1);
  if (long) dv.setUint32(8, val.length, true);
  else dv.setUint16(6, val.length, true);
  return cat([head, val]);
}

export function encodeDataSet(els: El[]): Uint8Array {
  return cat([...els].sort((a, b) => a.tag - b.tag).map(encodeElement));
}

export function cat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A Part 10 file: preamble, DICM, file meta group, data set. */
export function dicomFile(els: El[], transferSyntax = '1.2.840.10008.1.2.1', sopClass = '1.2.840.10008.5.1.4.1.1.2'): Uint8Array {
  const meta = encodeDataSet([
    { tag: 0x00020001, vr: 'OB', value: Uint8Array.of(0, 1) },
    { tag: 0x00020002, vr: 'UI', value: sopClass },
    { tag: 0x00020003, vr: 'UI', value: '1.2.3.4.5.6.7' },
    { tag: 0x00020010, vr: 'UI', value: transferSyntax },
  ]);
  const glen = new Uint8Array(4);
  new DataView(glen.buffer).setUint32(0, meta.length, true);
  const groupLen = encodeElement({ tag: 0x00020000, vr: 'UL', value: glen });
  const pre = new Uint8Array(132);
  pre.set([0x44, 0x49, 0x43, 0x4d], 128);
  return cat([pre, groupLen, meta, encodeDataSet(els)]);
}

export interface SliceSpec {
  ipp: [number, number, number];
  iop?: number[];
  pixels: Int16Array; // rows × cols, row-major
  rows: number;
  cols: number;
  spacing?: [number, number]; // [row spacing, column spacing]
  slope?: number;
  intercept?: number;
  series?: string;
  transferSyntax?: string;
}

export function ctSlice(s: SliceSpec): Uint8Array {
  const ds = (a: number[]) => a.map(String).join('\\');
  return dicomFile(
    [
      { tag: 0x00080060, vr: 'CS', value: 'CT' },
      { tag: 0x0020000e, vr: 'UI', value: s.series ?? '1.2.3.100' },
      { tag: 0x00200032, vr: 'DS', value: ds(s.ipp) },
      { tag: 0x00200037, vr: 'DS', value: ds(s.iop ?? [1, 0, 0, 0, 1, 0]) },
      { tag: 0x00280002, vr: 'US', value: [1] },
      { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
      { tag: 0x00280010, vr: 'US', value: [s.rows] },
      { tag: 0x00280011, vr: 'US', value: [s.cols] },
      { tag: 0x00280030, vr: 'DS', value: ds(s.spacing ?? [1, 1]) },
      { tag: 0x00280100, vr: 'US', value: [16] },
      { tag: 0x00280101, vr: 'US', value: [16] },
      { tag: 0x00280102, vr: 'US', value: [15] },
      { tag: 0x00280103, vr: 'US', value: [1] },
      { tag: 0x00281052, vr: 'DS', value: String(s.intercept ?? 0) },
      { tag: 0x00281053, vr: 'DS', value: String(s.slope ?? 1) },
      { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array(s.pixels.buffer, s.pixels.byteOffset, s.pixels.byteLength) },
    ],
    s.transferSyntax,
  );
}

export interface RtRoi {
  number: number;
  name: string;
  /** Contours as flat world (x,y,z) triples. */
  contours: number[][];
}

export function rtstructFile(rois: RtRoi[]): Uint8Array {
  return dicomFile(
    [
      { tag: 0x00080060, vr: 'CS', value: 'RTSTRUCT' },
      {
        tag: 0x30060020, vr: 'SQ',
        value: rois.map((r) => [
          { tag: 0x30060022, vr: 'IS', value: String(r.number) },
          { tag: 0x30060026, vr: 'LO', value: r.name },
        ]),
      },
      {
        tag: 0x30060039, vr: 'SQ',
        value: rois.map((r) => [
          { tag: 0x30060084, vr: 'IS', value: String(r.number) },
          {
            tag: 0x30060040, vr: 'SQ',
            value: r.contours.map((c) => [
              { tag: 0x30060042, vr: 'CS', value: 'CLOSED_PLANAR' },
              { tag: 0x30060046, vr: 'IS', value: String(c.length / 3) },
              { tag: 0x30060050, vr: 'DS', value: c.map(String).join('\\') },
            ]),
          },
        ]),
      },
    ],
    '1.2.840.10008.1.2.1',
    '1.2.840.10008.5.1.4.1.1.481.3',
  );
}
