/**
 * PyRadiomics texture classes (GLCM, GLRLM, GLSZM, GLDM, NGTDM) on a discretised ROI box.
 *
 * Matrix definitions follow PyRadiomics' C extension (`cmatrices.c`) and the feature formulas its
 * Python classes (`glcm.py`, …): grey levels are the actual discretised levels (1…Ng), GLCMs
 * are symmetrical per angle and features are averaged over the non-empty angles (or computed on
 * one summed matrix when `weightingNorm` is set), zones are 26-connected, GLDM uses α = gldm_a.
 */
import { EPS, symmetricEigenvalues } from './numeric.js';

export type Offset = readonly [number, number, number];

/** A discretised ROI box (x fastest). */
export interface LevelBox {
  nx: number;
  ny: number;
  nz: number;
  /** Level 1…Ng inside the ROI, 0 outside. */
  levels: Int32Array;
  ng: number;
  present: Int32Array;
  /** Voxel spacing (x, y, z) in mm, used by distance weighting. */
  spacing: readonly [number, number, number];
}

export type WeightingNorm = 'manhattan' | 'euclidean' | 'infinity' | 'no_weighting' | null;

export interface TextureOptions {
  distances: readonly number[];
  /** −1 for 3D; otherwise the (x=0, y=1, z=2) axis held fixed (force2D). */
  fixedAxis: number;
  weightingNorm: WeightingNorm;
  symmetricalGLCM: boolean;
  gldmAlpha: number;
}

/**
 * One offset per direction (the half with a positive first non-zero (z, y, x) component) at the
 * given infinity-norm distances; in 2D only offsets with no component on the fixed axis.
 */
export function directionOffsets(distances: readonly number[], fixedAxis: number): Offset[] {
  const dmax = Math.max(...distances);
  const out: Offset[] = [];
  for (let dz = -dmax; dz <= dmax; dz++) {
    for (let dy = -dmax; dy <= dmax; dy++) {
      for (let dx = -dmax; dx <= dmax; dx++) {
        const norm = Math.max(Math.abs(dx), Math.abs(dy), Math.abs(dz));
        if (norm === 0 || !distances.includes(norm)) continue;
        const first = dz !== 0 ? dz : dy !== 0 ? dy : dx;
        if (first < 0) continue;
        const o: Offset = [dx, dy, dz];
        if (fixedAxis >= 0 && o[fixedAxis] !== 0) continue;
        out.push(o);
      }
    }
  }
  return out;
}

function bothDirections(offs: Offset[]): Offset[] {
  const out: Offset[] = [];
  for (const o of offs) {
    out.push(o);
    out.push([-o[0], -o[1], -o[2]]);
  }
  return out;
}

function angleWeight(o: Offset, sp: readonly [number, number, number], norm: WeightingNorm, glcm: boolean): number {
  const a = [Math.abs(o[0]) * sp[0], Math.abs(o[1]) * sp[1], Math.abs(o[2]) * sp[2]];
  let d: number;
  switch (norm) {
    case 'infinity':
      d = Math.max(a[0]!, a[1]!, a[2]!);
      return glcm ? Math.exp(-d * d) : d;
    case 'euclidean':
      d = a[0]! * a[0]! + a[1]! * a[1]! + a[2]! * a[2]!;
      return glcm ? Math.exp(-d) : Math.sqrt(d);
    case 'manhattan':
      d = a[0]! + a[1]! + a[2]!;
      return glcm ? Math.exp(-d * d) : d;
    default:
      return 1;
  }
}

/** nanmean over a list of per-angle values. */
function nanmean(v: Float64Array, n: number): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    if (!Number.isNaN(x)) {
      s += x;
      c++;
    }
  }
  return c ? s / c : Number.NaN;
}

// ---------------------------------------------------------------- GLCM

export const GLCM_NAMES = [
  'Autocorrelation', 'JointAverage', 'ClusterProminence', 'ClusterShade', 'ClusterTendency', 'Contrast',
  'Correlation', 'DifferenceAverage', 'DifferenceEntropy', 'DifferenceVariance', 'JointEnergy', 'JointEntropy',
  'Imc1', 'Imc2', 'Idm', 'MCC', 'Idmn', 'Id', 'Idn', 'InverseVariance', 'MaximumProbability', 'SumAverage',
  'SumEntropy', 'SumSquares',
] as const;

