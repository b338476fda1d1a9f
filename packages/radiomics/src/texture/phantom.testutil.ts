/**
 * Test helper: the IBSI-1 digital phantom (image + mask), read from ../shared with node:zlib
 * (a minimal NIfTI-1 int16 reader, so these tests do not depend on @radcam/volume-io).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createVolume, type Mask, type Volume } from '@radcam/core';
import { sharedPath } from '@radcam/core/testing';

function readNiftiInt16(path: string): { data: Int16Array; dims: [number, number, number]; spacing: [number, number, number] } {
  const buf = gunzipSync(readFileSync(path));
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let le = true;
  if (dv.getInt32(0, true) !== 348) {
    if (dv.getInt32(0, false) !== 348) throw new Error(`${path}: not a NIfTI-1 file`);
    le = false;
  }
  const dims: [number, number, number] = [dv.getInt16(42, le), dv.getInt16(44, le), dv.getInt16(46, le)];
  const datatype = dv.getInt16(70, le);
  if (datatype !== 4) throw new Error(`${path}: expected int16 (datatype 4), found ${datatype}`);
  const spacing: [number, number, number] = [dv.getFloat32(80, le), dv.getFloat32(84, le), dv.getFloat32(88, le)];
  const off = Math.round(dv.getFloat32(108, le));
  const n = dims[0] * dims[1] * dims[2];
  const data = new Int16Array(n);
  for (let i = 0; i < n; i++) data[i] = dv.getInt16(off + 2 * i, le);
  return { data, dims, spacing };
}

export interface Phantom {
  image: Volume<Int16Array>;
  mask: Mask;
  /** Grey levels with 0 outside the ROI. */
  levels: Int32Array;
}

export function loadPhantom(): Phantom {
  const img = readNiftiInt16(sharedPath('ibsi', 'ibsi1', 'digital_phantom', 'image', 'phantom.nii.gz'));
  const msk = readNiftiInt16(sharedPath('ibsi', 'ibsi1', 'digital_phantom', 'mask', 'mask.nii.gz'));
  const image = createVolume(img.data, img.dims, { spacing: img.spacing });
  const mask = createVolume(Uint8Array.from(msk.data, (v) => (v !== 0 ? 1 : 0)), msk.dims, { spacing: msk.spacing });
  const levels = Int32Array.from(img.data, (v, i) => (mask.data[i] ? v : 0));
  return { image, mask, levels };
}
