import { RadcamError } from '@radcam/core';
import { centredKernel, type Kernel1D } from './convolve.js';

/** Normalised 1D Laws kernels (IBSI 2). */
export const LAWS_KERNELS: Readonly<Record<string, readonly number[]>> = {
  L3: [1, 2, 1].map((v) => v / Math.sqrt(6)),
  E3: [-1, 0, 1].map((v) => v / Math.sqrt(2)),
  S3: [-1, 2, -1].map((v) => v / Math.sqrt(6)),
  L5: [1, 4, 6, 4, 1].map((v) => v / Math.sqrt(70)),
  E5: [-1, -2, 0, 2, 1].map((v) => v / Math.sqrt(10)),
  S5: [-1, 0, 2, 0, -1].map((v) => v / Math.sqrt(6)),
  W5: [-1, 2, 0, -2, 1].map((v) => v / Math.sqrt(10)),
  R5: [1, -4, 6, -4, 1].map((v) => v / Math.sqrt(70)),
};

/** Split a Laws kernel name like `E5L5S5` into its 1D kernels (first name → x axis). */
export function parseLawsName(name: string): Kernel1D[] {
  const parts = name.toUpperCase().match(/[LESWR][35]/g) ?? [];
  if (parts.join('') !== name.toUpperCase() || parts.length < 2 || parts.length > 3) {
    throw new RadcamError('E_SETTINGS', `invalid Laws kernel "${name}"`, { expected: 'two or three of L3 E3 S3 L5 E5 S5 W5 R5, e.g. E5L5S5' });
  }
  return parts.map((p) => {
    const v = LAWS_KERNELS[p];
    if (!v) throw new RadcamError('E_SETTINGS', `unknown Laws kernel "${p}"`);
    return centredKernel(v);
  });
}

/** Decomposition low-pass filters (PyWavelets' `dec_lo`) of the supported orthogonal wavelets. */
export const WAVELET_DEC_LO: Readonly<Record<string, readonly number[]>> = {
  haar: [Math.SQRT1_2, Math.SQRT1_2],
  db1: [Math.SQRT1_2, Math.SQRT1_2],
  db2: [-0.12940952255092145, 0.22414386804185735, 0.836516303737469, 0.48296291314469025],
  db3: [0.035226291882100656, -0.08544127388224149, -0.13501102001039084, 0.4598775021193313, 0.8068915093133388, 0.3326705529509569],
  db4: [
    -0.010597401784997278, 0.032883011666982945, 0.030841381835986965, -0.18703481171888114, -0.02798376941698385,
    0.6308807679295904, 0.7148465705525415, 0.23037781330885523,
  ],
  sym2: [-0.12940952255092145, 0.22414386804185735, 0.836516303737469, 0.48296291314469025],
  coif1: [-0.01565572813546454, -0.0727326195128539, 0.38486484686420286, 0.8525720202122554, 0.3378976624578092, -0.0727326195128539],
};

/** Quadrature mirror high-pass: dec_hi[k] = (−1)^(k+1) · dec_lo[L−1−k]. */
export function waveletDecHi(lo: readonly number[]): number[] {
  const L = lo.length;
  return lo.map((_, k) => (k % 2 === 0 ? -1 : 1) * lo[L - 1 - k]!);
}

export function waveletFilters(name: string): { lo: number[]; hi: number[] } {
  const lo = WAVELET_DEC_LO[name.toLowerCase()];
  if (!lo) {
    throw new RadcamError('E_SETTINGS', `unsupported wavelet "${name}"`, { expected: Object.keys(WAVELET_DEC_LO).join(', ') });
  }
  return { lo: [...lo], hi: waveletDecHi(lo) };
}
