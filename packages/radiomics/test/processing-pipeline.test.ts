/**
 * The IBSI processing chain wired into settings and `extractFeatures` (presets ibsi-ct-A…E,
 * `processing` key, diagnostics). The CT-phantom references themselves are in ibsi-ct-phantom.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { RadcamError } from '@radcam/core';
import { extractFeatures, processImage, resolveSettings, IBSI_CT_PRESETS, IBSI_DIAGNOSTIC_TAGS, PRESETS } from '../src/index.js';
import { syntheticCase } from './synthetic.js';

describe('ibsi-ct-* presets', () => {
  it('are registered and resolve to the whole chain', () => {
    for (const cfg of ['A', 'B', 'C', 'D', 'E'] as const) {
      const name = `ibsi-ct-${cfg}` as const;
      expect(PRESETS[name]).toBeDefined();
      const s = resolveSettings({ preset: name });
      const p = IBSI_CT_PRESETS[name];
      expect(s.processing).toEqual(p.processing);
      expect(s.discretisation).toEqual(p.discretisation);
      expect(s.texture.discretisation).toEqual(p.discretisation);
      expect(s.ivh).toEqual(p.ivh);
      expect(s.texture.aggregations).toEqual(p.texture.aggregations);
      expect(s.resegmentation).toBeUndefined();
    }
  });

  it('re-segmentation next to processing is a settings error; processing: null switches it off', () => {
    expect(() => resolveSettings({ preset: 'ibsi-ct-A', params: { resegmentation: { range: [-100, 100] } } })).toThrow(RadcamError);
    try {
      resolveSettings({ preset: 'ibsi-ct-A', params: { resegmentation: { range: [-100, 100] } } });
    } catch (e) {
      expect((e as RadcamError).code).toBe('E_SETTINGS');
    }
    expect(resolveSettings({ preset: 'ibsi-ct-A', params: { processing: null } }).processing).toBeNull();
    expect(() => resolveSettings({ params: { processing: { resample: { spacing: [1, 1, 1], interpolator: 'cubic' } } } as never })).toThrow(/interpolator/);
  });
});

describe('extractFeatures with settings.processing', () => {
  const { image, mask } = syntheticCase([16, 14, 9], [0.8, 0.8, 2], 3);
  const processing = {
    roundInitial: true,
    resample: { spacing: [1, 1, 1] as [number, number, number], interpolator: 'linear' as const, roundIntensities: true },
    resegmentRange: [-50, 200] as [number, number],
    outlierSigma: 3,
  };
  const families = ['morph', 'stat', 'ih', 'ivh', 'glcm'];

  it('runs processImage first: same features as extracting on its output with its intensity mask', () => {
    const r = extractFeatures(image, mask, { processing, families, discretisation: { method: 'fbs', binWidth: 10 }, ivh: { method: 'none' }, texture: { aggregations: ['3D_avg'] } } as never);
    const pr = processImage(image, mask, processing);
    // equivalent route: processed image + morphological mask, re-segmenting with the SAME bounds
    // (range, then the outlier bounds processImage derived) — applied as one range here
    const lo = Math.max(pr.resegmentation.range![0], pr.resegmentation.outlier![0]);
    const hi = Math.min(pr.resegmentation.range![1], pr.resegmentation.outlier![1]);
    const ref = extractFeatures(pr.image, pr.morphMask, {
      families, resegmentation: { range: [lo, hi] }, discretisation: { method: 'fbs', binWidth: 10, lowerBound: -50 }, ivh: { method: 'none', range: [-50, 200] }, texture: { aggregations: ['3D_avg'] },
    } as never);
    expect(Object.keys(r.features)).toEqual(Object.keys(ref.features));
    for (const k of Object.keys(ref.features)) expect(r.features[k], k).toBe(ref.features[k]);
    expect(r.diagnostics.roi.intensityVoxels).toBe(pr.diagnostics.int_mask_vox_count_reseg_roi);
    expect(r.diagnostics.roi.voxels).toBe(pr.diagnostics.morph_mask_vox_count_reseg_roi);
    expect(r.diagnostics.processing).toEqual(pr.diagnostics);
    expect(r.diagnostics.roi.spacing).toEqual([1, 1, 1]);
  });

  it('reports the 60 diagnostics as features on request', () => {
    const r = extractFeatures(image, mask, { processing, families: ['stat'], diagnosticsAsFeatures: true } as never);
    for (const t of IBSI_DIAGNOSTIC_TAGS) expect(typeof r.features[t], t).toBe('number');
    const plain = extractFeatures(image, mask, { processing, families: ['stat'] } as never);
    expect(Object.keys(plain.features).some((k) => k.endsWith('_init_img'))).toBe(false);
  });
});
