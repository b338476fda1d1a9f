/**
 * PyRadiomics' LoG image type: ITK's `LaplacianRecursiveGaussianImageFilter` with
 * `NormalizeAcrossScale` on (what `radiomics.imageoperations.getLoGImage` runs through SimpleITK).
 *
 * The Gaussian and its second derivative are the 4th-order recursive (IIR) approximations of
 * R. Deriche, "Recursively implementing the Gaussian and its derivatives" (INRIA RR-1893, 1993),
 * with the normalisation of G. Farnebäck & C.-F. Westin, "Improving Deriche-style recursive
 * Gaussian filters" (J. Math. Imaging Vis. 26, 2006), as ITK 5 implements them:
 *
 * - exponential-series parameters a₀…, b₀…, ω₁ = 0.6681, λ₁ = −1.3932, ω₂ = 2.0787, λ₂ = −1.3732 for
 *   orders 0 and 2; causal numerator n₀…n₃ and the shared denominator d₁…d₄ from σ in voxels,
 *   then scaled so that the discrete kernel has unit sum (order 0) or unit second moment (order 2);
 *   the 2nd-order kernel is the 2nd-order series plus β × the 0th-order one (zero DC response);
 * - anti-causal numerator m₁…m₄ = n − d·n₀ (symmetric kernels);
 * - boundary: the signal is taken as constant beyond each end (steady-state initial conditions
 *   of the causal and anti-causal recursions), lines need ≥ 4 voxels;
 * - Laplacian = Σ_d ∂²_d (2nd-order along d, 0th-order along the other axes, in axis order), each
 *   term × σ² (mm, scale normalisation) / spacing_d²; intermediate images are float32 as in ITK
 *   (`InternalRealType = float`), line arithmetic in double.
 *
 * The response is σ²∇²(G_σ * I): a bright blob gives a negative response.
 */
import { RadcamError, type Vec3 } from '@radcam/core';

/** Coefficients of one 1D recursive Gaussian pass (ITK's `RecursiveSeparableImageFilter` names). */
export interface RecursiveGaussianCoefficients {
  n0: number; n1: number; n2: number; n3: number;
  d1: number; d2: number; d3: number; d4: number;
  m1: number; m2: number; m3: number; m4: number;
  bn1: number; bn2: number; bn3: number; bn4: number;
  bm1: number; bm2: number; bm3: number; bm4: number;
}

export interface RecursiveGaussianOptions {
  /** Derivative order: 0 (smoothing) or 2. */
  order: 0 | 2;
  /** Multiply order-2 responses by σ² (Lindeberg's scale normalisation). Default false. */
  normalizeAcrossScale?: boolean;
}

const W1 = 0.6681, L1 = -1.3932, W2 = 2.0787, L2 = -1.3732;
const A1 = [1.353, -0.6724, -1.3563], B1 = [1.8151, -3.4327, 5.2318];
const A2 = [-0.3531, 0.6724, 0.3446], B2 = [0.0902, 0.61, -2.2355];

function nCoefficients(sd: number, a1: number, b1: number, a2: number, b2: number) {
  const sin1 = Math.sin(W1 / sd), sin2 = Math.sin(W2 / sd);
  const cos1 = Math.cos(W1 / sd), cos2 = Math.cos(W2 / sd);
  const e1 = Math.exp(L1 / sd), e2 = Math.exp(L2 / sd);
  const n0 = a1 + a2;
  let n1 = e2 * (b2 * sin2 - (a2 + 2 * a1) * cos2);
  n1 += e1 * (b1 * sin1 - (a1 + 2 * a2) * cos1);
  let n2 = (a1 + a2) * cos2 * cos1;
  n2 -= b1 * cos2 * sin1 + b2 * cos1 * sin2;
  n2 *= 2 * e1 * e2;
  n2 += a2 * e1 * e1 + a1 * e2 * e2;
  let n3 = e2 * e1 * e1 * (b2 * sin2 - a2 * cos2);
  n3 += e1 * e2 * e2 * (b1 * sin1 - a1 * cos1);
  return { n0, n1, n2, n3, sn: n0 + n1 + n2 + n3, dn: n1 + 2 * n2 + 3 * n3, en: n1 + 4 * n2 + 9 * n3 };
}

