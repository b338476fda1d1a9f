import * as tf from '@tensorflow/tfjs-core';
import { RadcamError, assertSameGeometry, createRng, type Mask, type Volume } from '@radcam/core';
import { resizeLinear, spatialToSize } from './grid.js';
import { classProbabilities } from './methods.js';
import { extractSubregions, type ExtractSubregionsOptions } from './subregions.js';
import { rocAuc, trapezoid } from './stats.js';
import type { CamTarget, MapGrid } from './types.js';

/** Options shared by the perturbation metrics. */
export interface PerturbationOptions {
  /** Class explained (default 1). */
  classIndex?: number;
  /** `probability` (default): sigmoid/softmax probability of the class; `logit`: the class score y. */
  score?: 'probability' | 'logit';
  /**
   * Restrict the perturbation to these voxels (input grid, per sample or one shared mask of one
   * sample's voxel count): e.g. the lesion. Default: every voxel.
   */
  mask?: ArrayLike<number> | ReadonlyArray<ArrayLike<number>>;
  /** Samples per forward pass. Default 16. */
  batchSize?: number;
}

export interface PerturbationCurveOptions extends PerturbationOptions {
  /** Number of steps (curve has steps + 1 points, fractions 0, 1/steps, …, 1). Default 20. */
  steps?: number;
  /** Value that replaces deleted voxels / starts the insertion. Default 0. */
  baseline?: number;
}

export interface PerturbationCurveResult {
  mode: 'deletion' | 'insertion';
  /** Fraction of the (masked) voxels perturbed at each point. */
  fractions: Float64Array;
  /** Per sample: the score at each fraction. */
  curves: Float64Array[];
  /** Per sample: trapezoidal area under the curve over fractions in [0, 1]. */
  auc: Float64Array;
  meanCurve: Float64Array;
  meanAuc: number;
}

interface Prepared {
  x: Float32Array;
  n: number;
  per: number;
  inVox: number;
  C: number;
  sampleShape: number[];
  maps: Float32Array[];
  masks: Array<ArrayLike<number> | null>;
}

function prepare(input: tf.Tensor, maps: readonly MapGrid[], mask: PerturbationOptions['mask']): Prepared {
  const n = input.shape[0]!;
  const sampleShape = input.shape.slice(1);
  const C = sampleShape[sampleShape.length - 1]!;
  const inSize = spatialToSize(input.shape.slice(1, -1));
  const inVox = inSize[0] * inSize[1] * inSize[2];
  if (maps.length !== n) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'one map per input sample is needed', { expected: `${n}`, found: `${maps.length}` });
  }
  const up = maps.map((m) =>
    m.size[0] === inSize[0] && m.size[1] === inSize[1] && m.size[2] === inSize[2] ? m.data : resizeLinear(m.data, m.size, inSize),
  );
  const masks: Array<ArrayLike<number> | null> = [];
  for (let s = 0; s < n; s++) {
    let m: ArrayLike<number> | null = null;
    if (mask) {
      const isList = Array.isArray(mask) && mask.length > 0 && typeof (mask as ArrayLike<unknown>)[0] === 'object';
      m = isList ? (mask as ReadonlyArray<ArrayLike<number>>)[s] ?? null : (mask as ArrayLike<number>);
      if (!m || m.length !== inVox) {
        throw new RadcamError('E_DATA_SIZE_MISMATCH', 'perturbation mask does not match the input grid', {
          expected: `${inVox} voxels`,
          found: `${m ? m.length : 'none'}`,
        });
      }
    }
    masks.push(m);
  }
  return { x: input.dataSync() as Float32Array, n, per: inVox * C, inVox, C, sampleShape, maps: up, masks };
}

