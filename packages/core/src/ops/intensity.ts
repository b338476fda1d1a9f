import { RadcamError, assertArg } from '../errors.js';
import { assertSameGeometry, type Mask, type TypedArray, type Vec3, type Volume } from '../volume.js';

function floatLike(vol: Volume, data: Float32Array): Volume<Float32Array> {
  return {
    data,
    size: [...vol.size] as Vec3,
    spacing: [...vol.spacing] as Vec3,
    origin: [...vol.origin] as Vec3,
    direction: Float64Array.from(vol.direction),
  };
}

/** Mean and population standard deviation of `vol` inside `mask` (all voxels when no mask). */
export function maskedMeanStd(vol: Volume<TypedArray>, mask?: Mask): { mean: number; std: number; count: number } {
  if (mask) assertSameGeometry(vol, mask);
  const d = vol.data;
  let n = 0, s = 0;
  for (let i = 0; i < d.length; i++) {
    if (mask && mask.data[i] === 0) continue;
    s += d[i]!;
    n++;
  }
  if (n === 0) throw new RadcamError('E_EMPTY_ROI', 'statistics over an empty mask', { expected: 'a non-empty mask' });
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < d.length; i++) {
    if (mask && mask.data[i] === 0) continue;
    const e = d[i]! - mean;
    v += e * e;
  }
  return { mean, std: Math.sqrt(v / n), count: n };
}

/**
 * Z-score normalisation with the mean and SD measured inside `mask` (applied to every voxel).
 * A constant region (SD 0) gives 0 inside and (x − mean) outside, never a division by zero.
 */
export function zscoreInMask(vol: Volume<TypedArray>, mask?: Mask): Volume<Float32Array> {
  const { mean, std } = maskedMeanStd(vol, mask);
  const inv = std > 0 ? 1 / std : 1;
  const out = new Float32Array(vol.data.length);
  for (let i = 0; i < out.length; i++) out[i] = (vol.data[i]! - mean) * inv;
  return floatLike(vol, out);
}

/** The p-th percentile (0–100, linear interpolation between order statistics, numpy's default). */
export function percentile(values: ArrayLike<number>, p: number): number {
  assertArg(p >= 0 && p <= 100, 'percentile must be within 0..100', { found: String(p) });
  const a = Float64Array.from(values).sort();
  if (a.length === 0) throw new RadcamError('E_EMPTY_ROI', 'percentile of no values');
  const pos = (p / 100) * (a.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(a.length - 1, lo + 1);
  return a[lo]! + (pos - lo) * (a[hi]! - a[lo]!);
}

function maskedValues(vol: Volume<TypedArray>, mask?: Mask): Float64Array {
  if (!mask) return Float64Array.from(vol.data as ArrayLike<number>);
  assertSameGeometry(vol, mask);
  let n = 0;
  for (let i = 0; i < mask.data.length; i++) if (mask.data[i] !== 0) n++;
  const out = new Float64Array(n);
  for (let i = 0, q = 0; i < mask.data.length; i++) if (mask.data[i] !== 0) out[q++] = vol.data[i]!;
  return out;
}

/**
 * Clip intensities to the [lo, hi] percentiles (0–100) measured inside `mask` (or everywhere).
 * Returns a float copy and the clipping bounds.
 */
export function clipPercentiles(
  vol: Volume<TypedArray>,
  lo: number,
  hi: number,
  mask?: Mask,
): Volume<Float32Array> & { bounds: [number, number] } {
  assertArg(lo <= hi, 'lower percentile must not exceed the upper', { found: `${lo} > ${hi}` });
  const vals = maskedValues(vol, mask);
  if (vals.length === 0) throw new RadcamError('E_EMPTY_ROI', 'percentile clipping over an empty mask');
  vals.sort();
  const q = (p: number) => {
    const pos = (p / 100) * (vals.length - 1);
    const l = Math.floor(pos);
    const h = Math.min(vals.length - 1, l + 1);
    return vals[l]! + (pos - l) * (vals[h]! - vals[l]!);
  };
  const a = q(lo);
  const b = q(hi);
  const out = new Float32Array(vol.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = vol.data[i]!;
    out[i] = v < a ? a : v > b ? b : v;
  }
  return Object.assign(floatLike(vol, out), { bounds: [a, b] as [number, number] });
}
