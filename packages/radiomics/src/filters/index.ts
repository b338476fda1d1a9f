/**
 * IBSI 2 convolutional filters: mean, Laplacian of Gaussian, Laws kernels (with energy maps and
 * rotation invariance), Gabor, separable wavelets (undecimated / à trous), the Simoncelli
 * non-separable wavelet and Riesz transforms — with the IBSI 2 boundary conditions.
 */
import { RadcamError, validateVolume, type TypedArray, type Vec3, type Volume } from '@radcam/core';
import { assertPadding, type PaddingMode } from './padding.js';
import {
  applyBank,
  applyBankRotationInvariant,
  energyMap,
  lawsBank,
  logBank,
  meanBank,
  rotationsFor,
  waveletBank,
  type Pooling,
} from './separable.js';
import { gaborFilter, gaborThetas, type ComplexResponse, type GaborPlane } from './gabor.js';
import { simoncelliFilter } from './simoncelli.js';
import { convolveSpatialFft, logKernel3D } from './riesz.js';

export type { PaddingMode } from './padding.js';
export type { Pooling } from './separable.js';
export type { GaborPlane, ComplexResponse } from './gabor.js';
export { PADDING_MODES, padIndex } from './padding.js';
export { LAWS_KERNELS, WAVELET_DEC_LO, waveletFilters } from './kernels.js';
export { fft1d, fftNd } from './fft.js';
export { rotations3D, rotations2D } from './rotations.js';

export type FilterDims = '2D' | '3D';

export type FilterSpec =
  | { filter: 'none' }
  | { filter: 'mean'; support: number; dims?: FilterDims; padding?: PaddingMode }
  | { filter: 'log'; sigmaMm: number; truncate?: number; dims?: FilterDims; padding?: PaddingMode }
  | {
      filter: 'laws';
      /** e.g. `E5L5S5` (3D: first kernel along x) or `L5S5` (2D, in-plane). */
      kernel: string;
      rotationInvariant?: boolean;
      pooling?: Pooling;
      /** Energy map over a (2δ+1) window of |response| (after pooling). */
      energyDelta?: number;
      padding?: PaddingMode;
    }
  | {
      filter: 'gabor';
      sigmaMm: number;
      lambdaMm: number;
      gamma: number;
      /** A single orientation (radians) … */
      theta?: number;
      /** … or orientations 0, Δθ, … < π, pooled (rotation invariance). */
      thetaStep?: number;
      /** `axial` (default) or the three orthogonal planes, pooled. */
      planes?: 'axial' | 'orthogonal' | GaborPlane[];
      pooling?: Pooling;
      response?: ComplexResponse;
      padding?: PaddingMode;
    }
  | {
      filter: 'wavelet';
      /** `haar`, `db2`, `db3`, `coif1`, … */
      wavelet: string;
      /** `LHL` etc.: one letter per axis x, y(, z). */
      subband: string;
      level?: number;
      rotationInvariant?: boolean;
      pooling?: Pooling;
      padding?: PaddingMode;
    }
  | { filter: 'simoncelli'; level: number; dims?: FilterDims; rieszOrder?: [number, number, number] }
  | { filter: 'riesz-log'; sigmaMm: number; truncate?: number; rieszOrder: [number, number, number]; padding?: PaddingMode };

function toFloat64(data: TypedArray): Float64Array {
  return Float64Array.from(data as ArrayLike<number>);
}

function isotropicVoxelSigma(sigmaMm: number, spacing: Readonly<Vec3>): number {
  const s = Math.max(spacing[0], spacing[1], spacing[2]);
  return sigmaMm / s;
}