/** Voxel indices in the mask, ordered by map value descending (ties: lower index first). */
function orderByRelevance(map: Float32Array, mask: ArrayLike<number> | null): Uint32Array {
  const idx: number[] = [];
  for (let v = 0; v < map.length; v++) if (!mask || mask[v] !== 0) idx.push(v);
  idx.sort((a, b) => map[b]! - map[a]! || a - b);
  return Uint32Array.from(idx);
}

function scoreBatch(target: CamTarget, buf: Float32Array, m: number, p: Prepared, opts: PerturbationOptions): Float64Array {
  const layer = target.lastConvLayer;
  const classIndex = opts.classIndex ?? 1;
  const logits = tf.tidy(() => {
    const x = tf.tensor(buf.subarray(0, m * p.per), [m, ...p.sampleShape]);
    return target.forwardFrom(target.forwardTo(x, layer), layer);
  });
  const data = Float32Array.from(logits.dataSync() as Float32Array);
  const rank = logits.rank;
  const size = logits.size;
  logits.dispose();
  {
    if (opts.score === 'logit') {
      const c = rank === 1 ? 1 : size / m;
      const out = new Float64Array(m);
      for (let i = 0; i < m; i++) out[i] = c === 1 ? (classIndex === 1 ? data[i]! : -data[i]!) : data[i * c + classIndex]!;
      return out;
    }
    return classProbabilities(data, rank === 1 ? [m] : [m, size / m], classIndex);
  }
}

/** Run the model on a list of perturbed copies produced by `fill(copyIndex, out)`, chunked. */
function scoreCopies(
  target: CamTarget,
  count: number,
  p: Prepared,
  opts: PerturbationOptions,
  fill: (i: number, out: Float32Array) => void,
): Float64Array {
  const chunk = Math.max(1, opts.batchSize ?? 16);
  const buf = new Float32Array(Math.min(chunk, count) * p.per);
  const out = new Float64Array(count);
  for (let i0 = 0; i0 < count; i0 += chunk) {
    const i1 = Math.min(count, i0 + chunk);
    for (let i = i0; i < i1; i++) fill(i, buf.subarray((i - i0) * p.per, (i - i0 + 1) * p.per));
    out.set(scoreBatch(target, buf, i1 - i0, p, opts), i0);
  }
  return out;
}

/**
 * Deletion / insertion curves (Petsiuk et al. 2018): voxels are ranked by the map (up-sampled to
 * the input grid when needed); deletion replaces the top fraction with `baseline` (the score
 * should fall fast: low AUC is good), insertion starts from the baseline and restores the top
 * fraction (the score should rise fast: high AUC is good). Every input channel of a voxel is
 * perturbed together. Per sample and averaged.
 */
export function perturbationCurve(
  target: CamTarget,
  input: tf.Tensor,
  maps: readonly MapGrid[],
  mode: 'deletion' | 'insertion',
  options: PerturbationCurveOptions = {},
): PerturbationCurveResult {
  const steps = options.steps ?? 20;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'steps must be a positive integer', { found: `${steps}` });
  }
  const baseline = options.baseline ?? 0;
  const p = prepare(input, maps, options.mask);
  const fractions = new Float64Array(steps + 1);
  for (let s = 0; s <= steps; s++) fractions[s] = s / steps;
  const curves: Float64Array[] = [];
  const auc = new Float64Array(p.n);
  for (let n = 0; n < p.n; n++) {
    const order = orderByRelevance(p.maps[n]!, p.masks[n]!);
    const M = order.length;
    const x = p.x.subarray(n * p.per, (n + 1) * p.per);
    const mask = p.masks[n];
    const curve = scoreCopies(target, steps + 1, p, options, (s, out) => {
      const count = Math.round((s / steps) * M);
      if (mode === 'deletion') {
        out.set(x);
        for (let r = 0; r < count; r++) {
          const v = order[r]!;
          for (let c = 0; c < p.C; c++) out[v * p.C + c] = baseline;
        }
      } else {
        // insertion: baseline inside the perturbable region, original elsewhere
        out.set(x);
        for (let v = 0; v < p.inVox; v++) if (!mask || mask[v] !== 0) for (let c = 0; c < p.C; c++) out[v * p.C + c] = baseline;
        for (let r = 0; r < count; r++) {
          const v = order[r]!;
          for (let c = 0; c < p.C; c++) out[v * p.C + c] = x[v * p.C + c]!;
        }
      }
    });
    curves.push(curve);
    auc[n] = trapezoid(fractions, curve);
  }
  const meanCurve = new Float64Array(steps + 1);
  for (const c of curves) for (let s = 0; s <= steps; s++) meanCurve[s]! += c[s]! / p.n;
  return { mode, fractions, curves, auc, meanCurve, meanAuc: auc.reduce((a, b) => a + b, 0) / p.n };
}

