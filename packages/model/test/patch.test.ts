import { describe, expect, it } from 'vitest';
import { createRng, createVolume, indexToWorld, type Mask, type Vec3 } from '@radcam/core';
import { augmentPatch, extractPatch, featureGeometry, sizeCode } from '../src/index.js';

/**
 * An oblique, anisotropic image with an ellipsoid lesion whose centre is placed exactly on a voxel
 * centre: the voxel set is point-symmetric about it, so the mask centroid IS that centre (analytic).
 */
function phantom() {
  const size: Vec3 = [40, 36, 24];
  const spacing: Vec3 = [0.8, 0.9, 1.5];
  const t = Math.PI / 7;
  // rotation about z: columns are the world directions of the index axes
  const direction = [Math.cos(t), -Math.sin(t), 0, Math.sin(t), Math.cos(t), 0, 0, 0, 1];
  const origin: Vec3 = [-12.5, 30.25, 4];
  const n = size[0] * size[1] * size[2];
  const img = new Float32Array(n);
  const msk = new Uint8Array(n);
  const c = [17, 20, 11];
  let p = 0;
  for (let k = 0; k < size[2]; k++)
    for (let j = 0; j < size[1]; j++)
      for (let i = 0; i < size[0]; i++, p++) {
        const r2 = ((i - c[0]!) * 0.8 / 6) ** 2 + ((j - c[1]!) * 0.9 / 5) ** 2 + ((k - c[2]!) * 1.5 / 4.5) ** 2;
        msk[p] = r2 <= 1 ? 1 : 0;
        img[p] = msk[p] ? 100 + 10 * Math.sin(i + j) : 20;
      }
  const image = createVolume(img, size, { spacing, origin, direction });
  const mask = createVolume(msk, size, { spacing, origin, direction }) as Mask;
  const centre = indexToWorld(image, c as Vec3);
  return { image, mask, centre };
}

