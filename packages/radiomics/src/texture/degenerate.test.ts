/**
 * Degenerate ROIs: every feature is finite or NaN (never ±Infinity, never a hang), with the values
 * IBSI defines where it defines them (analytic expectations written out below).
 */
import { describe, expect, it } from 'vitest';
import { createExtractionContext, createVolume, isRadcamError, type Vec3 } from '@radcam/core';
import { textureExtractors, TEXTURE_LEVELS_CACHE_KEY } from './index.js';
import { loadPhantom } from './phantom.testutil.js';

function extractAll(values: number[], mask: number[], size: Vec3, settings: Record<string, unknown> = {}): Record<string, number> {
  const image = createVolume(Float32Array.from(values), size);
  const m = createVolume(Uint8Array.from(mask), size);
  const out: Record<string, number> = {};
  for (const ex of textureExtractors) {
    const r = ex.extract(createExtractionContext(image, m), settings);
    expect(Object.keys(r.features)).toEqual(ex.featureNames(settings));
    Object.assign(out, r.features);
  }
  return out;
}

function expectNoInfinity(f: Record<string, number>): void {
  const bad = Object.entries(f).filter(([, v]) => !Number.isNaN(v) && !Number.isFinite(v));
  expect(bad).toEqual([]);
}

function pick(f: Record<string, number>, suffix: string, prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(f)) {
    if (k.startsWith(prefix) && k.endsWith(suffix)) out[k.slice(0, k.length - suffix.length)] = v;
  }
  return out;
}

