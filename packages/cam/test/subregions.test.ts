import { describe, expect, it } from 'vitest';
import { expectArraysClose, expectClose } from '@radcam/core/testing';
import { createVolume, type Mask, type Vec3, type Volume } from '@radcam/core';
import { extractSubregions, localizationMetrics, mapPercentile, otsuThreshold, pearson, rocAuc, spearman } from '../src/index.js';

const size: Vec3 = [10, 10, 10];
const opts = { spacing: [2, 1, 1] as Vec3, origin: [-10, 5, 0] as Vec3 };
const inBox = (i: number, j: number, k: number, lo: number, hi: number) =>
  i >= lo && i <= hi && j >= lo && j <= hi && k >= lo && k <= hi;

function volume<T extends Float32Array | Uint8Array>(ctor: new (n: number) => T, f: (i: number, j: number, k: number) => number): Volume<T> {
  const d = new ctor(1000);
  let p = 0;
  for (let k = 0; k < 10; k++) for (let j = 0; j < 10; j++) for (let i = 0; i < 10; i++) d[p++] = f(i, j, k);
  return createVolume(d, size, opts);
}

// lesion: 8³ box; map: blob A (3³, value 1), blob B (2³, value 0.8), 0 elsewhere, 5 outside the lesion
const lesion = volume(Uint8Array, (i, j, k) => (inBox(i, j, k, 1, 8) ? 1 : 0)) as Mask;
const map = volume(Float32Array, (i, j, k) =>
  !inBox(i, j, k, 1, 8) ? 5 : inBox(i, j, k, 2, 4) ? 1 : inBox(i, j, k, 6, 7) ? 0.8 : 0,
);

