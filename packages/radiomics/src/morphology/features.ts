import { createRng, type Mask, type Volume } from '@radcam/core';
import { assertNonEmpty, maskIndices } from '../roi.js';
import { meshMeasures, type LoopTriangulation } from './marching-cubes.js';
import { convexHull3D } from './convex-hull.js';
import { gridAutocorrelation } from './autocorrelation.js';
import { ellipsoidAreaLegendre, symmetricEigenvalues3 } from './geometry.js';

/** IBSI 1 morphology feature tags, in manual order. */
export const MORPHOLOGY_FEATURES = [
  'morph_volume', 'morph_vol_approx', 'morph_area_mesh', 'morph_av', 'morph_comp_1', 'morph_comp_2',
  'morph_sph_dispr', 'morph_sphericity', 'morph_asphericity', 'morph_com', 'morph_diam',
  'morph_pca_maj_axis', 'morph_pca_min_axis', 'morph_pca_least_axis', 'morph_pca_elongation',
  'morph_pca_flatness', 'morph_vol_dens_aabb', 'morph_area_dens_aabb', 'morph_vol_dens_ombb',
  'morph_area_dens_ombb', 'morph_vol_dens_aee', 'morph_area_dens_aee', 'morph_vol_dens_mvee',
  'morph_area_dens_mvee', 'morph_vol_dens_conv_hull', 'morph_area_dens_conv_hull', 'morph_integ_int',
  'morph_moran_i', 'morph_geary_c',
] as const;

export type MoranMode = 'exact' | 'auto' | 'sampled' | 'off';

/** Up to this many intensity-ROI voxels Moran/Geary use the direct O(n²) pair sum (faster than the FFT there). */
const DIRECT_PAIR_MAX = 2000;

export interface MorphologyOptions {
  /**
   * Moran's I / Geary's C weight every pair of intensity-ROI voxels by 1/distance. `exact` and
   * `auto` (default) compute the exact IBSI value: an O(n²) pair sum for small ROIs, an FFT
   * convolution on the voxel grid (O(N log N), every pair with its exact weight) otherwise.
   * `sampled` estimates both ratios from all pairs of a seeded random voxel subset (the
   * approximation IBSI allows). In `auto` mode ROIs above `moranMaxExactVoxels` are sampled.
   * `off` skips both (NaN with a diagnostic), e.g. for a PyRadiomics-like shape set.
   */
  moran?: MoranMode;
  /** `auto` mode: largest intensity ROI computed exactly (default: no limit). */
  moranMaxExactVoxels?: number;
  /** Voxels drawn in `sampled` mode (default 4 000). */
  moranSampleSize?: number;
  /** Seed of the subsampling RNG (default 1). */
  seed?: number;
  /** Marching-cubes triangulation (default `lewiner`, as the IBSI reference implementations). */
  meshTriangulation?: LoopTriangulation;
}

export interface MorphologyResult {
  features: Record<string, number>;
  diagnostics: Record<string, unknown>;
}

/** Voxel centre coordinates (mm, index axes scaled by spacing) of `idx`. */
function coords(idx: Int32Array, size: readonly number[], spacing: readonly number[]): Float64Array {
  const nx = size[0]!, nxy = nx * size[1]!;
  const out = new Float64Array(idx.length * 3);
  for (let t = 0; t < idx.length; t++) {
    const l = idx[t]!;
    const k = (l / nxy) | 0;
    const r = l - k * nxy;
    const j = (r / nx) | 0;
    const i = r - j * nx;
    out[3 * t] = i * spacing[0]!;
    out[3 * t + 1] = j * spacing[1]!;
    out[3 * t + 2] = k * spacing[2]!;
  }
  return out;
}

interface SpatialAutocorrelation { moran: number; geary: number; method: 'exact' | 'sampled' | 'fft'; pairs: number }

/**
 * Moran's I and Geary's C with inverse-Euclidean-distance weights over pairs of `xyz` points
 * (mm) with intensities `v`. Exact over all pairs, or over all pairs of a random subset.
 */
