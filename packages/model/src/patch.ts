/**
 * Input pipeline: lesion patch extraction (crop with margin → resample to a fixed isotropic patch
 * centred on the lesion centroid → intensity normalisation → optional mask channel) and seeded
 * augmentation (flips, 90° rotations in the axial plane, small intensity shifts).
 */
import {
  RadcamError,
  assertNonEmptyMask,
  assertSameGeometry,
  boundingBox,
  centroid,
  cropToMask,
  erode,
  maskedMeanStd,
  resampleToGeometry,
  type Geometry,
  type Mask,
  type Rng,
  type Vec3,
  type Volume,
} from '@radcam/core';

/** How patches are made. Saved with the model (model.json `preprocessing`). */
export interface PatchOptions {
  /** 3 → cubic patch; 2 → the axial slice through the lesion centroid. Default 3. */
  dims?: 2 | 3;
  /** Patch side in voxels. Default 32 (3D) / 64 (2D). */
  size?: number;
  /** Margin around the lesion's bounding box, mm. Default 10. */
  marginMm?: number;
  /**
   * Extra margin as a fraction of the lesion's largest bounding-box side (added to `marginMm` on
   * each side). Default 0. With a small `marginMm` this makes the field of view proportional to
   * the lesion, so every lesion — and a structure at a fixed relative position inside it — fills
   * the patch alike (scale normalisation).
   */
  marginFraction?: number;
  /**
   * Fixed isotropic patch spacing in mm. Default: undefined → the field of view is the largest
   * bounding-box side + 2·margin and spacing = FOV / size (every lesion fills the patch alike).
   */
  spacingMm?: number;
  /**
   * Intensity normalisation. Default 'percentile': clip to the [1, 99] percentiles inside the
   * lesion and map to 0…1 (bounded inputs; with 'zscore-mask' the background of an enhancing
   * lesion sits at ≈ −6 SD and dominates the reconstruction loss).
   * 'rim': v / m − 1 clipped to [−1, 1], m = median of the original voxels in the lesion's outer
   * shell (mask minus its erosion by `rimMm`): the enhancing rim is ≈ 0, anything darker than the
   * rim (necrosis, a less enhancing subregion, background) is negative. Robust to the scanner gain
   * and, unlike lesion-wide statistics, not shifted by the dark parts of the lesion themselves.
   */
  normalize?: 'zscore-mask' | 'percentile' | 'rim' | 'none';
  /** Thickness (mm) of the rim used by `normalize: 'rim'`. Default 2. */
  rimMm?: number;
  /** Percentiles for 'percentile' (measured inside the mask; mapped to 0…1 with clipping). Default [1, 99]. */
  percentiles?: [number, number];
  /** Add the resampled lesion mask as a second channel. Default false. */
  maskChannel?: boolean;
  /**
   * Encode the lesion's physical size in the mask channel (needs `maskChannel`). Scale-normalised
   * patches (`marginFraction`) hide the lesion size from the network; this gives it back in a
   * CNN-native way that the CAM gradient path sees (it is part of the input patch).
   * - 'none' (default): lesion voxels 1, background 0.
   * - 'log-diameter': lesion voxels 1 + 0.5·z with z = clamp(ln(d / 12 mm) / 0.4, −1.9, 1.9),
   *   background 0, where d = (6V/π)^(1/3) is the equivalent-sphere diameter of the mask volume V
   *   (voxel count × voxel volume, mm³). The constants are fixed (not fitted to any data set):
   *   12 mm and 0.4 are the centre and SD of ln d for radii log-uniform in 3…12 mm; the clamp
   *   keeps lesion voxels in [0.05, 1.95], i.e. always distinct from the background.
   */
  sizeEncoding?: 'none' | 'log-diameter';
  /** Image interpolator. Default 'linear'. */
  interpolator?: 'linear' | 'bspline';
}

/** Fully resolved patch options. */
export type ResolvedPatchOptions = Required<Omit<PatchOptions, 'spacingMm'>> & { spacingMm: number | null };

const NORMALIZERS = ['zscore-mask', 'percentile', 'rim', 'none'];

