/**
 * The synthetic cohort: deterministic T1c-like brain volumes with enhancing lesions whose response
 * label is determined (noisily) by a hidden "resistant subregion". The generative model is
 * described in docs/synthetic-cohort.md; keep the two in sync.
 */
import { RadcamError, createRng, type Mask, type Rng, type Vec3, type Volume } from '@radcam/core';

/** Options of {@link planSynthCohort} / {@link synthesizeCohort} / `writeSynthCohort`. */
export interface SynthCohortOptions {
  /** Number of patients (default 39). */
  patients?: number;
  /** Total number of lesions, between `patients` and `3 × patients` (default 69). */
  lesions?: number;
  /** RNG seed (default 42). The same seed and options give the same bytes. */
  seed?: number;
  /**
   * Grid size in voxels: a number N gives N × N × round(2N/3) (default 96 → 96×96×64), or an
   * explicit [x, y, z].
   */
  size?: number | Vec3;
  /** Voxel spacing in mm (default [1, 1, 1.5]). */
  spacing?: Vec3;
  /** Lesion radius range in mm (default [3, 12]; the upper end is capped to fit the field of view). */
  radiusRangeMm?: [number, number];
  /** Fraction of lesions carrying a resistant subregion (default 0.45, rounded to a count). */
  subregionFraction?: number;
  /** SD (percentage points) of the lesion-level noise on the simulated shrinkage (default 16). */
  shrinkageNoiseSd?: number;
  /** SD of the Rician noise in intensity units (default 14). */
  noiseSd?: number;
  /**
   * Range of the relative loss of enhancement inside a resistant subregion (default [0.35, 0.5];
   * generator model version 1 used [0.15, 0.3]).
   */
  subregionDropRange?: [number, number];
  /**
   * Subregion radius as a fraction of the lesion radius (default 0.65, at least 2.5 mm; model
   * version 1 used 0.55).
   */
  subregionRadiusFraction?: number;
}

/** Fully resolved options (every field set). */
export type ResolvedSynthOptions = Required<Omit<SynthCohortOptions, 'size'>> & { size: Vec3 };

/** The hidden resistant subregion of one lesion. */
export interface SubregionPlan {
  /** Octant (relative to the lesion centre, LPS signs) the subregion sits in, e.g. `"LPS"`, `"RAI"`. */
  octant: string;
  /** Centre in world (LPS) mm. */
  centre: Vec3;
  radiusMm: number;
  /** Relative loss of enhancement inside the subregion (`subregionDropRange`, default 0.35–0.5). */
  enhancementDrop: number;
  /** SD of the extra voxel-wise texture, relative to the lesion enhancement. */
  textureSd: number;
  /** Width (mm) of the blurred lesion edge next to the subregion. */
  edgeWidthMm: number;
}

/** Everything that decides one lesion (drawn before any voxel is computed). */
export interface LesionPlan {
  patientId: string;
  lesionId: string;
  /** Centre in world (LPS) mm. */
  centre: Vec3;
  /** Nominal radius in mm (before the shape perturbation). */
  radiusMm: number;
  /** Per-axis stretch (product 1). */
  axes: Vec3;
  /** Low-order shape perturbation: r(u) = r0 (1 + Σ b_k (u·e_k)²). */
  lobes: { amp: number; dir: Vec3 }[];
  /** Enhancement intensity (before patient gain and bias). */
  enhancement: number;
  /** Width (mm) of the partial-volume edge. */
  edgeWidthMm: number;
  /** Necrotic core: radius as a fraction of the lesion radius, intensity, and an eccentric offset (mm). */
  necrosis: { fraction: number; intensity: number; offset: Vec3 } | null;
  subregion: SubregionPlan | null;
  /** Simulated volume shrinkage at 3 months, percent (positive = shrinks). */
  shrinkagePct: number;
  /** 1 = responder (shrinkage > 20 %), 0 = non-responder. */
  label: 0 | 1;
}

export interface PatientPlan {
  id: string;
  index: number;
  /** Scanner intensity scaling (multiplies the whole image). */
  gain: number;
  /** Bias field: 1 + b·p/FOV + q·|p/FOV|². */
  bias: { linear: Vec3; quadratic: number };
  /** Patient-level random effect on shrinkage (percentage points). */
  patientEffect: number;
  /** Seed of the voxel-level randomness (tissue pattern and noise) of this patient. */
  voxelSeed: number;
  lesions: LesionPlan[];
}

