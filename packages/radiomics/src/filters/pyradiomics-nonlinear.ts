/**
 * PyRadiomics 3.x's simple image types, written from the formulas of `radiomics/imageoperations.py`
 * (getSquareImage, getSquareRootImage, getLogarithmImage, getExponentialImage, getGradientImage,
 * getLBP2DImage) and the algorithms they call (ITK `GradientMagnitudeImageFilter`, scikit-image
 * `local_binary_pattern`). Unlike `nonlinear.ts` (the IBSI-side helpers) these reproduce the
 * libraries' arithmetic order and output pixel types so that values agree to the last bits:
 * the gradient is float32 (SimpleITK's output type), LBP is cast to the input pixel type
 * (PyRadiomics writes the codes back into the input array).
 */
import { RadcamError, type Vec3 } from '@radcam/core';

/** PyRadiomics' point transforms (image-type names `square`, `squareroot`, `logarithm`, `exponential`). */
export type PyradiomicsPointTransform = 'square' | 'squareroot' | 'logarithm' | 'exponential';

function maxAbs(d: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < d.length; i++) {
    const a = Math.abs(d[i]!);
    if (a > m) m = a;
  }
  return m;
}

/**
 * PyRadiomics' point transforms, on the whole image (coefficients from M = max|x| over the image):
 * - `square`: f = (c·x)², c = 1/√M (no sign is kept: PyRadiomics' code squares, its docstring's
 *   "negative intensities are made negative" does not apply here);
 * - `squareroot`: f = √(x·M) for x > 0, −√(−x·M) for x < 0, 0 stays 0;
 * - `logarithm`: f = log(x + 1) for x > 0, −log(1 − x) for x < 0, then × M / max|f|;
 * - `exponential`: f = exp(c·x), c = log(M)/M.
 * An all-zero image makes numpy produce NaN for square, logarithm and exponential (0·∞, 0/0) —
 * PyRadiomics then fails in the discretisation; here it is `RadcamError('E_SETTINGS')`.
 */
export function pyradiomicsPointTransform(data: ArrayLike<number>, kind: PyradiomicsPointTransform): Float64Array {
  const n = data.length;
  const out = new Float64Array(n);
  const m = maxAbs(data);
  if (m === 0 && kind !== 'squareroot') {
    throw new RadcamError('E_SETTINGS', `PyRadiomics ${kind} image of an all-zero image is undefined (max|x| = 0 gives NaN)`);
  }
  switch (kind) {
    case 'square': {
      const c = 1 / Math.sqrt(m);
      for (let i = 0; i < n; i++) {
        const v = c * data[i]!;
        out[i] = v * v;
      }
      return out;
    }
    case 'squareroot':
      for (let i = 0; i < n; i++) {
        const v = data[i]!;
        out[i] = v > 0 ? Math.sqrt(v * m) : v < 0 ? -Math.sqrt(-v * m) : v;
      }
      return out;
    case 'logarithm': {
      for (let i = 0; i < n; i++) {
        const v = data[i]!;
        out[i] = v > 0 ? Math.log(v + 1) : v < 0 ? -Math.log(-(v - 1)) : v;
      }
      const scale = m / maxAbs(out);
      for (let i = 0; i < n; i++) out[i] = out[i]! * scale;
      return out;
    }
    case 'exponential': {
      const c = Math.log(m) / m;
      for (let i = 0; i < n; i++) out[i] = Math.exp(c * data[i]!);
      return out;
    }
    default:
      throw new RadcamError('E_SETTINGS', `unknown PyRadiomics point transform "${kind as string}"`);
  }
}

/**
 * SimpleITK `GradientMagnitude` (ITK `GradientMagnitudeImageFilter`) as PyRadiomics' getGradientImage
 * runs it: per axis the central difference with coefficients ±½ (× 1/spacing when `useSpacing`),
 * zero-flux Neumann boundary (the edge voxel repeats, so an axis of 1 voxel contributes 0),
 * √(gx² + gy² + gz²) in double, output float32 (SimpleITK's output pixel type for this filter).
 */