export function resolvePatchOptions(o: PatchOptions = {}): ResolvedPatchOptions {
  const dims = o.dims ?? 3;
  const r: ResolvedPatchOptions = {
    dims,
    size: o.size ?? (dims === 3 ? 32 : 64),
    marginMm: o.marginMm ?? 10,
    marginFraction: o.marginFraction ?? 0,
    spacingMm: o.spacingMm ?? null,
    normalize: o.normalize ?? 'percentile',
    percentiles: o.percentiles ?? [1, 99],
    rimMm: o.rimMm ?? 2,
    maskChannel: o.maskChannel ?? false,
    sizeEncoding: o.sizeEncoding ?? 'none',
    interpolator: o.interpolator ?? 'linear',
  };
  if (r.dims !== 2 && r.dims !== 3) throw new RadcamError('E_INVALID_ARGUMENT', 'patch dims must be 2 or 3', { found: String(r.dims) });
  if (!Number.isInteger(r.size) || r.size < 2) throw new RadcamError('E_INVALID_ARGUMENT', 'patch size must be an integer ≥ 2', { found: String(r.size) });
  if (!(r.marginMm >= 0)) throw new RadcamError('E_INVALID_ARGUMENT', 'marginMm must be ≥ 0', { found: String(r.marginMm) });
  if (!(r.marginFraction >= 0)) throw new RadcamError('E_INVALID_ARGUMENT', 'marginFraction must be ≥ 0', { found: String(r.marginFraction) });
  if (!(r.rimMm > 0)) throw new RadcamError('E_INVALID_ARGUMENT', 'rimMm must be > 0', { found: String(r.rimMm) });
  if (!NORMALIZERS.includes(r.normalize)) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'unknown normalisation', { expected: NORMALIZERS.join(', '), found: String(r.normalize) });
  }
  if (r.sizeEncoding !== 'none' && r.sizeEncoding !== 'log-diameter') {
    throw new RadcamError('E_INVALID_ARGUMENT', 'unknown sizeEncoding', { expected: 'none, log-diameter', found: String(r.sizeEncoding) });
  }
  if (r.sizeEncoding !== 'none' && !r.maskChannel) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'sizeEncoding needs maskChannel: true', { found: r.sizeEncoding });
  }
  if (r.spacingMm !== null && !(r.spacingMm > 0)) throw new RadcamError('E_INVALID_ARGUMENT', 'spacingMm must be > 0', { found: String(r.spacingMm) });
  return r;
}

/** One network input. */
export interface Patch {
  /** Channels-last values: index ((z·S + y)·S + x)·C + c (3D) or (y·S + x)·C + c (2D). */
  data: Float32Array;
  /** Tensor shape of one sample: [S, S, S, C] or [S, S, C]. */
  shape: number[];
  dims: 2 | 3;
  channels: number;
  /**
   * Geometry of the patch grid in patient space (LPS mm): size [S, S, S] (3D) or [S, S, 1] (2D),
   * voxel (x, y, z) of the patch = tensor element [z, y, x]. Use it to map activations back.
   */
  geometry: Geometry;
  /** The lesion centroid (world LPS mm); the patch is centred on it. */
  centroid: Vec3;
}

/**
 * Extract the network input patch for one lesion. Throws `E_EMPTY_ROI` for an empty mask and
 * `E_MASK_GEOMETRY_MISMATCH` when mask and image grids differ.
 */