/** Deletion curve: see `perturbationCurve`. */
export function deletionCurve(target: CamTarget, input: tf.Tensor, maps: readonly MapGrid[], options: PerturbationCurveOptions = {}) {
  return perturbationCurve(target, input, maps, 'deletion', options);
}

/** Insertion curve: see `perturbationCurve`. */
export function insertionCurve(target: CamTarget, input: tf.Tensor, maps: readonly MapGrid[], options: PerturbationCurveOptions = {}) {
  return perturbationCurve(target, input, maps, 'insertion', options);
}

export interface LinearImputeOptions {
  /** Gaussian noise SD added to imputed voxels, as a fraction of the kept voxels' SD. Default 0. */
  noise?: number;
  /** RNG seed for the noise. Default 0. */
  seed?: number;
  /** Relative residual at which the conjugate-gradient solve stops. Default 1e-6. */
  tolerance?: number;
}

/**
 * Noisy linear imputation (ROAD, Rong et al. 2022): every removed voxel takes the mean of its face
 * neighbours (4 in 2D, 6 in 3D, in-grid only), removed neighbours included, i.e. the discrete
 * harmonic interpolation of the kept voxels — solved exactly (conjugate gradient on the sparse SPD
 * system) instead of ROAD's 8-neighbour weights. Removed regions that touch no kept voxel take the
 * kept mean. Then seeded Gaussian noise is added.
 * `data` is one channel on grid `size`; returns a new buffer.
 */