export function pyradiomicsGradientMagnitude(data: ArrayLike<number>, size: Readonly<Vec3>, spacing: Readonly<Vec3>, useSpacing = true): Float32Array {
  const [nx, ny, nz] = size;
  const strides: Vec3 = [1, nx, nx * ny];
  const cHi: number[] = [], cLo: number[] = [];
  for (let a = 0; a < 3; a++) {
    if (useSpacing && spacing[a] === 0) throw new RadcamError('E_SETTINGS', 'image spacing cannot be zero');
    const scale = useSpacing ? 1 / spacing[a]! : 1;
    cLo.push(-0.5 * scale);
    cHi.push(0.5 * scale);
  }
  const out = new Float32Array(nx * ny * nz);
  let q = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, q++) {
        let acc = 0;
        for (let a = 0; a < 3; a++) {
          const c = a === 0 ? i : a === 1 ? j : k;
          const n = size[a]!;
          const lo = c > 0 ? q - strides[a]! : q;
          const hi = c < n - 1 ? q + strides[a]! : q;
          // ITK's inner product: Σ coeff·pixel over (previous, centre, next), centre coefficient 0
          const g = cLo[a]! * data[lo]! + 0 * data[q]! + cHi[a]! * data[hi]!;
          acc += g * g;
        }
        out[q] = Math.sqrt(acc);
      }
    }
  }
  return out;
}

/** scikit-image `local_binary_pattern` methods accepted by PyRadiomics' schema (`lbp2DMethod`). */
export type PyradiomicsLbpMethod = 'default' | 'ror' | 'uniform' | 'var';

/** numpy's `round(x, 5)`: scale, round half to even, unscale. */
function npRound5(x: number): number {
  const y = x * 1e5;
  let r = Math.round(y);
  if (r - y === 0.5 && r % 2 !== 0) r -= 1; // Math.round rounds .5 up; numpy rounds half to even
  return r / 1e5;
}

/** Sampling offsets of `local_binary_pattern(P, R)`: rows −R·sin(2πi/P), columns R·cos(2πi/P), rounded to 5 decimals. */
export function lbpSamplingOffsets(samples: number, radius: number): { dr: Float64Array; dc: Float64Array } {
  // scikit-image's Cython signature takes R as a C float: the radius is rounded to float32 first
  const R = Math.fround(radius);
  const dr = new Float64Array(samples), dc = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const ang = (2 * Math.PI * i) / samples;
    dr[i] = npRound5(-R * Math.sin(ang));
    dc[i] = npRound5(R * Math.cos(ang));
  }
  return { dr, dc };
}

/**
 * scikit-image's `local_binary_pattern(image, P, R, method)` on one 2D image (`rows × cols`,
 * row-major): neighbour i at (r − R·sin(2πi/P), c + R·cos(2πi/P)) by bilinear interpolation with
 * 0 outside the image; bit i = [neighbour − centre ≥ 0].
 * - `default`: Σ bit_i·2^i;  `ror`: the minimum over the P cyclic right rotations of that code;
 * - `uniform`: number of 1 bits when the pattern has ≤ 2 transitions (counted along i = 0…P−1,
 *   which for a circular pattern is equivalent), P + 1 otherwise;
 * - `var`: population variance of the P neighbour values, NaN when it is 0.
 */
export function localBinaryPattern2D(image: Float64Array, rows: number, cols: number, samples: number, radius: number, method: PyradiomicsLbpMethod = 'default'): Float64Array {
  const P = samples;
  if (!Number.isInteger(P) || P < 1) throw new RadcamError('E_SETTINGS', `lbp2DSamples must be an integer ≥ 1, got ${samples}`);
  if (P > 31 && (method === 'default' || method === 'ror')) {
    // scikit-image's weights 2**arange(P) are int32: P > 31 overflows there
    throw new RadcamError('E_SETTINGS', `lbp2DSamples > 31 is not supported with lbp2DMethod "${method}" (scikit-image's int32 codes overflow)`);
  }
  if (!(radius > 0)) throw new RadcamError('E_SETTINGS', `lbp2DRadius must be > 0, got ${radius}`);
  const { dr, dc } = lbpSamplingOffsets(P, radius);
  const texture = new Float64Array(P);
  const bits = new Uint8Array(P);
  const out = new Float64Array(rows * cols);
  const px = (r: number, c: number): number => (r < 0 || r >= rows || c < 0 || c >= cols ? 0 : image[r * cols + c]!);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      for (let i = 0; i < P; i++) {
        const rr = r + dr[i]!, cc = c + dc[i]!;
        const minr = Math.floor(rr), minc = Math.floor(cc), maxr = Math.ceil(rr), maxc = Math.ceil(cc);
        const fr = rr - minr, fc = cc - minc;
        const top = (1 - fc) * px(minr, minc) + fc * px(minr, maxc);
        const bottom = (1 - fc) * px(maxr, minc) + fc * px(maxr, maxc);
        texture[i] = (1 - fr) * top + fr * bottom;
      }
      const centre = image[r * cols + c]!;
      for (let i = 0; i < P; i++) bits[i] = texture[i]! - centre >= 0 ? 1 : 0;
      let lbp = 0;
      if (method === 'var') {
        let sum = 0, sq = 0;
        for (let i = 0; i < P; i++) {
          sum += texture[i]!;
          sq += texture[i]! * texture[i]!;
        }
        const v = (sq - (sum * sum) / P) / P;
        lbp = v !== 0 ? v : NaN;
      } else if (method === 'uniform') {
        let changes = 0;
        for (let i = 0; i < P - 1; i++) if (bits[i] !== bits[i + 1]) changes++;
        if (changes <= 2) for (let i = 0; i < P; i++) lbp += bits[i]!;
        else lbp = P + 1;
      } else {
        for (let i = 0; i < P; i++) lbp += bits[i]! * 2 ** i;
        if (method === 'ror') {
          let v = lbp;
          let best = v;
          for (let i = 1; i < P; i++) {
            v = (v >>> 1) | ((v & 1) << (P - 1));
            if (v < best) best = v;
          }
          lbp = best;
        }
      }
      out[r * cols + c] = lbp;
    }
  }
  return out;
}