/**
 * Coefficients of the recursive Gaussian of standard deviation `sigmaMm` along an axis of
 * voxel size `spacingMm` (σ in voxels = σ / spacing; the scale normalisation uses σ in mm).
 */
export function recursiveGaussianCoefficients(sigmaMm: number, spacingMm: number, opts: RecursiveGaussianOptions): RecursiveGaussianCoefficients {
  if (!(sigmaMm > 0)) throw new RadcamError('E_SETTINGS', 'recursive Gaussian: sigma must be > 0', { found: String(sigmaMm) });
  const spacing = Math.abs(spacingMm);
  if (!(spacing >= 1e-8)) throw new RadcamError('E_SETTINGS', 'recursive Gaussian: spacing is suspiciously small', { found: String(spacingMm) });
  const sd = sigmaMm / spacing;
  const c1 = Math.cos(W1 / sd), c2 = Math.cos(W2 / sd);
  const e1 = Math.exp(L1 / sd), e2 = Math.exp(L2 / sd);
  const d4 = e1 * e1 * e2 * e2;
  const d3 = -2 * c1 * e1 * e2 * e2 + -2 * c2 * e2 * e1 * e1;
  const d2 = 4 * c2 * c1 * e1 * e2 + (e1 * e1 + e2 * e2);
  const d1 = -2 * (e2 * c2 + e1 * c1);
  const SD = 1 + d1 + d2 + d3 + d4;
  const DD = d1 + 2 * d2 + 3 * d3 + 4 * d4;
  const ED = d1 + 4 * d2 + 9 * d3 + 16 * d4;
  let n0: number, n1: number, n2: number, n3: number;
  if (opts.order === 0) {
    const z = nCoefficients(sd, A1[0]!, B1[0]!, A2[0]!, B2[0]!);
    const alpha0 = (2 * z.sn) / SD - z.n0;
    n0 = z.n0 / alpha0; n1 = z.n1 / alpha0; n2 = z.n2 / alpha0; n3 = z.n3 / alpha0;
  } else {
    const norm = opts.normalizeAcrossScale ? sigmaMm * sigmaMm : 1;
    const z0 = nCoefficients(sd, A1[0]!, B1[0]!, A2[0]!, B2[0]!);
    const z2 = nCoefficients(sd, A1[2]!, B1[2]!, A2[2]!, B2[2]!);
    const beta = -(2 * z2.sn - SD * z2.n0) / (2 * z0.sn - SD * z0.n0);
    n0 = z2.n0 + beta * z0.n0; n1 = z2.n1 + beta * z0.n1; n2 = z2.n2 + beta * z0.n2; n3 = z2.n3 + beta * z0.n3;
    const SN = z2.sn + beta * z0.sn, DN = z2.dn + beta * z0.dn, EN = z2.en + beta * z0.en;
    const alpha2 = (EN * SD * SD - ED * SN * SD - 2 * DN * DD * SD + 2 * DD * DD * SN) / (SD * SD * SD);
    n0 *= norm / alpha2; n1 *= norm / alpha2; n2 *= norm / alpha2; n3 *= norm / alpha2;
  }
  // symmetric kernels (orders 0 and 2)
  const m1 = n1 - d1 * n0, m2 = n2 - d2 * n0, m3 = n3 - d3 * n0, m4 = -d4 * n0;
  const SN = n0 + n1 + n2 + n3, SM = m1 + m2 + m3 + m4;
  return {
    n0, n1, n2, n3, d1, d2, d3, d4, m1, m2, m3, m4,
    bn1: (d1 * SN) / SD, bn2: (d2 * SN) / SD, bn3: (d3 * SN) / SD, bn4: (d4 * SN) / SD,
    bm1: (d1 * SM) / SD, bm2: (d2 * SM) / SD, bm3: (d3 * SM) / SD, bm4: (d4 * SM) / SD,
  };
}

/**
 * One line: causal + anti-causal recursions (ITK `FilterDataArray`), `ln` ≥ 4.
 * `outs` and `scratch` are work buffers of length ≥ ln; the result is left in `outs`.
 */