export interface SynthCohortPlan {
  options: ResolvedSynthOptions;
  patients: PatientPlan[];
}

/** One synthesised lesion: its masks on the patient's grid. */
export interface SynthLesion {
  plan: LesionPlan;
  mask: Mask;
  /** The resistant-subregion mask (inside `mask`), or null. */
  subregion: Mask | null;
  voxels: number;
  volumeMm3: number;
}

export interface SynthPatient {
  plan: PatientPlan;
  image: Volume<Int16Array>;
  lesions: SynthLesion[];
}

export interface SynthCohort {
  options: ResolvedSynthOptions;
  patients: SynthPatient[];
}

const OCTANTS = ['RAI', 'LAI', 'RPI', 'LPI', 'RAS', 'LAS', 'RPS', 'LPS'] as const;

/** Octant name from the signs of an LPS offset (+x = L, +y = P, +z = S). */
export function octantName(dx: number, dy: number, dz: number): string {
  return OCTANTS[(dx > 0 ? 1 : 0) + (dy > 0 ? 2 : 0) + (dz > 0 ? 4 : 0)]!;
}

/** Fill in defaults and validate. Throws `E_INVALID_ARGUMENT`. */
export function resolveSynthOptions(options: SynthCohortOptions = {}): ResolvedSynthOptions {
  const patients = options.patients ?? 39;
  const lesions = options.lesions ?? 69;
  const seed = options.seed ?? 42;
  const sz = options.size ?? 96;
  const size: Vec3 = typeof sz === 'number' ? [sz, sz, Math.max(1, Math.round((2 * sz) / 3))] : [sz[0], sz[1], sz[2]];
  const spacing: Vec3 = options.spacing ? [...options.spacing] : [1, 1, 1.5];
  const bad = (what: string, expected: string, found: unknown): never => {
    throw new RadcamError('E_INVALID_ARGUMENT', `invalid synthetic cohort option ${what}`, {
      expected,
      found: String(found),
    });
  };
  if (!Number.isInteger(patients) || patients < 1) bad('patients', 'a positive integer', patients);
  if (!Number.isInteger(lesions) || lesions < patients || lesions > 3 * patients) {
    bad('lesions', `an integer between ${patients} and ${3 * patients} (1–3 lesions per patient)`, lesions);
  }
  if (!Number.isFinite(seed)) bad('seed', 'a finite number', seed);
  if (size.some((n) => !Number.isInteger(n) || n < 16 || n > 512)) bad('size', 'integers between 16 and 512', size.join('×'));
  if (spacing.some((s) => !Number.isFinite(s) || s <= 0)) bad('spacing', 'positive numbers', spacing.join('×'));
  const fov = Math.min(size[0] * spacing[0], size[1] * spacing[1], size[2] * spacing[2]);
  const rr = options.radiusRangeMm ?? [3, 12];
  const rMax = Math.min(rr[1], fov / 8);
  const rMin = Math.min(rr[0], rMax);
  if (!(rMin > 0) || !(rMax >= rMin)) bad('radiusRangeMm', '0 < min ≤ max', rr.join('–'));
  const subregionFraction = options.subregionFraction ?? 0.45;
  if (!(subregionFraction >= 0 && subregionFraction <= 1)) bad('subregionFraction', 'a number in [0, 1]', subregionFraction);
  const shrinkageNoiseSd = options.shrinkageNoiseSd ?? 16;
  if (!(shrinkageNoiseSd >= 0)) bad('shrinkageNoiseSd', 'a number ≥ 0', shrinkageNoiseSd);
  const noiseSd = options.noiseSd ?? 14;
  if (!(noiseSd >= 0)) bad('noiseSd', 'a number ≥ 0', noiseSd);
  const dr = options.subregionDropRange ?? [0.35, 0.5];
  if (!(dr[0] >= 0 && dr[1] >= dr[0] && dr[1] < 1)) bad('subregionDropRange', '0 ≤ min ≤ max < 1', dr.join('–'));
  const subregionRadiusFraction = options.subregionRadiusFraction ?? 0.65;
  if (!(subregionRadiusFraction > 0 && subregionRadiusFraction <= 1)) bad('subregionRadiusFraction', 'a number in (0, 1]', subregionRadiusFraction);
  return {
    patients,
    lesions,
    seed,
    size,
    spacing,
    radiusRangeMm: [rMin, rMax],
    subregionFraction,
    shrinkageNoiseSd,
    noiseSd,
    subregionDropRange: [dr[0], dr[1]],
    subregionRadiusFraction,
  };
}

