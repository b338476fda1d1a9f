/** Small dense-geometry helpers for the morphology family (pure functions over typed arrays). */

/** Eigenvalues of a symmetric 3×3 matrix (a00,a11,a22,a01,a02,a12), descending. */
export function symmetricEigenvalues3(a00: number, a11: number, a22: number, a01: number, a02: number, a12: number): [number, number, number] {
  const p1 = a01 * a01 + a02 * a02 + a12 * a12;
  const q = (a00 + a11 + a22) / 3;
  if (p1 <= 1e-30 * (q * q + 1e-300)) {
    const e = [a00, a11, a22].sort((x, y) => y - x);
    return [e[0]!, e[1]!, e[2]!];
  }
  const p2 = (a00 - q) ** 2 + (a11 - q) ** 2 + (a22 - q) ** 2 + 2 * p1;
  const p = Math.sqrt(p2 / 6);
  const b00 = (a00 - q) / p, b11 = (a11 - q) / p, b22 = (a22 - q) / p;
  const b01 = a01 / p, b02 = a02 / p, b12 = a12 / p;
  const detB = b00 * (b11 * b22 - b12 * b12) - b01 * (b01 * b22 - b12 * b02) + b02 * (b01 * b12 - b11 * b02);
  const r = Math.max(-1, Math.min(1, detB / 2));
  const phi = Math.acos(r) / 3;
  const e1 = q + 2 * p * Math.cos(phi);
  const e3 = q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3);
  const e2 = 3 * q - e1 - e3;
  return [e1, e2, e3];
}

/**
 * Surface area of an ellipsoid with semi-axes a ≥ b ≥ c by the Legendre series IBSI uses
 * (truncated after ν = `terms`, default 20):
 * A = 4π a b Σ (αβ)^ν / (1 − 4ν²) P_ν((α² + β²) / (2αβ)), α = √(1 − b²/a²), β = √(1 − c²/a²).
 * The products (αβ)^ν P_ν(·) are evaluated by a scaled recurrence, which stays finite for αβ → 0.
 */
export function ellipsoidAreaLegendre(a: number, b: number, c: number, terms = 20): number {
  if (!(a > 0)) return 0;
  const alpha2 = Math.max(0, 1 - (b * b) / (a * a));
  const beta2 = Math.max(0, 1 - (c * c) / (a * a));
  const s = (alpha2 + beta2) / 2; // = αβ · x
  const ab2 = alpha2 * beta2; // = (αβ)²
  // Q_ν = (αβ)^ν P_ν(x): Q_0 = 1, Q_1 = s, Q_{ν+1} = ((2ν+1) s Q_ν − ν ab2 Q_{ν−1}) / (ν+1)
  let qPrev = 1;
  let qCur = s;
  let sum = 1 + qCur / (1 - 4);
  for (let nu = 1; nu < terms; nu++) {
    const qNext = ((2 * nu + 1) * s * qCur - nu * ab2 * qPrev) / (nu + 1);
    qPrev = qCur;
    qCur = qNext;
    const k = nu + 1;
    sum += qCur / (1 - 4 * k * k);
  }
  return 4 * Math.PI * a * b * sum;
}
