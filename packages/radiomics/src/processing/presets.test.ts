import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsv, sharedPath } from '@radcam/core/testing';
import { validateSettings } from '../settings.js';
import { IBSI_CT_PRESETS, ibsiCtPreset, type IbsiCtPresetName } from './presets.js';
import { validateProcessingSettings } from './process.js';

const rows = parseCsv(readFileSync(sharedPath('ibsi', 'ibsi1', 'reference_values', 'ibsi1_ct_configurations.csv'), 'utf8'));
const num = (s: string) => Number(s.match(/-?\d+(\.\d+)?/)![0]);

describe('IBSI CT presets match ibsi1_ct_configurations.csv', () => {
  for (const cfg of ['A', 'B', 'C', 'D', 'E'] as const) {
    it(`configuration ${cfg}`, () => {
      const row = rows.find((r) => r.configuration === cfg)!;
      const p = IBSI_CT_PRESETS[`ibsi-ct-${cfg}` as IbsiCtPresetName];
      expect(ibsiCtPreset(`ibsi-ct-${cfg}`)).toBe(p);
      validateProcessingSettings(p.processing);
      validateSettings(p.settings);
      expect(p.processing.roundInitial).toBe(true);
      expect(p.textureDims).toBe(row.dimensionality!.startsWith('2D') ? '2D' : '3D');
      // interpolation
      const r = p.processing.resample;
      if (row.interpolation === 'no') expect(r).toBeUndefined();
      else {
        const sp = row.resampled_voxel_spacing_mm!.match(/^(\d+) x (\d+)( x (\d+))?/)!;
        expect(r!.spacing).toEqual([Number(sp[1]), Number(sp[2]), sp[4] ? Number(sp[4]) : null]);
        expect(row.interpolation!.includes('in-plane only')).toBe(r!.spacing[2] === null);
        const method = { bilinear: 'linear', trilinear: 'linear', 'tricubic spline': 'bspline' }[row.interpolation_method!];
        expect(r!.interpolator).toBe(method);
        expect(r!.maskInterpolator).toBe({ bilinear: 'linear', trilinear: 'linear' }[row.roi_interpolation_method!]);
        expect(r!.roundIntensities).toBe(row.intensity_rounding === 'nearest integer');
        expect(r!.partialVolumeThreshold).toBe(Number(row.roi_partial_volume_threshold));
      }
      // re-segmentation
      const range = row.resegmentation_range_hu!.match(/\[(-?\d+), (-?\d+)\]/);
      expect(p.processing.resegmentRange).toEqual(range ? [Number(range[1]), Number(range[2])] : undefined);
      expect(p.processing.outlierSigma).toBe(row.outlier_filtering!.startsWith('3 sigma') ? 3 : undefined);
      // discretisation (texture and IH)
      const dt = row.discretisation_texture_and_ih!;
      if (dt.startsWith('FBS')) {
        expect(p.discretisation).toEqual({ method: 'fbs', binWidth: num(dt), lowerBound: range ? Number(range[1]) : undefined });
      } else {
        expect(p.discretisation).toEqual({ method: 'fbn', bins: num(dt) });
      }
      // IVH
      const di = row.discretisation_ivh!;
      if (di.startsWith('no')) {
        expect(p.ivh.method).toBe('none');
        expect(p.ivh.range).toEqual(range ? [Number(range[1]), Number(range[2])] : undefined);
      } else if (di.startsWith('FBS')) {
        expect(p.ivh).toEqual({ method: 'fbs', binWidth: num(di), range: [Number(range![1]), Number(range![2])] });
      } else {
        expect(p.ivh).toEqual({ method: 'fbn', bins: num(di) });
      }
      // texture parameters
      expect(p.texture.distance).toBe(num(row.glcm_ngtdm_ngldm_distance!));
      expect(p.texture.ngldmAlpha).toBe(Number(row.ngldm_coarseness_alpha));
      expect(p.texture.symmetric).toBe(row.glcm_symmetric === 'yes');
      const aggs = row.texture_aggregations_with_reference!;
      const want = p.textureDims === '2D' ? ['2D_avg', '2D_comb', '2_5D_avg', '2_5D_comb', '2D', '2_5D'] : ['3D_avg', '3D_comb', '3D'];
      expect(aggs.includes(p.textureDims === '2D' ? '2D averaged' : '3D averaged')).toBe(true);
      expect(p.texture.aggregations).toEqual(want);
      // the RadiomicsSettings fragment carries the same values
      expect(p.settings.discretisation).toEqual(p.discretisation);
      expect(p.settings.texture?.discretisation).toEqual(p.discretisation);
      expect(p.settings.ivh).toEqual(p.ivh);
      expect(p.settings.resegmentation?.range).toEqual(p.processing.resegmentRange);
      expect(p.settings.resegmentation?.outlierSigma).toBe(p.processing.outlierSigma);
    });
  }
});
