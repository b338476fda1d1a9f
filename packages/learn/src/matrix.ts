/**
 * Feature matrices. radcam's learners work on a dense, row-major `Float64Array`
 * (rows = samples, columns = features). `number[][]` / `Float64Array[]` inputs are accepted
 * everywhere and copied once into that layout; a `DenseMatrix` is used as is (never copied,
 * never modified: the caller keeps ownership of its buffer).
 */
import { RadcamError } from '@radcam/core';

/** Row-major dense matrix: element (i, j) is `data[i * cols + j]`. */
export interface DenseMatrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** What the learners accept: a `DenseMatrix`, or one array of numbers per sample. */
export type MatrixInput = DenseMatrix | ReadonlyArray<ArrayLike<number>>;

/** Binary labels: 0 (negative) / 1 (positive), one per row. */
export type Labels = ArrayLike<number>;

export function isDenseMatrix(x: unknown): x is DenseMatrix {
  return (
    typeof x === 'object' && x !== null && (x as DenseMatrix).data instanceof Float64Array &&
    typeof (x as DenseMatrix).rows === 'number' && typeof (x as DenseMatrix).cols === 'number'
  );
}

/** A `DenseMatrix` of `rows × cols` (zero-filled, or wrapping `data` without copying). */
export function denseMatrix(rows: number, cols: number, data?: Float64Array): DenseMatrix {
  if (data && data.length !== rows * cols) {
    throw new RadcamError('E_DATA_SIZE_MISMATCH', 'matrix buffer has the wrong length', {
      expected: `${rows}×${cols} = ${rows * cols}`,
      found: String(data.length),
    });
  }
  return { data: data ?? new Float64Array(rows * cols), rows, cols };
}

/**
 * Normalise any accepted input to a `DenseMatrix` (no copy for a DenseMatrix). Throws
 * `E_INVALID_ARGUMENT` for ragged rows and `E_NON_FINITE` for NaN / ±Infinity entries.
 */
export function toDenseMatrix(X: MatrixInput, what = 'X'): DenseMatrix {
  let M: DenseMatrix;
  if (isDenseMatrix(X)) {
    if (X.data.length !== X.rows * X.cols) {
      throw new RadcamError('E_DATA_SIZE_MISMATCH', `${what}: buffer length does not match rows × cols`, {
        expected: String(X.rows * X.cols),
        found: String(X.data.length),
      });
    }
    M = X;
  } else if (Array.isArray(X)) {
    const rows = X.length;
    const cols = rows > 0 ? X[0]!.length : 0;
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const r = X[i]!;
      if (r.length !== cols) {
        throw new RadcamError('E_INVALID_ARGUMENT', `${what}: ragged rows`, {
          expected: `${cols} values in every row`,
          found: `${r.length} in row ${i}`,
        });
      }
      for (let j = 0; j < cols; j++) data[i * cols + j] = r[j]!;
    }
    M = { data, rows, cols };
  } else {
    throw new RadcamError('E_INVALID_ARGUMENT', `${what}: not a feature matrix`, {
      expected: 'a DenseMatrix {data: Float64Array, rows, cols} or an array of rows',
      found: typeof X,
    });
  }
  const d = M.data;
  for (let k = 0; k < d.length; k++) {
    if (!Number.isFinite(d[k]!)) {
      throw new RadcamError('E_NON_FINITE', `${what}: non-finite value`, {
        expected: 'finite numbers (impute or drop missing features first)',
        found: `${d[k]} at row ${Math.floor(k / M.cols)}, column ${k % M.cols}`,
      });
    }
  }
  return M;
}

/** Validate binary labels (0/1) of length `n`; returns them as a Uint8Array. */
export function toLabels(y: Labels, n?: number, what = 'y'): Uint8Array {
  if (n !== undefined && y.length !== n) {
    throw new RadcamError('E_DATA_SIZE_MISMATCH', `${what}: one label per sample`, {
      expected: String(n),
      found: String(y.length),
    });
  }
  const out = new Uint8Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (v !== 0 && v !== 1) {
      throw new RadcamError('E_INVALID_ARGUMENT', `${what}: labels must be 0 or 1`, { found: `${v} at ${i}` });
    }
    out[i] = v;
  }
  return out;
}

/** Throws `E_SINGLE_CLASS` unless both classes occur in `y`. */
export function assertBothClasses(y: ArrayLike<number>, what = 'training labels'): void {
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i]! === 1 ? 1 : 0;
  if (pos === 0 || pos === y.length) {
    throw new RadcamError('E_SINGLE_CLASS', `${what} contain a single class`, {
      expected: 'both 0 and 1',
      found: `${pos} positives among ${y.length}`,
    });
  }
}

/** Copy of the rows `idx` of `X`. */
export function selectRows(X: DenseMatrix, idx: ArrayLike<number>): DenseMatrix {
  const { cols } = X;
  const out = new Float64Array(idx.length * cols);
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r]!;
    out.set(X.data.subarray(i * cols, i * cols + cols), r * cols);
  }
  return { data: out, rows: idx.length, cols };
}

/** Copy of the columns `idx` of `X`. */
export function selectCols(X: DenseMatrix, idx: ArrayLike<number>): DenseMatrix {
  const { rows, cols } = X;
  const k = idx.length;
  const out = new Float64Array(rows * k);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    for (let c = 0; c < k; c++) out[i * k + c] = X.data[base + idx[c]!]!;
  }
  return { data: out, rows, cols: k };
}

/** Elements `idx` of a label / value array. */
export function pick<T extends Float64Array | Uint8Array | Int32Array>(a: T, idx: ArrayLike<number>): T {
  const C = a.constructor as new (n: number) => T;
  const out = new C(idx.length);
  for (let r = 0; r < idx.length; r++) out[r] = a[idx[r]!]!;
  return out;
}
