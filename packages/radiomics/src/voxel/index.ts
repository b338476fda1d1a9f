/**
 * Voxel-wise (sliding-kernel) feature maps, as PyRadiomics' voxel-based extraction:
 * for every voxel of the ROI (or of its bounding box), the IBSI features of the neighbourhood
 * within a cubic kernel of radius R voxels ((2R+1)³ cube ∩ ROI), one map per feature.
 *
 * - Discretisation is done ONCE on the whole ROI; kernels use those grey levels (N_g is the
 *   whole-ROI N_g, e.g. the fixed bin number).
 * - Texture families are computed in 3D: GLCM / GLRLM as `3D_avg` (mean over the 13 directions,
 *   PyRadiomics' default) and/or `3D_comb`; GLSZM / GLDZM / NGTDM / NGLDM as `3D`. Tags are the
 *   IBSI tags `extractFeatures` uses (`cm_joint_max_3D_avg`, `stat_mean`, …).
 * - Streaming: voxels are processed in batches with per-thread scratch buffers; no per-voxel
 *   matrix is ever kept. `iterateVoxelFeatures` exposes the batches directly.
 */
import { availableParallelism } from 'node:os';
import { RadcamError, type Mask, type Vec3, type Volume } from '@radcam/core';
import { VoxelKernelComputer } from './kernel.js';
import { prepareVoxelPlan, hasSharedMemory, type VoxelPlan, type VoxelPlanOptions } from './plan.js';
import { runVoxelPool, voxelWorkerScript, type VoxelWorkerPool } from './pool.js';

export {
  VOXEL_FAMILIES, MAX_KERNEL_RADIUS, prepareVoxelPlan, voxelFeatureTags, checkKernelRadius,
  type VoxelFamily, type VoxelMatrixAggregation, type VoxelPlan, type VoxelPlanOptions, type VoxelTargets,
} from './plan.js';
export { VoxelKernelComputer } from './kernel.js';
export { voxelWorkerScript, createVoxelWorkerPool, type VoxelWorkerScript, type VoxelWorkerPool, type PoolRunOptions } from './pool.js';

/** Progress report: target voxels done out of the total. */
export interface VoxelProgress {
  done: number;
  total: number;
}

/** Options of {@link computeVoxelMaps}. */
export interface VoxelMapOptions extends VoxelPlanOptions {
  /**
   * Worker threads. 0 = compute in the calling thread. Default: min(4, available cores), or 0
   * for fewer than 2 000 target voxels. Falls back to 0 (reported in the diagnostics) when no
   * worker script or no SharedArrayBuffer is available.
   */
  workers?: number;
  /** A started pool to use instead of starting `workers` threads for this call (it stays open). */
  pool?: VoxelWorkerPool;
  /** Target voxels per batch (default 1024). */
  batchSize?: number;
  /** Value of the map voxels that are not targets (default NaN). */
  background?: number;
  /** `image` (default): maps on the image grid; `bbox`: maps cropped to the ROI bounding box (origin moved). */
  outputGrid?: 'image' | 'bbox';
  /** Called after each batch. */
  onProgress?: (p: VoxelProgress) => void;
  signal?: AbortSignal;
}

export interface VoxelMapDiagnostics {
  kernelRadius: number;
  kernelVoxels: number;
  kernel: string;
  families: string[];
  matrixAggregations: string[];
  targets: number;
  roiVoxels: number;
  intensityVoxels: number;
  discretisation: VoxelPlan['discretisation'];
  texture: { distance: number; symmetric: boolean; ngldmAlpha: number };
  /** `threads` or `in-process`, with the thread count actually used. */
  mode: 'threads' | 'in-process';
  workers: number;
  fallbackReason?: string;
  timeMs: { prepare: number; compute: number; total: number };
  voxelsPerSecond: number;
  /** Per feature: number of target voxels where it is undefined (NaN). Only features with NaNs. */
  nanVoxels: Record<string, number>;
  outputGrid: 'image' | 'bbox';
  background: number;
}