/** Filter a volume; the response is float32 on the input's grid (geometry kept). */
export function applyFilter(image: Volume, spec: FilterSpec): Volume<Float32Array> {
  validateVolume(image);
  const data = toFloat64(image.data);
  const size = image.size;
  const padding = ('padding' in spec && spec.padding) || 'mirror';
  assertPadding(padding);
  let out: Float64Array;
  switch (spec.filter) {
    case 'none':
      out = data;
      break;
    case 'mean':
      out = applyBank(data, size, meanBank(spec.support, spec.dims ?? '3D'), padding);
      break;
    case 'log':
      out = applyBank(data, size, logBank(spec.sigmaMm, image.spacing, spec.dims ?? '3D', spec.truncate ?? 4), padding);
      break;
    case 'laws': {
      const bank = lawsBank(spec.kernel);
      const dims: FilterDims = bank[0]![2] ? '3D' : '2D';
      out = spec.rotationInvariant
        ? applyBankRotationInvariant(data, size, bank, padding, rotationsFor(dims), spec.pooling ?? 'max')
        : applyBank(data, size, bank, padding);
      if (spec.energyDelta !== undefined) {
        if (!Number.isInteger(spec.energyDelta) || spec.energyDelta < 0) {
          throw new RadcamError('E_SETTINGS', 'Laws energy δ must be a non-negative integer', { found: String(spec.energyDelta) });
        }
        out = energyMap(out, size, spec.energyDelta, dims, padding);
      }
      break;
    }
    case 'gabor': {
      const planes: GaborPlane[] =
        spec.planes === 'orthogonal' ? ['axial', 'coronal', 'sagittal'] : spec.planes === 'axial' || !spec.planes ? ['axial'] : spec.planes;
      let thetas: number[];
      if (spec.thetaStep !== undefined) {
        if (!(spec.thetaStep > 0)) throw new RadcamError('E_SETTINGS', 'Gabor θ step must be positive');
        thetas = gaborThetas(spec.thetaStep);
      } else thetas = [spec.theta ?? 0];
      out = gaborFilter(data, size, image.spacing, {
        sigmaMm: spec.sigmaMm,
        lambdaMm: spec.lambdaMm,
        gamma: spec.gamma,
        thetas,
        planes,
        pooling: spec.pooling ?? 'average',
        response: spec.response ?? 'modulus',
        padding,
      });
      break;
    }
    case 'wavelet': {
      const bank = waveletBank(spec.wavelet, spec.subband, spec.level ?? 1);
      const dims: FilterDims = spec.subband.length === 3 ? '3D' : '2D';
      out = spec.rotationInvariant
        ? applyBankRotationInvariant(data, size, bank, padding, rotationsFor(dims), spec.pooling ?? 'average')
        : applyBank(data, size, bank, padding);
      break;
    }
    case 'simoncelli':
      out = simoncelliFilter(data, size, spec.level, spec.dims ?? '3D', spec.rieszOrder);
      break;
    case 'riesz-log': {
      const { kernel, ksize } = logKernel3D(isotropicVoxelSigma(spec.sigmaMm, image.spacing), spec.truncate ?? 4);
      out = convolveSpatialFft(data, size, kernel, ksize, padding, spec.rieszOrder);
      break;
    }
    default:
      throw new RadcamError('E_SETTINGS', `unknown filter "${(spec as { filter: string }).filter}"`, {
        expected: 'none, mean, log, laws, gabor, wavelet, simoncelli or riesz-log',
      });
  }
  return {
    data: Float32Array.from(out),
    size: [...size] as Vec3,
    spacing: [...image.spacing] as Vec3,
    origin: [...image.origin] as Vec3,
    direction: Float64Array.from(image.direction),
  };
}