export function spatialAutocorrelation(xyz: Float64Array, v: Float64Array, options: MorphologyOptions = {}): SpatialAutocorrelation {
  const n = v.length;
  let mu = 0;
  for (let i = 0; i < n; i++) mu += v[i]!;
  mu /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (v[i]! - mu) ** 2;
  const mode = options.moran ?? 'auto';
  const maxExact = options.moranMaxExactVoxels ?? Infinity;
  const sampled = mode === 'sampled' || (mode === 'auto' && n > maxExact);
  let sel: Int32Array;
  if (sampled && n > (options.moranSampleSize ?? 4000)) {
    const m = options.moranSampleSize ?? 4000;
    const rng = createRng(options.seed ?? 1);
    // partial Fisher–Yates
    const perm = new Int32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    for (let i = 0; i < m; i++) {
      const j = i + Math.floor(rng.next() * (n - i));
      const t = perm[i]!; perm[i] = perm[j]!; perm[j] = t;
    }
    sel = perm.slice(0, m).sort();
  } else {
    sel = new Int32Array(n);
    for (let i = 0; i < n; i++) sel[i] = i;
  }
  const m = sel.length;
  const px = new Float64Array(m), py = new Float64Array(m), pz = new Float64Array(m), a = new Float64Array(m);
  for (let t = 0; t < m; t++) {
    const i = sel[t]!;
    px[t] = xyz[3 * i]!; py[t] = xyz[3 * i + 1]!; pz[t] = xyz[3 * i + 2]!; a[t] = v[i]! - mu;
  }
  let W = 0, num = 0, gnum = 0;
  for (let i = 0; i < m; i++) {
    const xi = px[i]!, yi = py[i]!, zi = pz[i]!, ai = a[i]!;
    let w = 0, s1 = 0, s2 = 0;
    for (let j = i + 1; j < m; j++) {
      const dx = px[j]! - xi, dy = py[j]! - yi, dz = pz[j]! - zi;
      const wij = 1 / Math.sqrt(dx * dx + dy * dy + dz * dz);
      const aj = a[j]!;
      w += wij;
      s1 += wij * aj;
      const d = ai - aj;
      s2 += wij * d * d;
    }
    W += w; num += ai * s1; gnum += s2;
  }
  // Each unordered pair counted once: all three sums are halves of the ordered-pair sums.
  const pairs = (m * (m - 1)) / 2;
  if (!sampled || m === n) {
    return { moran: (n / W) * (num / ss), geary: ((n - 1) / (2 * W)) * (gnum / ss), method: 'exact', pairs };
  }
  // Ratio estimators: (Σ_S w a a / Σ_S w) estimates (Σ w a a / W); variance term from all voxels.
  return { moran: (num / W) / (ss / n), geary: ((n - 1) / (2 * n)) * (gnum / W) / (ss / n), method: 'sampled', pairs };
}

/**
 * All IBSI 1 morphology features. `morphMask` defines the shape; `intensityMask` (default the
 * morphological mask) the voxels whose intensities enter the centre-of-mass shift, integrated
 * intensity, Moran's I and Geary's C.
 */
