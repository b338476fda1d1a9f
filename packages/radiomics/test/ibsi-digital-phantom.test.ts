/**
 * Every `status = reference` row of the IBSI 1 digital-phantom reference CSV
 * (../shared/ibsi/ibsi1/reference_values) is checked with the IBSI rule (`ibsiPasses`).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ibsiPasses, parseCsv } from '@radcam/core/testing';
import { extractFeatures, IBSI_FAMILIES } from '../src/index.js';
import { loadDigitalPhantom, phantomFromReadme, REFERENCE_CSV } from './phantom.js';

interface Row { feature_tag: string; family: string; reference_value: string; tolerance: string; status: string }

const csvRows = parseCsv(readFileSync(REFERENCE_CSV(), 'utf8')) as unknown as Row[];
const tableRows = (): Row[] => csvRows;

describe('IBSI 1 digital phantom', () => {
  const phantom = loadDigitalPhantom();

  it('reads the phantom as printed in ../shared/ibsi/README.md (5×4×4, 2 mm, 74 ROI voxels)', () => {
    const readme = phantomFromReadme();
    expect(phantom.image.size).toEqual([5, 4, 4]);
    expect(phantom.image.spacing).toEqual([2, 2, 2]);
    expect(Array.from(phantom.image.data)).toEqual(readme.values);
    expect(Array.from(phantom.mask.data)).toEqual(readme.inside);
    expect(readme.inside.reduce((a, b) => a + b, 0)).toBe(74);
  });

  const result = extractFeatures(phantom.image, phantom.mask, { preset: 'ibsi-phantom' });
  const ref = tableRows().filter((r) => r.status === 'reference');

  it('the reference CSV has 482 reference rows over the eleven families', () => {
    expect(ref.length).toBe(482);
    expect(new Set(ref.map((r) => r.family))).toEqual(new Set(IBSI_FAMILIES));
  });

  for (const family of IBSI_FAMILIES) {
    const famRows = ref.filter((r) => r.family === family);
    it(`${family}: all ${famRows.length} reference values reproduced`, () => {
      const failures: string[] = [];
      for (const r of famRows) {
        const x = result.features[r.feature_tag];
        const refV = Number(r.reference_value);
        const tol = r.tolerance === '' ? 0 : Number(r.tolerance);
        if (x === undefined) failures.push(`${r.feature_tag}: missing`);
        else if (!ibsiPasses(x, refV, tol)) failures.push(`${r.feature_tag}: ${x} vs ${refV} ± ${tol}`);
      }
      expect(failures).toEqual([]);
    });
  }

  it('no_reference rows are NaN with a diagnostic, except the IVH AUC (manual value 0.32)', () => {
    const noRef = tableRows().filter((r) => r.status === 'no_reference');
    for (const r of noRef) {
      const x = result.features[r.feature_tag];
      if (r.feature_tag === 'ivh_auc') {
        expect(x).toBeCloseTo(0.32, 2);
      } else {
        expect(Number.isNaN(x)).toBe(true);
        expect(result.diagnostics.undefinedFeatures[r.feature_tag]).toMatch(/NaN/);
      }
    }
  });

  it('outputs exactly the CSV feature tags (no extra names)', () => {
    const tags = new Set(tableRows().map((r) => r.feature_tag));
    const extra = Object.keys(result.features).filter((k) => !tags.has(k));
    expect(extra).toEqual([]);
  });
});
