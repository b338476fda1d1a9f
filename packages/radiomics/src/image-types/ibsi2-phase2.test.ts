/**
 * IBSI 2 phase 2: the 18 intensity statistics of filter responses of the IBSI 1 CT phantom
 * (PAT1, GTV-1) against the consensus values of
 * ../shared/ibsi/ibsi2/reference_feature_values/reference_values.csv (|x − ref| ≤ tolerance).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '@radcam/core/testing';
import type { Mask, Volume } from '@radcam/core';
import { readVolume } from '@radcam/volume-io';
import { extractFilteredFeatures } from './extract.js';
import { IBSI2_PHASE2_CONFIGS } from './ibsi2-phase2.js';
import { imageTypeFeatureName } from './image-type.js';

interface Ref { tag: string; value: number; tol: number }
function references(): Map<string, Ref[]> {
  const text = readFileSync(sharedPath('ibsi', 'ibsi2', 'reference_feature_values', 'reference_values.csv'), 'utf8');
  const out = new Map<string, Ref[]>();
  for (const line of text.trim().split(/\r?\n/).slice(1)) {
    const [id, , tag, value, tol] = line.split(';');
    if (!value) continue; // 8.B stat_qcod has no consensus value
    const list = out.get(id!) ?? [];
    list.push({ tag: tag!, value: Number(value), tol: Number(tol) });
    out.set(id!, list);
  }
  return out;
}

let image: Volume;
let mask: Mask;
const refs = references();
beforeAll(async () => {
  image = await readVolume(sharedPath('ibsi', 'ibsi1', 'ct_phantom', 'nifti', 'image', 'phantom.nii.gz'));
  mask = (await readVolume(sharedPath('ibsi', 'ibsi1', 'ct_phantom', 'nifti', 'mask', 'mask.nii.gz'))) as Mask;
});

// One extraction per dimensionality with all nine image types: the processed image is computed
// once and shared (configuration B: 1 mm tricubic-spline interpolation of the whole phantom).
const results = new Map<string, { features: Record<string, number>; ms: number }>();
function run(dims: '2D' | '3D') {
  let r = results.get(dims);
  if (!r) {
    const cfgs = Object.values(IBSI2_PHASE2_CONFIGS).filter((c) => c.dims === dims);
    const t0 = performance.now();
    const out = extractFilteredFeatures(image, mask, { imageTypes: cfgs.map((c) => c.imageType), processing: cfgs[0]!.processing, families: ['intensity_statistics'] });
    r = { features: out.features, ms: performance.now() - t0 };
    for (const d of out.diagnostics.imageTypes) console.log(`  ${dims} ${d.prefix || 'original'}: grid ${d.filteredSize.join('x')}, filter ${d.filterMs.toFixed(0)} ms`);
    console.log(`IBSI 2 phase 2, ${dims}: ${r.ms.toFixed(0)} ms for all nine configurations`);
    results.set(dims, r);
  }
  return r;
}

describe('IBSI 2 phase 2 (CT phantom, filtered-image intensity statistics)', () => {
  it('has 18 configurations with 323 consensus values', () => {
    expect(Object.keys(IBSI2_PHASE2_CONFIGS)).toHaveLength(18);
    expect([...refs.values()].reduce((n, l) => n + l.length, 0)).toBe(323);
  });
  for (const id of Object.keys(IBSI2_PHASE2_CONFIGS)) {
    it(`configuration ${id}`, () => {
      const cfg = IBSI2_PHASE2_CONFIGS[id]!;
      const { features } = run(cfg.dims);
      const list = refs.get(id)!;
      const fails: string[] = [];
      for (const ref of list) {
        const x = features[imageTypeFeatureName(cfg.imageType, ref.tag)]!;
        if (!(Math.abs(x - ref.value) <= ref.tol)) fails.push(`${ref.tag}: ${x.toPrecision(5)} vs ${ref.value} ± ${ref.tol}`);
      }
      console.log(`${id}: ${list.length - fails.length}/${list.length} pass`);
      expect(fails).toEqual([]);
    }, 600_000);
  }
});
