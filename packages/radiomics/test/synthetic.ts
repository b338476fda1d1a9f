import { createRng, createVolume, type Mask, type Volume } from '@radcam/core';

/** A small CT-like test case: an ellipsoidal blob with noisy intensities in a noisy background. */
export function syntheticCase(size: [number, number, number] = [14, 12, 8], spacing: [number, number, number] = [1, 1.2, 2], seed = 7): { image: Volume<Float32Array>; mask: Mask } {
  const [nx, ny, nz] = size;
  const rng = createRng(seed);
  const img = new Float32Array(nx * ny * nz);
  const msk = new Uint8Array(nx * ny * nz);
  const cx = (nx - 1) / 2, cy = (ny - 1) / 2, cz = (nz - 1) / 2;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const l = i + nx * (j + ny * k);
    const r = ((i - cx) / (nx * 0.35)) ** 2 + ((j - cy) / (ny * 0.3)) ** 2 + ((k - cz) / (nz * 0.4)) ** 2;
    const inside = r <= 1;
    msk[l] = inside ? 1 : 0;
    img[l] = Math.round((inside ? 40 + 30 * Math.sin(i * 0.7) * Math.cos(j * 0.5) : -80) + 15 * rng.normal());
  }
  return { image: createVolume(img, size, { spacing }), mask: createVolume(msk, size, { spacing }) };
}