function randomUnit(rng: Rng): Vec3 {
  for (;;) {
    const v: Vec3 = [rng.normal(), rng.normal(), rng.normal()];
    const n = Math.hypot(v[0], v[1], v[2]);
    if (n > 1e-6) return [v[0] / n, v[1] / n, v[2] / n];
  }
}

const uniform = (rng: Rng, a: number, b: number) => a + (b - a) * rng.next();

/** Brain ellipsoid semi-axes (mm) for a field of view. */
function brainAxes(o: ResolvedSynthOptions): Vec3 {
  return [0.38 * o.size[0] * o.spacing[0], 0.42 * o.size[1] * o.spacing[1], 0.38 * o.size[2] * o.spacing[2]];
}

/** Distribute `lesions` over `patients` with 1–3 each, deterministically from `rng`. */
function lesionCounts(rng: Rng, patients: number, lesions: number): number[] {
  const counts = new Array<number>(patients).fill(1);
  let extra = lesions - patients;
  while (extra > 0) {
    const i = rng.int(patients);
    if (counts[i]! < 3) {
      counts[i]!++;
      extra--;
    }
  }
  return counts;
}

/**
 * Draw every random parameter of the cohort (no voxels). Cheap; `synthesizePatient` turns one
 * patient plan into volumes. The plan is a pure function of the options.
 */