export interface VoxelMapResult {
  /** Feature tag → map (float32), on the image grid (or the ROI bounding box). */
  maps: Record<string, Volume<Float32Array>>;
  diagnostics: VoxelMapDiagnostics;
}

/** One batch of {@link iterateVoxelFeatures}: features of targets [start, end). */
export interface VoxelFeatureBatch {
  start: number;
  end: number;
  /** Image linear indices of the batch's voxels (view into the plan; do not modify). */
  imageIndex: Int32Array;
  /**
   * Feature-major values: `values[f * (end - start) + k]` for tag `tags[f]` and voxel k. The
   * buffer is REUSED by the next batch — copy what you keep.
   */
  values: Float32Array;
  tags: string[];
}

/**
 * Streaming, in-thread form: yields the features batch by batch, reusing one output buffer and
 * one kernel computer. Memory: the plan's grids + one batch.
 */
export function* iterateVoxelFeatures(image: Volume, mask: Mask, options: VoxelPlanOptions & { batchSize?: number }): Generator<VoxelFeatureBatch, void, void> {
  const plan = prepareVoxelPlan(image, mask, { ...options, shared: false });
  const computer = new VoxelKernelComputer(plan);
  const batch = Math.max(1, options.batchSize ?? 1024);
  const n = plan.targets.length;
  const buf = new Float32Array(batch * plan.tags.length);
  for (let start = 0; start < n; start += batch) {
    const end = Math.min(n, start + batch);
    const m = end - start;
    const values = m === batch ? buf : buf.subarray(0, m * plan.tags.length);
    computer.computeRange(start, end, values, m, start);
    yield { start, end, imageIndex: plan.targetImageIndex.subarray(start, end), values, tags: plan.tags };
  }
}

const yieldToEventLoop = (): Promise<void> =>
  new Promise((r) => (typeof setImmediate === 'function' ? setImmediate(r) : setTimeout(r, 0)));

/**
 * Voxel-wise feature maps of `image` in `mask` (see the module documentation for the kernel and
 * discretisation conventions). Voxels outside the targets get `background` (default NaN); a
 * target whose kernel leaves a feature undefined gets NaN.
 *
 * Throws `E_INVALID_ARGUMENT` (kernel radius, workers), `E_MASK_GEOMETRY_MISMATCH`,
 * `E_EMPTY_ROI`, `E_SETTINGS`, `E_UNSUPPORTED`, `E_ABORTED`.
 */