export function extractPatch(image: Volume, mask: Mask, options: PatchOptions = {}): Patch {
  const o = resolvePatchOptions(options);
  assertSameGeometry(image, mask);
  assertNonEmptyMask(mask, 'lesion mask');
  const box = boundingBox(mask)!;
  let extent = 0;
  for (let c = 0; c < 3; c++) extent = Math.max(extent, (box.max[c]! - box.min[c]! + 1) * image.spacing[c]!);
  const margin = o.marginMm + o.marginFraction * extent;
  const fov = extent + 2 * margin;
  const sp = o.spacingMm ?? fov / o.size;
  const S = o.size;
  const c0 = centroid(mask);
  const D = image.direction;
  const half = ((S - 1) / 2) * sp;
  const offs: Vec3 = [half, half, o.dims === 3 ? half : 0];
  const origin: Vec3 = [0, 0, 0];
  for (let r = 0; r < 3; r++) origin[r] = c0[r]! - (D[3 * r]! * offs[0] + D[3 * r + 1]! * offs[1] + D[3 * r + 2]! * offs[2]);
  const geometry: Geometry = {
    size: [S, S, o.dims === 3 ? S : 1],
    spacing: [sp, sp, o.dims === 3 ? sp : image.spacing[2]],
    origin,
    direction: Float64Array.from(D),
  };
  // Crop first so resampling only reads the neighbourhood; the margin covers the whole patch FOV.
  const reach = Math.max(margin, (S * sp) / 2 + Math.max(...image.spacing));
  const cropped = cropToMask(image, mask, { marginMm: reach });
  const img = resampleToGeometry(cropped.image, geometry, { interpolator: o.interpolator, extrapolate: 'nearest', outputType: 'float32' });
  const msk = o.maskChannel ? resampleToGeometry(cropped.mask, geometry, { interpolator: 'linear', fill: 0, outputType: 'float32' }) : null;

  // Normalisation statistics come from the original voxels inside the original mask.
  let scale = 1;
  let shift = 0;
  let lo = -Infinity;
  let hi = Infinity;
  if (o.normalize === 'zscore-mask') {
    const { mean, std } = maskedMeanStd(cropped.image, cropped.mask);
    scale = std > 0 ? 1 / std : 1;
    shift = -mean * scale;
  } else if (o.normalize === 'percentile') {
    const vals: number[] = [];
    const md = cropped.mask.data;
    for (let i = 0; i < md.length; i++) if (md[i] !== 0) vals.push(cropped.image.data[i]!);
    vals.sort((a, b) => a - b);
    const q = (p: number) => {
      const pos = (p / 100) * (vals.length - 1);
      const l = Math.floor(pos);
      const h = Math.min(vals.length - 1, l + 1);
      return vals[l]! + (pos - l) * (vals[h]! - vals[l]!);
    };
    lo = q(o.percentiles[0]);
    hi = q(o.percentiles[1]);
    scale = hi > lo ? 1 / (hi - lo) : 1;
    shift = -lo * scale;
  } else if (o.normalize === 'rim') {
    const md = cropped.mask.data;
    const inner = erode(cropped.mask, o.rimMm).data;
    const vals: number[] = [];
    for (let i = 0; i < md.length; i++) if (md[i] !== 0 && inner[i] === 0) vals.push(cropped.image.data[i]!);
    if (vals.length === 0) for (let i = 0; i < md.length; i++) if (md[i] !== 0) vals.push(cropped.image.data[i]!);
    vals.sort((a, b) => a - b);
    const h = vals.length >> 1;
    const med = vals.length % 2 ? vals[h]! : (vals[h - 1]! + vals[h]!) / 2;
    scale = med !== 0 ? 1 / Math.abs(med) : 1;
    shift = -1;
    lo = (-1 - shift) / scale; // clip the result to [−1, 1]
    hi = (1 - shift) / scale;
  }
  const C = o.maskChannel ? 2 : 1;
  const n = img.data.length;
  const data = new Float32Array(n * C);
  const src = img.data;
  for (let i = 0; i < n; i++) {
    let v = src[i]!;
    if (v < lo) v = lo;
    else if (v > hi) v = hi;
    data[i * C] = v * scale + shift;
  }
  if (msk) {
    const inside = o.sizeEncoding === 'log-diameter' ? sizeCode(mask) : 1;
    for (let i = 0; i < n; i++) data[i * C + 1] = msk.data[i]! >= 0.5 ? inside : 0;
  }
  const shape = o.dims === 3 ? [S, S, S, C] : [S, S, C];
  return { data, shape, dims: o.dims, channels: C, geometry, centroid: c0 };
}

/** Reference equivalent diameter (mm) and SD of its logarithm used by `sizeEncoding: 'log-diameter'`. */
export const SIZE_CODE_CENTER_MM = 12;
export const SIZE_CODE_LOG_SD = 0.4;

/**
 * The mask-channel value of lesion voxels under `sizeEncoding: 'log-diameter'`:
 * 1 + 0.5·clamp(ln(d / 12 mm) / 0.4, −1.9, 1.9), d = equivalent-sphere diameter of the mask (mm).
 */
export function sizeCode(mask: Mask): number {
  let count = 0;
  const md = mask.data;
  for (let i = 0; i < md.length; i++) if (md[i] !== 0) count++;
  const volume = count * mask.spacing[0] * mask.spacing[1] * mask.spacing[2];
  const d = Math.cbrt((6 * volume) / Math.PI);
  const z = Math.log(d / SIZE_CODE_CENTER_MM) / SIZE_CODE_LOG_SD;
  return 1 + 0.5 * Math.min(1.9, Math.max(-1.9, z));
}

/**
 * Geometry of a feature map that is `factor` times coarser than the patch (e.g. 4 for enc3 of
 * the default strides [1, 2, 2]): feature voxel o is centred on patch voxels o·f … o·f + f − 1.
 */