export function morphologyFeatures(image: Volume, morphMask: Mask, intensityMask: Mask = morphMask, options: MorphologyOptions = {}): MorphologyResult {
  const diagnostics: Record<string, unknown> = {};
  const size = morphMask.size;
  const sp = morphMask.spacing;
  const idx = maskIndices(morphMask);
  assertNonEmpty(idx, 'morphological mask');
  const iIdx = intensityMask === morphMask ? idx : maskIndices(intensityMask);
  assertNonEmpty(iIdx, 'intensity mask');
  const nv = idx.length;

  // bounding box
  const [nx, ny] = size;
  const nxy = nx * ny;
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -1, y1 = -1, z1 = -1;
  for (let t = 0; t < nv; t++) {
    const l = idx[t]!;
    const k = (l / nxy) | 0, r = l - k * nxy, j = (r / nx) | 0, i = r - j * nx;
    if (i < x0) x0 = i; if (i > x1) x1 = i;
    if (j < y0) y0 = j; if (j > y1) y1 = j;
    if (k < z0) z0 = k; if (k > z1) z1 = k;
  }
  const bx = x1 - x0 + 1, by = y1 - y0 + 1, bz = z1 - z0 + 1;
  const px = bx + 2, py = by + 2, pz = bz + 2, pxy = px * py;
  const padded = new Uint8Array(px * py * pz);
  for (let t = 0; t < nv; t++) {
    const l = idx[t]!;
    const k = (l / nxy) | 0, r = l - k * nxy, j = (r / nx) | 0, i = r - j * nx;
    padded[(i - x0 + 1) + px * (j - y0 + 1) + pxy * (k - z0 + 1)] = 1;
  }

  // mesh
  const mesh = meshMeasures(padded, [px, py, pz], sp, options.meshTriangulation ?? 'lewiner');
  const V = mesh.volume;
  const A = mesh.area;
  diagnostics.mesh_faces = mesh.faces;

  // mesh vertices (doubled padded-grid coordinates), reduced to convex-hull candidates
  const hull = hullMeasures(padded, px, py, pz, sp);
  diagnostics.hull_vertices = hull.nVertices;
  diagnostics.hull_candidates = hull.nCandidates;

  // PCA on morphological voxel centres
  const xyz = coords(idx, size, sp);
  let mx = 0, my = 0, mz = 0;
  for (let t = 0; t < nv; t++) { mx += xyz[3 * t]!; my += xyz[3 * t + 1]!; mz += xyz[3 * t + 2]!; }
  mx /= nv; my /= nv; mz /= nv;
  let cxx = 0, cyy = 0, czz = 0, cxy = 0, cxz = 0, cyz = 0;
  for (let t = 0; t < nv; t++) {
    const dx = xyz[3 * t]! - mx, dy = xyz[3 * t + 1]! - my, dz = xyz[3 * t + 2]! - mz;
    cxx += dx * dx; cyy += dy * dy; czz += dz * dz; cxy += dx * dy; cxz += dx * dz; cyz += dy * dz;
  }
  const denom = nv > 1 ? nv - 1 : 1; // sample covariance
  const [l1, l2, l3] = symmetricEigenvalues3(cxx / denom, cyy / denom, czz / denom, cxy / denom, cxz / denom, cyz / denom).map((e) => Math.max(0, e)) as [number, number, number];
  const a = 2 * Math.sqrt(l1), b = 2 * Math.sqrt(l2), c = 2 * Math.sqrt(l3);

  // intensity-based parts
  const img = image.data;
  let sumI = 0;
  let wx = 0, wy = 0, wz = 0;
  const ixyz = iIdx === idx ? xyz : coords(iIdx, size, sp);
  const iv = new Float64Array(iIdx.length);
  for (let t = 0; t < iIdx.length; t++) {
    const v = img[iIdx[t]!]!;
    iv[t] = v;
    sumI += v;
    wx += v * ixyz[3 * t]!; wy += v * ixyz[3 * t + 1]!; wz += v * ixyz[3 * t + 2]!;
  }
  const meanI = sumI / iIdx.length;
  let com = NaN;
  if (sumI !== 0) com = Math.hypot(mx - wx / sumI, my - wy / sumI, mz - wz / sumI);
  else diagnostics.morph_com = 'NaN: the intensities in the ROI sum to zero (no intensity-weighted centre)';

  let moran = NaN, geary = NaN;
  if (options.moran === 'off') {
    diagnostics.morph_moran_i = diagnostics.morph_geary_c = 'NaN: not computed (morphology.moran = "off")';
  } else if (iIdx.length < 2) {
    diagnostics.morph_moran_i = diagnostics.morph_geary_c = 'NaN: needs at least two voxels';
  } else {
    let allSame = true;
    for (let t = 1; t < iv.length; t++) if (iv[t] !== iv[0]) { allSame = false; break; }
    if (allSame) {
      diagnostics.morph_moran_i = diagnostics.morph_geary_c = 'NaN: constant intensity in the ROI (zero variance)';
    } else {
      const mode = options.moran ?? 'auto';
      const sampled = mode === 'sampled' || (mode === 'auto' && iIdx.length > (options.moranMaxExactVoxels ?? Infinity));
      let sa: SpatialAutocorrelation;
      if (sampled || iIdx.length <= DIRECT_PAIR_MAX) sa = spatialAutocorrelation(ixyz, iv, options);
      else {
        const g = gridAutocorrelation(iIdx, iv, size, sp);
        sa = { moran: g.moran, geary: g.geary, method: 'fft', pairs: (iIdx.length * (iIdx.length - 1)) / 2 };
      }
      moran = sa.moran; geary = sa.geary;
      diagnostics.moran_method = sa.method;
      diagnostics.moran_pairs = sa.pairs;
    }
  }

  const f: Record<string, number> = {};
  const ratio = (p: number, q: number, tag: string, why: string): number => {
    if (q > 0 && Number.isFinite(p / q)) return p / q;
    diagnostics[tag] = `NaN: ${why}`;
    return NaN;
  };
  f.morph_volume = V;
  f.morph_vol_approx = nv * sp[0] * sp[1] * sp[2];
  f.morph_area_mesh = A;
  f.morph_av = A / V;
  f.morph_comp_1 = V / (Math.sqrt(Math.PI) * A ** 1.5);
  f.morph_comp_2 = (36 * Math.PI * V * V) / A ** 3;
  f.morph_sph_dispr = A / Math.cbrt(36 * Math.PI * V * V);
  f.morph_sphericity = Math.cbrt(36 * Math.PI * V * V) / A;
  f.morph_asphericity = Math.cbrt((A ** 3) / (36 * Math.PI * V * V)) - 1;
  f.morph_com = com;
  f.morph_diam = hull.diameter;
  f.morph_pca_maj_axis = 4 * Math.sqrt(l1);
  f.morph_pca_min_axis = 4 * Math.sqrt(l2);
  f.morph_pca_least_axis = 4 * Math.sqrt(l3);
  f.morph_pca_elongation = l1 > 0 ? Math.sqrt(l2 / l1) : ratio(0, 0, 'morph_pca_elongation', 'zero major-axis variance (single voxel)');
  f.morph_pca_flatness = l1 > 0 ? Math.sqrt(l3 / l1) : ratio(0, 0, 'morph_pca_flatness', 'zero major-axis variance (single voxel)');
  const ex = bx * sp[0], ey = by * sp[1], ez = bz * sp[2];
  f.morph_vol_dens_aabb = V / (ex * ey * ez);
  f.morph_area_dens_aabb = A / (2 * (ex * ey + ex * ez + ey * ez));
  f.morph_vol_dens_ombb = NaN;
  f.morph_area_dens_ombb = NaN;
  diagnostics.morph_vol_dens_ombb = diagnostics.morph_area_dens_ombb =
    'NaN: oriented minimum bounding box not computed (IBSI 1 gives no reference value)';
  f.morph_vol_dens_aee = ratio(3 * V, 4 * Math.PI * a * b * c, 'morph_vol_dens_aee', 'degenerate PCA ellipsoid (a zero semi-axis)');
  f.morph_area_dens_aee = ratio(A, ellipsoidAreaLegendre(a, b, c), 'morph_area_dens_aee', 'degenerate PCA ellipsoid');
  f.morph_vol_dens_mvee = NaN;
  f.morph_area_dens_mvee = NaN;
  diagnostics.morph_vol_dens_mvee = diagnostics.morph_area_dens_mvee =
    'NaN: minimum volume enclosing ellipsoid not computed (IBSI 1 gives no reference value)';
  f.morph_vol_dens_conv_hull = ratio(V, hull.volume, 'morph_vol_dens_conv_hull', 'degenerate convex hull');
  f.morph_area_dens_conv_hull = ratio(A, hull.area, 'morph_area_dens_conv_hull', 'degenerate convex hull');
  f.morph_integ_int = V * meanI;
  f.morph_moran_i = moran;
  f.morph_geary_c = geary;
  const out: Record<string, number> = {};
  for (const k of MORPHOLOGY_FEATURES) out[k] = f[k]!;
  return { features: out, diagnostics };
}