describe('extractSubregions', () => {
  it('Otsu splits the two blobs from the background; volumes, LPS centroids, shares', () => {
    const r = extractSubregions(map, lesion, { method: 'otsu' });
    expect(r.threshold).toBeGreaterThan(0);
    expect(r.threshold).toBeLessThan(0.8);
    expect(r.lesionVoxels).toBe(512);
    expect(r.lesionVolumeMm3).toBe(1024);
    expect(r.subregions).toHaveLength(2);
    const [a, b] = r.subregions;
    expect(a!.label).toBe(1);
    expect(a!.voxels).toBe(27);
    expect(a!.volumeMm3).toBe(54);
    expectArraysClose(a!.centroid, [-4, 8, 3]); // index (3,3,3): (−10 + 3·2, 5 + 3, 0 + 3)
    expectClose(a!.lesionShare, 27 / 512);
    expectClose(a!.energyShare, 27 / 33.4, { rtol: 1e-6 });
    expect(b!.voxels).toBe(8);
    expect(b!.volumeMm3).toBe(16);
    expectArraysClose(b!.centroid, [3, 11.5, 6.5]);
    expectClose(b!.meanValue, 0.8, { rtol: 1e-6 });
    // label volume: geometry of the lesion, nothing outside the lesion
    expect(r.labels.spacing).toEqual([2, 1, 1]);
    let n1 = 0;
    let n2 = 0;
    r.labels.data.forEach((l, i) => {
      if (l === 1) n1++;
      if (l === 2) n2++;
      if (l !== 0) expect(lesion.data[i]).toBe(1);
    });
    expect([n1, n2]).toEqual([27, 8]);
  });

  it('minimum volume in mm³ drops the small component; value and percentile thresholds', () => {
    expect(extractSubregions(map, lesion, { minVolumeMm3: 20 }).subregions.map((s) => s.voxels)).toEqual([27]);
    expect(extractSubregions(map, lesion, { minVolumeMm3: 16 }).subregions.map((s) => s.voxels)).toEqual([27, 8]);
    expect(extractSubregions(map, lesion, { method: 'value', threshold: 0.9 }).subregions.map((s) => s.voxels)).toEqual([27]);
    // 95th percentile of {0×477, 0.8×8, 1×27}: rank 511·0.95 = 485.45 → 1
    const p = extractSubregions(map, lesion, { method: 'percentile', percentile: 95 });
    expect(p.threshold).toBe(1);
    expect(p.subregions.map((s) => s.voxels)).toEqual([27]);
  });

  it('connectivity 6 vs 26 on diagonal neighbours', () => {
    const m = volume(Float32Array, (i, j, k) => ((i === 3 && j === 3 && k === 3) || (i === 4 && j === 4 && k === 4) ? 1 : 0));
    expect(extractSubregions(m, lesion, { method: 'value', threshold: 0.5, connectivity: 6 }).subregions).toHaveLength(2);
    expect(extractSubregions(m, lesion, { method: 'value', threshold: 0.5, connectivity: 26 }).subregions).toHaveLength(1);
  });

  it('typed errors: empty lesion, grid mismatch, missing value threshold', () => {
    const empty = volume(Uint8Array, () => 0) as Mask;
    expect(() => extractSubregions(map, empty)).toThrow(expect.objectContaining({ code: 'E_EMPTY_ROI' }));
    const other = createVolume(new Uint8Array(1000).fill(1), size, { spacing: [1, 1, 1] }) as Mask;
    expect(() => extractSubregions(map, other)).toThrow(expect.objectContaining({ code: 'E_MASK_GEOMETRY_MISMATCH' }));
    expect(() => extractSubregions(map, lesion, { method: 'value' })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
  });
});

describe('localizationMetrics', () => {
  const g = (f: (i: number, j: number) => number) => {
    const d = new Float32Array(16);
    for (let j = 0; j < 4; j++) for (let i = 0; i < 4; i++) d[i + 4 * j] = f(i, j);
    return d;
  };
  const lesion2 = createVolume(new Uint8Array(16).fill(1), [4, 4, 1]) as Mask;
  const truth = createVolume(Uint8Array.from(g((i, j) => (i <= 1 && j <= 1 ? 1 : 0))), [4, 4, 1]) as Mask;

  it('energy share, lift, pointing game, Dice/IoU and AUC on a hand-built map', () => {
    const m = createVolume(g((i, j) => (i <= 1 && j <= 1 ? 3 : 1)), [4, 4, 1]);
    const r = localizationMetrics(m, truth, lesion2, { subregion: { method: 'value', threshold: 2 } });
    expectClose(r.energyShare, 12 / 24);
    expectClose(r.volumeShare, 4 / 16);
    expectClose(r.lift, 2);
    expect(r.pointingHit).toBe(true);
    expect(r.dice).toBe(1);
    expect(r.iou).toBe(1);
    expect(r.auc).toBe(1);
  });

  it('pointing game uses the truth dilated by one voxel; Dice/IoU of a given prediction', () => {
    const far = createVolume(g((i, j) => (i === 3 && j === 3 ? 5 : 0)), [4, 4, 1]);
    const near = createVolume(g((i, j) => (i === 2 && j === 2 ? 5 : 0)), [4, 4, 1]);
    expect(localizationMetrics(far, truth, lesion2).pointingHit).toBe(false);
    expect(localizationMetrics(near, truth, lesion2).pointingHit).toBe(true);
    const pred = createVolume(Uint8Array.from(g((i, j) => (i <= 1 && j <= 2 ? 1 : 0))), [4, 4, 1]) as Mask;
    const r = localizationMetrics(near, truth, lesion2, { prediction: pred });
    expectClose(r.dice, (2 * 4) / (6 + 4));
    expectClose(r.iou, 4 / 6);
  });
});

describe('statistics helpers', () => {
  it('Pearson, Spearman, percentile, ROC AUC, Otsu against hand-computed values', () => {
    expectClose(pearson([1, 2, 3], [2, 4, 7]), 5 / Math.sqrt(2 * (38 / 3)), { rtol: 1e-12 });
    expectClose(spearman([1, 2, 3, 4], [1, 3, 2, 4]), 0.8, { rtol: 1e-12 });
    expectClose(spearman([1, 1, 2], [3, 3, 5]), 1, { rtol: 1e-12 });
    expectClose(mapPercentile([1, 2, 3, 4], 75), 3.25);
    expectClose(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75); // scikit-learn's roc_auc_score example
    expectClose(rocAuc([1, 1, 1, 1], [0, 1, 0, 1]), 0.5);
    const t = otsuThreshold([0, 0, 0, 0, 10, 10]);
    expect(t).toBeGreaterThanOrEqual(0);
    expect(t).toBeLessThan(10);
  });
});