export function planSynthCohort(options: SynthCohortOptions = {}): SynthCohortPlan {
  const o = resolveSynthOptions(options);
  const rng = createRng(o.seed);
  const counts = lesionCounts(rng, o.patients, o.lesions);
  const B = brainAxes(o);
  const [rMin, rMax] = o.radiusRangeMm;
  // Clearance (mm) between a lesion and the brain surface or another lesion's reach.
  const margin = Math.min(5, 0.06 * Math.min(o.size[0] * o.spacing[0], o.size[1] * o.spacing[1], o.size[2] * o.spacing[2]));
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const pw = Math.max(3, String(o.patients).length);

  type Draft = Omit<LesionPlan, 'subregion' | 'shrinkagePct' | 'label'>;
  const patients: (Omit<PatientPlan, 'lesions'> & { drafts: Draft[] })[] = [];
  for (let p = 0; p < o.patients; p++) {
    const prng = rng.fork();
    const id = `P${pad(p + 1, pw)}`;
    const gain = Math.exp(0.12 * prng.normal());
    const bias = {
      linear: [0.08 * prng.normal(), 0.08 * prng.normal(), 0.08 * prng.normal()] as Vec3,
      quadratic: uniform(prng, -0.15, 0.15),
    };
    const patientEffect = 4 * prng.normal();
    const voxelSeed = (prng.next() * 2 ** 32) >>> 0;
    const drafts: Draft[] = [];
    for (let l = 0; l < counts[p]!; l++) {
      // Log-uniform radius: many small lesions, few large ones (as in brain metastases).
      let r0 = Math.exp(uniform(prng, Math.log(rMin), Math.log(rMax)));
      let centre: Vec3 | null = null;
      for (let attempt = 0; centre === null; attempt++) {
        if (attempt > 0 && attempt % 200 === 0) r0 = Math.max(rMin * 0.6, r0 * 0.9);
        if (attempt > 10000) {
          throw new RadcamError('E_INVALID_ARGUMENT', `cannot place lesion ${l + 1} of patient ${id} in the field of view`, {
            expected: 'a larger --size or fewer lesions per patient',
          });
        }
        const reach = 1.4 * r0 + margin;
        const inner: Vec3 = [B[0] - reach, B[1] - reach, B[2] - reach];
        if (inner.some((v) => v <= 0)) continue;
        const c: Vec3 = [uniform(prng, -1, 1) * inner[0], uniform(prng, -1, 1) * inner[1], uniform(prng, -1, 1) * inner[2]];
        if ((c[0] / inner[0]) ** 2 + (c[1] / inner[1]) ** 2 + (c[2] / inner[2]) ** 2 > 1) continue;
        const clash = drafts.some(
          (d) => Math.hypot(d.centre[0] - c[0], d.centre[1] - c[1], d.centre[2] - c[2]) < 1.4 * (d.radiusMm + r0) + margin,
        );
        if (!clash) centre = c;
      }
      const a0 = uniform(prng, 0.85, 1.15);
      const a1 = uniform(prng, 0.85, 1.15);
      const axes: Vec3 = [a0, a1, 1 / (a0 * a1)];
      const lobes = [0, 1, 2].map(() => ({ amp: uniform(prng, -0.12, 0.12), dir: randomUnit(prng) }));
      const necrotic = r0 >= 5 && prng.next() < 0.5;
      const nOff = randomUnit(prng);
      const nOffLen = uniform(prng, 0, 0.3) * r0;
      drafts.push({
        patientId: id,
        lesionId: `${id}_L${l + 1}`,
        centre,
        radiusMm: r0,
        axes,
        lobes,
        enhancement: 850 + 70 * prng.normal(),
        edgeWidthMm: uniform(prng, 0.5, 0.9),
        necrosis: necrotic
          ? { fraction: uniform(prng, 0.4, 0.6), intensity: uniform(prng, 250, 350), offset: [nOff[0] * nOffLen, nOff[1] * nOffLen, nOff[2] * nOffLen] }
          : null,
      });
    }
    patients.push({ id, index: p, gain, bias, patientEffect, voxelSeed, drafts });
  }

  // Which lesions carry a resistant subregion: exactly round(fraction × L) of them, sampled
  // without replacement with weights ∝ radius (larger lesions more often: a weak size confounder).
  const all = patients.flatMap((p) => p.drafts);
  const nSub = Math.round(o.subregionFraction * all.length);
  const keys = all.map((d, i) => ({ i, key: Math.log(Math.max(rng.next(), 1e-300)) / (d.radiusMm / 6) }));
  keys.sort((a, b) => b.key - a.key || a.i - b.i);
  const hasSub = new Uint8Array(all.length);
  for (let k = 0; k < nSub; k++) hasSub[keys[k]!.i] = 1;

  let idx = 0;
  const out: PatientPlan[] = patients.map((p) => {
    const lesions = p.drafts.map((d): LesionPlan => {
      const i = idx++;
      const lrng = rng.fork();
      let subregion: SubregionPlan | null = null;
      if (hasSub[i]) {
        const sx = lrng.next() < 0.5 ? -1 : 1;
        const sy = lrng.next() < 0.5 ? -1 : 1;
        const sz = lrng.next() < 0.5 ? -1 : 1;
        // Direction into the octant: the diagonal, jittered but kept strictly inside the octant.
        const dir: Vec3 = [sx * uniform(lrng, 0.45, 1), sy * uniform(lrng, 0.45, 1), sz * uniform(lrng, 0.45, 1)];
        const n = Math.hypot(dir[0], dir[1], dir[2]);
        const off = 0.45 * d.radiusMm;
        subregion = {
          octant: octantName(sx, sy, sz),
          centre: [d.centre[0] + (off * dir[0]) / n, d.centre[1] + (off * dir[1]) / n, d.centre[2] + (off * dir[2]) / n],
          radiusMm: Math.max(2.5, o.subregionRadiusFraction * d.radiusMm),
          enhancementDrop: uniform(lrng, o.subregionDropRange[0], o.subregionDropRange[1]),
          textureSd: uniform(lrng, 0.06, 0.1),
          edgeWidthMm: uniform(lrng, 1.6, 2.4),
        };
      }
      const eps = o.shrinkageNoiseSd * lrng.normal();
      const shrinkagePct = 20 + (subregion ? -22 : 22) - 1.5 * (d.radiusMm - 6.5) + p.patientEffect + eps;
      return { ...d, subregion, shrinkagePct, label: shrinkagePct > 20 ? 1 : 0 };
    });
    const { drafts: _drafts, ...rest } = p;
    return { ...rest, lesions };
  });
  return { options: o, patients: out };
}

/**
 * A smooth random field: a sum of plane waves cos(k·p + φ), evaluated on the grid separably
 * through complex per-axis tables (e^{i k_x x} e^{i k_y y} e^{i k_z z} e^{iφ}).
 */