/**
 * Keep, for every lattice line parallel to `d` (d has components in {−1, 0, 1}), only its two
 * extreme points. Points are doubled-coordinate integer triples with 0 ≤ X < NX etc.
 */
function lineExtremes(pts: number[], d: [number, number, number], NX: number, NY: number, NZ: number): number[] {
  const n = pts.length / 3;
  // parameter along the line: the first coordinate where d is non-zero
  const pa = d[0] !== 0 ? 0 : d[1] !== 0 ? 1 : 2;
  // two invariants: c_a·d_b − c_b·d_a for the other axes b (offset to be ≥ 0)
  const others = [0, 1, 2].filter((a) => a !== pa) as [number, number];
  const N = [NX, NY, NZ];
  const b0 = others[0], b1 = others[1];
  // invariant c_b·d_pa − c_pa·d_b (d_pa = 1): in (−N_pa, N_b) when d_b = 1, [0, N_b + N_pa) when
  // d_b = −1, [0, N_b) when d_b = 0
  if (d[pa] !== 1) throw new Error('lineExtremes: the first non-zero direction component must be 1');
  const off0 = d[b0]! > 0 ? N[pa]! : 0, w0 = N[b0]! + N[pa]! + 1;
  const off1 = d[b1]! > 0 ? N[pa]! : 0, w1 = N[b1]! + N[pa]! + 1;
  const keyOf = (t: number): number => {
    const p = pts[3 * t + pa]!;
    const u = pts[3 * t + b0]! * d[pa]! - p * d[b0]! + off0;
    const v = pts[3 * t + b1]! * d[pa]! - p * d[b1]! + off1;
    return u + w0 * v;
  };
  const keys = new Int32Array(n);
  const size = w0 * w1;
  const mn = new Int32Array(size).fill(0x3fffffff);
  const mx = new Int32Array(size).fill(-1);
  for (let t = 0; t < n; t++) {
    const k = keyOf(t);
    keys[t] = k;
    const p = pts[3 * t + pa]!;
    if (p < mn[k]!) mn[k] = p;
    if (p > mx[k]!) mx[k] = p;
  }
  const out: number[] = [];
  for (let t = 0; t < n; t++) {
    const k = keys[t]!;
    const p = pts[3 * t + pa]!;
    if (p === mn[k] || p === mx[k]) out.push(pts[3 * t]!, pts[3 * t + 1]!, pts[3 * t + 2]!);
  }
  return out;
}

