/**
 * IBSI-1 CT phantom (configurations A: 2D, FBS 25 HU with range re-segmentation; C: 3D, 2 mm
 * trilinear resampling, FBS 25 HU): every texture reference value of
 * ../shared/ibsi/ibsi1/reference_values/ibsi1_ct_phantom_reference_values.csv passes. This runs
 * the texture extractors through the package pipeline (processing presets + discretisation), so
 * it also checks the intensity / morphological mask split used by GLDZM.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Mask, Volume } from '@radcam/core';
import { ibsiPasses, parseCsv, sharedPath } from '@radcam/core/testing';
import { readVolume } from '@radcam/volume-io';
import { IBSI_CT_PRESETS } from '../processing/presets.js';
import { processImage } from '../processing/process.js';
import { extractFeatures } from '../pipeline.js';

const PREFIXES = ['cm', 'rlm', 'szm', 'dzm', 'ngt', 'ngl'];
const EXPECTED: Record<string, number> = { A: 272, C: 136 };

describe('IBSI-1 CT phantom: texture reference values', () => {
  let image: Volume;
  let mask: Volume;
  beforeAll(async () => {
    image = await readVolume(sharedPath('ibsi', 'ibsi1', 'ct_phantom', 'nifti', 'image', 'phantom.nii.gz'));
    mask = await readVolume(sharedPath('ibsi', 'ibsi1', 'ct_phantom', 'nifti', 'mask', 'mask.nii.gz'));
  });
  const rows = parseCsv(readFileSync(sharedPath('ibsi', 'ibsi1', 'reference_values', 'ibsi1_ct_phantom_reference_values.csv'), 'utf8'));

  for (const cfg of ['A', 'C'] as const) {
    it(`configuration ${cfg}: all ${EXPECTED[cfg]} texture references pass`, () => {
      const preset = IBSI_CT_PRESETS[`ibsi-ct-${cfg}`];
      const refs = rows.filter((r) => r.dataset === `config_${cfg}` && r.status === 'reference' && PREFIXES.includes(r.feature_tag!.split('_')[0]!));
      expect(refs.length).toBe(EXPECTED[cfg]);
      const proc = processImage(image, mask, preset.processing);
      const res = extractFeatures(proc.image, proc.morphMask as Mask, {
        ...preset.settings,
        families: ['glcm', 'glrlm', 'glszm', 'gldzm', 'ngtdm', 'ngldm'],
      });
      const fails = refs
        .filter((r) => !ibsiPasses(res.features[r.feature_tag!] ?? NaN, Number(r.reference_value), Number(r.tolerance || 0)))
        .map((r) => `${r.feature_tag}: got ${res.features[r.feature_tag!]}, ref ${r.reference_value} ± ${r.tolerance}`);
      expect(fails).toEqual([]);
    });
  }
});
