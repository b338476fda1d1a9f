import { RadcamError, assertArg } from '../errors.js';
import { indexToWorld, invert3x3, voxelCount, type Geometry, type TypedArray, type Vec3, type Volume, validateVolume } from '../volume.js';

export type Interpolator = 'nearest' | 'linear' | 'bspline';

export interface ResampleOptions {
  /** New voxel spacing in mm. */
  spacing: Vec3;
  /** Default `linear` (trilinear). `bspline` is cubic B-spline interpolation (with prefilter). */
  interpolator?: Interpolator;
  /**
   * Grid alignment. `ibsi` (default): grid centres aligned and size ceil(n·s/s′), as the IBSI 1
   * manual defines it. `origin`: the first voxel centre is kept and size floor((n−1)·s/s′)+1.
   */
  grid?: 'ibsi' | 'origin';
  /** Explicit output size (overrides the grid rule's size; centre alignment still applies). */
  size?: Vec3;
  /**
   * Output array type. Default: the input's type for `nearest`, Float32Array otherwise.
   * `same` keeps the input type (integer outputs are rounded to nearest).
   */
  outputType?: 'same' | 'float32' | 'float64';
}

type Ctor = { new (n: number): TypedArray };

function outCtor(vol: Volume, interp: Interpolator, outputType: ResampleOptions['outputType']): Ctor {
  if (outputType === 'float64') return Float64Array;
  if (outputType === 'float32') return Float32Array;
  if (outputType === 'same' || interp === 'nearest') return vol.data.constructor as Ctor;
  return Float32Array;
}

const isIntegerArray = (a: TypedArray) => !(a instanceof Float32Array || a instanceof Float64Array);

/** Interpolation taps for one axis: for each output index, `taps` source indices and weights. */
interface AxisTaps {
  taps: number;
  idx: Int32Array;
  w: Float64Array;
}

function mirror(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - m;
}

/** Cubic B-spline basis weights for fractional offset t in [0,1): taps at −1, 0, +1, +2. */
function bsplineWeights(t: number, out: Float64Array, o: number): void {
  const t2 = t * t;
  const t3 = t2 * t;
  out[o] = (1 - 3 * t + 3 * t2 - t3) / 6;
  out[o + 1] = (4 - 6 * t2 + 3 * t3) / 6;
  out[o + 2] = (1 + 3 * t + 3 * t2 - 3 * t3) / 6;
  out[o + 3] = t3 / 6;
}

function axisTaps(coords: Float64Array, n: number, interp: Interpolator): AxisTaps {
  const m = coords.length;
  const taps = interp === 'nearest' ? 1 : interp === 'linear' ? 2 : 4;
  const idx = new Int32Array(m * taps);
  const w = new Float64Array(m * taps);
  for (let j = 0; j < m; j++) {
    // Out-of-grid positions take the nearest grid value (IBSI: pad with nearest, then interpolate).
    const x = Math.min(n - 1, Math.max(0, coords[j]!));
    if (interp === 'nearest') {
      idx[j] = Math.min(n - 1, Math.floor(x + 0.5));
      w[j] = 1;
    } else if (interp === 'linear') {
      const i0 = Math.min(n - 1, Math.floor(x));
      const i1 = Math.min(n - 1, i0 + 1);
      const t = x - i0;
      idx[2 * j] = i0;
      idx[2 * j + 1] = i1;
      w[2 * j] = 1 - t;
      w[2 * j + 1] = t;
    } else {
      const i0 = Math.floor(x);
      bsplineWeights(x - i0, w, 4 * j);
      for (let t = 0; t < 4; t++) idx[4 * j + t] = mirror(i0 - 1 + t, n);
    }
  }
  return { taps, idx, w };
}

/** Options of {@link bsplinePrefilter}. */
export interface BsplinePrefilterOptions {
  /**
   * Truncation tolerance of the causal initialisation sum (lines longer than the horizon
   * ⌈ln tol / ln|z|⌉ use a truncated sum, shorter ones the exact mirror-symmetric start).
   * Default 1e-12; ITK's BSplineDecompositionImageFilter (SimpleITK / PyRadiomics) uses 1e-10.
   */
  tolerance?: number;
}

/**
 * In-place cubic B-spline prefilter (interpolation coefficients) of a volume laid out x fastest,
 * separably along x, y then z: causal/anti-causal recursion with pole √3 − 2 and mirror-symmetric
 * boundaries (Unser 1993; Thévenaz et al. 2000), so that cubic B-spline interpolation of the result
 * reproduces the samples. Axes of length 1 are left as they are.
 */