interface HullMeasures { volume: number; area: number; diameter: number; nVertices: number; nCandidates: number }

/**
 * Convex hull of the marching-cubes vertex set of the padded mask. Mesh vertices are the
 * midpoints between an ROI voxel and a 6-neighbour outside it; points that lie strictly between
 * two others on an axis-parallel line cannot be hull vertices and are dropped before Quickhull.
 */
export function hullCandidates(m: Uint8Array, px: number, py: number, pz: number): Float64Array {
  const pxy = px * py;
  // doubled coordinates: X in [0, 2px-2], etc. Rows keyed by (Y, Z).
  const NY = 2 * py, NZ = 2 * pz, NX = 2 * px;
  const rowMin = new Int32Array(NY * NZ).fill(1 << 30);
  const rowMax = new Int32Array(NY * NZ).fill(-1);
  // Row (Y, Z) extremes of the mesh vertices. A vertex lies midway between an ROI voxel and an
  // outside 6-neighbour: x-neighbours give (2i ± 1, 2j, 2k); y- and z-neighbours give X = 2i on
  // the rows (2j ± 1, 2k) and (2j, 2k ± 1).
  for (let k = 1; k < pz - 1; k++) for (let j = 1; j < py - 1; j++) {
    const base = px * j + pxy * k;
    const Y = 2 * j, Z = 2 * k;
    const rC = Y + NY * Z, rYm = rC - 1, rYp = rC + 1, rZm = rC - NY, rZp = rC + NY;
    for (let i = 1; i < px - 1; i++) {
      const l = base + i;
      if (!m[l]) continue;
      const X = 2 * i;
      if (!m[l - 1] && X - 1 < rowMin[rC]!) rowMin[rC] = X - 1;
      if (!m[l + 1] && X + 1 > rowMax[rC]!) rowMax[rC] = X + 1;
      if (!m[l - px]) { if (X < rowMin[rYm]!) rowMin[rYm] = X; if (X > rowMax[rYm]!) rowMax[rYm] = X; }
      if (!m[l + px]) { if (X < rowMin[rYp]!) rowMin[rYp] = X; if (X > rowMax[rYp]!) rowMax[rYp] = X; }
      if (!m[l - pxy]) { if (X < rowMin[rZm]!) rowMin[rZm] = X; if (X > rowMax[rZm]!) rowMax[rZm] = X; }
      if (!m[l + pxy]) { if (X < rowMin[rZp]!) rowMin[rZp] = X; if (X > rowMax[rZp]!) rowMax[rZp] = X; }
    }
  }
  // Stage 1: in every plane Z = const, only the vertices of the plane's 2D convex hull can be
  // 3D hull vertices. The row extremes of a plane, in (Y, X) order, feed Andrew's monotone chain
  // (collinear points dropped).
  let c1: number[] = [];
  const hy = new Int32Array(2 * NY + 2), hx = new Int32Array(2 * NY + 2);
  const chY = new Int32Array(4 * NY + 4), chX = new Int32Array(4 * NY + 4);
  for (let Z = 0; Z < NZ; Z++) {
    let m = 0;
    for (let Y = 0; Y < NY; Y++) {
      const r = Y + NY * Z;
      const lo = rowMin[r]!, hi = rowMax[r]!;
      if (hi < 0) continue;
      hy[m] = Y; hx[m++] = lo;
      if (hi !== lo) { hy[m] = Y; hx[m++] = hi; }
    }
    if (m === 0) continue;
    if (m <= 2) {
      for (let t = 0; t < m; t++) c1.push(hx[t]!, hy[t]!, Z);
      continue;
    }
    // points sorted by (Y, X): lower hull then upper hull; cross ≤ 0 pops (keeps strict turns)
    let k = 0;
    for (let t = 0; t < m; t++) {
      while (k >= 2 && (chY[k - 1]! - chY[k - 2]!) * (hx[t]! - chX[k - 2]!) - (chX[k - 1]! - chX[k - 2]!) * (hy[t]! - chY[k - 2]!) <= 0) k--;
      chY[k] = hy[t]!; chX[k++] = hx[t]!;
    }
    const lower = k + 1;
    for (let t = m - 2; t >= 0; t--) {
      while (k >= lower && (chY[k - 1]! - chY[k - 2]!) * (hx[t]! - chX[k - 2]!) - (chX[k - 1]! - chX[k - 2]!) * (hy[t]! - chY[k - 2]!) <= 0) k--;
      chY[k] = hy[t]!; chX[k++] = hx[t]!;
    }
    // the last point repeats the first
    for (let t = 0; t < k - 1; t++) c1.push(chX[t]!, chY[t]!, Z);
    if (k - 1 < 1) c1.push(hx[0]!, hy[0]!, Z);
  }
  // Further stages across planes: along every lattice direction d with a z component, a point
  // strictly between the two extreme points of its line through d cannot be a hull vertex.
  const DIRS: [number, number, number][] = [[0, 0, 1], [1, 0, 1], [1, 0, -1], [0, 1, 1], [0, 1, -1]];
  for (const d of DIRS) c1 = lineExtremes(c1, d, NX, NY, NZ);
  return Float64Array.from(c1);
}

