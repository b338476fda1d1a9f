import { describe, expect, it } from 'vitest';
import { expectArraysClose } from '@radcam/core/testing';
import { createVolume, sameGeometry, type Geometry, type Vec3 } from '@radcam/core';
import { camToPatientSpace, flipGrid, normalizeMap, resizeLinear } from '../src/index.js';

function geom(size: Vec3, spacing: Vec3, origin: Vec3, direction = [1, 0, 0, 0, 1, 0, 0, 0, 1]): Geometry {
  return { size, spacing, origin, direction: Float64Array.from(direction) };
}

function grid(size: Vec3, f: (i: number, j: number, k: number) => number): Float32Array {
  const out = new Float32Array(size[0] * size[1] * size[2]);
  let p = 0;
  for (let k = 0; k < size[2]; k++) for (let j = 0; j < size[1]; j++) for (let i = 0; i < size[0]; i++) out[p++] = f(i, j, k);
  return out;
}

describe('resizeLinear (voxel centres aligned)', () => {
  it('a ramp of 4 up-sampled to 8: centre o ↦ (o + ½)/2 − ½, clamped', () => {
    const out = resizeLinear(Float32Array.of(0, 1, 2, 3), [4, 1, 1], [8, 1, 1]);
    expectArraysClose(out, [0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3]);
  });
  it('trilinear reproduces a linear function at the mapped coordinates (2³ → 4³)', () => {
    const f = (x: number, y: number, z: number) => x + 10 * y + 100 * z;
    const t = [0, 0.25, 0.75, 1];
    const out = resizeLinear(grid([2, 2, 2], f), [2, 2, 2], [4, 4, 4]);
    expectArraysClose(out, grid([4, 4, 4], (i, j, k) => f(t[i]!, t[j]!, t[k]!)), { atol: 1e-5 });
  });
  it('down-sampling 4 → 2 averages neighbour pairs at the new centres', () => {
    expectArraysClose(resizeLinear(Float32Array.of(0, 1, 2, 3), [4, 1, 1], [2, 1, 1]), [0.5, 2.5]);
  });
  it('flipGrid reverses the chosen axes and is an involution', () => {
    const a = grid([3, 2, 1], (i, j) => i + 10 * j);
    expectArraysClose(flipGrid(a, [3, 2, 1], [0]), [2, 1, 0, 12, 11, 10]);
    expectArraysClose(flipGrid(a, [3, 2, 1], [1]), [10, 11, 12, 0, 1, 2]);
    expectArraysClose(flipGrid(flipGrid(a, [3, 2, 1], [0, 1]), [3, 2, 1], [0, 1]), a);
  });
});