export function bsplinePrefilter(data: Float64Array, size: Readonly<Vec3>, options: BsplinePrefilterOptions = {}): void {
  const tolerance = options.tolerance ?? 1e-12;
  assertArg(tolerance > 0 && tolerance < 1, 'tolerance must be in (0, 1)', { found: String(tolerance) });
  assertArg(data.length === voxelCount(size), 'data length must match size', { found: `${data.length} for ${size.join('×')}` });
  bsplinePrefilterAxis(data, size, 0, tolerance);
  bsplinePrefilterAxis(data, size, 1, tolerance);
  bsplinePrefilterAxis(data, size, 2, tolerance);
}

function bsplinePrefilterAxis(data: Float64Array, size: Readonly<Vec3>, axis: 0 | 1 | 2, tolerance: number): void {
  const n = size[axis];
  if (n < 2) return;
  const z = Math.sqrt(3) - 2;
  const gain = (1 - z) * (1 - 1 / z);
  const stride = axis === 0 ? 1 : axis === 1 ? size[0] : size[0] * size[1];
  const line = new Float64Array(n);
  const others = voxelCount(size) / n;
  const horizon = Math.min(n, Math.ceil(Math.log(tolerance) / Math.log(Math.abs(z))));
  for (let l = 0; l < others; l++) {
    // base offset of line l
    let base: number;
    if (axis === 0) base = l * n;
    else if (axis === 1) base = (l % size[0]) + Math.floor(l / size[0]) * size[0] * size[1];
    else base = l;
    for (let i = 0; i < n; i++) line[i] = data[base + i * stride]! * gain;
    // causal initialisation (mirror boundary)
    if (horizon < n) {
      let zn = z;
      let sum = line[0]!;
      for (let i = 1; i < horizon; i++) {
        sum += zn * line[i]!;
        zn *= z;
      }
      line[0] = sum;
    } else {
      // exact mirror-symmetric initialisation for short lines (Thévenaz et al.)
      let z1 = z;
      let zn = Math.pow(z, n - 1);
      const iz = 1 / z;
      let sum = line[0]! + zn * line[n - 1]!;
      zn *= zn * iz;
      for (let i = 1; i <= n - 2; i++) {
        sum += (z1 + zn) * line[i]!;
        z1 *= z;
        zn *= iz;
      }
      line[0] = sum / (1 - z1 * z1);
    }
    for (let i = 1; i < n; i++) line[i] = line[i]! + z * line[i - 1]!;
    line[n - 1] = (z / (z * z - 1)) * (z * line[n - 2]! + line[n - 1]!);
    for (let i = n - 2; i >= 0; i--) line[i] = z * (line[i + 1]! - line[i]!);
    for (let i = 0; i < n; i++) data[base + i * stride] = line[i]!;
  }
}

/** Apply per-axis taps separably: x, then y, then z. Returns Float64 data of the output size. */
function separable(src: Float64Array, size: Vec3, tx: AxisTaps, ty: AxisTaps, tz: AxisTaps, out: Vec3): Float64Array {
  const [nx, ny, nz] = size;
  const [mx, my, mz] = out;
  // pass x: nx·ny·nz → mx·ny·nz
  const a = new Float64Array(mx * ny * nz);
  for (let r = 0, rows = ny * nz; r < rows; r++) {
    const s = r * nx;
    const d = r * mx;
    for (let i = 0; i < mx; i++) {
      let v = 0;
      for (let t = 0, o = i * tx.taps; t < tx.taps; t++) v += tx.w[o + t]! * src[s + tx.idx[o + t]!]!;
      a[d + i] = v;
    }
  }
  // pass y: mx·ny·nz → mx·my·nz
  const b = new Float64Array(mx * my * nz);
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < my; j++) {
      const d = mx * (j + my * k);
      for (let t = 0, o = j * ty.taps; t < ty.taps; t++) {
        const w = ty.w[o + t]!;
        if (w === 0) continue;
        const s = mx * (ty.idx[o + t]! + ny * k);
        for (let i = 0; i < mx; i++) b[d + i] = b[d + i]! + w * a[s + i]!;
      }
    }
  }
  // pass z: mx·my·nz → mx·my·mz
  const plane = mx * my;
  const c = new Float64Array(plane * mz);
  for (let k = 0; k < mz; k++) {
    const d = plane * k;
    for (let t = 0, o = k * tz.taps; t < tz.taps; t++) {
      const w = tz.w[o + t]!;
      if (w === 0) continue;
      const s = plane * tz.idx[o + t]!;
      for (let i = 0; i < plane; i++) c[d + i] = c[d + i]! + w * b[s + i]!;
    }
  }
  return c;
}