export function linearImpute(
  data: ArrayLike<number>,
  size: readonly [number, number, number],
  removed: Uint8Array,
  options: LinearImputeOptions = {},
): Float32Array {
  const [nx, ny, nz] = size;
  const N = nx * ny * nz;
  const out = Float32Array.from(data as ArrayLike<number>);
  const ids: number[] = [];
  let keptSum = 0;
  let keptSq = 0;
  let kept = 0;
  for (let i = 0; i < N; i++) {
    if (removed[i]) ids.push(i);
    else {
      keptSum += data[i]!;
      keptSq += data[i]! * data[i]!;
      kept++;
    }
  }
  if (ids.length === 0) return out;
  const keptMean = kept > 0 ? keptSum / kept : 0;
  const keptSd = kept > 0 ? Math.sqrt(Math.max(0, keptSq / kept - keptMean * keptMean)) : 0;
  // Removed regions with no kept neighbour at all get the kept mean (a constant is harmonic) and
  // leave the system, so what remains is SPD (every component touches a kept voxel).
  const isolated = isolatedRemoved(size, removed);
  const pos = new Int32Array(N).fill(-1);
  {
    const keep: number[] = [];
    for (const v of ids) {
      if (isolated[v]) out[v] = keptMean;
      else keep.push(v);
    }
    ids.length = 0;
    ids.push(...keep);
  }
  const R = ids.length;
  ids.forEach((v, r) => (pos[v] = r));
  // sparse rows: diag = degree, off-diagonal −1 to removed neighbours; rhs = Σ kept neighbours
  const diag = new Float64Array(R);
  const rhs = new Float64Array(R);
  const nbrStart = new Int32Array(R + 1);
  const nbrList: number[] = [];
  for (let r = 0; r < R; r++) {
    const v = ids[r]!;
    const i = v % nx;
    const j = Math.floor(v / nx) % ny;
    const k = Math.floor(v / (nx * ny));
    let deg = 0;
    let b = 0;
    const visit = (q: number) => {
      deg++;
      const pr = pos[q]!;
      if (pr >= 0) nbrList.push(pr);
      else b += data[q]!;
    };
    if (i > 0) visit(v - 1);
    if (i < nx - 1) visit(v + 1);
    if (j > 0) visit(v - nx);
    if (j < ny - 1) visit(v + nx);
    if (k > 0) visit(v - nx * ny);
    if (k < nz - 1) visit(v + nx * ny);
    diag[r] = deg;
    rhs[r] = b;
    nbrStart[r + 1] = nbrList.length;
  }
  const nbr = Int32Array.from(nbrList);
  const matvec = (xv: Float64Array, yv: Float64Array) => {
    for (let r = 0; r < R; r++) {
      let s = diag[r]! * xv[r]!;
      for (let t = nbrStart[r]!; t < nbrStart[r + 1]!; t++) s -= xv[nbr[t]!]!;
      yv[r] = s;
    }
  };
  // conjugate gradient, x0 = kept mean
  const xs = new Float64Array(R).fill(keptMean);
  const res = new Float64Array(R);
  const dir = new Float64Array(R);
  const Ad = new Float64Array(R);
  matvec(xs, Ad);
  let rr = 0;
  let bb = 0;
  for (let r = 0; r < R; r++) {
    res[r] = rhs[r]! - Ad[r]!;
    dir[r] = res[r]!;
    rr += res[r]! * res[r]!;
    bb += rhs[r]! * rhs[r]!;
  }
  const tol2 = (options.tolerance ?? 1e-6) ** 2 * Math.max(bb, 1e-30);
  for (let it = 0; it < 10 * R + 100 && rr > tol2; it++) {
    matvec(dir, Ad);
    let dAd = 0;
    for (let r = 0; r < R; r++) dAd += dir[r]! * Ad[r]!;
    const alpha = rr / dAd;
    let rrNew = 0;
    for (let r = 0; r < R; r++) {
      xs[r]! += alpha * dir[r]!;
      res[r]! -= alpha * Ad[r]!;
      rrNew += res[r]! * res[r]!;
    }
    const beta = rrNew / rr;
    rr = rrNew;
    for (let r = 0; r < R; r++) dir[r] = res[r]! + beta * dir[r]!;
  }
  const noise = (options.noise ?? 0) * keptSd;
  const rng = noise > 0 ? createRng(options.seed ?? 0) : null;
  for (let r = 0; r < R; r++) out[ids[r]!] = xs[r]!;
  if (rng) for (let v = 0; v < N; v++) if (removed[v]) out[v]! += noise * rng.normal();
  return out;
}

/** Removed voxels whose face-connected removed component touches no kept voxel. */
function isolatedRemoved(size: readonly [number, number, number], removed: Uint8Array): Uint8Array {
  const [nx, ny, nz] = size;
  const N = nx * ny * nz;
  const seen = new Uint8Array(N);
  const out = new Uint8Array(N);
  const stack = new Int32Array(N);
  const comp: number[] = [];
  for (let s = 0; s < N; s++) {
    if (!removed[s] || seen[s]) continue;
    let top = 0;
    stack[top++] = s;
    seen[s] = 1;
    comp.length = 0;
    let touches = false;
    while (top > 0) {
      const v = stack[--top]!;
      comp.push(v);
      const i = v % nx;
      const j = Math.floor(v / nx) % ny;
      const k = Math.floor(v / (nx * ny));
      const visit = (q: number) => {
        if (!removed[q]) touches = true;
        else if (!seen[q]) {
          seen[q] = 1;
          stack[top++] = q;
        }
      };
      if (i > 0) visit(v - 1);
      if (i < nx - 1) visit(v + 1);
      if (j > 0) visit(v - nx);
      if (j < ny - 1) visit(v + nx);
      if (k > 0) visit(v - nx * ny);
      if (k < nz - 1) visit(v + nx * ny);
    }
    if (!touches) for (const v of comp) out[v] = 1;
  }
  return out;
}