export function recursiveGaussianLine(outs: Float64Array, data: Float64Array, scratch: Float64Array, ln: number, c: RecursiveGaussianCoefficients): void {
  const { n0, n1, n2, n3, d1, d2, d3, d4, m1, m2, m3, m4 } = c;
  const v1 = data[0]!;
  outs[0] = v1 * n0 + v1 * n1 + v1 * n2 + v1 * n3;
  outs[1] = data[1]! * n0 + v1 * n1 + v1 * n2 + v1 * n3;
  outs[2] = data[2]! * n0 + data[1]! * n1 + v1 * n2 + v1 * n3;
  outs[3] = data[3]! * n0 + data[2]! * n1 + data[1]! * n2 + v1 * n3;
  outs[0] = outs[0]! - (v1 * c.bn1 + v1 * c.bn2 + v1 * c.bn3 + v1 * c.bn4);
  outs[1] = outs[1]! - (outs[0]! * d1 + v1 * c.bn2 + v1 * c.bn3 + v1 * c.bn4);
  outs[2] = outs[2]! - (outs[1]! * d1 + outs[0]! * d2 + v1 * c.bn3 + v1 * c.bn4);
  outs[3] = outs[3]! - (outs[2]! * d1 + outs[1]! * d2 + outs[0]! * d3 + v1 * c.bn4);
  let x1 = data[3]!, x2 = data[2]!, x3 = data[1]!;
  let y1 = outs[3]!, y2 = outs[2]!, y3 = outs[1]!, y4 = outs[0]!;
  for (let i = 4; i < ln; i++) {
    const x0 = data[i]!;
    const y = x0 * n0 + x1 * n1 + x2 * n2 + x3 * n3 - (y1 * d1 + y2 * d2 + y3 * d3 + y4 * d4);
    outs[i] = y;
    x3 = x2; x2 = x1; x1 = x0;
    y4 = y3; y3 = y2; y2 = y1; y1 = y;
  }
  const v2 = data[ln - 1]!;
  const s = scratch;
  s[ln - 1] = v2 * m1 + v2 * m2 + v2 * m3 + v2 * m4;
  s[ln - 2] = data[ln - 1]! * m1 + v2 * m2 + v2 * m3 + v2 * m4;
  s[ln - 3] = data[ln - 2]! * m1 + data[ln - 1]! * m2 + v2 * m3 + v2 * m4;
  s[ln - 4] = data[ln - 3]! * m1 + data[ln - 2]! * m2 + data[ln - 1]! * m3 + v2 * m4;
  s[ln - 1] = s[ln - 1]! - (v2 * c.bm1 + v2 * c.bm2 + v2 * c.bm3 + v2 * c.bm4);
  s[ln - 2] = s[ln - 2]! - (s[ln - 1]! * d1 + v2 * c.bm2 + v2 * c.bm3 + v2 * c.bm4);
  s[ln - 3] = s[ln - 3]! - (s[ln - 2]! * d1 + s[ln - 1]! * d2 + v2 * c.bm3 + v2 * c.bm4);
  s[ln - 4] = s[ln - 4]! - (s[ln - 3]! * d1 + s[ln - 2]! * d2 + s[ln - 1]! * d3 + v2 * c.bm4);
  for (let i = ln - 4; i > 0; i--) {
    s[i - 1] = data[i]! * m1 + data[i + 1]! * m2 + data[i + 2]! * m3 + data[i + 3]! * m4
      - (s[i]! * d1 + s[i + 1]! * d2 + s[i + 2]! * d3 + s[i + 3]! * d4);
  }
  for (let i = 0; i < ln; i++) outs[i] = outs[i]! + s[i]!;
}

/**
 * Filter `W` adjacent lines at once: line w starts at `base + w` and steps by `S` (`ln` samples).
 * Same arithmetic, in the same order, as `recursiveGaussianLine`, with the inner loop over the
 * contiguous columns (cache-friendly for the y and z axes). `buf` holds ln × W doubles, `ring` 4 × W.
 */
