/**
 * Runnable example: register `acme/edge-contrast`, then extract it together with two IBSI
 * families on a synthetic image. Run: `pnpm --filter @radcam-examples/custom-extractor start`.
 */
import { createVolume, extractorRegistry } from '@radcam/core';
import { extractFeatures } from '@radcam/radiomics';
import { edgeContrastExtractor } from './extractor.js';

const size: [number, number, number] = [16, 16, 8];
const n = size[0] * size[1] * size[2];
const img = new Float32Array(n);
const msk = new Uint8Array(n);
for (let k = 0; k < size[2]; k++) for (let j = 0; j < size[1]; j++) for (let i = 0; i < size[0]; i++) {
  const l = i + size[0] * (j + size[1] * k);
  const r2 = (i - 7.5) ** 2 + (j - 7.5) ** 2 + ((k - 3.5) * 2) ** 2;
  msk[l] = r2 < 36 ? 1 : 0;
  img[l] = 100 + 10 * Math.sin(i) * Math.cos(j) + k;
}
const image = createVolume(img, size, { spacing: [1, 1, 2] });
const mask = createVolume(msk, size, { spacing: [1, 1, 2] });

const dispose = extractorRegistry.register(edgeContrastExtractor);
try {
  const { features } = extractFeatures(image, mask, {
    families: ['morphology', 'intensity_statistics'],
    extractorIds: ['acme/edge-contrast'],
  });
  for (const k of ['morph_volume', 'stat_mean', 'acme_edge_mean_contrast', 'acme_edge_border_fraction']) console.log(k, features[k]);
} finally {
  dispose();
}