/** IBSI 2 phase-1 tests with a consensus reference map: phantom and filter configuration. */
export const IBSI2_PHASE1_TESTS: Readonly<Record<string, { phantom: string; spec: FilterSpec }>> = {
  '1.a.1': { phantom: 'checkerboard', spec: { filter: 'mean', support: 15, padding: 'constant' } },
  '1.a.2': { phantom: 'checkerboard', spec: { filter: 'mean', support: 15, padding: 'nearest' } },
  '1.a.3': { phantom: 'checkerboard', spec: { filter: 'mean', support: 15, padding: 'periodic' } },
  '1.a.4': { phantom: 'checkerboard', spec: { filter: 'mean', support: 15, padding: 'mirror' } },
  '1.b.1': { phantom: 'impulse', spec: { filter: 'mean', support: 15, dims: '2D', padding: 'constant' } },
  '2.a': { phantom: 'impulse', spec: { filter: 'log', sigmaMm: 3, truncate: 4, padding: 'constant' } },
  '2.b': { phantom: 'checkerboard', spec: { filter: 'log', sigmaMm: 5, truncate: 4, padding: 'mirror' } },
  '2.c': { phantom: 'checkerboard', spec: { filter: 'log', sigmaMm: 5, truncate: 4, dims: '2D', padding: 'mirror' } },
  '3.a.1': { phantom: 'impulse', spec: { filter: 'laws', kernel: 'E5L5S5', padding: 'constant' } },
  '3.a.2': { phantom: 'impulse', spec: { filter: 'laws', kernel: 'E5L5S5', rotationInvariant: true, pooling: 'max', padding: 'constant' } },
  '3.a.3': {
    phantom: 'impulse',
    spec: { filter: 'laws', kernel: 'E5L5S5', rotationInvariant: true, pooling: 'max', energyDelta: 7, padding: 'constant' },
  },
  '3.b.1': { phantom: 'checkerboard', spec: { filter: 'laws', kernel: 'E3W5R5', padding: 'mirror' } },
  '3.b.2': { phantom: 'checkerboard', spec: { filter: 'laws', kernel: 'E3W5R5', rotationInvariant: true, pooling: 'max', padding: 'mirror' } },
  '3.b.3': {
    phantom: 'checkerboard',
    spec: { filter: 'laws', kernel: 'E3W5R5', rotationInvariant: true, pooling: 'max', energyDelta: 7, padding: 'mirror' },
  },
  '3.c.1': { phantom: 'checkerboard', spec: { filter: 'laws', kernel: 'L5S5', padding: 'mirror' } },
  '3.c.2': { phantom: 'checkerboard', spec: { filter: 'laws', kernel: 'L5S5', rotationInvariant: true, pooling: 'max', padding: 'mirror' } },
  '3.c.3': {
    phantom: 'checkerboard',
    spec: { filter: 'laws', kernel: 'L5S5', rotationInvariant: true, pooling: 'max', energyDelta: 7, padding: 'mirror' },
  },
  '4.a.1': { phantom: 'impulse', spec: { filter: 'gabor', sigmaMm: 10, lambdaMm: 4, gamma: 0.5, theta: Math.PI / 3, padding: 'constant' } },
  '4.a.2': {
    phantom: 'impulse',
    spec: { filter: 'gabor', sigmaMm: 10, lambdaMm: 4, gamma: 0.5, thetaStep: Math.PI / 4, planes: 'orthogonal', padding: 'constant' },
  },
  '4.b.1': { phantom: 'sphere', spec: { filter: 'gabor', sigmaMm: 20, lambdaMm: 8, gamma: 2.5, theta: (5 * Math.PI) / 4, padding: 'mirror' } },
  '4.b.2': {
    phantom: 'sphere',
    spec: { filter: 'gabor', sigmaMm: 20, lambdaMm: 8, gamma: 2.5, thetaStep: Math.PI / 8, planes: 'orthogonal', padding: 'mirror' },
  },
  '5.a.1': { phantom: 'impulse', spec: { filter: 'wavelet', wavelet: 'db2', subband: 'LHL', level: 1, padding: 'constant' } },
  '5.a.2': {
    phantom: 'impulse',
    spec: { filter: 'wavelet', wavelet: 'db2', subband: 'LHL', level: 1, rotationInvariant: true, pooling: 'average', padding: 'constant' },
  },
  '6.a.1': { phantom: 'sphere', spec: { filter: 'wavelet', wavelet: 'coif1', subband: 'HHL', level: 1, padding: 'periodic' } },
  '6.a.2': {
    phantom: 'sphere',
    spec: { filter: 'wavelet', wavelet: 'coif1', subband: 'HHL', level: 1, rotationInvariant: true, pooling: 'average', padding: 'periodic' },
  },
  '7.a.1': {
    phantom: 'checkerboard',
    spec: { filter: 'wavelet', wavelet: 'haar', subband: 'LLL', level: 2, rotationInvariant: true, pooling: 'average', padding: 'mirror' },
  },
  '7.a.2': {
    phantom: 'checkerboard',
    spec: { filter: 'wavelet', wavelet: 'haar', subband: 'HHH', level: 2, rotationInvariant: true, pooling: 'average', padding: 'mirror' },
  },
  '8.a.1': { phantom: 'checkerboard', spec: { filter: 'simoncelli', level: 1 } },
  '8.a.2': { phantom: 'checkerboard', spec: { filter: 'simoncelli', level: 2 } },
  '8.a.3': { phantom: 'checkerboard', spec: { filter: 'simoncelli', level: 3 } },
  '9.a': { phantom: 'impulse', spec: { filter: 'riesz-log', sigmaMm: 3, rieszOrder: [1, 0, 0], padding: 'constant' } },
  '9.b.1': { phantom: 'sphere', spec: { filter: 'riesz-log', sigmaMm: 3, rieszOrder: [0, 2, 0], padding: 'constant' } },
  '10.b.1': { phantom: 'pattern_1', spec: { filter: 'simoncelli', level: 1, rieszOrder: [0, 2, 0] } },
};

/** Filter configuration of an IBSI 2 phase-1 test id (`1.a.1`, `3.b.2`, …); typed error otherwise. */
export function ibsi2Test(id: string): { phantom: string; spec: FilterSpec } {
  const t = IBSI2_PHASE1_TESTS[id];
  if (!t) {
    throw new RadcamError('E_SETTINGS', `unknown IBSI 2 phase-1 test "${id}"`, {
      expected: Object.keys(IBSI2_PHASE1_TESTS).join(', '),
    });
  }
  return t;
}
