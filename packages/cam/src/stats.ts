import { RadcamError } from '@radcam/core';

type Num = ArrayLike<number>;

/** Pearson correlation. Two constant inputs: 1 when equal, else 0 (instead of NaN). */
export function pearson(a: Num, b: Num): number {
  const n = a.length;
  if (n !== b.length) throw new RadcamError('E_INVALID_ARGUMENT', 'correlation of arrays of different lengths', { found: `${n} vs ${b.length}` });
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) {
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return 0;
    return 1;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Ranks 1…n, ties get their average rank. */
export function ranks(a: Num): Float64Array {
  const n = a.length;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((x, y) => a[x]! - a[y]!);
  const r = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && a[idx[j + 1]!] === a[idx[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) r[idx[t]!] = avg;
    i = j + 1;
  }
  return r;
}

/** Spearman rank correlation (Pearson of average ranks). */
export function spearman(a: Num, b: Num): number {
  return pearson(ranks(a), ranks(b));
}

/** Percentile (0–100) with linear interpolation between order statistics (numpy's default). */
export function percentile(values: Num, p: number): number {
  if (values.length === 0) throw new RadcamError('E_EMPTY_ROI', 'percentile of no values');
  if (!(p >= 0 && p <= 100)) throw new RadcamError('E_INVALID_ARGUMENT', 'percentile must be in [0, 100]', { found: `${p}` });
  const s = Float64Array.from(values).sort();
  const h = ((s.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

/**
 * Otsu's threshold on a 256-bin histogram between min and max: maximises the between-class
 * variance; returns the upper edge of the last bin of the lower class (values > threshold form
 * the upper class). A constant input returns its value.
 */
export function otsuThreshold(values: Num, bins = 256): number {
  const n = values.length;
  if (n === 0) throw new RadcamError('E_EMPTY_ROI', 'Otsu threshold of no values');
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) return lo;
  const hist = new Float64Array(bins);
  const w = (hi - lo) / bins;
  for (let i = 0; i < n; i++) hist[Math.min(bins - 1, Math.floor((values[i]! - lo) / w))]!++;
  let total = 0;
  for (let b = 0; b < bins; b++) total += b * hist[b]!;
  let w0 = 0;
  let s0 = 0;
  let best = -1;
  let bestB = 0;
  for (let b = 0; b < bins - 1; b++) {
    w0 += hist[b]!;
    s0 += b * hist[b]!;
    const w1 = n - w0;
    if (w0 === 0 || w1 === 0) continue;
    const m0 = s0 / w0;
    const m1 = (total - s0) / w1;
    const between = w0 * w1 * (m0 - m1) * (m0 - m1);
    if (between > best) {
      best = between;
      bestB = b;
    }
  }
  return lo + (bestB + 1) * w;
}

/**
 * Area under the ROC curve of `scores` as a classifier of `labels` (non-zero = positive), by the
 * Mann–Whitney statistic with ties counted ½. NaN when one class is empty.
 */
export function rocAuc(scores: Num, labels: Num): number {
  const n = scores.length;
  const r = ranks(scores);
  let nPos = 0;
  let sumPos = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== 0) {
      nPos++;
      sumPos += r[i]!;
    }
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (sumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Trapezoidal area under y(x). */
export function trapezoid(x: Num, y: Num): number {
  let a = 0;
  for (let i = 1; i < x.length; i++) a += ((x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!)) / 2;
  return a;
}