/** Raw co-occurrence counts per angle over the present levels: [angle][i·np + j]. */
function glcmCounts(box: LevelBox, offs: Offset[]): Float64Array[] {
  const { nx, ny, nz, levels, present } = box;
  const np = present.length;
  const idx = new Int32Array(box.ng + 1).fill(-1);
  for (let k = 0; k < np; k++) idx[present[k]!] = k;
  const out: Float64Array[] = [];
  for (const [dx, dy, dz] of offs) {
    const m = new Float64Array(np * np);
    const step = dx + nx * (dy + ny * dz);
    for (let z = 0; z < nz; z++) {
      const z2 = z + dz;
      if (z2 < 0 || z2 >= nz) continue;
      for (let y = 0; y < ny; y++) {
        const y2 = y + dy;
        if (y2 < 0 || y2 >= ny) continue;
        const x0 = Math.max(0, -dx);
        const x1 = Math.min(nx, nx - dx);
        let p = x0 + nx * (y + ny * z);
        for (let x = x0; x < x1; x++, p++) {
          const a = levels[p]!;
          if (!a) continue;
          const b = levels[p + step]!;
          if (!b) continue;
          m[idx[a]! * np + idx[b]!]! += 1;
        }
      }
    }
    out.push(m);
  }
  return out;
}

function glcmFeaturesOne(p: Float64Array, g: Int32Array, ngMax: number, out: Float64Array[], a: number, ws: { px: Float64Array; py: Float64Array; sum: Float64Array; diff: Float64Array; q: Float64Array }): void {
  const n = g.length;
  const { px, py, sum, diff } = ws;
  px.fill(0);
  py.fill(0);
  sum.fill(0);
  diff.fill(0);
  let ux = 0, uy = 0, auto = 0, contrast = 0, energy = 0, hxy = 0, maxp = 0;
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    for (let j = 0; j < n; j++) {
      const v = p[i * n + j]!;
      if (v === 0) continue;
      const gj = g[j]!;
      px[i]! += v;
      py[j]! += v;
      ux += v * gi;
      uy += v * gj;
      auto += v * gi * gj;
      contrast += v * (gi - gj) * (gi - gj);
      energy += v * v;
      hxy -= v * Math.log2(v + EPS);
      if (v > maxp) maxp = v;
      sum[gi + gj]! += v;
      diff[Math.abs(gi - gj)]! += v;
    }
  }
  let cp = 0, cs = 0, ct = 0, sx = 0, sy = 0, cor = 0, hxy1 = 0, hxy2 = 0;
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    for (let j = 0; j < n; j++) {
      const v = p[i * n + j]!;
      const gj = g[j]!;
      const pp = px[i]! * py[j]!;
      hxy2 -= pp * Math.log2(pp + EPS);
      if (v === 0) continue;
      const t = gi + gj - ux - uy;
      const t2 = t * t;
      ct += v * t2;
      cs += v * t2 * t;
      cp += v * t2 * t2;
      sx += v * (gi - ux) * (gi - ux);
      sy += v * (gj - uy) * (gj - uy);
      cor += v * (gi - ux) * (gj - uy);
      hxy1 -= v * Math.log2(pp + EPS);
    }
  }
  let hx = 0, hy = 0;
  for (let i = 0; i < n; i++) {
    hx -= px[i]! * Math.log2(px[i]! + EPS);
    hy -= py[i]! * Math.log2(py[i]! + EPS);
  }
  let da = 0, de = 0, idm = 0, idmn = 0, id = 0, idn = 0, iv = 0;
  for (let k = 0; k < ngMax; k++) {
    const v = diff[k]!;
    da += k * v;
    de -= v * Math.log2(v + EPS);
    idm += v / (1 + k * k);
    idmn += v / (1 + (k * k) / (ngMax * ngMax));
    id += v / (1 + k);
    idn += v / (1 + k / ngMax);
    if (k > 0) iv += v / (k * k);
  }
  let dv = 0;
  for (let k = 0; k < ngMax; k++) dv += diff[k]! * (k - da) * (k - da);
  let sa = 0, se = 0;
  for (let k = 2; k <= 2 * ngMax; k++) {
    const v = sum[k]!;
    sa += k * v;
    se -= v * Math.log2(v + EPS);
  }
  const sigx = Math.sqrt(sx);
  const sigy = Math.sqrt(sy);
  const corr = sigx * sigy === 0 ? 1 : cor / (sigx * sigy + EPS);
  const div = Math.max(hx, hy);
  const imc1 = div !== 0 ? (hxy - hxy1) / div : 0;
  const imc2 = hxy2 === hxy ? 0 : Math.sqrt(1 - Math.exp(-2 * (hxy2 - hxy)));
  // MCC: Q(i,j) = Σ_k p(i,k)p(j,k)/(px(i)py(k)); eigenvalues via the symmetric similar matrix
  let mcc = Number.NaN;
  if (n >= 2) {
    const q = ws.q;
    q.fill(0);
    for (let i = 0; i < n; i++) {
      if (px[i] === 0) continue;
      for (let j = i; j < n; j++) {
        if (px[j] === 0) continue;
        let s = 0;
        for (let k = 0; k < n; k++) {
          const pk = py[k]!;
          if (pk === 0) continue;
          s += (p[i * n + k]! * p[j * n + k]!) / pk;
        }
        s /= Math.sqrt(px[i]! * px[j]!);
        q[i * n + j] = s;
        q[j * n + i] = s;
      }
    }
    const ev = symmetricEigenvalues(q, n);
    mcc = Math.sqrt(ev[n - 2]!);
  }
  let ss = 0;
  for (let i = 0; i < n; i++) ss += px[i]! * (g[i]! - ux) * (g[i]! - ux);
  const vals = [auto, ux, cp, cs, ct, contrast, corr, da, de, dv, energy, hxy, imc1, imc2, idm, mcc, idmn, id, idn, iv, maxp, sa, se, ss];
  for (let f = 0; f < vals.length; f++) out[f]![a] = vals[f]!;
}