function hullMeasures(m: Uint8Array, px: number, py: number, pz: number, sp: readonly number[]): HullMeasures {
  const pts = hullCandidates(m, px, py, pz);
  const n = pts.length / 3;
  const hull = convexHull3D(pts, n);
  const hx = sp[0]! / 2, hy = sp[1]! / 2, hz = sp[2]! / 2;
  if (!hull) return { volume: 0, area: 0, diameter: 0, nVertices: 0, nCandidates: n };
  let vol6 = 0, area2 = 0;
  const F = hull.faces;
  for (let t = 0; t < F.length; t += 3) {
    const a = F[t]!, b = F[t + 1]!, c = F[t + 2]!;
    const ax = pts[3 * a]! * hx, ay = pts[3 * a + 1]! * hy, az = pts[3 * a + 2]! * hz;
    const bx = pts[3 * b]! * hx, by = pts[3 * b + 1]! * hy, bz = pts[3 * b + 2]! * hz;
    const cx = pts[3 * c]! * hx, cy = pts[3 * c + 1]! * hy, cz = pts[3 * c + 2]! * hz;
    vol6 += ax * (by * cz - bz * cy) + ay * (bz * cx - bx * cz) + az * (bx * cy - by * cx);
    const ux = bx - ax, uy = by - ay, uz = bz - az, vx = cx - ax, vy = cy - ay, vz = cz - az;
    area2 += Math.hypot(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx);
  }
  const V = hull.vertices;
  const hv = new Float64Array(V.length * 3);
  for (let t = 0; t < V.length; t++) {
    hv[3 * t] = pts[3 * V[t]!]! * hx; hv[3 * t + 1] = pts[3 * V[t]! + 1]! * hy; hv[3 * t + 2] = pts[3 * V[t]! + 2]! * hz;
  }
  let d2 = 0;
  for (let i = 0; i < V.length; i++) {
    const xi = hv[3 * i]!, yi = hv[3 * i + 1]!, zi = hv[3 * i + 2]!;
    for (let j = i + 1; j < V.length; j++) {
      const dx = hv[3 * j]! - xi, dy = hv[3 * j + 1]! - yi, dz = hv[3 * j + 2]! - zi;
      const d = dx * dx + dy * dy + dz * dz;
      if (d > d2) d2 = d;
    }
  }
  return { volume: Math.abs(vol6) / 6, area: area2 / 2, diameter: Math.sqrt(d2), nVertices: V.length, nCandidates: n };
}