export function featureGeometry(patch: Geometry, factor: number, dims: 2 | 3 = 3): Geometry {
  const f3: Vec3 = [factor, factor, dims === 3 ? factor : 1];
  const D = patch.direction;
  const shiftIdx: Vec3 = [(f3[0] - 1) / 2, (f3[1] - 1) / 2, (f3[2] - 1) / 2];
  const origin: Vec3 = [0, 0, 0];
  for (let r = 0; r < 3; r++) {
    origin[r] =
      patch.origin[r]! +
      D[3 * r]! * shiftIdx[0] * patch.spacing[0] +
      D[3 * r + 1]! * shiftIdx[1] * patch.spacing[1] +
      D[3 * r + 2]! * shiftIdx[2] * patch.spacing[2];
  }
  return {
    size: [Math.ceil(patch.size[0] / f3[0]), Math.ceil(patch.size[1] / f3[1]), Math.ceil(patch.size[2] / f3[2])],
    spacing: [patch.spacing[0] * f3[0], patch.spacing[1] * f3[1], patch.spacing[2] * f3[2]],
    origin,
    direction: Float64Array.from(D),
  };
}

/** Augmentation switches. */
export interface AugmentOptions {
  /** Random flips along each spatial axis (p = ½ each). Default true. */
  flip?: boolean;
  /** Random 90° rotation (k ∈ 0…3) in the axial x–y plane. Default true. */
  rotate90?: boolean;
  /**
   * 3D only: a random permutation of the three axes (with flips and axial rotations this samples
   * all 48 symmetries of the cube — for structures whose direction carries no meaning). Default false.
   */
  permuteAxes?: boolean;
  /** Max additive shift of the image channel (normalised units, uniform ±). Default 0.1. */
  intensityShift?: number;
  /** Max relative scaling of the image channel (uniform 1 ± s). Default 0.1. */
  intensityScale?: number;
}

/**
 * A randomly flipped / rotated / intensity-shifted copy of a channels-last patch of side `size`.
 * Deterministic for a given `rng` state. The geometric transform applies to every channel, the
 * intensity change only to channel 0 (the image). The input is not modified.
 */
export function augmentPatch(
  data: Float32Array,
  dims: 2 | 3,
  size: number,
  channels: number,
  rng: Rng,
  options: AugmentOptions = {},
): Float32Array {
  const S = size;
  const C = channels;
  const nz = dims === 3 ? S : 1;
  if (data.length !== S * S * nz * C) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'augmentPatch: data length does not match size/channels', {
      expected: `${S * S * nz * C}`,
      found: `${data.length}`,
    });
  }
  const doFlip = options.flip ?? true;
  const fx = doFlip && rng.next() < 0.5;
  const fy = doFlip && rng.next() < 0.5;
  const fz = doFlip && dims === 3 && rng.next() < 0.5;
  const k = (options.rotate90 ?? true) ? rng.int(4) : 0;
  const PERMS = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] as const;
  const [p0, p1, p2] = dims === 3 && options.permuteAxes ? PERMS[rng.int(6)]! : PERMS[0];
  const sh = options.intensityShift ?? 0.1;
  const sc = options.intensityScale ?? 0.1;
  const shift = sh > 0 ? (2 * rng.next() - 1) * sh : 0;
  const gain = sc > 0 ? 1 + (2 * rng.next() - 1) * sc : 1;
  const out = new Float32Array(data.length);
  const last = S - 1;
  let q = 0;
  for (let z = 0; z < nz; z++) {
    const sz = fz ? nz - 1 - z : z;
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++, q++) {
        // rotate output coords by k·90° in the x–y plane, then flip
        let u = x;
        let v = y;
        for (let r = 0; r < k; r++) {
          const t = u;
          u = v;
          v = last - t;
        }
        if (fx) u = last - u;
        if (fy) v = last - v;
        // source coordinates (u, v, sz), then permuted (no per-voxel allocation)
        const px = p0 === 0 ? u : p0 === 1 ? v : sz;
        const py = p1 === 0 ? u : p1 === 1 ? v : sz;
        const pz = p2 === 0 ? u : p2 === 1 ? v : sz;
        const p = ((pz * S + py) * S + px) * C;
        const o = q * C;
        out[o] = data[p]! * gain + shift;
        for (let c = 1; c < C; c++) out[o + c] = data[p + c]!;
      }
    }
  }
  return out;
}

/** The parts of a model that decide how its input patches are made. */
export interface PatchSource {
  readonly config: { readonly dims: 2 | 3; readonly inputSize: number; readonly inChannels: number };
  readonly preprocessing: PatchOptions | null;
}

/**
 * Extract a lesion patch exactly as `model` expects it: its saved preprocessing options, with
 * dims, size and the mask channel forced to match the architecture.
 */
export function extractPatchForModel(model: PatchSource, image: Volume, mask: Mask): Patch {
  const c = model.config;
  return extractPatch(image, mask, {
    ...(model.preprocessing ?? {}),
    dims: c.dims,
    size: c.inputSize,
    maskChannel: c.inChannels >= 2,
  });
}