describe('camToPatientSpace', () => {
  it('same spacing: the patch lands exactly at its offset, zero elsewhere, image geometry kept', () => {
    const image = geom([10, 8, 6], [1, 1, 1], [0, 0, 0]);
    const patch = geom([4, 3, 2], [1, 1, 1], [2, 3, 1]);
    const map = grid([4, 3, 2], (i, j, k) => 1 + i + 10 * j + 100 * k);
    const out = camToPatientSpace({ data: map, size: [4, 3, 2] }, patch, image);
    expect(sameGeometry(out, image, { mm: 0, direction: 0 })).toBe(true);
    const expected = grid([10, 8, 6], (i, j, k) =>
      i >= 2 && i <= 5 && j >= 3 && j <= 5 && k >= 1 && k <= 2 ? 1 + (i - 2) + 10 * (j - 3) + 100 * (k - 1) : 0,
    );
    expectArraysClose(out.data, expected);
  });

  it('coarser patch (2 mm along x): linear in the patch index, clamped to the edge centres within ±½ voxel', () => {
    const image = geom([12, 2, 2], [1, 1, 1], [0, 0, 0]);
    const patch = geom([3, 2, 2], [2, 1, 1], [4, 0, 0]);
    const out = camToPatientSpace({ data: grid([3, 2, 2], (i) => i), size: [3, 2, 2] }, patch, image);
    // patch extent along x: 4 − 1 … 4 + 4 + 1 = [3, 9]; p_x = (x − 4)/2
    const row = [0, 0, 0, 0, 0, 0.5, 1, 1.5, 2, 2, 0, 0];
    expectArraysClose(out.data, grid([12, 2, 2], (i) => row[i]!));
  });

  it('flipped x direction in the patch', () => {
    const image = geom([12, 2, 2], [1, 1, 1], [0, 0, 0]);
    const patch = geom([3, 2, 2], [1, 1, 1], [9, 0, 0], [-1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const out = camToPatientSpace({ data: grid([3, 2, 2], (i) => 1 + i), size: [3, 2, 2] }, patch, image);
    // world x = 9 − p_x → image i = 7, 8, 9 get 1 + (9 − i)
    expectArraysClose(out.data, grid([12, 2, 2], (i) => (i >= 7 && i <= 9 ? 1 + 9 - i : 0)));
  });

  it('90° rotation about z (index x → +y, index y → −x), anisotropic image origin', () => {
    const image = geom([8, 6, 1], [1, 1, 1], [0, 0, 0]);
    const patch = geom([3, 2, 1], [1, 1, 1], [5, 1, 0], [0, -1, 0, 1, 0, 0, 0, 0, 1]);
    const out = camToPatientSpace({ data: grid([3, 2, 1], (i, j) => 1 + i + 10 * j), size: [3, 2, 1] }, patch, image);
    // world(p) = (5 − p_y, 1 + p_x, p_z): image (i, j) ↔ p_x = j − 1, p_y = 5 − i
    expectArraysClose(
      out.data,
      grid([8, 6, 1], (i, j) => (j >= 1 && j <= 3 && (i === 4 || i === 5) ? 1 + (j - 1) + 10 * (5 - i) : 0)),
    );
  });

  it('a layer-grid map is first up-sampled to the patch (trilinear, centres aligned)', () => {
    const image = geom([4, 1, 1], [1.5, 1, 1], [-3, 2, 7]);
    const out = camToPatientSpace({ data: Float32Array.of(0, 1), size: [2, 1, 1] }, image, image);
    expectArraysClose(out.data, [0, 0.25, 0.75, 1]);
  });

  it('keeps a non-trivial image geometry exactly (size, spacing, origin, direction)', () => {
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const dir = [c, -s, 0, s, c, 0, 0, 0, 1];
    const image = createVolume(new Float32Array(7 * 9 * 5), [7, 9, 5], { spacing: [0.9, 1.1, 2.5], origin: [-12.5, 30.25, 7], direction: dir });
    const patch = geom([4, 4, 4], [1, 1, 1], [-10, 32, 9], dir);
    const out = camToPatientSpace({ data: new Float32Array(8).fill(1), size: [2, 2, 2] }, patch, image);
    expect(out.size).toEqual(image.size);
    expect(out.spacing).toEqual(image.spacing);
    expect(out.origin).toEqual(image.origin);
    expect(Array.from(out.direction)).toEqual(dir);
    const inside = out.data.reduce((a, v) => a + (v > 0 ? 1 : 0), 0);
    expect(inside).toBeGreaterThan(0);
    expect(inside).toBeLessThan(out.data.length);
  });
});

describe('normalizeMap', () => {
  it('min–max, masked range, max-abs, constant', () => {
    expectArraysClose(normalizeMap(Float32Array.of(2, 4, 6)), [0, 0.5, 1]);
    expectArraysClose(normalizeMap(Float32Array.of(2, 4, 6, 100), { mask: [1, 1, 1, 0] }), [0, 0.5, 1, 24.5]);
    expectArraysClose(normalizeMap(Float32Array.of(-2, 1), { mode: 'max' }), [-1, 0.5]);
    expectArraysClose(normalizeMap(Float32Array.of(3, 3)), [0, 0]);
  });
});
