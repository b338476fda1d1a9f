/**
 * The IBSI 1 digital phantom for tests: read from ../shared with a minimal NIfTI-1 reader (test
 * only; @radcam/volume-io is the real reader), plus the array printed in ../shared/ibsi/README.md
 * to cross-check the reading.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createVolume, type Mask, type Volume } from '@radcam/core';
import { sharedPath } from '@radcam/core/testing';

interface RawNifti { dims: [number, number, number]; spacing: [number, number, number]; data: Float64Array }

export function readNiftiGz(path: string): RawNifti {
  const buf = gunzipSync(readFileSync(path));
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let le = true;
  if (dv.getInt32(0, true) !== 348) {
    le = false;
    if (dv.getInt32(0, false) !== 348) throw new Error(`${path}: not NIfTI-1`);
  }
  const dims: [number, number, number] = [dv.getInt16(42, le), dv.getInt16(44, le), dv.getInt16(46, le)];
  const datatype = dv.getInt16(70, le);
  const pixdim: [number, number, number] = [dv.getFloat32(80, le), dv.getFloat32(84, le), dv.getFloat32(88, le)];
  const offset = Math.round(dv.getFloat32(108, le));
  const slope = dv.getFloat32(112, le);
  const inter = dv.getFloat32(116, le);
  const n = dims[0] * dims[1] * dims[2];
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v: number;
    switch (datatype) {
      case 2: v = dv.getUint8(offset + i); break;
      case 4: v = dv.getInt16(offset + 2 * i, le); break;
      case 8: v = dv.getInt32(offset + 4 * i, le); break;
      case 16: v = dv.getFloat32(offset + 4 * i, le); break;
      case 64: v = dv.getFloat64(offset + 8 * i, le); break;
      default: throw new Error(`${path}: datatype ${datatype} not handled by the test reader`);
    }
    data[i] = slope && slope !== 0 ? v * slope + inter : v;
  }
  return { dims, spacing: pixdim, data };
}

/** README array: rows y = 0..3, columns x = 0..4, per z; negative = outside the ROI. */
const README_ROWS = [
  '1 4 4 1 1 | 1 4 6 1 1 | 4 1 6 4 1 | 4 4 6 4 1',
  '1 4 4 1 1 | 1 1 6 1 1 |[1]1 3 1 1 | 4 4 6 1 1',
  '1 4 4[1][1]| 1 1 1 1 1 | 1 1[9]1 1 | 1 1 6 1 1',
  '1 4 4[1][1]| 1 1 1 1 1 | 1 1 1 1 1 | 1 1 6 1 1',
];

export function phantomFromReadme(): { values: number[]; inside: number[] } {
  const values: number[] = [];
  const inside: number[] = [];
  for (const row of README_ROWS) {
    const toks = row.replace(/\|/g, ' ').replace(/\[(\d)\]/g, ' -$1 ').trim().split(/\s+/);
    for (const t of toks) {
      const v = Number(t);
      values.push(Math.abs(v));
      inside.push(v < 0 ? 0 : 1);
    }
  }
  return { values, inside };
}

export interface Phantom { image: Volume<Float64Array>; mask: Mask }

export function loadDigitalPhantom(): Phantom {
  const img = readNiftiGz(sharedPath('ibsi', 'ibsi1', 'digital_phantom', 'image', 'phantom.nii.gz'));
  const msk = readNiftiGz(sharedPath('ibsi', 'ibsi1', 'digital_phantom', 'mask', 'mask.nii.gz'));
  const image = createVolume(img.data, img.dims, { spacing: img.spacing });
  const mask = createVolume(Uint8Array.from(msk.data, (v) => (v !== 0 ? 1 : 0)), msk.dims, { spacing: msk.spacing });
  return { image, mask };
}

export const REFERENCE_CSV = () => sharedPath('ibsi', 'ibsi1', 'reference_values', 'ibsi1_digital_phantom_reference_values.csv');
