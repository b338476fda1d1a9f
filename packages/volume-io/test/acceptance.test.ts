// Acceptance tests of issue 2 for @radcam/volume-io, against data and values from outside radcam:
// the IBSI 1 CT phantom (NIfTI + DICOM + RTSTRUCT), the IBSI digital phantom (array listed in
// ../shared/ibsi/README.md) and PyRadiomics' NRRD test cases (their headers and the diagnostics
// PyRadiomics recorded in baseline_firstorder.csv).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countMask } from '@radcam/core';
import { expectArraysClose, parseCsv, sharedPath } from '@radcam/core/testing';
import { readDicomSeries, readMask, readRtstructMask, readVolume, readVolumeInfo, listRtstructRois } from '@radcam/volume-io';

const ct = () => sharedPath('ibsi', 'ibsi1', 'ct_phantom');

describe('IBSI CT phantom', () => {
  it('NIfTI header: 204×201×60, spacing 0.977×0.977×3.0 (README)', async () => {
    const info = await readVolumeInfo(`${ct()}/nifti/image/phantom.nii.gz`);
    expect(info.format).toBe('radcam/nifti');
    expect(info.size).toEqual([204, 201, 60]);
    expectArraysClose(info.spacing, [0.977, 0.977, 3.0], { atol: 1e-3, rtol: 0 });
    expect(info.dtype).toBe('float32');
    // README: origin (174.39, 79.63, −100.4) in NIfTI RAS, srow = diag(−0.977, −0.977, 3) → LPS identity
    expectArraysClose(info.origin, [-174.39, -79.63, -100.4], { atol: 0.01, rtol: 0 });
    expectArraysClose(info.direction, [1, 0, 0, 0, 1, 0, 0, 0, 1], { atol: 1e-12, rtol: 0 });
  });

  it('DICOM series equals the NIfTI phantom voxel by voxel, same geometry (±1e-3 mm)', async () => {
    const nii = await readVolume(`${ct()}/nifti/image/phantom.nii.gz`);
    const dcm = await readVolume(`${ct()}/dicom/image`);
    expect(dcm.size).toEqual([204, 201, 60]);
    expectArraysClose(dcm.spacing, nii.spacing, { atol: 1e-3, rtol: 0 });
    expectArraysClose(dcm.origin, nii.origin, { atol: 1e-3, rtol: 0 });
    expectArraysClose(dcm.direction, nii.direction, { atol: 1e-6, rtol: 0 });
    expect(dcm.data).toBeInstanceOf(Int16Array);
    let diff = 0;
    for (let i = 0; i < nii.data.length; i++) if (nii.data[i] !== dcm.data[i]) diff++;
    expect(diff).toBe(0);
    // README: HU range −1000 … 3065
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of dcm.data) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    expect([lo, hi]).toEqual([-1000, 3065]);
  });

  it('readVolumeInfo on the DICOM folder reads headers only and agrees', async () => {
    const info = await readVolumeInfo(`${ct()}/dicom/image`);
    expect(info.format).toBe('radcam/dicom');
    expect(info.size).toEqual([204, 201, 60]);
    expectArraysClose(info.spacing, [0.977, 0.977, 3.0], { atol: 1e-3, rtol: 0 });
  });

  it('RTSTRUCT GTV-1 rasterised on the DICOM grid reproduces the NIfTI mask (Dice ≥ 0.99)', async () => {
    const rt = `${ct()}/dicom/mask/DCM_RS_00060.dcm`;
    expect((await listRtstructRois(rt)).map((r) => r.name)).toEqual(['GTV-1']);
    const image = await readDicomSeries(`${ct()}/dicom/image`);
    const mask = await readRtstructMask(rt, image, 'GTV-1');
    const ref = await readMask(`${ct()}/nifti/mask/mask.nii.gz`, { reference: image });
    expect(countMask(ref)).toBe(125256); // README
    let inter = 0;
    for (let i = 0; i < mask.data.length; i++) inter += mask.data[i]! & ref.data[i]!;
    const dice = (2 * inter) / (countMask(mask) + countMask(ref));
    expect(dice).toBeGreaterThanOrEqual(0.99);
    // Voxel-centre even–odd rasterisation reproduces the IBSI mask exactly (measured Dice = 1).
    expect(dice).toBe(1);
  });
});

describe('IBSI digital phantom', () => {
  it('matches the 5×4×4 array listed in ../shared/ibsi/README.md', async () => {
    const v = await readVolume(sharedPath('ibsi', 'ibsi1', 'digital_phantom', 'image', 'phantom.nii.gz'));
    expect(v.size).toEqual([5, 4, 4]);
    expect(v.spacing).toEqual([2, 2, 2]);
    const rows = [
      '1 4 4 1 1 | 1 4 6 1 1 | 4 1 6 4 1 | 4 4 6 4 1',
      '1 4 4 1 1 | 1 1 6 1 1 | 1 1 3 1 1 | 4 4 6 1 1',
      '1 4 4 1 1 | 1 1 1 1 1 | 1 1 9 1 1 | 1 1 6 1 1',
      '1 4 4 1 1 | 1 1 1 1 1 | 1 1 1 1 1 | 1 1 6 1 1',
    ];
    const expected = rows.flatMap((r) => r.replace(/\|/g, ' ').trim().split(/\s+/).map(Number));
    expect(Array.from(v.data)).toEqual(expected);
    const mask = await readMask(sharedPath('ibsi', 'ibsi1', 'digital_phantom', 'mask', 'mask.nii.gz'), { reference: v });
    expect(countMask(mask)).toBe(74); // README
  });
});