/** PyRadiomics GLCM features (averaged over angles, or on the weighted sum). */
export function glcmFeatures(box: LevelBox, opts: TextureOptions): Record<string, number> {
  const offs = directionOffsets(opts.distances, opts.fixedAxis);
  let mats = glcmCounts(box, offs);
  const np = box.present.length;
  if (opts.symmetricalGLCM) {
    for (const m of mats) {
      for (let i = 0; i < np; i++) {
        for (let j = i; j < np; j++) {
          const s = m[i * np + j]! + m[j * np + i]!;
          m[i * np + j] = s;
          m[j * np + i] = s;
        }
      }
    }
  }
  if (opts.weightingNorm !== null) {
    const sum = new Float64Array(np * np);
    mats.forEach((m, a) => {
      const w = angleWeight(offs[a]!, box.spacing, opts.weightingNorm, true);
      for (let i = 0; i < m.length; i++) sum[i]! += m[i]! * w;
    });
    mats = [sum];
  }
  const kept: Float64Array[] = [];
  for (const m of mats) {
    let s = 0;
    for (let i = 0; i < m.length; i++) s += m[i]!;
    if (s === 0) continue;
    for (let i = 0; i < m.length; i++) m[i]! /= s;
    kept.push(m);
  }
  const na = kept.length;
  const per = GLCM_NAMES.map(() => new Float64Array(Math.max(1, na)).fill(Number.NaN));
  const ws = {
    px: new Float64Array(np),
    py: new Float64Array(np),
    sum: new Float64Array(2 * box.ng + 2),
    diff: new Float64Array(box.ng + 1),
    q: new Float64Array(np * np),
  };
  kept.forEach((m, a) => glcmFeaturesOne(m, box.present, box.ng, per, a, ws));
  const res: Record<string, number> = {};
  GLCM_NAMES.forEach((name, f) => {
    res[name] = nanmean(per[f]!, na);
  });
  if (np < 2) res.MCC = 1; // flat region: PyRadiomics returns 1
  return res;
}

// ---------------------------------------------------------------- run-like matrices

/** Sums shared by GLRLM, GLSZM and GLDM over a matrix P(level, j) (j = run length / zone size / dependence). */
interface RunSums {
  nz: number;
  sumJ: number;
  se: number; le: number; gln: number; jn: number; glv: number; jv: number; ent: number;
  lgle: number; hgle: number; sjlg: number; sjhg: number; ljlg: number; ljhg: number;
}