function toFloat64(data: TypedArray): Float64Array {
  return data instanceof Float64Array ? Float64Array.from(data) : Float64Array.from(data as ArrayLike<number>);
}

function store(values: Float64Array, ctor: Ctor): TypedArray {
  const out = new ctor(values.length);
  if (isIntegerArray(out)) {
    for (let i = 0; i < values.length; i++) out[i] = Math.round(values[i]!);
  } else {
    out.set(values);
  }
  return out;
}

/**
 * Resample a volume to a new spacing on an axis-aligned grid (same direction), separably.
 * Positions outside the original grid take the nearest grid value (nearest-neighbour
 * extrapolation, as IBSI specifies). Returns a new volume; the input is not modified.
 */
export function resample<T extends TypedArray>(vol: Volume<T>, options: ResampleOptions): Volume {
  validateVolume(vol);
  const interp = options.interpolator ?? 'linear';
  const grid = options.grid ?? 'ibsi';
  const sp = options.spacing;
  for (let c = 0; c < 3; c++) {
    if (!(Number.isFinite(sp[c]) && sp[c]! > 0)) {
      throw new RadcamError('E_BAD_SPACING', 'resampling spacing must be three positive numbers', { found: JSON.stringify(sp) });
    }
  }
  assertArg(['nearest', 'linear', 'bspline'].includes(interp), `unknown interpolator "${interp}"`, {
    expected: 'nearest, linear or bspline',
  });
  const outSize: Vec3 = [0, 0, 0];
  const first: Vec3 = [0, 0, 0];
  const taps: AxisTaps[] = [];
  for (let c = 0; c < 3; c++) {
    const n = vol.size[c]!;
    const ratio = sp[c]! / vol.spacing[c]!;
    let m: number;
    if (options.size) m = options.size[c]!;
    else if (grid === 'ibsi') m = Math.ceil((n * vol.spacing[c]!) / sp[c]! - 1e-9);
    else m = Math.floor(((n - 1) * vol.spacing[c]!) / sp[c]! + 1e-9) + 1;
    assertArg(Number.isInteger(m) && m > 0, 'output size must be positive', { found: String(m) });
    const x0 = grid === 'origin' && !options.size ? 0 : 0.5 * (n - 1) - 0.5 * (m - 1) * ratio;
    const coords = new Float64Array(m);
    for (let j = 0; j < m; j++) coords[j] = x0 + j * ratio;
    outSize[c] = m;
    first[c] = x0;
    taps.push(axisTaps(coords, n, interp));
  }
  let src = toFloat64(vol.data);
  if (interp === 'bspline') {
    bsplinePrefilter(src, vol.size);
  }
  const values = separable(src, vol.size, taps[0]!, taps[1]!, taps[2]!, outSize);
  src = new Float64Array(0);
  return {
    data: store(values, outCtor(vol, interp, options.outputType)),
    size: outSize,
    spacing: [sp[0], sp[1], sp[2]],
    origin: indexToWorld(vol, first),
    direction: Float64Array.from(vol.direction),
  };
}

export interface ResampleToGeometryOptions {
  interpolator?: Interpolator;
  /** Value for target voxels whose centre falls outside the source volume (default 0). */
  fill?: number;
  /** `fill` (default) or `nearest`: extend the source's edge values without limit. */
  extrapolate?: 'fill' | 'nearest';
  outputType?: ResampleOptions['outputType'];
}

/**
 * Resample `vol` onto an arbitrary target grid (any spacing, origin and direction), matching
 * world (LPS) positions. A target voxel is inside when its centre lies within the source voxels'
 * extent (−½ … n−½ in index space).
 */
