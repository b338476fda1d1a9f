import { describe, expect, it } from 'vitest';
import { createRng, createVolume, RadcamError, type Mask, type Volume } from '@radcam/core';
import { expectClose } from '@radcam/core/testing';
import { discretise } from '../discretisation.js';
import { extractFeatures } from '../pipeline.js';
import { histogramFeatures } from '../families/statistics.js';
import { computeVoxelMaps, createVoxelWorkerPool, iterateVoxelFeatures, prepareVoxelPlan } from './index.js';

const SIZE: [number, number, number] = [13, 12, 10];

/** Random-texture image (integers, clustered so that zones and runs exist) and an ellipsoid ROI. */
function phantom(seed = 7): { image: Volume<Float32Array>; mask: Mask } {
  const rng = createRng(seed);
  const [nx, ny, nz] = SIZE;
  const img = new Float32Array(nx * ny * nz);
  const m = new Uint8Array(nx * ny * nz);
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        // smooth trend + blocky noise: equal neighbours are common
        img[i] = Math.round(40 + 3 * x - 2 * y + 4 * z + (rng.next() < 0.6 ? 0 : rng.int(30)));
        const dx = (x - 6) / 5.5, dy = (y - 5.5) / 5, dz = (z - 4.5) / 4.2;
        if (dx * dx + dy * dy + dz * dz <= 1) m[i] = 1;
      }
  const geom = { spacing: [0.8, 0.9, 1.5] as [number, number, number], origin: [-3, 4, 10] as [number, number, number] };
  return { image: createVolume(img, SIZE, geom), mask: createVolume(m, SIZE, geom) };
}

const BINS = 8;
const SETTINGS = { discretisation: { method: 'fbn' as const, bins: BINS } };
const TEX = ['glcm', 'glrlm', 'glszm', 'gldzm', 'ngtdm', 'ngldm'];

/** Whole-ROI discretised levels as an image (0 outside), through the package's own discretiser. */
function levelImage(image: Volume, mask: Mask): Volume<Float32Array> {
  const idx: number[] = [];
  for (let i = 0; i < mask.data.length; i++) if (mask.data[i]) idx.push(i);
  const d = discretise(Float64Array.from(idx, (i) => image.data[i]!), { method: 'fbn', bins: BINS });
  const out = new Float32Array(image.data.length);
  idx.forEach((i, k) => (out[i] = d.levels[k]!));
  return { ...image, data: out };
}

/** The kernel of voxel (x, y, z) as a separate ROI: the (2R+1)³ cube ∩ mask. */
function kernelMask(mask: Mask, x: number, y: number, z: number, R: number): Mask {
  const [nx, ny, nz] = mask.size;
  const out = new Uint8Array(mask.data.length);
  for (let c = Math.max(0, z - R); c <= Math.min(nz - 1, z + R); c++)
    for (let b = Math.max(0, y - R); b <= Math.min(ny - 1, y + R); b++)
      for (let a = Math.max(0, x - R); a <= Math.min(nx - 1, x + R); a++) {
        const i = a + nx * (b + ny * c);
        out[i] = mask.data[i]!;
      }
  return { ...mask, data: out };
}

/** Reference features of one kernel through the whole-ROI code path (`extractFeatures`). */
function reference(image: Volume, levels: Volume, kmask: Mask): Record<string, number> {
  const stat = extractFeatures(image, kmask, { families: ['intensity_statistics'] }).features;
  const nlv: Record<string, Record<string, unknown>> = {};
  for (const id of ['ibsi/glcm', 'ibsi/glrlm', 'ibsi/glszm', 'ibsi/gldzm', 'ibsi/ngtdm', 'ibsi/ngldm']) nlv[id] = { nLevels: BINS };
  const tex = extractFeatures(levels, kmask, {
    families: TEX as never,
    discretisation: { method: 'none' },
    texture: { aggregations: ['3D_avg', '3D_comb'], distance: 1, symmetric: true, ngldmAlpha: 0 },
    extractorSettings: nlv,
  }).features;
  // Histogram family: histogramFeatures on the kernel's whole-ROI levels with the whole-ROI N_g.
  const lv: number[] = [];
  for (let i = 0; i < kmask.data.length; i++) if (kmask.data[i]) lv.push(levels.data[i]!);
  const ih = histogramFeatures(Int32Array.from(lv), BINS).features;
  return { ...stat, ...ih, ...tex };
}