export async function computeVoxelMaps(image: Volume, mask: Mask, options: VoxelMapOptions): Promise<VoxelMapResult> {
  const t0 = performance.now();
  if (options.workers !== undefined && !(Number.isInteger(options.workers) && options.workers >= 0 && options.workers <= 256)) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'workers must be an integer in 0..256', { found: String(options.workers) });
  }
  const batchSize = options.batchSize ?? 1024;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'batchSize must be an integer ≥ 1', { found: String(options.batchSize) });
  }
  const plan = prepareVoxelPlan(image, mask, options);
  const tPrep = performance.now();
  const n = plan.targets.length;
  const nf = plan.tags.length;
  let workers = options.pool ? options.pool.size : options.workers ?? (n < 2000 ? 0 : Math.max(1, Math.min(4, availableParallelism())));
  let fallbackReason: string | undefined;
  const script = workers > 0 && !options.pool ? voxelWorkerScript() : null;
  if (workers > 0 && ((!options.pool && !script) || !hasSharedMemory())) {
    fallbackReason = !hasSharedMemory() ? 'SharedArrayBuffer is not available' : 'no worker script next to the module';
    workers = 0;
  }
  const out = new Float32Array(workers > 0 ? new SharedArrayBuffer(Math.max(1, n * nf) * 4) : new ArrayBuffer(Math.max(1, n * nf) * 4)).subarray(0, n * nf);
  let done = 0;
  const report = (k: number): void => {
    done += k;
    options.onProgress?.({ done, total: n });
  };
  if (workers > 0) {
    const run = { batchSize, onBatch: report, ...(options.signal ? { signal: options.signal } : {}) };
    if (options.pool) await options.pool.run(plan, out, run);
    else await runVoxelPool(plan, out, workers, run);
  } else {
    const computer = new VoxelKernelComputer(plan);
    for (let start = 0; start < n; start += batchSize) {
      if (options.signal?.aborted) throw new RadcamError('E_ABORTED', 'voxel-map computation was aborted');
      const end = Math.min(n, start + batchSize);
      computer.computeRange(start, end, out, n);
      report(end - start);
      if (options.onProgress || options.signal) await yieldToEventLoop();
    }
  }
  const tComp = performance.now();

  // Scatter into maps.
  const background = options.background ?? NaN;
  const grid = options.outputGrid ?? 'image';
  const [sx, sy] = plan.imageSize;
  const [x0, y0, z0] = plan.origin;
  const bx = plan.nx - 2 * plan.pad, by = plan.ny - 2 * plan.pad, bz = plan.nz - 2 * plan.pad;
  const geomSize: Vec3 = grid === 'image' ? [...plan.imageSize] as Vec3 : [bx, by, bz];
  let origin: Vec3 = [...image.origin] as Vec3;
  if (grid === 'bbox') {
    const d = image.direction;
    const a = x0 * image.spacing[0], b = y0 * image.spacing[1], c = z0 * image.spacing[2];
    origin = [
      image.origin[0] + d[0]! * a + d[1]! * b + d[2]! * c,
      image.origin[1] + d[3]! * a + d[4]! * b + d[5]! * c,
      image.origin[2] + d[6]! * a + d[7]! * b + d[8]! * c,
    ];
  }
  const nOut = geomSize[0] * geomSize[1] * geomSize[2];
  const idx = plan.targetImageIndex;
  const dest = new Int32Array(n);
  for (let t = 0; t < n; t++) {
    const i = idx[t]!;
    if (grid === 'image') dest[t] = i;
    else {
      const x = i % sx, y = ((i / sx) | 0) % sy, z = (i / (sx * sy)) | 0;
      dest[t] = x - x0 + bx * (y - y0 + by * (z - z0));
    }
  }
  const maps: Record<string, Volume<Float32Array>> = {};
  const nanVoxels: Record<string, number> = {};
  for (let f = 0; f < nf; f++) {
    const data = new Float32Array(nOut);
    if (background !== 0) data.fill(background);
    const src = out.subarray(f * n, (f + 1) * n);
    let nan = 0;
    for (let t = 0; t < n; t++) {
      const v = src[t]!;
      if (v !== v) nan++;
      data[dest[t]!] = v;
    }
    const tag = plan.tags[f]!;
    if (nan) nanVoxels[tag] = nan;
    maps[tag] = {
      data,
      size: [...geomSize] as Vec3,
      spacing: [...image.spacing] as Vec3,
      origin: [...origin] as Vec3,
      direction: Float64Array.from(image.direction),
    };
  }
  const tEnd = performance.now();
  const side = 2 * plan.radius + 1;
  return {
    maps,
    diagnostics: {
      kernelRadius: plan.radius,
      kernelVoxels: side ** 3,
      kernel: `${side}×${side}×${side} cube ∩ ROI`,
      families: [...plan.families],
      matrixAggregations: [...plan.matrixAggregations],
      targets: n,
      roiVoxels: plan.roiVoxels,
      intensityVoxels: plan.intensityVoxels,
      discretisation: plan.discretisation,
      texture: { distance: plan.distance, symmetric: plan.symmetric, ngldmAlpha: plan.alpha },
      mode: workers > 0 ? 'threads' : 'in-process',
      workers,
      ...(fallbackReason ? { fallbackReason } : {}),
      timeMs: { prepare: tPrep - t0, compute: tComp - tPrep, total: tEnd - t0 },
      voxelsPerSecond: n / Math.max(1e-9, (tComp - tPrep) / 1000),
      nanVoxels,
      outputGrid: grid,
      background,
    },
  };
}
