/**
 * IBSI 2 phase 2 (filtered-image features of the IBSI 1 CT phantom), transcribed from
 * `../shared/ibsi/ibsi2/ibsi2_phase2_configurations.csv`: configuration A = 2D slice-wise
 * filtering without interpolation, B = 3D after 1 mm isotropic tricubic-spline interpolation
 * (intensities rounded, mask trilinear ≥ 0.5); both re-segment to [−1000, 400] HU and use mirror
 * padding; the 18 intensity statistics are computed on the response inside the re-segmented ROI.
 */
import { RadcamError } from '@radcam/core';
import type { ProcessingSettings } from '../processing/process.js';
import type { ImageTypeSpec } from './image-type.js';

export interface Ibsi2Phase2Config {
  id: string;
  dims: '2D' | '3D';
  processing: ProcessingSettings;
  imageType: ImageTypeSpec;
}

const PROCESSING_A: ProcessingSettings = { roundInitial: true, resegmentRange: [-1000, 400] };
const PROCESSING_B: ProcessingSettings = {
  roundInitial: true,
  resample: { spacing: [1, 1, 1], interpolator: 'bspline', roundIntensities: true, maskInterpolator: 'linear', partialVolumeThreshold: 0.5 },
  resegmentRange: [-1000, 400],
};

function filters(d: '2D' | '3D'): ImageTypeSpec[] {
  const dims = d;
  const pad = 'mirror' as const;
  return [
    'original',
    { filter: 'mean', support: 5, dims, padding: pad },
    { filter: 'log', sigmaMm: 1.5, truncate: 4, dims, padding: pad },
    { filter: 'laws', kernel: d === '2D' ? 'L5E5' : 'L5E5E5', rotationInvariant: true, pooling: 'max', energyDelta: 7, padding: pad },
    {
      filter: 'gabor', sigmaMm: 5, lambdaMm: 2, gamma: 1.5, thetaStep: Math.PI / 8,
      planes: d === '2D' ? 'axial' : 'orthogonal', pooling: 'average', response: 'modulus', padding: pad,
    },
    { filter: 'wavelet', wavelet: 'db3', subband: d === '2D' ? 'LH' : 'LLH', level: 1, rotationInvariant: true, pooling: 'average', padding: pad },
    { filter: 'wavelet', wavelet: 'db3', subband: d === '2D' ? 'HH' : 'HHH', level: 2, rotationInvariant: true, pooling: 'average', padding: pad },
    { filter: 'simoncelli', level: 1, dims },
    { filter: 'simoncelli', level: 2, dims },
  ];
}

/** The 18 phase-2 configurations `1.A` … `9.B`. */
export const IBSI2_PHASE2_CONFIGS: Readonly<Record<string, Ibsi2Phase2Config>> = (() => {
  const out: Record<string, Ibsi2Phase2Config> = {};
  for (const d of ['2D', '3D'] as const) {
    filters(d).forEach((imageType, i) => {
      const id = `${i + 1}.${d === '2D' ? 'A' : 'B'}`;
      out[id] = { id, dims: d, processing: d === '2D' ? PROCESSING_A : PROCESSING_B, imageType };
    });
  }
  return out;
})();

/** A phase-2 configuration by id (`3.B`); typed error otherwise. */
export function ibsi2Phase2Config(id: string): Ibsi2Phase2Config {
  const c = IBSI2_PHASE2_CONFIGS[id.toUpperCase()];
  if (!c) throw new RadcamError('E_SETTINGS', `unknown IBSI 2 phase-2 configuration "${id}"`, { expected: Object.keys(IBSI2_PHASE2_CONFIGS).join(', ') });
  return c;
}