interface Waves {
  n: number;
  amp: number;
  /** Per wave, per axis: interleaved (cos, sin) of k_a · coordinate for every grid index. */
  tx: Float64Array;
  ty: Float64Array;
  tz: Float64Array;
  phase: Float64Array;
  /** Row scratch: complex e^{iφ} · Y · Z per wave. */
  row: Float64Array;
}

function makeWaves(rng: Rng, n: number, minLambda: number, maxLambda: number, o: ResolvedSynthOptions, origin: Vec3): Waves {
  const [nx, ny, nz] = o.size;
  const tx = new Float64Array(2 * n * nx);
  const ty = new Float64Array(2 * n * ny);
  const tz = new Float64Array(2 * n * nz);
  const phase = new Float64Array(n);
  const fill = (t: Float64Array, w: number, len: number, k: number, o0: number, sp: number) => {
    for (let i = 0; i < len; i++) {
      const a = k * (o0 + i * sp);
      t[2 * (w * len + i)] = Math.cos(a);
      t[2 * (w * len + i) + 1] = Math.sin(a);
    }
  };
  for (let w = 0; w < n; w++) {
    const u = randomUnit(rng);
    const m = (2 * Math.PI) / uniform(rng, minLambda, maxLambda);
    phase[w] = uniform(rng, 0, 2 * Math.PI);
    fill(tx, w, nx, u[0] * m, origin[0], o.spacing[0]);
    fill(ty, w, ny, u[1] * m, origin[1], o.spacing[1]);
    fill(tz, w, nz, u[2] * m, origin[2], o.spacing[2]);
  }
  return { n, amp: Math.sqrt(2 / n), tx, ty, tz, phase, row: new Float64Array(2 * n) };
}

/** Prepare `w.row` for grid row (j, k). */
function wavesRow(w: Waves, ny: number, nz: number, j: number, k: number): void {
  for (let q = 0; q < w.n; q++) {
    const yr = w.ty[2 * (q * ny + j)]!;
    const yi = w.ty[2 * (q * ny + j) + 1]!;
    const zr = w.tz[2 * (q * nz + k)]!;
    const zi = w.tz[2 * (q * nz + k) + 1]!;
    const pr = Math.cos(w.phase[q]!);
    const pi = Math.sin(w.phase[q]!);
    const ar = yr * zr - yi * zi;
    const ai = yr * zi + yi * zr;
    w.row[2 * q] = (ar * pr - ai * pi) * w.amp;
    w.row[2 * q + 1] = (ar * pi + ai * pr) * w.amp;
  }
}

/** Field value at grid column i of the prepared row. */
function wavesAt(w: Waves, nx: number, i: number): number {
  let s = 0;
  for (let q = 0; q < w.n; q++) {
    const xr = w.tx[2 * (q * nx + i)]!;
    const xi = w.tx[2 * (q * nx + i) + 1]!;
    s += w.row[2 * q]! * xr - w.row[2 * q + 1]! * xi;
  }
  return s;
}

const sigmoid = (t: number) => 1 / (1 + Math.exp(-t));

/** The lesion's signed radial distance (mm, negative inside) and its local radius at point v. */
function lesionDistance(l: LesionPlan, vx: number, vy: number, vz: number): number {
  const x = vx / l.axes[0];
  const y = vy / l.axes[1];
  const z = vz / l.axes[2];
  const rho = Math.sqrt(x * x + y * y + z * z);
  if (rho < 1e-9) return -l.radiusMm;
  let f = 1;
  for (const lobe of l.lobes) {
    const c = (x * lobe.dir[0] + y * lobe.dir[1] + z * lobe.dir[2]) / rho;
    f += lobe.amp * c * c;
  }
  return rho - l.radiusMm * f;
}

/** Geometry (origin so that world (0,0,0) is the grid centre; identity direction, LPS). */
function gridGeometry(o: ResolvedSynthOptions): Pick<Volume, 'size' | 'spacing' | 'origin' | 'direction'> {
  return {
    size: [...o.size] as Vec3,
    spacing: [...o.spacing] as Vec3,
    origin: [0, 1, 2].map((c) => (-(o.size[c]! - 1) / 2) * o.spacing[c]!) as Vec3,
    direction: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1),
  };
}