describe('extractPatch', () => {
  it('3D: the patch centre maps back to the lesion centroid; zscore and mask channel', () => {
    const { image, mask, centre } = phantom();
    const patch = extractPatch(image, mask, { size: 16, marginMm: 4, maskChannel: true, normalize: 'zscore-mask' });
    expect(patch.shape).toEqual([16, 16, 16, 2]);
    expect(patch.geometry.size).toEqual([16, 16, 16]);
    const mid = indexToWorld(patch.geometry, [7.5, 7.5, 7.5]);
    for (let a = 0; a < 3; a++) {
      expect(mid[a]).toBeCloseTo(centre[a]!, 6);
      expect(patch.centroid[a]).toBeCloseTo(centre[a]!, 6);
    }
    // isotropic spacing = (largest bounding-box side + 2 margin) / size; box sides are odd voxel counts
    // x: |i−17|·0.8 ≤ 6 → 15 voxels = 12 mm, y: |j−20|·0.9 ≤ 5 → 11 voxels = 9.9 mm, z: 7 voxels = 10.5 mm
    expect(patch.geometry.spacing[0]).toBeCloseTo((12 + 8) / 16, 9);
    // the mask channel is 1 at the patch centre and 0 at the corners
    const at = (x: number, y: number, z: number, ch: number) => patch.data[((z * 16 + y) * 16 + x) * 2 + ch]!;
    expect(at(8, 8, 8, 1)).toBe(1);
    expect(at(0, 0, 0, 1)).toBe(0);
    // z-score inside the lesion: lesion ≈ 100 ± 10·sin, background 20 → strongly negative outside
    expect(at(0, 0, 0, 0)).toBeLessThan(-5);
    expect(Math.abs(at(8, 8, 8, 0))).toBeLessThan(2);
  });

  it("default 'percentile' normalisation maps the lesion's [1, 99] percentile range to 0…1", () => {
    const { image, mask } = phantom();
    const patch = extractPatch(image, mask, { size: 16, marginMm: 4 });
    // background (20) is below the lesion's 1st percentile (≥ 90) → clipped to 0
    expect(patch.data[0]).toBe(0);
    let max = -Infinity;
    let min = Infinity;
    for (const v of patch.data) {
      max = Math.max(max, v);
      min = Math.min(min, v);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(1 + 1e-6);
  });

  it("'rim' normalisation: v / median(outer 2 mm shell) − 1, clipped to [−1, 1]", () => {
    // A ball of radius 6 mm on a 1 mm grid: shell (distance to the outside ≤ 2 mm) = 200, core = 100,
    // background = 20 → expected values 0 (rim), 100/200 − 1 = −0.5 (core), 20/200 − 1 = −0.9.
    const size: Vec3 = [24, 24, 24];
    const n = 24 ** 3;
    const img = new Float32Array(n);
    const msk = new Uint8Array(n);
    let p = 0;
    for (let k = 0; k < 24; k++)
      for (let j = 0; j < 24; j++)
        for (let i = 0; i < 24; i++, p++) {
          const r = Math.hypot(i - 11.5, j - 11.5, k - 11.5);
          msk[p] = r <= 6 ? 1 : 0;
          img[p] = r <= 3 ? 100 : r <= 6 ? 200 : 20;
        }
    const image = createVolume(img, size, {});
    const mask = createVolume(msk, size, {}) as Mask;
    // spacingMm 1 and an even size: patch voxels coincide with image voxels (no interpolation)
    const patch = extractPatch(image, mask, { size: 16, spacingMm: 1, normalize: 'rim', rimMm: 2 });
    const at = (x: number, y: number, z: number) => patch.data[(z * 16 + y) * 16 + x]!;
    expect(at(0, 0, 0)).toBeCloseTo(-0.9, 6);
    expect(at(7, 7, 7)).toBeCloseTo(-0.5, 6); // image voxel (11, 11, 11): r = 0.87 mm
    expect(at(7, 7, 2)).toBeCloseTo(0, 6); // image voxel (11, 11, 6): r = 5.5 mm
  });

  it('marginFraction widens the field of view in proportion to the lesion', () => {
    const { image, mask } = phantom();
    // largest box side 12 mm (see above): FOV = 12 + 2·(3 + 0.25·12) = 24 mm
    const patch = extractPatch(image, mask, { size: 16, marginMm: 3, marginFraction: 0.25 });
    expect(patch.geometry.spacing[0]).toBeCloseTo(24 / 16, 9);
    expect(() => extractPatch(image, mask, { marginFraction: -1 })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(() => extractPatch(image, mask, { normalize: 'bogus' as 'rim' })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
  });

  it("sizeEncoding 'log-diameter': lesion voxels of the mask channel carry 1 + 0.5·clamp(ln(d / 12 mm) / 0.4, ±1.9)", () => {
    // a 10 × 10 × 8-voxel box at 1 × 1 × 1.5 mm: V = 1200 mm³, d = (6V/π)^(1/3) = 13.18442 mm,
    // z = ln(d / 12) / 0.4 = 0.235322 → 1.117661 (values computed by hand / in a calculator)
    const size: Vec3 = [20, 20, 14];
    const n = size[0] * size[1] * size[2];
    const msk = new Uint8Array(n);
    const img = new Float32Array(n).fill(20);
    for (let k = 3; k < 11; k++)
      for (let j = 5; j < 15; j++)
        for (let i = 5; i < 15; i++) {
          msk[i + size[0] * (j + size[1] * k)] = 1;
          img[i + size[0] * (j + size[1] * k)] = 100;
        }
    const geo = { spacing: [1, 1, 1.5] as Vec3 };
    const image = createVolume(img, size, geo);
    const mask = createVolume(msk, size, geo) as Mask;
    const patch = extractPatch(image, mask, { size: 8, marginMm: 2, maskChannel: true, sizeEncoding: 'log-diameter' });
    const ch1 = patch.data.filter((_, i) => i % 2 === 1);
    const values = [...new Set(ch1)].sort((a, b) => a - b);
    expect(values).toHaveLength(2);
    expect(values[0]).toBe(0);
    expect(values[1]).toBeCloseTo(1.117661, 5);
    // the image channel is unchanged by the option
    const plain = extractPatch(image, mask, { size: 8, marginMm: 2, maskChannel: true });
    expect(patch.data.filter((_, i) => i % 2 === 0)).toEqual(plain.data.filter((_, i) => i % 2 === 0));
    // a one-voxel lesion (d = 1.24 mm, z = −5.7) is clamped to 1 + 0.5·(−1.9) = 0.05
    const dot = new Uint8Array(n);
    dot[10 + size[0] * (10 + size[1] * 7)] = 1;
    expect(sizeCode(createVolume(dot, size, geo) as Mask)).toBeCloseTo(0.05, 12);
    expect(sizeCode(mask)).toBeCloseTo(1.117661029, 8);
    expect(() => extractPatch(image, mask, { sizeEncoding: 'log-diameter' })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(() => extractPatch(image, mask, { maskChannel: true, sizeEncoding: 'cubic' as 'none' })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
  });

  it('2D: the axial slice through the centroid', () => {
    const { image, mask, centre } = phantom();
    const patch = extractPatch(image, mask, { dims: 2, size: 8 });
    expect(patch.shape).toEqual([8, 8, 1]);
    expect(patch.geometry.size).toEqual([8, 8, 1]);
    const mid = indexToWorld(patch.geometry, [3.5, 3.5, 0]);
    for (let a = 0; a < 3; a++) expect(mid[a]).toBeCloseTo(centre[a]!, 6);
  });

  it('featureGeometry: feature voxel 0 of a ×4 map is centred on patch voxels 0…3', () => {
    const { image, mask } = phantom();
    const patch = extractPatch(image, mask, { size: 16 });
    const fg = featureGeometry(patch.geometry, 4);
    expect(fg.size).toEqual([4, 4, 4]);
    const a = indexToWorld(fg, [0, 0, 0]);
    const b = indexToWorld(patch.geometry, [1.5, 1.5, 1.5]);
    for (let i = 0; i < 3; i++) expect(a[i]).toBeCloseTo(b[i]!, 9);
  });

  it('rejects an empty mask (E_EMPTY_ROI)', () => {
    const { image, mask } = phantom();
    const empty = { ...mask, data: new Uint8Array(mask.data.length) };
    expect(() => extractPatch(image, empty)).toThrow(expect.objectContaining({ code: 'E_EMPTY_ROI' }));
  });
});

describe('augmentPatch', () => {
  it('is a seeded permutation of voxels; geometric changes hit every channel, intensity only channel 0', () => {
    const S = 6;
    const rng0 = createRng(1);
    const data = new Float32Array(S * S * S * 2);
    for (let i = 0; i < S * S * S; i++) {
      data[2 * i] = rng0.normal();
      data[2 * i + 1] = data[2 * i]! * 3; // channel 1 tied to channel 0
    }
    const opts = { intensityShift: 0, intensityScale: 0 };
    const a = augmentPatch(data, 3, S, 2, createRng(9), opts);
    const b = augmentPatch(data, 3, S, 2, createRng(9), opts);
    expect(a).toEqual(b);
    const sorted = (v: Float32Array) => Array.from(v).sort((x, y) => x - y);
    expect(sorted(a)).toEqual(sorted(data));
    for (let i = 0; i < S * S * S; i++) expect(a[2 * i + 1]).toBe(Math.fround(a[2 * i]! * 3));
    // with intensity changes: channel 1 untouched (still a permutation of the original channel 1)
    const c = augmentPatch(data, 3, S, 2, createRng(4), { intensityShift: 0.5, intensityScale: 0.2 });
    const ch1 = (v: Float32Array) => sorted(v.filter((_, i) => i % 2 === 1));
    expect(ch1(c)).toEqual(ch1(data));
  });

  it('permuteAxes: with flips and rotations off, the output is one of the 6 axis transposes', () => {
    const S = 3;
    const src = Float32Array.from({ length: 27 }, (_, i) => i); // value = (z·3 + y)·3 + x
    const seen = new Set<string>();
    const rng = createRng(4);
    for (let t = 0; t < 60; t++) {
      const out = augmentPatch(src, 3, S, 1, rng, { flip: false, rotate90: false, intensityShift: 0, intensityScale: 0, permuteAxes: true });
      // find which source axis each output axis reads: out(x, y, z) = src(perm applied)
      const ox = out[1]!; // output (1, 0, 0)
      const oy = out[3]!; // output (0, 1, 0)
      const oz = out[9]!; // output (0, 0, 1)
      const key = [ox, oy, oz].sort((a, b) => a - b).join(',');
      expect(key).toBe('1,3,9'); // each output unit step is a source unit step along a distinct axis
      expect([...out].sort((a, b) => a - b)).toEqual([...src]);
      seen.add(`${ox},${oy},${oz}`);
    }
    expect(seen.size).toBe(6);
  });

  it('a 90° rotation moves voxel (x, y) to the rotated position (2D check by hand)', () => {
    // 2×2 image [[1, 2], [3, 4]] (row y, column x). Find a seed whose draw is "no flips, k = 1".
    const img = Float32Array.of(1, 2, 3, 4);
    const results = new Set<string>();
    for (let s = 0; s < 64; s++) results.add(Array.from(augmentPatch(img, 2, 2, 1, createRng(s), { intensityShift: 0, intensityScale: 0 })).join(','));
    // the 8 symmetries of the square (dihedral group D4) and nothing else
    const d4 = ['1,2,3,4', '2,4,1,3', '4,3,2,1', '3,1,4,2', '2,1,4,3', '3,4,1,2', '1,3,2,4', '4,2,3,1'];
    expect([...results].sort()).toEqual([...d4].sort());
  });
});

describe('extractPatchForModel', () => {
  it('follows the model architecture and its saved preprocessing', async () => {
    const { extractPatchForModel } = await import('../src/index.js');
    const { image, mask } = phantom();
    const p = extractPatchForModel(
      { config: { dims: 3, inputSize: 8, inChannels: 2 }, preprocessing: { size: 32, marginMm: 2, normalize: 'none' } },
      image,
      mask,
    );
    expect(p.shape).toEqual([8, 8, 8, 2]);
    // normalize 'none' keeps raw intensities: the lesion centre is ≈ 100 ± 10
    expect(p.data[((4 * 8 + 4) * 8 + 4) * 2]).toBeGreaterThan(85);
    expect(p.geometry.spacing[0]).toBeCloseTo((12 + 4) / 8, 9);
  });
});