/** P is dense (ng+1) × (nj+1), indexed by level and j (row/column 0 unused). */
function runSums(P: Float64Array, ng: number, nj: number): RunSums {
  const cols = nj + 1;
  const pg = new Float64Array(ng + 1);
  const pj = new Float64Array(nj + 1);
  let nz = 0, sumJ = 0, se = 0, le = 0, lgle = 0, hgle = 0, sjlg = 0, sjhg = 0, ljlg = 0, ljhg = 0;
  for (let i = 1; i <= ng; i++) {
    const i2 = i * i;
    for (let j = 1; j <= nj; j++) {
      const v = P[i * cols + j]!;
      if (v === 0) continue;
      const j2 = j * j;
      pg[i]! += v;
      pj[j]! += v;
      nz += v;
      sumJ += v * j;
      se += v / j2;
      le += v * j2;
      lgle += v / i2;
      hgle += v * i2;
      sjlg += v / (i2 * j2);
      sjhg += (v * i2) / j2;
      ljlg += (v * j2) / i2;
      ljhg += v * i2 * j2;
    }
  }
  let ent = 0;
  for (let i = 1; i <= ng; i++) {
    for (let j = 1; j <= nj; j++) {
      const v = P[i * cols + j]!;
      if (v === 0) continue;
      const p = v / nz;
      ent -= p * Math.log2(p + EPS);
    }
  }
  let gln = 0, jn = 0, ui = 0, uj = 0;
  for (let i = 1; i <= ng; i++) {
    gln += pg[i]! * pg[i]!;
    ui += (pg[i]! / nz) * i;
  }
  for (let j = 1; j <= nj; j++) {
    jn += pj[j]! * pj[j]!;
    uj += (pj[j]! / nz) * j;
  }
  let glv = 0, jv = 0;
  for (let i = 1; i <= ng; i++) glv += (pg[i]! / nz) * (i - ui) * (i - ui);
  for (let j = 1; j <= nj; j++) jv += (pj[j]! / nz) * (j - uj) * (j - uj);
  return { nz, sumJ, se, le, gln, jn, glv, jv, ent, lgle, hgle, sjlg, sjhg, ljlg, ljhg };
}

// ---------------------------------------------------------------- GLRLM

export const GLRLM_NAMES = [
  'ShortRunEmphasis', 'LongRunEmphasis', 'GrayLevelNonUniformity', 'GrayLevelNonUniformityNormalized',
  'RunLengthNonUniformity', 'RunLengthNonUniformityNormalized', 'RunPercentage', 'GrayLevelVariance',
  'RunVariance', 'RunEntropy', 'LowGrayLevelRunEmphasis', 'HighGrayLevelRunEmphasis',
  'ShortRunLowGrayLevelEmphasis', 'ShortRunHighGrayLevelEmphasis', 'LongRunLowGrayLevelEmphasis',
  'LongRunHighGrayLevelEmphasis',
] as const;

export function glrlmFeatures(box: LevelBox, opts: TextureOptions): Record<string, number> {
  const { nx, ny, nz, levels, ng } = box;
  const offs = directionOffsets([1], opts.fixedAxis);
  const nr = Math.max(nx, ny, nz);
  const cols = nr + 1;
  let mats: Float64Array[] = [];
  for (const [dx, dy, dz] of offs) {
    const P = new Float64Array((ng + 1) * cols);
    const step = dx + nx * (dy + ny * dz);
    for (let z = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++) {
          const p = x + nx * (y + ny * z);
          const l = levels[p]!;
          if (!l) continue;
          // run start: predecessor outside the box, outside the ROI or a different level
          const px = x - dx, py = y - dy, pz = z - dz;
          if (px >= 0 && px < nx && py >= 0 && py < ny && pz >= 0 && pz < nz && levels[p - step] === l) continue;
          let len = 1;
          let cx = x + dx, cy = y + dy, cz = z + dz, q = p + step;
          while (cx >= 0 && cx < nx && cy >= 0 && cy < ny && cz >= 0 && cz < nz && levels[q] === l) {
            len++;
            cx += dx; cy += dy; cz += dz; q += step;
          }
          P[l * cols + len]! += 1;
        }
      }
    }
    mats.push(P);
  }
  if (opts.weightingNorm !== null) {
    const sum = new Float64Array((ng + 1) * cols);
    mats.forEach((m, a) => {
      const w = angleWeight(offs[a]!, box.spacing, opts.weightingNorm, false);
      for (let i = 0; i < m.length; i++) sum[i]! += m[i]! * w;
    });
    mats = [sum];
  }
  const per = GLRLM_NAMES.map(() => new Float64Array(mats.length));
  let na = 0;
  for (const P of mats) {
    const s = runSums(P, ng, nr);
    if (s.nz === 0) continue;
    const N = s.nz;
    const vals = [s.se / N, s.le / N, s.gln / N, s.gln / (N * N), s.jn / N, s.jn / (N * N), N / s.sumJ, s.glv, s.jv, s.ent,
      s.lgle / N, s.hgle / N, s.sjlg / N, s.sjhg / N, s.ljlg / N, s.ljhg / N];
    vals.forEach((v, f) => { per[f]![na] = v; });
    na++;
  }
  const res: Record<string, number> = {};
  GLRLM_NAMES.forEach((name, f) => { res[name] = nanmean(per[f]!, na); });
  return res;
}