export interface RoadOptions extends PerturbationOptions {
  /** Fractions of the (masked) voxels removed. Default 0.1, 0.2, …, 0.9. */
  fractions?: number[];
  /** Noise of the linear imputation as a fraction of the kept SD. Default 0.01. */
  noise?: number;
  /** Seed of the imputation noise. Default 0. */
  seed?: number;
}

export interface RoadResult {
  fractions: Float64Array;
  /** Most-relevant-first removal: per sample, score at each fraction (low = faithful map). */
  morf: Float64Array[];
  /** Least-relevant-first removal: per sample (high = faithful map). */
  lerf: Float64Array[];
  /** Per sample: mean over fractions of (LeRF − MoRF); higher is better. */
  gap: Float64Array;
  meanMorf: Float64Array;
  meanLerf: Float64Array;
  meanGap: number;
}

/**
 * ROAD (RemOve And Debias, Rong et al. 2022): remove the most (MoRF) or least (LeRF) relevant
 * fraction of voxels and impute them by noisy linear imputation (`linearImpute`) so the removal
 * shape leaks little class information; report the class score per fraction.
 */
export function roadScores(target: CamTarget, input: tf.Tensor, maps: readonly MapGrid[], options: RoadOptions = {}): RoadResult {
  const fr = Float64Array.from(options.fractions ?? [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
  for (const f of fr) {
    if (!(f >= 0 && f <= 1)) throw new RadcamError('E_INVALID_ARGUMENT', 'ROAD fractions must lie in [0, 1]', { found: `${f}` });
  }
  const p = prepare(input, maps, options.mask);
  const size = spatialToSize(input.shape.slice(1, -1));
  const morf: Float64Array[] = [];
  const lerf: Float64Array[] = [];
  const gap = new Float64Array(p.n);
  const chan = new Float32Array(p.inVox);
  const removed = new Uint8Array(p.inVox);
  for (let n = 0; n < p.n; n++) {
    const order = orderByRelevance(p.maps[n]!, p.masks[n]!);
    const M = order.length;
    const x = p.x.subarray(n * p.per, (n + 1) * p.per);
    const run = (most: boolean) =>
      scoreCopies(target, fr.length, p, options, (s, out) => {
        const count = Math.round(fr[s]! * M);
        removed.fill(0);
        for (let r = 0; r < count; r++) removed[most ? order[r]! : order[M - 1 - r]!] = 1;
        for (let c = 0; c < p.C; c++) {
          for (let v = 0; v < p.inVox; v++) chan[v] = x[v * p.C + c]!;
          const imp = linearImpute(chan, size, removed, {
            noise: options.noise ?? 0.01,
            seed: (options.seed ?? 0) + 7919 * (n * 131 + s * 17 + c + (most ? 0 : 1_000_003)),
          });
          for (let v = 0; v < p.inVox; v++) out[v * p.C + c] = imp[v]!;
        }
      });
    const mo = run(true);
    const le = run(false);
    morf.push(mo);
    lerf.push(le);
    let g = 0;
    for (let s = 0; s < fr.length; s++) g += (le[s]! - mo[s]!) / fr.length;
    gap[n] = g;
  }
  const mean = (arr: Float64Array[]) => {
    const out = new Float64Array(fr.length);
    for (const a of arr) for (let s = 0; s < fr.length; s++) out[s]! += a[s]! / arr.length;
    return out;
  };
  return { fractions: fr, morf, lerf, gap, meanMorf: mean(morf), meanLerf: mean(lerf), meanGap: gap.reduce((a, b) => a + b, 0) / p.n };
}

export interface LocalizationOptions {
  /** How the map is thresholded into a subregion for Dice/IoU (default: `extractSubregions` defaults). */
  subregion?: ExtractSubregionsOptions;
  /** A ready prediction mask instead (same grid). */
  prediction?: Mask;
}

export interface LocalizationResult {
  /** Σ positive map in truth ∩ lesion / Σ positive map in lesion (energy-based pointing game). */
  energyShare: number;
  /** |truth ∩ lesion| / |lesion|: the energy share of a uniform map. */
  volumeShare: number;
  /** energyShare / volumeShare (1 = no better than uniform). */
  lift: number;
  /** Pointing game: the in-lesion maximum lies within the truth dilated by one voxel (26-neighbourhood). */
  pointingHit: boolean;
  dice: number;
  iou: number;
  /** AUC of the map as an in-lesion voxel classifier of the truth (Mann–Whitney). */
  auc: number;
}

/**
 * Localisation of a map (image space) against a ground-truth subregion mask, inside the lesion.
 * All three volumes must share one grid.
 */
export function localizationMetrics(
  map: Volume<Float32Array>,
  truth: Mask,
  lesion: Mask,
  options: LocalizationOptions = {},
): LocalizationResult {
  assertSameGeometry(lesion, map);
  assertSameGeometry(lesion, truth);
  const L = lesion.data;
  const T = truth.data;
  const Mv = map.data;
  const [nx, ny, nz] = lesion.size;
  let eIn = 0;
  let eAll = 0;
  let nL = 0;
  let nT = 0;
  let best = -Infinity;
  let arg = -1;
  const vals: number[] = [];
  const labs: number[] = [];
  for (let i = 0; i < L.length; i++) {
    if (L[i] === 0) continue;
    nL++;
    const v = Mv[i]!;
    const t = T[i] !== 0;
    if (t) nT++;
    if (v > 0) {
      eAll += v;
      if (t) eIn += v;
    }
    if (v > best) {
      best = v;
      arg = i;
    }
    vals.push(v);
    labs.push(t ? 1 : 0);
  }
  if (nL === 0) throw new RadcamError('E_EMPTY_ROI', 'lesion mask is empty', { expected: 'at least one voxel inside the lesion' });
  const volumeShare = nT / nL;
  const energyShare = eAll > 0 ? eIn / eAll : 0;
  let hit = false;
  if (arg >= 0) {
    const i = arg % nx;
    const j = Math.floor(arg / nx) % ny;
    const k = Math.floor(arg / (nx * ny));
    for (let dz = -1; dz <= 1 && !hit; dz++) {
      for (let dy = -1; dy <= 1 && !hit; dy++) {
        for (let dx = -1; dx <= 1 && !hit; dx++) {
          const a = i + dx;
          const b = j + dy;
          const c = k + dz;
          if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
          if (T[a + nx * (b + ny * c)] !== 0) hit = true;
        }
      }
    }
  }
  const pred = options.prediction ?? extractSubregions(map, lesion, options.subregion ?? {}).mask;
  assertSameGeometry(lesion, pred);
  let inter = 0;
  let nP = 0;
  let nTa = 0;
  for (let i = 0; i < L.length; i++) {
    const pi = pred.data[i] !== 0;
    const ti = T[i] !== 0;
    if (pi) nP++;
    if (ti) nTa++;
    if (pi && ti) inter++;
  }
  const dice = nP + nTa > 0 ? (2 * inter) / (nP + nTa) : 1;
  const iou = nP + nTa - inter > 0 ? inter / (nP + nTa - inter) : 1;
  return {
    energyShare,
    volumeShare,
    lift: volumeShare > 0 ? energyShare / volumeShare : NaN,
    pointingHit: hit,
    dice,
    iou,
    auc: rocAuc(vals, labs),
  };
}
