/**
 * IBSI 1 CT phantom, configurations A–E: EVERY `status = reference` row of
 * ../shared/ibsi/ibsi1/reference_values/ibsi1_ct_phantom_reference_values.csv (features of all
 * eleven families and the 60 diagnostic features) is checked with the IBSI rule (`ibsiPasses`)
 * against `extractFeatures(image, mask, resolveSettings({ preset: 'ibsi-ct-X' }))`, i.e. the whole
 * chain from the NIfTI phantom: rounding, interpolation, re-segmentation, discretisation, IVH
 * variant, 2D/3D aggregations. Rows with status `submission_table_only` (C: morph_comp_1) are
 * reported, not asserted. The phantom is loaded once and each configuration is extracted once.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ibsiPasses, parseCsv, sharedPath } from '@radcam/core/testing';
import type { Mask, Volume } from '@radcam/core';
import { readMask, readVolume } from '@radcam/volume-io';
import { extractFeatures, resolveSettings, IBSI_DIAGNOSTIC_TAGS, IBSI_FAMILIES, type ExtractFeaturesResult } from '../src/index.js';

interface Row { dataset: string; feature_tag: string; family: string; reference_value: string; tolerance: string; status: string }

const rows = parseCsv(readFileSync(sharedPath('ibsi', 'ibsi1', 'reference_values', 'ibsi1_ct_phantom_reference_values.csv'), 'utf8')) as unknown as Row[];

let image: Volume;
let mask: Mask;
beforeAll(async () => {
  image = await readVolume(sharedPath('ibsi', 'ibsi1', 'ct_phantom', 'nifti', 'image', 'phantom.nii.gz'));
  mask = await readMask(sharedPath('ibsi', 'ibsi1', 'ct_phantom', 'nifti', 'mask', 'mask.nii.gz'));
}, 60_000);

function valueOf(r: ExtractFeaturesResult, tag: string): number | undefined {
  if (r.features[tag] !== undefined) return r.features[tag];
  return (r.diagnostics.processing as Record<string, number> | undefined)?.[tag];
}

describe('IBSI 1 CT phantom, configurations A–E (whole chain via the ibsi-ct-* presets)', () => {
  for (const cfg of ['A', 'B', 'C', 'D', 'E'] as const) {
    it(`configuration ${cfg}: every reference value and diagnostic is reproduced`, () => {
      const ref = rows.filter((r) => r.dataset === `config_${cfg}` && r.status === 'reference');
      const optional = rows.filter((r) => r.dataset === `config_${cfg}` && r.status === 'submission_table_only');
      // the CSV: 60 diagnostics + features of all eleven families
      expect(ref.filter((r) => r.family === 'diagnostics').map((r) => r.feature_tag).sort()).toEqual([...IBSI_DIAGNOSTIC_TAGS].sort());
      expect(new Set(ref.map((r) => r.family))).toEqual(new Set(['diagnostics', ...IBSI_FAMILIES]));

      const t0 = performance.now();
      const out = extractFeatures(image, mask, resolveSettings({ preset: `ibsi-ct-${cfg}` }));
      const ms = performance.now() - t0;

      const perFamily = new Map<string, { pass: number; total: number }>();
      const failures: string[] = [];
      for (const r of ref) {
        const x = valueOf(out, r.feature_tag);
        const ok = x !== undefined && ibsiPasses(x, Number(r.reference_value), Number(r.tolerance));
        const f = perFamily.get(r.family) ?? { pass: 0, total: 0 };
        f.total++;
        if (ok) f.pass++;
        perFamily.set(r.family, f);
        if (!ok) failures.push(`${r.feature_tag}: got ${x}, reference ${r.reference_value} ± ${r.tolerance}`);
      }
      const optionalReport = optional.map((r) => {
        const x = valueOf(out, r.feature_tag);
        const ok = x !== undefined && ibsiPasses(x, Number(r.reference_value), Number(r.tolerance));
        return `${r.feature_tag} ${ok ? 'passes' : 'MISSES'} (${x} vs ${r.reference_value} ± ${r.tolerance}, ${r.status})`;
      });
      const pass = ref.length - failures.length;
      console.log(
        `CT config ${cfg}: ${pass}/${ref.length} reference rows pass (${ms.toFixed(0)} ms; processing ${out.diagnostics.processingMs?.toFixed(0)} ms, morphology ${out.diagnostics.extractors['ibsi/morphology']?.timeMs.toFixed(0)} ms)\n  ` +
          [...perFamily].map(([f, c]) => `${f} ${c.pass}/${c.total}`).join(', ') +
          (optionalReport.length ? `\n  optional: ${optionalReport.join('; ')}` : ''),
      );
      expect(failures).toEqual([]);
      expect(out.diagnostics.processing).toBeDefined();
    }, 120_000);
  }
});