// ---------------------------------------------------------------- GLSZM

export const GLSZM_NAMES = [
  'SmallAreaEmphasis', 'LargeAreaEmphasis', 'GrayLevelNonUniformity', 'GrayLevelNonUniformityNormalized',
  'SizeZoneNonUniformity', 'SizeZoneNonUniformityNormalized', 'ZonePercentage', 'GrayLevelVariance',
  'ZoneVariance', 'ZoneEntropy', 'LowGrayLevelZoneEmphasis', 'HighGrayLevelZoneEmphasis',
  'SmallAreaLowGrayLevelEmphasis', 'SmallAreaHighGrayLevelEmphasis', 'LargeAreaLowGrayLevelEmphasis',
  'LargeAreaHighGrayLevelEmphasis',
] as const;

export function glszmFeatures(box: LevelBox, opts: TextureOptions): Record<string, number> {
  const { nx, ny, nz, levels, ng } = box;
  const nb = bothDirections(directionOffsets([1], opts.fixedAxis));
  const n = levels.length;
  const visited = new Uint8Array(n);
  const stack = new Int32Array(n);
  const zoneLevel: number[] = [];
  const zoneSize: number[] = [];
  let np = 0;
  let maxSize = 0;
  for (let p = 0; p < n; p++) {
    const l = levels[p]!;
    if (!l) continue;
    np++;
    if (visited[p]) continue;
    let top = 0;
    stack[top++] = p;
    visited[p] = 1;
    let size = 0;
    while (top > 0) {
      const q = stack[--top]!;
      size++;
      const x = q % nx;
      const y = ((q - x) / nx) % ny;
      const z = (q - x - nx * y) / (nx * ny);
      for (const [dx, dy, dz] of nb) {
        const x2 = x + dx, y2 = y + dy, z2 = z + dz;
        if (x2 < 0 || x2 >= nx || y2 < 0 || y2 >= ny || z2 < 0 || z2 >= nz) continue;
        const r = x2 + nx * (y2 + ny * z2);
        if (visited[r] || levels[r] !== l) continue;
        visited[r] = 1;
        stack[top++] = r;
      }
    }
    zoneLevel.push(l);
    zoneSize.push(size);
    if (size > maxSize) maxSize = size;
  }
  const cols = maxSize + 1;
  const P = new Float64Array((ng + 1) * cols);
  for (let z = 0; z < zoneLevel.length; z++) P[zoneLevel[z]! * cols + zoneSize[z]!]! += 1;
  const s = runSums(P, ng, maxSize);
  const N = s.nz;
  const vals = [s.se / N, s.le / N, s.gln / N, s.gln / (N * N), s.jn / N, s.jn / (N * N), N / np, s.glv, s.jv, s.ent,
    s.lgle / N, s.hgle / N, s.sjlg / N, s.sjhg / N, s.ljlg / N, s.ljhg / N];
  const res: Record<string, number> = {};
  GLSZM_NAMES.forEach((name, f) => { res[name] = vals[f]!; });
  return res;
}

// ---------------------------------------------------------------- GLDM

export const GLDM_NAMES = [
  'SmallDependenceEmphasis', 'LargeDependenceEmphasis', 'GrayLevelNonUniformity', 'DependenceNonUniformity',
  'DependenceNonUniformityNormalized', 'GrayLevelVariance', 'DependenceVariance', 'DependenceEntropy',
  'LowGrayLevelEmphasis', 'HighGrayLevelEmphasis', 'SmallDependenceLowGrayLevelEmphasis',
  'SmallDependenceHighGrayLevelEmphasis', 'LargeDependenceLowGrayLevelEmphasis',
  'LargeDependenceHighGrayLevelEmphasis',
] as const;

