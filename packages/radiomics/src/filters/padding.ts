import { RadcamError } from '@radcam/core';

/**
 * IBSI 2 boundary conditions: `constant` (zero padding), `nearest` (edge value repeated),
 * `periodic` (wrap around) and `mirror` (symmetric: the edge voxel is repeated, … 1 0 | 0 1 …).
 */
export type PaddingMode = 'constant' | 'nearest' | 'periodic' | 'mirror';

export const PADDING_MODES: readonly PaddingMode[] = ['constant', 'nearest', 'periodic', 'mirror'];

export function assertPadding(mode: string): asserts mode is PaddingMode {
  if (!(PADDING_MODES as readonly string[]).includes(mode)) {
    throw new RadcamError('E_SETTINGS', `unknown padding mode "${mode}"`, { expected: PADDING_MODES.join(', ') });
  }
}

/** Source index for (possibly out-of-range) index `i` on a line of length `n`; −1 means "zero". */
export function padIndex(i: number, n: number, mode: PaddingMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case 'constant':
      return -1;
    case 'nearest':
      return i < 0 ? 0 : n - 1;
    case 'periodic':
      return ((i % n) + n) % n;
    case 'mirror': {
      const period = 2 * n;
      let m = ((i % period) + period) % period;
      if (m >= n) m = period - 1 - m;
      return m;
    }
  }
}