function filterColumns(
  src: ArrayLike<number>, dst: Float32Array, base: number, W: number, S: number, ln: number,
  c: RecursiveGaussianCoefficients, buf: Float64Array, ring: Float64Array,
): void {
  const { n0, n1, n2, n3, d1, d2, d3, d4, m1, m2, m3, m4, bn1, bn2, bn3, bn4, bm1, bm2, bm3, bm4 } = c;
  // causal initial conditions
  for (let w = 0; w < W; w++) {
    const p = base + w;
    const v1 = src[p]!, x1 = src[p + S]!, x2 = src[p + 2 * S]!, x3 = src[p + 3 * S]!;
    let o0 = v1 * n0 + v1 * n1 + v1 * n2 + v1 * n3;
    let o1 = x1 * n0 + v1 * n1 + v1 * n2 + v1 * n3;
    let o2 = x2 * n0 + x1 * n1 + v1 * n2 + v1 * n3;
    let o3 = x3 * n0 + x2 * n1 + x1 * n2 + v1 * n3;
    o0 = o0 - (v1 * bn1 + v1 * bn2 + v1 * bn3 + v1 * bn4);
    o1 = o1 - (o0 * d1 + v1 * bn2 + v1 * bn3 + v1 * bn4);
    o2 = o2 - (o1 * d1 + o0 * d2 + v1 * bn3 + v1 * bn4);
    o3 = o3 - (o2 * d1 + o1 * d2 + o0 * d3 + v1 * bn4);
    buf[w] = o0; buf[W + w] = o1; buf[2 * W + w] = o2; buf[3 * W + w] = o3;
  }
  for (let i = 4; i < ln; i++) {
    const r0 = base + i * S, r1 = r0 - S, r2 = r1 - S, r3 = r2 - S;
    const b0 = i * W, b1 = b0 - W, b2 = b1 - W, b3 = b2 - W, b4 = b3 - W;
    for (let w = 0; w < W; w++) {
      buf[b0 + w] = src[r0 + w]! * n0 + src[r1 + w]! * n1 + src[r2 + w]! * n2 + src[r3 + w]! * n3
        - (buf[b1 + w]! * d1 + buf[b2 + w]! * d2 + buf[b3 + w]! * d3 + buf[b4 + w]! * d4);
    }
  }
  // anti-causal: ring rows k = i mod 4 hold s[i]; output = causal + anti-causal
  const L = ln - 1;
  for (let w = 0; w < W; w++) {
    const p = base + w;
    const v2 = src[p + L * S]!, a1 = src[p + (L - 1) * S]!, a2 = src[p + (L - 2) * S]!;
    let s0 = v2 * m1 + v2 * m2 + v2 * m3 + v2 * m4; // s[L]
    let s1 = v2 * m1 + v2 * m2 + v2 * m3 + v2 * m4; // s[L-1]
    let s2 = a1 * m1 + v2 * m2 + v2 * m3 + v2 * m4; // s[L-2]
    let s3 = a2 * m1 + a1 * m2 + v2 * m3 + v2 * m4; // s[L-3]
    s0 = s0 - (v2 * bm1 + v2 * bm2 + v2 * bm3 + v2 * bm4);
    s1 = s1 - (s0 * d1 + v2 * bm2 + v2 * bm3 + v2 * bm4);
    s2 = s2 - (s1 * d1 + s0 * d2 + v2 * bm3 + v2 * bm4);
    s3 = s3 - (s2 * d1 + s1 * d2 + s0 * d3 + v2 * bm4);
    ring[(L & 3) * W + w] = s0; ring[((L - 1) & 3) * W + w] = s1; ring[((L - 2) & 3) * W + w] = s2; ring[((L - 3) & 3) * W + w] = s3;
    dst[p + L * S] = buf[L * W + w]! + s0;
    dst[p + (L - 1) * S] = buf[(L - 1) * W + w]! + s1;
    dst[p + (L - 2) * S] = buf[(L - 2) * W + w]! + s2;
    dst[p + (L - 3) * S] = buf[(L - 3) * W + w]! + s3;
  }
  for (let i = ln - 4; i > 0; i--) {
    // s[i-1] from data[i..i+3] and s[i..i+3]
    const q0 = base + i * S, q1 = q0 + S, q2 = q1 + S, q3 = q2 + S;
    const k0 = (i & 3) * W, k1 = ((i + 1) & 3) * W, k2 = ((i + 2) & 3) * W, k3 = ((i + 3) & 3) * W, kt = ((i - 1) & 3) * W;
    const bo = (i - 1) * W, o = base + (i - 1) * S;
    for (let w = 0; w < W; w++) {
      const v = src[q0 + w]! * m1 + src[q1 + w]! * m2 + src[q2 + w]! * m3 + src[q3 + w]! * m4
        - (ring[k0 + w]! * d1 + ring[k1 + w]! * d2 + ring[k2 + w]! * d3 + ring[k3 + w]! * d4);
      ring[kt + w] = v;
      dst[o + w] = buf[bo + w]! + v;
    }
  }
}

