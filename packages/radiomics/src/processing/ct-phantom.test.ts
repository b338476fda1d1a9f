import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsv, ibsiPasses, sharedPath } from '@radcam/core/testing';
import { worldToIndex, type Volume } from '@radcam/core';
import { readVolume } from '@radcam/volume-io';
import { IBSI_DIAGNOSTIC_TAGS } from './diagnostics.js';
import { IBSI_CT_PRESETS, type IbsiCtPresetName } from './presets.js';
import { processImage } from './process.js';

interface Ref { tag: string; value: number; tol: number }

function references(config: string): Ref[] {
  const text = readFileSync(sharedPath('ibsi', 'ibsi1', 'reference_values', 'ibsi1_ct_phantom_reference_values.csv'), 'utf8');
  const rows = parseCsv(text);
  return rows
    .filter((r) => r.dataset === `config_${config}` && r.family === 'diagnostics' && r.status === 'reference')
    .map((r) => ({ tag: r.feature_tag!, value: Number(r.reference_value), tol: Number(r.tolerance) }));
}

let image: Volume;
let mask: Volume;
// whole-image results, shared between the tests (computed once per configuration)
const fullResults = new Map<string, ReturnType<typeof processImage>>();
function processed(cfg: string): ReturnType<typeof processImage> {
  let r = fullResults.get(cfg);
  if (!r) {
    r = processImage(image, mask, IBSI_CT_PRESETS[`ibsi-ct-${cfg}` as IbsiCtPresetName].processing);
    fullResults.set(cfg, r);
  }
  return r;
}

beforeAll(async () => {
  image = await readVolume(sharedPath('ibsi', 'ibsi1', 'ct_phantom', 'nifti', 'image', 'phantom.nii.gz'));
  mask = await readVolume(sharedPath('ibsi', 'ibsi1', 'ct_phantom', 'nifti', 'mask', 'mask.nii.gz'));
});

describe('IBSI 1 CT phantom diagnostics (configurations A–E)', () => {
  for (const cfg of ['A', 'B', 'C', 'D', 'E'] as const) {
    it(`configuration ${cfg}: all 60 diagnostic references pass`, () => {
      const refs = references(cfg);
      expect(refs).toHaveLength(60);
      expect(new Set(refs.map((r) => r.tag))).toEqual(new Set(IBSI_DIAGNOSTIC_TAGS));
      const t0 = performance.now();
      const out = processed(cfg);
      const ms = performance.now() - t0;
      const fails = refs.filter((r) => !ibsiPasses(out.diagnostics[r.tag]!, r.value, r.tol));
      console.log(`config ${cfg}: ${refs.length - fails.length}/${refs.length} diagnostics pass (${ms.toFixed(0)} ms)`);
      expect(fails.map((r) => `${r.tag}: got ${out.diagnostics[r.tag]}, ref ${r.value} ± ${r.tol}`)).toEqual([]);
    });
  }
});

describe('cropMarginMm: processing a block around the ROI gives the same ROI as the whole image', () => {
  for (const cfg of ['A', 'C', 'E'] as const) {
    it(`configuration ${cfg}`, () => {
      const settings = IBSI_CT_PRESETS[`ibsi-ct-${cfg}` as IbsiCtPresetName].processing;
      const full = processed(cfg);
      const block = processImage(image, mask, { ...settings, cropMarginMm: 6 });
      expect(block.image.size.every((n, c) => n < full.image.size[c]!)).toBe(true);
      const off = worldToIndex(full.image, block.image.origin);
      for (const o of off) expect(Math.abs(o - Math.round(o))).toBeLessThan(1e-6);
      const [ox, oy, oz] = off.map(Math.round) as [number, number, number];
      const [bx, by, bz] = block.image.size;
      const [fx, fy] = full.image.size;
      let maxDiff = 0;
      let maskDiff = 0;
      for (let k = 0; k < bz; k++) {
        for (let j = 0; j < by; j++) {
          for (let i = 0; i < bx; i++) {
            const b = i + bx * (j + by * k);
            const f = i + ox + fx * (j + oy + fy * (k + oz));
            maxDiff = Math.max(maxDiff, Math.abs(block.image.data[b]! - full.image.data[f]!));
            if (block.morphMask.data[b] !== full.morphMask.data[f] || block.intensityMask.data[b] !== full.intensityMask.data[f]) maskDiff++;
          }
        }
      }
      // rounded intensities: identical (a B-spline value within 1e-5 of x.5 could flip; none here)
      expect(maxDiff).toBe(0);
      expect(maskDiff).toBe(0);
      for (const tag of IBSI_DIAGNOSTIC_TAGS.filter((t) => /(vox_count|_int_).*_roi$/.test(t))) {
        expect(block.diagnostics[tag], tag).toBe(full.diagnostics[tag]);
      }
    });
  }
});