describe('texture features on degenerate ROIs', () => {
  it('a single voxel', () => {
    const size: Vec3 = [3, 3, 3];
    const vals = new Array(27).fill(2);
    const mask = new Array(27).fill(0);
    mask[13] = 1;
    const f = extractAll(vals, mask, size);
    expectNoInfinity(f);
    // No neighbour pairs: every GLCM feature undefined.
    for (const [k, v] of Object.entries(f)) if (k.startsWith('cm_')) expect(v, k).toBeNaN();
    // One run of length 1 per direction, one zone of size 1 at distance 1, dependence 1.
    expect(f.rlm_sre_3D_avg).toBe(1);
    expect(f.rlm_r_perc_3D_comb).toBe(1);
    expect(f.rlm_rl_entr_2D_avg).toBe(0);
    expect(f.szm_sze_3D).toBe(1);
    expect(f.szm_z_perc_3D).toBe(1);
    expect(f.szm_lgze_3D).toBe(0.25);
    expect(f.dzm_sde_3D).toBe(1);
    expect(f.dzm_zd_var_2D).toBe(0);
    expect(f.ngl_lde_3D).toBe(1);
    expect(f.ngl_dc_perc_2D).toBe(1);
    expect(f.ngl_dc_energy_2_5D).toBe(1);
    // No voxel with a valid neighbourhood: NGTDM undefined.
    for (const [k, v] of Object.entries(f)) if (k.startsWith('ngt_')) expect(v, k).toBeNaN();
  });

  it('a single grey level (3×3×3 cube of level 2)', () => {
    const size: Vec3 = [5, 5, 5];
    const vals = new Array(125).fill(2);
    const mask = new Array(125).fill(0);
    for (let z = 1; z <= 3; z++) for (let y = 1; y <= 3; y++) for (let x = 1; x <= 3; x++) mask[x + 5 * (y + 5 * z)] = 1;
    const f = extractAll(vals, mask, size, { nLevels: 4 });
    expectNoInfinity(f);
    for (const agg of ['2D_avg', '2D_comb', '2_5D_avg', '2_5D_comb', '3D_avg', '3D_comb']) {
      expect(f[`cm_joint_max_${agg}`]).toBe(1);
      expect(f[`cm_joint_avg_${agg}`]).toBe(2);
      expect(f[`cm_joint_var_${agg}`]).toBe(0);
      expect(f[`cm_joint_entr_${agg}`]).toBe(0);
      expect(f[`cm_contrast_${agg}`]).toBe(0);
      expect(f[`cm_inv_diff_${agg}`]).toBe(1);
      expect(f[`cm_auto_corr_${agg}`]).toBe(4);
      expect(f[`cm_sum_avg_${agg}`]).toBe(4);
      expect(f[`cm_corr_${agg}`]).toBeNaN(); // zero marginal variance
      expect(f[`cm_info_corr1_${agg}`]).toBeNaN(); // zero marginal entropy
      expect(f[`cm_info_corr2_${agg}`]).toBe(0);
      expect(f[`rlm_lgre_${agg}`]).toBe(0.25);
      expect(f[`rlm_gl_var_${agg}`]).toBe(0);
    }
    // 3D: one zone of 27 voxels; its border distance is 1.
    expect(f.szm_sze_3D).toBeCloseTo(1 / 729, 15);
    expect(f.szm_lze_3D).toBe(729);
    expect(f.szm_z_perc_3D).toBeCloseTo(1 / 27, 15);
    expect(f.dzm_sde_3D).toBe(1);
    // 2D: each slice is one 3×3 zone whose centre is at distance 2 but the zone's minimum is 1.
    expect(f.szm_lze_2D).toBe(81);
    expect(f.dzm_lde_2D).toBe(1);
    // NGTDM with s_i = 0 and one grey level: IBSI coarseness 10^6, contrast/busyness/strength 0.
    for (const agg of ['2D', '2_5D', '3D']) {
      expect(f[`ngt_coarseness_${agg}`]).toBe(1e6);
      expect(f[`ngt_contrast_${agg}`]).toBe(0);
      expect(f[`ngt_busyness_${agg}`]).toBe(0);
      expect(f[`ngt_complexity_${agg}`]).toBe(0);
      expect(f[`ngt_strength_${agg}`]).toBe(0);
      expect(f[`ngl_gl_var_${agg}`]).toBe(0);
    }
    // NGLDM 3D: corner voxels have 7 same-level neighbours (j = 8), the centre 26 (j = 27).
    expect(f.ngl_hde_3D).toBeCloseTo((8 * 64 + 12 * 144 + 6 * 324 + 729) / 27, 12);
  });

  it('a one-slice ROI: 3D zone / neighbourhood features equal the 2D ones, GLCM 3D equals 2.5D', () => {
    const size: Vec3 = [6, 5, 3];
    const vals: number[] = [];
    const mask: number[] = [];
    for (let z = 0; z < 3; z++) for (let y = 0; y < 5; y++) for (let x = 0; x < 6; x++) {
      vals.push(1 + ((x * 7 + y * 3 + x * y) % 4));
      mask.push(z === 1 && x > 0 && y < 4 ? 1 : 0);
    }
    const f = extractAll(vals, mask, size);
    expectNoInfinity(f);
    for (const p of ['szm_', 'ngl_', 'ngt_']) {
      const a = pick(f, '_3D', p);
      const b = pick(f, '_2D', p);
      for (const k of Object.keys(a)) expect(a[k], k).toBeCloseTo(b[k]!, 12);
    }
    const a3 = pick(f, '_3D_avg', 'cm_'), a25 = pick(f, '_2_5D_avg', 'cm_');
    const c3 = pick(f, '_3D_comb', 'cm_'), c25 = pick(f, '_2_5D_comb', 'cm_'), c2 = pick(f, '_2D_comb', 'cm_');
    for (const k of Object.keys(a3)) {
      expect(a3[k], k).toBeCloseTo(a25[k]!, 12);
      expect(c3[k], k).toBeCloseTo(c25[k]!, 12);
      expect(c2[k], k).toBeCloseTo(c25[k]!, 12);
    }
    // Every voxel of a one-slice ROI touches the ROI border through z: GLDZM 3D distances are all 1.
    expect(f.dzm_sde_3D).toBe(1);
    expect(f.dzm_zd_var_3D).toBe(0);
  });

  it('2D aggregations skip slices without ROI voxels', () => {
    // Two ROI slices separated by an empty slice vs the same two slices adjacent: 2D features agree.
    const plane = (z: number) => Array.from({ length: 16 }, (_, i) => 1 + ((i * (z + 2) + (i >> 2)) % 3));
    const a = [...plane(0), ...plane(0).map(() => 9), ...plane(1)];
    const ma = [...new Array(16).fill(1), ...new Array(16).fill(0), ...new Array(16).fill(1)];
    const b = [...plane(0), ...plane(1), ...plane(1).map(() => 9)];
    const mb = [...new Array(16).fill(1), ...new Array(16).fill(1), ...new Array(16).fill(0)];
    const settings = { aggregations: ['2D', '2D_avg', '2D_comb'] as const, nLevels: 3 };
    const fa = extractAll(a, ma, [4, 4, 3], { ...settings, aggregations: [...settings.aggregations] });
    const fb = extractAll(b, mb, [4, 4, 3], { ...settings, aggregations: [...settings.aggregations] });
    expectNoInfinity(fa);
    expect(Object.keys(fa).length).toBe(25 * 2 + 16 * 2 + 16 + 16 + 5 + 17);
    for (const k of Object.keys(fa)) expect(fa[k], k).toBeCloseTo(fb[k]!, 12);
  });

  it('typed errors: empty ROI, non-integer grey levels, unknown aggregation', () => {
    const size: Vec3 = [2, 2, 2];
    const image = createVolume(Float32Array.from([1, 2, 3, 4, 1, 2, 3, 4]), size);
    const empty = createVolume(new Uint8Array(8), size);
    const full = createVolume(new Uint8Array(8).fill(1), size);
    const frac = createVolume(Float32Array.from([1.5, 2, 3, 4, 1, 2, 3, 4]), size);
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return isRadcamError(e) ? e.code : `not a RadcamError: ${String(e)}`;
      }
      return 'no error';
    };
    for (const ex of textureExtractors) {
      expect(code(() => ex.extract(createExtractionContext(image, empty))), ex.id).toBe('E_EMPTY_ROI');
      expect(code(() => ex.extract(createExtractionContext(frac, full))), ex.id).toBe('E_SETTINGS');
      expect(code(() => ex.extract(createExtractionContext(image, full), { aggregations: ['4D' as never] })), ex.id).toBe('E_SETTINGS');
      expect(code(() => ex.extract(createExtractionContext(image, full), { distance: 0 })), ex.id).toBe('E_SETTINGS');
    }
  });

  it('uses the discretised levels from the ibsi/texture-levels cache entry', () => {
    const { image, mask, levels } = loadPhantom();
    const float = createVolume(Float32Array.from(image.data, (v) => v * 0.37 + 0.1), image.size);
    for (const ex of textureExtractors) {
      const direct = ex.extract(createExtractionContext(image, mask)).features;
      const ctx = createExtractionContext(float, mask);
      ctx.cache.set(TEXTURE_LEVELS_CACHE_KEY, { levels, nLevels: 6 });
      expect(ex.extract(ctx).features).toEqual(direct);
    }
  });
});