describe('computeVoxelMaps', () => {
  const { image, mask } = phantom();
  const levels = levelImage(image, mask);

  for (const R of [1, 2]) {
    it(`R=${R}: map values equal extractFeatures on the kernel cropped as a separate ROI`, async () => {
      const res = await computeVoxelMaps(image, mask, { kernelRadius: R, settings: SETTINGS, workers: 0 });
      const tags = Object.keys(res.maps);
      expect(tags.length).toBe(18 + 23 + 2 * 25 + 2 * 16 + 16 + 16 + 5 + 17);
      const rng = createRng(100 + R);
      const roi: number[] = [];
      for (let i = 0; i < mask.data.length; i++) if (mask.data[i]) roi.push(i);
      // a few random voxels + an edge voxel (first ROI voxel) whose kernel is clipped by the mask
      const picks = [roi[0]!, ...Array.from({ length: R === 1 ? 5 : 3 }, () => roi[rng.int(roi.length)]!)];
      for (const i of picks) {
        const x = i % SIZE[0], y = Math.floor(i / SIZE[0]) % SIZE[1], z = Math.floor(i / (SIZE[0] * SIZE[1]));
        const ref = reference(image, levels, kernelMask(mask, x, y, z, R));
        let compared = 0;
        for (const tag of tags) {
          const want = ref[tag];
          expect(want, `reference has ${tag}`).toBeDefined();
          // maps are float32: compare at float32 precision
          expectClose(res.maps[tag]!.data[i]!, Math.fround(want!), { rtol: 2e-6, atol: 1e-6, label: `${tag} at (${x},${y},${z})` });
          compared++;
        }
        expect(compared).toBe(tags.length);
      }
      // outside the ROI: background NaN
      const outside = mask.data.indexOf(0);
      expect(Number.isNaN(res.maps['cm_joint_max_3D_avg']!.data[outside]!)).toBe(true);
    });
  }

  it('a constant image gives the analytic values', async () => {
    const { mask: m } = phantom();
    const img = createVolume(new Float32Array(m.data.length).fill(100), SIZE, { spacing: m.spacing, origin: m.origin });
    const res = await computeVoxelMaps(img, m, { kernelRadius: 1, settings: SETTINGS, workers: 0 });
    const at = (tag: string): Float32Array => {
      const out: number[] = [];
      for (let i = 0; i < m.data.length; i++) if (m.data[i]) out.push(res.maps[tag]!.data[i]!);
      return Float32Array.from(out);
    };
    const all = (tag: string, v: number) => {
      for (const x of at(tag)) expectClose(x, v, { atol: 1e-6, label: tag });
    };
    all('stat_mean', 100);
    all('stat_var', 0);
    all('stat_skew', 0); // IBSI: 0 for zero variance
    all('stat_range', 0);
    all('stat_iqr', 0);
    all('ih_entropy', 0);
    all('ih_uniformity', 1);
    all('cm_energy_3D_avg', 1); // a single GLCM cell: joint energy 1
    all('cm_energy_3D_comb', 1);
    all('cm_joint_max_3D_comb', 1);
    all('cm_contrast_3D_avg', 0);
    all('cm_joint_entr_3D_comb', 0);
    all('cm_inv_diff_3D_avg', 1);
    all('ngt_coarseness_3D', 1e6); // IBSI: Σ p s = 0 → 10⁶
    all('ngt_contrast_3D', 0);
    all('szm_glnu_norm_3D', 1);
    // a constant kernel is one zone: zone percentage = 1 / (voxels in the kernel)
    const zp = at('szm_z_perc_3D');
    const cnt = (i: number) => {
      const x = i % SIZE[0], y = Math.floor(i / SIZE[0]) % SIZE[1], z = Math.floor(i / (SIZE[0] * SIZE[1]));
      let c = 0;
      const km = kernelMask(m, x, y, z, 1);
      for (const v of km.data) c += v;
      return c;
    };
    let k = 0;
    for (let i = 0; i < m.data.length; i++) if (m.data[i]) expectClose(zp[k++]!, 1 / cnt(i), { rtol: 1e-6 });
    // NGLDM: every voxel depends on all its kernel neighbours → dependence count = kernel voxels
    // for the centre of a full 3×3×3 kernel: high dependence emphasis = 27²
    const centre = 6 + SIZE[0] * (5 + SIZE[1] * 4);
    expect(cnt(centre)).toBe(27);
    // correlation is undefined for a constant kernel
    expect(Number.isNaN(res.maps['cm_corr_3D_avg']!.data[centre]!)).toBe(true);
    expect(res.diagnostics.nanVoxels['cm_corr_3D_avg']).toBe(res.diagnostics.targets);
  });

  it('is deterministic across worker counts and batch sizes (fresh and reused pools)', async () => {
    const same = (x: Float32Array, y: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
    const opts = { kernelRadius: 1, settings: SETTINGS, families: ['glcm', 'firstorder', 'ngtdm', 'ih'] };
    const a = await computeVoxelMaps(image, mask, { ...opts, workers: 0 });
    const b = await computeVoxelMaps(image, mask, { ...opts, workers: 0, batchSize: 97 });
    const c = await computeVoxelMaps(image, mask, { ...opts, workers: 2, batchSize: 31 });
    expect(c.diagnostics.mode).toBe('threads');
    expect(c.diagnostics.workers).toBe(2);
    for (const tag of Object.keys(a.maps)) {
      expect(same(b.maps[tag]!.data, a.maps[tag]!.data), tag).toBe(true);
      expect(same(c.maps[tag]!.data, a.maps[tag]!.data), tag).toBe(true);
    }
    // a reused pool: two different runs, compared with in-process results
    const pool = await createVoxelWorkerPool(2);
    try {
      const o2 = { kernelRadius: 2, settings: SETTINGS, families: ['glszm', 'gldzm', 'ngldm', 'glrlm'] };
      const d = await computeVoxelMaps(image, mask, { ...o2, pool, batchSize: 50 });
      const e = await computeVoxelMaps(image, mask, { ...opts, pool, batchSize: 64 });
      const d0 = await computeVoxelMaps(image, mask, { ...o2, workers: 0 });
      expect(d.diagnostics.mode).toBe('threads');
      for (const tag of Object.keys(d0.maps)) expect(same(d.maps[tag]!.data, d0.maps[tag]!.data), tag).toBe(true);
      for (const tag of Object.keys(a.maps)) expect(same(e.maps[tag]!.data, a.maps[tag]!.data), tag).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('reports progress, streams batches and supports bbox targets / output grid', async () => {
    const seen: number[] = [];
    const res = await computeVoxelMaps(image, mask, {
      kernelRadius: 1, settings: SETTINGS, families: ['stat'], workers: 0, batchSize: 100,
      targets: 'bbox', outputGrid: 'bbox', background: 0, onProgress: (p) => seen.push(p.done),
    });
    const plan = prepareVoxelPlan(image, mask, { kernelRadius: 1, settings: SETTINGS, families: ['stat'], targets: 'bbox' });
    expect(seen[seen.length - 1]).toBe(plan.targets.length);
    const map = res.maps['stat_mean']!;
    expect(map.data.length).toBe(plan.targets.length);
    // bbox origin = world position of the bbox corner
    const [x0, y0, z0] = plan.origin;
    expectClose(map.origin[0], image.origin[0] + x0 * image.spacing[0]);
    expectClose(map.origin[2], image.origin[2] + z0 * image.spacing[2]);
    // streaming API yields the same values batch by batch
    const full = await computeVoxelMaps(image, mask, { kernelRadius: 1, settings: SETTINGS, families: ['stat'], workers: 0 });
    let n = 0;
    for (const b of iterateVoxelFeatures(image, mask, { kernelRadius: 1, settings: SETTINGS, families: ['stat'], batchSize: 50 })) {
      const f = b.tags.indexOf('stat_median');
      const m = b.end - b.start;
      for (let k = 0; k < m; k++) expect(b.values[f * m + k]).toBe(full.maps['stat_median']!.data[b.imageIndex[k]!]);
      n += m;
    }
    expect(n).toBe(res.diagnostics.roiVoxels);
  });

  it('rejects bad input with typed errors', async () => {
    const empty: Mask = { ...mask, data: new Uint8Array(mask.data.length) };
    const code = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        expect(e).toBeInstanceOf(RadcamError);
        return (e as RadcamError).code;
      }
      return 'no error';
    };
    expect(await code(computeVoxelMaps(image, empty, { kernelRadius: 1 }))).toBe('E_EMPTY_ROI');
    expect(await code(computeVoxelMaps(image, mask, { kernelRadius: 0 }))).toBe('E_INVALID_ARGUMENT');
    expect(await code(computeVoxelMaps(image, mask, { kernelRadius: 1.5 }))).toBe('E_INVALID_ARGUMENT');
    expect(await code(computeVoxelMaps(image, mask, { kernelRadius: 1, workers: -1 }))).toBe('E_INVALID_ARGUMENT');
    expect(await code(computeVoxelMaps(image, mask, { kernelRadius: 1, families: ['morphology'] }))).toBe('E_UNSUPPORTED');
    expect(await code(computeVoxelMaps(image, mask, { kernelRadius: 1, families: ['nope'] }))).toBe('E_SETTINGS');
    expect(await code(computeVoxelMaps(image, mask, { kernelRadius: 1, settings: { texture: { aggregations: ['2D_avg'] } } }))).toBe('E_UNSUPPORTED');
    const small: Mask = { ...mask, size: [13, 12, 9], data: new Uint8Array(13 * 12 * 9) };
    expect(await code(computeVoxelMaps(image, small, { kernelRadius: 1 }))).toBe('E_MASK_GEOMETRY_MISMATCH');
    const allOut = await code(computeVoxelMaps(image, mask, { kernelRadius: 1, settings: { resegmentation: { range: [1e6, null] } } }));
    expect(allOut).toBe('E_EMPTY_ROI');
  });
});
