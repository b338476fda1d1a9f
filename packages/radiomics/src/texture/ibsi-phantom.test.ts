/**
 * Every digital-phantom reference value of the six texture families in
 * ../shared/ibsi/ibsi1/reference_values/ibsi1_digital_phantom_reference_values.csv must pass the
 * IBSI rule (|x − ref| ≤ tol, or equal after rounding to 3 significant digits when tol = 0).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createExtractionContext } from '@radcam/core';
import { ibsiPasses, parseCsv, sharedPath } from '@radcam/core/testing';
import { textureExtractors } from './index.js';
import { loadPhantom } from './phantom.testutil.js';

const PREFIX_TO_FAMILY: Record<string, string> = { cm: 'glcm', rlm: 'glrlm', szm: 'glszm', dzm: 'gldzm', ngt: 'ngtdm', ngl: 'ngldm' };
const EXPECTED_COUNTS: Record<string, number> = { glcm: 150, glrlm: 96, glszm: 48, gldzm: 48, ngtdm: 15, ngldm: 51 };

describe('IBSI-1 digital phantom: texture reference values', () => {
  const rows = parseCsv(readFileSync(sharedPath('ibsi', 'ibsi1', 'reference_values', 'ibsi1_digital_phantom_reference_values.csv'), 'utf8'))
    .filter((r) => r.dataset === 'digital_phantom' && PREFIX_TO_FAMILY[r.feature_tag!.split('_')[0]!] !== undefined);
  const { image, mask } = loadPhantom();
  // Digital phantom settings: no discretisation (intensities are the grey levels), δ = 1, α = 0, symmetric GLCM.
  const features: Record<string, number> = {};
  for (const ex of textureExtractors) {
    const ctx = createExtractionContext(image, mask);
    Object.assign(features, ex.extract(ctx, { distance: 1, symmetric: true, ngldmAlpha: 0 }).features);
  }

  it('has 408 reference rows for the six families and produces every tag', () => {
    expect(rows.length).toBe(408);
    const missing = rows.map((r) => r.feature_tag!).filter((t) => !(t in features));
    expect(missing).toEqual([]);
  });

  for (const [family, expected] of Object.entries(EXPECTED_COUNTS)) {
    it(`${family}: all ${expected} reference values pass`, () => {
      const fam = rows.filter((r) => PREFIX_TO_FAMILY[r.feature_tag!.split('_')[0]!] === family);
      expect(fam.length).toBe(expected);
      const failures = fam
        .filter((r) => !ibsiPasses(features[r.feature_tag!]!, Number(r.reference_value), Number(r.tolerance || 0)))
        .map((r) => `${r.feature_tag}: got ${features[r.feature_tag!]}, ref ${r.reference_value} ± ${r.tolerance}`);
      expect(failures).toEqual([]);
    });
  }
});