/** Independent header parse of the test: "key: value" lines up to the blank line. */
function nrrdHeaderFields(path: string): Record<string, string> {
  const text = readFileSync(path).subarray(0, 2000).toString('latin1');
  const head = text.slice(0, text.indexOf('\n\n'));
  return Object.fromEntries(head.split('\n').filter((l) => l.includes(': ')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
}

describe('PyRadiomics NRRD cases', () => {
  const baseline = parseCsv(readFileSync(sharedPath('pyradiomics', 'baseline', 'baseline_firstorder.csv'), 'utf8'));
  const diag = (name: string, c: string) => baseline.find((r) => r.featureName === name)![`${c}_normalization`]!;

  // Values read by eye from `head -c 600` of each file.
  const byEye: Record<string, { sizes: number[]; spacing: number[]; origin: number[]; dirSigns: number[] }> = {
    brain1: { sizes: [256, 256, 25], spacing: [0.78125, 0.78125, 6.5], origin: [-99.609375, 99.609375, -78], dirSigns: [1, -1, 1] },
    brain2: { sizes: [256, 256, 23], spacing: [0.78125, 0.78125, 6.5], origin: [-110, 103.41874694824213, -62.700000762939432], dirSigns: [1, -1, 1] },
    breast1: { sizes: [45, 120, 21], spacing: [0.664062, 0.664062, 2.1], origin: [-116.54304, -48.14465400000001, 9.45], dirSigns: [1, 1, 1] },
  };

  for (const c of Object.keys(byEye)) {
    it(`${c}: geometry from the header, data hash / mean / mask as PyRadiomics recorded`, async () => {
      const path = sharedPath('pyradiomics', `${c}_image.nrrd`);
      const f = nrrdHeaderFields(path);
      const v = await readVolume(path);
      const eye = byEye[c]!;
      // the header text, parsed here independently
      expect(f.sizes!.split(' ').map(Number)).toEqual(eye.sizes);
      const dirs = f['space directions']!.match(/\(([^)]*)\)/g)!.map((t) => t.slice(1, -1).split(',').map(Number));
      expect(f.space).toBe('left-posterior-superior');
      expect(v.size).toEqual(eye.sizes);
      for (let a = 0; a < 3; a++) {
        expect(v.spacing[a]).toBe(Math.hypot(...dirs[a]!)); // exactly the header's vector length
        for (let r = 0; r < 3; r++) expect(v.direction[r * 3 + a]! * v.spacing[a]!).toBeCloseTo(dirs[a]![r]!, 12);
        expect(Math.sign(v.direction[a * 3 + a]!)).toBe(eye.dirSigns[a]);
      }
      expectArraysClose(v.spacing, eye.spacing, { rtol: 1e-12 });
      expectArraysClose(v.origin, eye.origin, { rtol: 1e-12 });
      expectArraysClose(v.origin, f['space origin']!.slice(1, -1).split(',').map(Number), { rtol: 0, atol: 0 });
      // PyRadiomics diagnostics (SimpleITK read of the same file)
      const sha1 = createHash('sha1').update(new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength)).digest('hex');
      expect(sha1).toBe(diag('diagnostics_Image-original_Hash', c));
      let sum = 0;
      for (const x of v.data) sum += x;
      expect(sum / v.data.length).toBeCloseTo(Number(diag('diagnostics_Image-original_Mean', c)), 9);
      const mask = await readMask(sharedPath('pyradiomics', `${c}_label.nrrd`), { reference: v, label: 1 });
      expect(countMask(mask)).toBe(Number(diag('diagnostics_Mask-original_VoxelNum', c)));
    });
  }

  it('prostate phantom (unsigned short, negative x/y directions)', async () => {
    const path = sharedPath('pyradiomics', 'prostate_phantom_subvolume.nrrd');
    const f = nrrdHeaderFields(path);
    expect(f.type).toBe('unsigned short');
    const v = await readVolume(path);
    expect(v.data).toBeInstanceOf(Uint16Array);
    expect(v.size).toEqual([82, 67, 13]);
    expect(v.spacing).toEqual([0.5, 0.5, 3]);
    expect(Array.from(v.direction)).toEqual([-1, 0, 0, 0, -1, 0, 0, 0, 1]);
    expect(v.origin).toEqual([15.683382511138916, 76.535760879516602, -52.776130676269538]);
  });
});