export function gldmFeatures(box: LevelBox, opts: TextureOptions): Record<string, number> {
  const { nx, ny, nz, levels, ng } = box;
  const nb = bothDirections(directionOffsets(opts.distances, opts.fixedAxis));
  const nj = nb.length + 1;
  const cols = nj + 1;
  const P = new Float64Array((ng + 1) * cols);
  const alpha = opts.gldmAlpha;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const p = x + nx * (y + ny * z);
        const l = levels[p]!;
        if (!l) continue;
        let dep = 1;
        for (const [dx, dy, dz] of nb) {
          const x2 = x + dx, y2 = y + dy, z2 = z + dz;
          if (x2 < 0 || x2 >= nx || y2 < 0 || y2 >= ny || z2 < 0 || z2 >= nz) continue;
          const l2 = levels[x2 + nx * (y2 + ny * z2)]!;
          if (l2 && Math.abs(l2 - l) <= alpha) dep++;
        }
        P[l * cols + dep]! += 1;
      }
    }
  }
  const s = runSums(P, ng, nj);
  const N = s.nz;
  const vals = [s.se / N, s.le / N, s.gln / N, s.jn / N, s.jn / (N * N), s.glv, s.jv, s.ent,
    s.lgle / N, s.hgle / N, s.sjlg / N, s.sjhg / N, s.ljlg / N, s.ljhg / N];
  const res: Record<string, number> = {};
  GLDM_NAMES.forEach((name, f) => { res[name] = vals[f]!; });
  return res;
}

// ---------------------------------------------------------------- NGTDM

export const NGTDM_NAMES = ['Coarseness', 'Contrast', 'Busyness', 'Complexity', 'Strength'] as const;

export function ngtdmFeatures(box: LevelBox, opts: TextureOptions): Record<string, number> {
  const { nx, ny, nz, levels, ng } = box;
  const nb = bothDirections(directionOffsets(opts.distances, opts.fixedAxis));
  const cnt = new Float64Array(ng + 1);
  const sdiff = new Float64Array(ng + 1);
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const p = x + nx * (y + ny * z);
        const l = levels[p]!;
        if (!l) continue;
        let sum = 0;
        let c = 0;
        for (const [dx, dy, dz] of nb) {
          const x2 = x + dx, y2 = y + dy, z2 = z + dz;
          if (x2 < 0 || x2 >= nx || y2 < 0 || y2 >= ny || z2 < 0 || z2 >= nz) continue;
          const l2 = levels[x2 + nx * (y2 + ny * z2)]!;
          if (!l2) continue;
          sum += l2;
          c++;
        }
        if (c === 0) continue;
        cnt[l]! += 1;
        sdiff[l]! += Math.abs(l - sum / c);
      }
    }
  }
  const lv: number[] = [];
  const pi: number[] = [];
  const si: number[] = [];
  let nvp = 0;
  for (let l = 1; l <= ng; l++) nvp += cnt[l]!;
  for (let l = 1; l <= ng; l++) {
    if (cnt[l] === 0) continue;
    lv.push(l);
    pi.push(cnt[l]! / nvp);
    si.push(sdiff[l]!);
  }
  const ngp = lv.length;
  let sumPS = 0, sumS = 0;
  for (let a = 0; a < ngp; a++) {
    sumPS += pi[a]! * si[a]!;
    sumS += si[a]!;
  }
  let c2 = 0, absdiff = 0, cx = 0, st = 0;
  for (let a = 0; a < ngp; a++) {
    for (let b = 0; b < ngp; b++) {
      const d = lv[a]! - lv[b]!;
      c2 += pi[a]! * pi[b]! * d * d;
      absdiff += Math.abs(lv[a]! * pi[a]! - lv[b]! * pi[b]!);
      cx += (Math.abs(d) * (pi[a]! * si[a]! + pi[b]! * si[b]!)) / (pi[a]! + pi[b]!);
      st += (pi[a]! + pi[b]!) * d * d;
    }
  }
  return {
    Coarseness: sumPS === 0 ? 1e6 : 1 / sumPS,
    Contrast: ngp <= 1 ? 0 : (c2 / (ngp * (ngp - 1))) * (sumS / nvp),
    Busyness: absdiff === 0 ? 0 : sumPS / absdiff,
    Complexity: cx / nvp,
    Strength: sumS === 0 ? 0 : st / sumS,
  };
}
