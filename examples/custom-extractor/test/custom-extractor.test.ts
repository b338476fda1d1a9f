import { describe, expect, it } from 'vitest';
import { createVolume, extractorRegistry } from '@radcam/core';
import { extractFeatures } from '@radcam/radiomics';
import { describeExtractorConformance } from '@radcam/radiomics/conformance';
import { edgeContrast, edgeContrastExtractor } from '../src/extractor.js';

const size: [number, number, number] = [6, 5, 4];
const n = size[0] * size[1] * size[2];
const img = Float32Array.from({ length: n }, (_, l) => (l * 7919) % 23);
const msk = Uint8Array.from({ length: n }, (_, l) => {
  const i = l % 6, j = Math.floor(l / 6) % 5, k = Math.floor(l / 30);
  return i > 0 && i < 5 && j > 0 && j < 4 && k > 0 && k < 3 ? 1 : 0;
});
const image = createVolume(img, size, { spacing: [1, 1, 2] });
const mask = createVolume(msk, size, { spacing: [1, 1, 2] });

describeExtractorConformance(edgeContrastExtractor, { image, mask });

describe('acme/edge-contrast', () => {
  it('hand-computed values on a 1×1×2 ROI of intensities 3 and 7', () => {
    // Two ROI voxels, each with one ROI neighbour at |7 − 3| = 4; both on the border.
    const r = edgeContrast([3, 7], [1, 1], [1, 1, 2]);
    expect(r).toEqual({ meanContrast: 4, maxContrast: 4, borderFraction: 1 });
  });

  it('is used by extractFeatures next to IBSI families when registered', () => {
    const dispose = extractorRegistry.register(edgeContrastExtractor);
    try {
      const r = extractFeatures(image, mask, { families: ['intensity_statistics'], extractorIds: ['acme/edge-contrast'] });
      expect(Object.keys(r.features)).toContain('acme_edge_mean_contrast');
      expect(Object.keys(r.features)).toContain('stat_mean');
    } finally {
      dispose();
    }
    expect(extractorRegistry.has('acme/edge-contrast')).toBe(false);
  });

  it('explicit extractors beat the registry and built-ins', () => {
    const r = extractFeatures(image, mask, { extractors: [edgeContrastExtractor] });
    expect(Object.keys(r.features)).toEqual(edgeContrastExtractor.featureNames());
  });
});
