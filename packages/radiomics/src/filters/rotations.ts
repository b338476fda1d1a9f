import type { Kernel1D } from './convolve.js';
import { reverseKernel } from './convolve.js';

/** A proper rotation of the voxel grid by right angles: input axis j → output axis perm[j], sign sign[j]. */
export interface RightAngleRotation {
  perm: [number, number, number];
  sign: [number, number, number];
}

function permParity(p: readonly number[]): number {
  let parity = 1;
  const a = [...p];
  for (let i = 0; i < a.length; i++) {
    while (a[i] !== i) {
      const j = a[i]!;
      [a[i], a[j]] = [a[j]!, a[i]!];
      parity = -parity;
    }
  }
  return parity;
}

/** The 24 proper right-angle rotations of 3D space (identity first). */
export function rotations3D(): RightAngleRotation[] {
  const perms: [number, number, number][] = [
    [0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0],
  ];
  const out: RightAngleRotation[] = [];
  for (const perm of perms) {
    const par = permParity(perm);
    for (let s = 0; s < 8; s++) {
      const sign: [number, number, number] = [s & 1 ? -1 : 1, s & 2 ? -1 : 1, s & 4 ? -1 : 1];
      if (sign[0] * sign[1] * sign[2] * par === 1) out.push({ perm, sign });
    }
  }
  return out;
}

/** The 4 in-plane (x–y) rotations by multiples of 90°, identity first; z untouched. */
export function rotations2D(): RightAngleRotation[] {
  return [
    { perm: [0, 1, 2], sign: [1, 1, 1] },
    { perm: [1, 0, 2], sign: [1, -1, 1] },
    { perm: [0, 1, 2], sign: [-1, -1, 1] },
    { perm: [1, 0, 2], sign: [-1, 1, 1] },
  ];
}

/**
 * Rotate a separable kernel set (one 1D kernel or null per axis): the kernel of input axis j moves
 * to axis perm[j], reversed when sign[j] = −1.
 */
export function rotateSeparable(kernels: readonly (Kernel1D | null)[], rot: RightAngleRotation): (Kernel1D | null)[] {
  const out: (Kernel1D | null)[] = [null, null, null];
  for (let j = 0; j < 3; j++) {
    const k = kernels[j] ?? null;
    out[rot.perm[j]!] = k && rot.sign[j] === -1 ? reverseKernel(k) : k;
  }
  return out;
}