/** Voxels (index box) within `reach` mm of world point c. */
function indexBox(o: ResolvedSynthOptions, origin: Vec3, c: Vec3, reach: number): [Vec3, Vec3] {
  const lo: Vec3 = [0, 0, 0];
  const hi: Vec3 = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    lo[a] = Math.max(0, Math.floor((c[a]! - reach - origin[a]!) / o.spacing[a]!));
    hi[a] = Math.min(o.size[a]! - 1, Math.ceil((c[a]! + reach - origin[a]!) / o.spacing[a]!));
  }
  return [lo, hi];
}

/** Turn one patient plan into its image and lesion masks. Deterministic. */
export function synthesizePatient(plan: PatientPlan, options: ResolvedSynthOptions): SynthPatient {
  const o = options;
  const geom = gridGeometry(o);
  const [nx, ny, nz] = o.size;
  const [sx, sy, sz] = o.spacing;
  const n = nx * ny * nz;
  const rng = createRng(plan.voxelSeed);
  const tissue = makeWaves(rng, 8, 12, 40, o, geom.origin);
  const lesionTex = makeWaves(rng, 6, 4, 10, o, geom.origin);
  const B = brainAxes(o);
  const fov: Vec3 = [nx * sx, ny * sy, nz * sz];
  const skull = 0.03 * Math.min(...fov);
  const scalp = 0.04 * Math.min(...fov);
  const Bm = (B[0] + B[1] + B[2]) / 3;
  const B2: Vec3 = [B[0] * B[0], B[1] * B[1], B[2] * B[2]];
  const vent: { c: Vec3; a: Vec3 }[] = [-1, 1].map((s) => ({
    c: [s * 0.13 * B[0], -0.05 * B[1], 0.12 * B[2]] as Vec3,
    a: [0.07 * B[0], 0.3 * B[1], 0.14 * B[2]] as Vec3,
  }));

  // 1. Background head: scalp (bright), skull (dark), brain (smooth GM/WM pattern), ventricles.
  const value = new Float64Array(n);
  const ox = geom.origin[0];
  const oy = geom.origin[1];
  const oz = geom.origin[2];
  for (let k = 0, idx = 0; k < nz; k++) {
    const z = oz + k * sz;
    for (let j = 0; j < ny; j++) {
      const y = oy + j * sy;
      wavesRow(tissue, ny, nz, j, k);
      for (let i = 0; i < nx; i++, idx++) {
        const x = ox + i * sx;
        const rho = Math.sqrt((x * x) / B2[0] + (y * y) / B2[1] + (z * z) / B2[2]);
        const dist = (rho - 1) * Bm; // ≈ mm outside the brain surface
        let v = 0;
        if (dist <= skull + scalp + 8) {
          let brainW = 1;
          let skullW = 0;
          let scalpW = 0;
          if (dist > -8) {
            brainW = sigmoid(-dist / 0.8);
            skullW = sigmoid(-(dist - skull) / 0.8) - brainW;
            scalpW = sigmoid(-(dist - skull - scalp) / 0.8) - brainW - skullW;
          }
          let brain = 0;
          if (brainW > 1e-4) {
            brain = 400 + 70 * Math.tanh(1.5 * wavesAt(tissue, nx, i));
            for (let q = 0; q < vent.length; q++) {
              const vt = vent[q]!;
              const ex = (x - vt.c[0]) / vt.a[0];
              const ey = (y - vt.c[1]) / vt.a[1];
              const ez = (z - vt.c[2]) / vt.a[2];
              const r = Math.sqrt(ex * ex + ey * ey + ez * ez);
              if (r < 2) {
                const w = sigmoid((1 - r) * 8);
                brain = brain * (1 - w) + 140 * w;
              }
            }
          }
          v = brainW * brain + skullW * 60 + scalpW * 650;
        }
        value[idx] = v;
      }
    }
  }

  // 2. Lesions (replace the tissue inside, with a partial-volume edge).
  const lesions: SynthLesion[] = [];
  for (const l of plan.lesions) {
    const mask = new Uint8Array(n);
    const sub = l.subregion ? new Uint8Array(n) : null;
    const s = l.subregion;
    const maxWidth = Math.max(l.edgeWidthMm, s?.edgeWidthMm ?? 0);
    const reach = 1.6 * l.radiusMm + 10 * maxWidth + 2;
    const [lo, hi] = indexBox(o, geom.origin, l.centre, reach);
    let voxels = 0;
    for (let k = lo[2]; k <= hi[2]; k++) {
      const z = oz + k * sz;
      for (let j = lo[1]; j <= hi[1]; j++) {
        const y = oy + j * sy;
        wavesRow(lesionTex, ny, nz, j, k);
        for (let i = lo[0]; i <= hi[0]; i++) {
          const x = ox + i * sx;
          const idx = i + nx * (j + ny * k);
          const vx = x - l.centre[0];
          const vy = y - l.centre[1];
          const vz = z - l.centre[2];
          const d = lesionDistance(l, vx, vy, vz);
          if (d > 10 * maxWidth) continue; // the edge sigmoid is < 5e-5 here
          let lesionVal = l.enhancement * (1 + 0.08 * wavesAt(lesionTex, nx, i));
          if (l.necrosis) {
            const nx0 = vx - l.necrosis.offset[0];
            const ny0 = vy - l.necrosis.offset[1];
            const nz0 = vz - l.necrosis.offset[2];
            const r = Math.sqrt(nx0 * nx0 + ny0 * ny0 + nz0 * nz0);
            const fc = sigmoid(-(r - l.necrosis.fraction * l.radiusMm) / 0.8);
            lesionVal = lesionVal * (1 - fc) + l.necrosis.intensity * fc;
          }
          let width = l.edgeWidthMm;
          let inSub = false;
          if (s) {
            const q = Math.hypot(x - s.centre[0], y - s.centre[1], z - s.centre[2]) / s.radiusMm;
            const sw = sigmoid(((1 - q) * s.radiusMm) / 0.8);
            lesionVal *= 1 - s.enhancementDrop * sw;
            lesionVal += sw * s.textureSd * l.enhancement * rng.normal();
            const ew = sigmoid(((1.3 - q) * s.radiusMm) / 1.5);
            width = width * (1 - ew) + s.edgeWidthMm * ew;
            inSub = q <= 1;
          }
          const f = sigmoid(-d / width);
          value[idx] = value[idx]! * (1 - f) + lesionVal * f;
          if (d <= 0) {
            mask[idx] = 1;
            voxels++;
            if (sub && inSub) sub[idx] = 1;
          }
        }
      }
    }
    if (voxels === 0) {
      throw new RadcamError('E_EMPTY_ROI', `synthetic lesion ${l.lesionId} covers no voxel centre`, {
        expected: 'a radius larger than the voxel spacing',
        found: `radius ${l.radiusMm.toFixed(2)} mm`,
      });
    }
    const vm = { ...geom, size: [...geom.size] as Vec3, spacing: [...geom.spacing] as Vec3, origin: [...geom.origin] as Vec3 };
    lesions.push({
      plan: l,
      mask: { ...vm, direction: Float64Array.from(geom.direction), data: mask },
      subregion: sub ? { ...vm, direction: Float64Array.from(geom.direction), data: sub } : null,
      voxels,
      volumeMm3: voxels * sx * sy * sz,
    });
  }

  // 3. Bias field, scanner gain, Rician noise, int16.
  const data = new Int16Array(n);
  const { linear, quadratic } = plan.bias;
  const sd = o.noiseSd;
  for (let k = 0, idx = 0; k < nz; k++) {
    const z = (oz + k * sz) / fov[2];
    for (let j = 0; j < ny; j++) {
      const y = (oy + j * sy) / fov[1];
      for (let i = 0; i < nx; i++, idx++) {
        const x = (ox + i * sx) / fov[0];
        const b = 1 + linear[0] * x + linear[1] * y + linear[2] * z + quadratic * (x * x + y * y + z * z);
        const v = value[idx]! * b * plan.gain;
        const re = v + sd * rng.normal();
        const im = sd * rng.normal();
        const m = Math.round(Math.sqrt(re * re + im * im));
        data[idx] = m > 32767 ? 32767 : m;
      }
    }
  }
  return { plan, image: { ...geom, data }, lesions };
}

/** Synthesise the whole cohort in memory (≈ 100 MB at the default size; see `writeSynthCohort`). */
export function synthesizeCohort(options: SynthCohortOptions = {}): SynthCohort {
  const plan = planSynthCohort(options);
  return { options: plan.options, patients: plan.patients.map((p) => synthesizePatient(p, plan.options)) };
}