export interface PyradiomicsLbp2DOptions {
  /** `lbp2DRadius` (default 1). */
  radius?: number;
  /** `lbp2DSamples` (default 8, the value of PyRadiomics' code; its docstring says 9). */
  samples?: number;
  /** `lbp2DMethod` (default `uniform`). */
  method?: PyradiomicsLbpMethod;
  /**
   * `force2Ddimension` (numpy axis of the (z, y, x) array): 0 → LBP in each axial (x–y) slice, rows y,
   * columns x; 1 → each coronal slice, rows z, columns x; 2 → each sagittal slice, rows y, columns z.
   */
  axis?: 0 | 1 | 2;
  /**
   * Integer pixel type range of the input image, or null for floating images. PyRadiomics writes the
   * codes into the input array, so they are cast to its type as numpy does on x86-64 (truncation;
   * NaN → 0 and wrap-around for 8/16-bit types; INT_MIN for int32).
   */
  intRange?: [number, number] | null;
}

/**
 * numpy's unsafe float → integer cast on x86-64 (what `int_array[...] = float_array` does): truncation;
 * 8/16-bit and uint32 targets wrap around, int32 gets INT_MIN for NaN / out-of-range values, NaN → 0 otherwise.
 */
export function numpyCastToInt(v: number, lo: number, hi: number): number {
  const int32 = lo === -2147483648;
  if (!Number.isFinite(v)) return int32 ? lo : 0;
  let t = Math.trunc(v) + 0; // + 0: no −0
  if (t < lo || t > hi) {
    if (int32) return lo;
    const w = hi - lo + 1;
    t = ((((t - lo) % w) + w) % w) + lo;
  }
  return t;
}

/**
 * PyRadiomics' getLBP2DImage: scikit-image `local_binary_pattern` applied slice by slice along
 * `axis` of a 3D volume (x fastest), result cast to the input pixel type.
 */
export function pyradiomicsLbp2D(data: ArrayLike<number>, size: Readonly<Vec3>, options: PyradiomicsLbp2DOptions = {}): Float64Array {
  const { radius = 1, samples = 8, method = 'uniform', axis = 0, intRange = null } = options;
  const [nx, ny, nz] = size;
  const st: Vec3 = [1, nx, nx * ny];
  // ours: axis 0 = x; numpy axis 0 = z. Slice axis, row axis, column axis (ours):
  const [sAx, rAx, cAx] = axis === 0 ? [2, 1, 0] : axis === 1 ? [1, 2, 0] : [0, 1, 2];
  const ns = size[sAx]!, rows = size[rAx]!, cols = size[cAx]!;
  const out = new Float64Array(nx * ny * nz);
  const plane = new Float64Array(rows * cols);
  for (let s = 0; s < ns; s++) {
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) plane[r * cols + c] = data[s * st[sAx]! + r * st[rAx]! + c * st[cAx]!]!;
    const lbp = localBinaryPattern2D(plane, rows, cols, samples, radius, method);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = lbp[r * cols + c]!;
        out[s * st[sAx]! + r * st[rAx]! + c * st[cAx]!] = intRange ? numpyCastToInt(v, intRange[0], intRange[1]) : v;
      }
    }
  }
  return out;
}
