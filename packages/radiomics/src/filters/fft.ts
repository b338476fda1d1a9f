/**
 * Complex FFTs over Float64Arrays (separate real and imaginary parts): iterative radix-2 for
 * power-of-two lengths, Bluestein's chirp-z algorithm for any other length. Unnormalised forward
 * transform; the inverse divides by n (numpy's convention).
 */

/** Twiddle factors and bit-reversal permutation of a power-of-two FFT length. */
export interface FftPlan {
  cos: Float64Array;
  sin: Float64Array;
  rev: Uint32Array;
}

const twiddleCache = new Map<number, FftPlan>();

/** The (cached) radix-2 plan for a power-of-two length `n`. */
export function fftPlan(n: number): FftPlan {
  let p = twiddleCache.get(n);
  if (p) return p;
  const cos = new Float64Array(Math.max(1, n / 2));
  const sin = new Float64Array(Math.max(1, n / 2));
  for (let i = 0; i < n / 2; i++) {
    cos[i] = Math.cos((2 * Math.PI * i) / n);
    sin[i] = Math.sin((2 * Math.PI * i) / n);
  }
  const bits = Math.round(Math.log2(n));
  const rev = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    rev[i] = r;
  }
  p = { cos, sin, rev };
  twiddleCache.set(n, p);
  return p;
}

export const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;
export const nextPowerOfTwo = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

function radix2(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  if (n <= 1) return;
  const { cos, sin, rev } = fftPlan(n);
  for (let i = 0; i < n; i++) {
    const j = rev[i]!;
    if (j > i) {
      let t = re[i]!;
      re[i] = re[j]!;
      re[j] = t;
      t = im[i]!;
      im[i] = im[j]!;
      im[j] = t;
    }
  }
  const sign = inverse ? 1 : -1;
  for (let size = 2; size <= n; size *= 2) {
    const half = size / 2;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const c = cos[k * step]!;
        const s = sign * sin[k * step]!;
        const a = start + k;
        const b = a + half;
        const tr = re[b]! * c - im[b]! * s;
        const ti = re[b]! * s + im[b]! * c;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
    }
  }
}

const chirpCache = new Map<string, { wr: Float64Array; wi: Float64Array; br: Float64Array; bi: Float64Array; m: number; ar: Float64Array; ai: Float64Array }>();

function chirp(n: number, inverse: boolean) {
  const key = `${n}:${inverse ? 1 : 0}`;
  let c = chirpCache.get(key);
  if (c) return c;
  const m = nextPowerOfTwo(2 * n - 1);
  const sign = inverse ? 1 : -1;
  const wr = new Float64Array(n);
  const wi = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const ang = (sign * Math.PI * ((k * k) % (2 * n))) / n;
    wr[k] = Math.cos(ang);
    wi[k] = Math.sin(ang);
  }
  const br = new Float64Array(m), bi = new Float64Array(m);
  br[0] = wr[0]!;
  bi[0] = -wi[0]!;
  for (let k = 1; k < n; k++) {
    br[k] = br[m - k] = wr[k]!;
    bi[k] = bi[m - k] = -wi[k]!;
  }
  radix2(br, bi, false);
  // scratch buffers reused by every transform of this length (single-threaded)
  c = { wr, wi, br, bi, m, ar: new Float64Array(m), ai: new Float64Array(m) };
  if (chirpCache.size > 64) chirpCache.clear();
  chirpCache.set(key, c);
  return c;
}

function bluestein(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  const { wr, wi, br, bi, m, ar, ai } = chirp(n, inverse);
  ar.fill(0, n);
  ai.fill(0, n);
  for (let k = 0; k < n; k++) {
    ar[k] = re[k]! * wr[k]! - im[k]! * wi[k]!;
    ai[k] = re[k]! * wi[k]! + im[k]! * wr[k]!;
  }
  radix2(ar, ai, false);
  for (let k = 0; k < m; k++) {
    const r = ar[k]! * br[k]! - ai[k]! * bi[k]!;
    const i = ar[k]! * bi[k]! + ai[k]! * br[k]!;
    ar[k] = r;
    ai[k] = i;
  }
  radix2(ar, ai, true);
  for (let k = 0; k < n; k++) {
    const r = ar[k]! / m, i = ai[k]! / m;
    re[k] = r * wr[k]! - i * wi[k]!;
    im[k] = r * wi[k]! + i * wr[k]!;
  }
}

/** In-place 1D complex FFT (inverse divides by n). */
export function fft1d(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (isPowerOfTwo(n)) radix2(re, im, inverse);
  else bluestein(re, im, inverse);
  if (inverse) {
    for (let i = 0; i < n; i++) {
      re[i] = re[i]! / n;
      im[i] = im[i]! / n;
    }
  }
}

/** In-place n-D FFT over an x-fastest array of shape `size` (1, 2 or 3 axes; size-1 axes skipped). */
export function fftNd(re: Float64Array, im: Float64Array, size: readonly number[], inverse = false): void {
  const dims = size.length;
  const total = size.reduce((a, b) => a * b, 1);
  let stride = 1;
  for (let a = 0; a < dims; a++) {
    const n = size[a]!;
    if (n > 1) {
      const lr = new Float64Array(n), li = new Float64Array(n);
      const outer = total / (n * stride);
      for (let o = 0; o < outer; o++) {
        for (let s = 0; s < stride; s++) {
          const base = o * n * stride + s;
          for (let i = 0; i < n; i++) {
            lr[i] = re[base + i * stride]!;
            li[i] = im[base + i * stride]!;
          }
          fft1d(lr, li, inverse);
          for (let i = 0; i < n; i++) {
            re[base + i * stride] = lr[i]!;
            im[base + i * stride] = li[i]!;
          }
        }
      }
    }
    stride *= n;
  }
}
