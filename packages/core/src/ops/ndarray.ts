import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import { RadcamError } from '../errors.js';
import { createVolume, type CreateVolumeOptions, type TypedArray, type Vec3, type Volume } from '../volume.js';

/**
 * An `ndarray` view of a volume's data (no copy): shape [x, y, z], strides [1, x, x·y].
 * The view shares the volume's buffer; writes through it change the volume.
 */
export function toNdarray<T extends TypedArray>(vol: Volume<T>): NdArray<T> {
  const [nx, ny, nz] = vol.size;
  return ndarray(vol.data, [nx, ny, nz], [1, nx, nx * ny], 0) as NdArray<T>;
}

/**
 * A Volume from a 3D ndarray. When the ndarray is x-fastest contiguous (strides [1, nx, nx·ny],
 * offset 0, covering its whole buffer) its buffer is used as is (no copy); otherwise the values are
 * copied into a new buffer of the same type (`copied: true`).
 */
export function fromNdarray<T extends TypedArray>(
  arr: NdArray<T>,
  geometry: CreateVolumeOptions = {},
): Volume<T> & { copied: boolean } {
  if (arr.shape.length !== 3) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'fromNdarray needs a 3D ndarray', { found: `${arr.shape.length}D` });
  }
  const [nx, ny, nz] = arr.shape as [number, number, number];
  const [s0, s1, s2] = arr.stride as [number, number, number];
  const n = nx * ny * nz;
  const data = arr.data as T;
  if (s0 === 1 && s1 === nx && s2 === nx * ny && arr.offset === 0 && data.length === n) {
    return Object.assign(createVolume(data, [nx, ny, nz] as Vec3, geometry), { copied: false });
  }
  const out = new (data.constructor as { new (n: number): T })(n);
  let q = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) out[q++] = arr.get(i, j, k);
  return Object.assign(createVolume(out, [nx, ny, nz] as Vec3, geometry), { copied: true });
}
