/**
 * Small numeric helpers that reproduce numpy's behaviour where PyRadiomics relies on it
 * (floor-modulo, `arange`, `digitize`, `percentile` with linear interpolation) plus a dense
 * symmetric eigen-solver (Householder tridiagonalisation + implicit QL) for GLCM's MCC.
 */

/** numpy's `spacing(1)` (machine epsilon), the ε PyRadiomics adds inside its logarithms. */
export const EPS = 2.220446049250313e-16;

/** numpy / Python floor-modulo (`a % b`, result has the sign of `b`). */
export function pyMod(a: number, b: number): number {
  let m = a % b;
  if (m !== 0 && (b < 0) !== (m < 0)) m += b;
  return m;
}

/** numpy `digitize(x, edges)` for increasing edges (right=False): i with edges[i-1] ≤ x < edges[i]. */
export function digitize(x: number, edges: Float64Array): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** numpy `percentile(a, q)` (method "linear") of an ascending-sorted array. */
export function percentileSortedNp(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = (q / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(n - 1, lo + 1);
  const t = rank - lo;
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  // numpy's lerp: a + (b-a)·t, evaluated from the nearer end for t ≥ 0.5
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

/**
 * Eigenvalues (ascending) of a dense symmetric n×n matrix `a` (row-major, destroyed).
 * Householder reduction to tridiagonal form followed by the implicit QL algorithm.
 */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return d;
  // tred2 without accumulating transformations
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1;
    let h = 0;
    let scale = 0;
    if (l > 0) {
      for (let k = 0; k <= l; k++) scale += Math.abs(a[i * n + k]!);
      if (scale === 0) {
        e[i] = a[i * n + l]!;
      } else {
        for (let k = 0; k <= l; k++) {
          a[i * n + k]! /= scale;
          h += a[i * n + k]! * a[i * n + k]!;
        }
        let f = a[i * n + l]!;
        const g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        a[i * n + l] = f - g;
        f = 0;
        for (let j = 0; j <= l; j++) {
          let gg = 0;
          for (let k = 0; k <= j; k++) gg += a[j * n + k]! * a[i * n + k]!;
          for (let k = j + 1; k <= l; k++) gg += a[k * n + j]! * a[i * n + k]!;
          e[j] = gg / h;
          f += e[j]! * a[i * n + j]!;
        }
        const hh = f / (h + h);
        for (let j = 0; j <= l; j++) {
          const ff = a[i * n + j]!;
          const g2 = e[j]! - hh * ff;
          e[j] = g2;
          for (let k = 0; k <= j; k++) a[j * n + k]! -= ff * e[k]! + g2 * a[i * n + k]!;
        }
      }
    } else {
      e[i] = a[i * n + l]!;
    }
    d[i] = h;
  }
  for (let i = 0; i < n; i++) d[i] = a[i * n + i]!;
  // tqli
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        if (Math.abs(e[m]!) <= 1e-15 * dd) break;
      }
      if (m !== l) {
        if (iter++ === 60) break;
        let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
        let r = Math.hypot(g, 1);
        g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
        let s = 1;
        let c = 1;
        let p = 0;
        let i: number;
        for (i = m - 1; i >= l; i--) {
          let f = s * e[i]!;
          const b = c * e[i]!;
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1]! -= p;
            e[m] = 0;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1]! - p;
          r = (d[i]! - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
          f = 0;
        }
        if (r === 0 && i >= l) continue;
        d[l]! -= p;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
  return d.sort();
}