/** Filter every line of `src` along `axis` (x = 0) into `dst` (float32, as ITK's internal images). */
function filterAxis(src: ArrayLike<number>, dst: Float32Array, size: Readonly<Vec3>, axis: 0 | 1 | 2, c: RecursiveGaussianCoefficients): void {
  const [nx, ny, nz] = size;
  const ln = size[axis];
  if (axis === 0) {
    const inp = new Float64Array(ln), out = new Float64Array(ln), scr = new Float64Array(ln);
    for (let base = 0; base < nx * ny * nz; base += nx) {
      for (let i = 0; i < ln; i++) inp[i] = src[base + i]!;
      recursiveGaussianLine(out, inp, scr, ln, c);
      for (let i = 0; i < ln; i++) dst[base + i] = out[i]!;
    }
    return;
  }
  // groups of adjacent lines: axis y → the nx lines of each z plane; axis z → chunks of the x–y plane
  const S = axis === 1 ? nx : nx * ny;
  const groups: Array<[number, number]> = [];
  if (axis === 1) for (let z = 0; z < nz; z++) groups.push([z * nx * ny, nx]);
  else for (let g = 0; g < nx * ny; g += CHUNK) groups.push([g, Math.min(CHUNK, nx * ny - g)]);
  const maxW = Math.max(...groups.map((g) => g[1]));
  const buf = new Float64Array(ln * maxW), ring = new Float64Array(4 * maxW);
  for (const [base, W] of groups) filterColumns(src, dst, base, W, S, ln, c, buf, ring);
}

const CHUNK = 2048;

export interface LaplacianRecursiveGaussianOptions {
  /** σ² scale normalisation (PyRadiomics: true). Default true. */
  normalizeAcrossScale?: boolean;
}

/**
 * σ²·∇²(G_σ * I) of a 3D image (x fastest) as ITK's `LaplacianRecursiveGaussianImageFilter`
 * computes it; σ in mm, `spacing` in mm. Every axis must have ≥ 4 voxels. Returns float32.
 */
export function laplacianRecursiveGaussian(
  data: ArrayLike<number>,
  size: Readonly<Vec3>,
  spacing: Readonly<Vec3>,
  sigmaMm: number,
  opts: LaplacianRecursiveGaussianOptions = {},
): Float32Array {
  const n = size[0] * size[1] * size[2];
  if (data.length !== n) throw new RadcamError('E_SETTINGS', 'LoG: data length does not match the size', { expected: String(n), found: String(data.length) });
  for (let d = 0; d < 3; d++) {
    if (size[d]! < 4) {
      throw new RadcamError('E_IMAGE_TOO_SMALL', `recursive Gaussian needs at least 4 voxels along every axis (axis ${d} has ${size[d]})`);
    }
  }
  const normalize = opts.normalizeAcrossScale ?? true;
  const cum = new Float32Array(n);
  const a = new Float32Array(n), b = new Float32Array(n);
  for (let dim = 0 as 0 | 1 | 2; dim < 3; dim = (dim + 1) as 0 | 1 | 2) {
    filterAxis(data, a, size, dim, recursiveGaussianCoefficients(sigmaMm, spacing[dim], { order: 2, normalizeAcrossScale: normalize }));
    const others = ([0, 1, 2] as const).filter((d) => d !== dim);
    filterAxis(a, b, size, others[0]!, recursiveGaussianCoefficients(sigmaMm, spacing[others[0]!], { order: 0 }));
    filterAxis(b, a, size, others[1]!, recursiveGaussianCoefficients(sigmaMm, spacing[others[1]!], { order: 0 }));
    const inv = 1 / (spacing[dim] * spacing[dim]);
    for (let i = 0; i < n; i++) cum[i] = cum[i]! + a[i]! * inv;
  }
  return cum;
}