export function resampleToGeometry<T extends TypedArray>(
  vol: Volume<T>,
  target: Geometry,
  options: ResampleToGeometryOptions = {},
): Volume {
  validateVolume(vol);
  const interp = options.interpolator ?? 'linear';
  const fill = options.fill ?? 0;
  const nearestOut = options.extrapolate === 'nearest';
  const inv = invert3x3(vol.direction);
  const D = target.direction;
  // src_index = M · dst_index + b
  const M = new Float64Array(9);
  const b = new Float64Array(3);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += inv[3 * r + k]! * D[3 * k + c]!;
      M[3 * r + c] = (s * target.spacing[c]!) / vol.spacing[r]!;
    }
    let s = 0;
    for (let k = 0; k < 3; k++) s += inv[3 * r + k]! * (target.origin[k]! - vol.origin[k]!);
    b[r] = s / vol.spacing[r]!;
  }
  const [nx, ny, nz] = vol.size;
  const src = interp === 'bspline' ? toFloat64(vol.data) : vol.data;
  if (interp === 'bspline') {
    bsplinePrefilter(src as Float64Array, vol.size);
  }
  const [mx, my, mz] = target.size;
  const values = new Float64Array(mx * my * mz);
  const wx = new Float64Array(4), wy = new Float64Array(4), wz = new Float64Array(4);
  let q = 0;
  for (let k = 0; k < mz; k++) {
    for (let j = 0; j < my; j++) {
      let x = M[1]! * j + M[2]! * k + b[0]!;
      let y = M[4]! * j + M[5]! * k + b[1]!;
      let z = M[7]! * j + M[8]! * k + b[2]!;
      for (let i = 0; i < mx; i++, q++, x += M[0]!, y += M[3]!, z += M[6]!) {
        let px = x, py = y, pz = z;
        if (px < -0.5 || px > nx - 0.5 || py < -0.5 || py > ny - 0.5 || pz < -0.5 || pz > nz - 0.5) {
          if (!nearestOut) {
            values[q] = fill;
            continue;
          }
        }
        px = Math.min(nx - 1, Math.max(0, px));
        py = Math.min(ny - 1, Math.max(0, py));
        pz = Math.min(nz - 1, Math.max(0, pz));
        if (interp === 'nearest') {
          const ii = Math.min(nx - 1, Math.floor(px + 0.5));
          const jj = Math.min(ny - 1, Math.floor(py + 0.5));
          const kk = Math.min(nz - 1, Math.floor(pz + 0.5));
          values[q] = src[ii + nx * (jj + ny * kk)]!;
        } else if (interp === 'linear') {
          const i0 = Math.min(nx - 1, Math.floor(px)), j0 = Math.min(ny - 1, Math.floor(py)), k0 = Math.min(nz - 1, Math.floor(pz));
          const i1 = Math.min(nx - 1, i0 + 1), j1 = Math.min(ny - 1, j0 + 1), k1 = Math.min(nz - 1, k0 + 1);
          const tx = px - i0, ty = py - j0, tz = pz - k0;
          const r00 = nx * (j0 + ny * k0), r10 = nx * (j1 + ny * k0), r01 = nx * (j0 + ny * k1), r11 = nx * (j1 + ny * k1);
          const c00 = src[r00 + i0]! * (1 - tx) + src[r00 + i1]! * tx;
          const c10 = src[r10 + i0]! * (1 - tx) + src[r10 + i1]! * tx;
          const c01 = src[r01 + i0]! * (1 - tx) + src[r01 + i1]! * tx;
          const c11 = src[r11 + i0]! * (1 - tx) + src[r11 + i1]! * tx;
          values[q] = (c00 * (1 - ty) + c10 * ty) * (1 - tz) + (c01 * (1 - ty) + c11 * ty) * tz;
        } else {
          const i0 = Math.floor(px), j0 = Math.floor(py), k0 = Math.floor(pz);
          bsplineWeights(px - i0, wx, 0);
          bsplineWeights(py - j0, wy, 0);
          bsplineWeights(pz - k0, wz, 0);
          let v = 0;
          for (let c = 0; c < 4; c++) {
            const kk = mirror(k0 - 1 + c, nz);
            for (let bb = 0; bb < 4; bb++) {
              const jj = mirror(j0 - 1 + bb, ny);
              const row = nx * (jj + ny * kk);
              const wyz = wz[c]! * wy[bb]!;
              for (let a = 0; a < 4; a++) v += wyz * wx[a]! * src[row + mirror(i0 - 1 + a, nx)]!;
            }
          }
          values[q] = v;
        }
      }
    }
  }
  return {
    data: store(values, outCtor(vol, interp, options.outputType)),
    size: [mx, my, mz],
    spacing: [...target.spacing] as Vec3,
    origin: [...target.origin] as Vec3,
    direction: Float64Array.from(target.direction),
  };
}
