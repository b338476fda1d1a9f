import { RadcamError, type TypedArray, type Vec3 } from '@radcam/core';

/** Element types a radcam Volume may hold (names as numpy / itk-wasm spell them). */
export type DType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

type Ctor = { new (n: number): TypedArray; new (b: ArrayBufferLike, off: number, len: number): TypedArray; BYTES_PER_ELEMENT: number };

export const DTYPE_CTORS: Record<DType, Ctor> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

export const DTYPE_BYTES: Record<DType, number> = {
  uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, float64: 8,
};

/** The dtype of a typed array (Uint8ClampedArray counts as uint8). */
export function dtypeOf(a: TypedArray): DType {
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return 'uint8';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  throw new RadcamError('E_INVALID_VOLUME', 'unsupported voxel array type', { found: Object.prototype.toString.call(a) });
}

const HOST_LE = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Typed array of `count` elements of `dtype` read from `bytes[offset…]`. Returns a view (no copy)
 * when the data is aligned and in host byte order, otherwise a byte-swapped / aligned copy.
 * Element types stored as 64-bit integers are handled by {@link readInt64}.
 */
export function typedView(dtype: DType, bytes: Uint8Array, offset: number, count: number, littleEndian: boolean): TypedArray {
  const C = DTYPE_CTORS[dtype];
  const bpe = C.BYTES_PER_ELEMENT;
  const abs = bytes.byteOffset + offset;
  if (littleEndian === HOST_LE || bpe === 1) {
    if (abs % bpe === 0) return new C(bytes.buffer, abs, count);
    const copy = new Uint8Array(count * bpe);
    copy.set(bytes.subarray(offset, offset + count * bpe));
    return new C(copy.buffer, 0, count);
  }
  const copy = new Uint8Array(count * bpe);
  const src = bytes.subarray(offset, offset + count * bpe);
  for (let i = 0; i < copy.length; i += bpe) {
    for (let b = 0; b < bpe; b++) copy[i + b] = src[i + bpe - 1 - b]!;
  }
  return new C(copy.buffer, 0, count);
}

/** Element type as a file stores it: a Volume dtype, or 64-bit integers (decoded to float64). */
export type StoredType = DType | 'int64' | 'uint64';

/** The Volume dtype a stored type decodes to (64-bit integers → float64). */
export function decodedDtype(t: StoredType): DType {
  return t === 'int64' || t === 'uint64' ? 'float64' : t;
}

/** Bytes per stored element. */
export function storedBytes(t: StoredType): number {
  return t === 'int64' || t === 'uint64' ? 8 : DTYPE_BYTES[t];
}

/**
 * The voxels of a `size` grid from binary data `raw` (from offset 0) stored as `t`: a view when
 * possible ({@link typedView}), 64-bit integers via {@link readInt64}. Too few bytes →
 * `E_DATA_SIZE_MISMATCH` (`format` names the file format in the message).
 */
export function decodeBinaryVoxels(raw: Uint8Array, t: StoredType, size: Readonly<Vec3>, littleEndian: boolean, format: string): TypedArray {
  const n = size[0] * size[1] * size[2];
  const bpe = storedBytes(t);
  if (raw.length < n * bpe) {
    throw new RadcamError('E_DATA_SIZE_MISMATCH', `${format} voxel data is shorter than the header says`, {
      expected: `${n * bpe} bytes (${size.join('×')} × ${bpe} B)`,
      found: `${raw.length} bytes`,
    });
  }
  return t === 'int64' || t === 'uint64' ? readInt64(raw, 0, n, littleEndian, t === 'int64') : typedView(t, raw, 0, n, littleEndian);
}

/** 64-bit integers → Float64Array (exact below 2^53). */
export function readInt64(bytes: Uint8Array, offset: number, count: number, littleEndian: boolean, signed: boolean): Float64Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 8);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = Number(signed ? dv.getBigInt64(i * 8, littleEndian) : dv.getBigUint64(i * 8, littleEndian));
  return out;
}

/** The bytes of a typed array in little-endian order (a view on a little-endian host). */
export function littleEndianBytes(a: TypedArray): Uint8Array {
  const u8 = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (HOST_LE || a.BYTES_PER_ELEMENT === 1) return u8;
  const bpe = a.BYTES_PER_ELEMENT;
  const out = new Uint8Array(u8.length);
  for (let i = 0; i < u8.length; i += bpe) for (let b = 0; b < bpe; b++) out[i + b] = u8[i + bpe - 1 - b]!;
  return out;
}

/** Parse whitespace-separated ASCII numbers into an array of `dtype`. */
export function parseAsciiData(text: string, dtype: DType, count: number): TypedArray {
  const out = new DTYPE_CTORS[dtype](count);
  const re = /[^\s,]+/g;
  let i = 0;
  let m: RegExpExecArray | null;
  while (i < count && (m = re.exec(text)) !== null) out[i++] = Number(m[0]);
  if (i < count) {
    throw new RadcamError('E_DATA_SIZE_MISMATCH', 'ASCII voxel data is shorter than the header says', {
      expected: `${count} values`,
      found: `${i}`,
    });
  }
  return out;
}
