import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv, type Mask, type Vec3, type Volume } from '@radcam/core';
import { expectArraysClose } from '@radcam/core/testing';
import { createModel, saveModel } from '@radcam/model';
import { readMask, readVolume, writeVolume } from '@radcam/volume-io';
import { writeSynthCohort } from '@radcam/study';
import { expectOneLineError, run, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

// An oblique, anisotropic grid: direction = Rz(30°)·Rx(20°) (det +1), spacing 0.8 × 1.1 × 2.2 mm.
const SIZE: Vec3 = [28, 24, 14];
const SPACING: Vec3 = [0.8, 1.1, 2.2];
const ORIGIN: Vec3 = [10.5, -20.25, 33];
function direction(): Float64Array {
  const a = (30 * Math.PI) / 180;
  const b = (20 * Math.PI) / 180;
  const rz = [Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a), 0, 0, 0, 1];
  const rx = [1, 0, 0, 0, Math.cos(b), -Math.sin(b), 0, Math.sin(b), Math.cos(b)];
  const out = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[r * 3 + c] = out[r * 3 + c]! + rz[r * 3 + k]! * rx[k * 3 + c]!;
  return out;
}
const MARGIN_MM = 4;
const CENTRE: Vec3 = [13.3, 12.2, 6.6]; // index space
const RADIUS_MM = 5;

function makeCase(): { image: Volume<Int16Array>; mask: Mask } {
  const n = SIZE[0] * SIZE[1] * SIZE[2];
  const geom = { size: SIZE, spacing: SPACING, origin: ORIGIN, direction: direction() };
  const image: Volume<Int16Array> = { ...geom, data: new Int16Array(n) };
  const mask: Mask = { ...geom, data: new Uint8Array(n) };
  for (let k = 0, i = 0; k < SIZE[2]; k++) {
    for (let y = 0; y < SIZE[1]; y++) {
      for (let x = 0; x < SIZE[0]; x++, i++) {
        const d = Math.hypot((x - CENTRE[0]) * SPACING[0], (y - CENTRE[1]) * SPACING[1], (k - CENTRE[2]) * SPACING[2]);
        const inside = d <= RADIUS_MM;
        mask.data[i] = inside ? 1 : 0;
        // bright rim, darker core, smooth background gradient
        image.data[i] = Math.round(100 + 3 * x + 2 * y + (inside ? 200 + 40 * d : 0));
      }
    }
  }
  return { image, mask };
}

/** Voxels whose centre lies outside the lesion patch (centroid ± FOV/2 along the image axes). */
function outsidePatch(mask: Mask): Uint8Array {
  const [nx, ny, nz] = mask.size;
  const c = new Float64Array(3);
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  let count = 0;
  for (let k = 0, i = 0; k < nz; k++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        if (!mask.data[i]) continue;
        const p = [x, y, k];
        for (let a = 0; a < 3; a++) {
          c[a] = c[a]! + p[a]!;
          lo[a] = Math.min(lo[a]!, p[a]!);
          hi[a] = Math.max(hi[a]!, p[a]!);
        }
        count++;
      }
    }
  }
  const side = Math.max(...[0, 1, 2].map((a) => (hi[a]! - lo[a]! + 1) * mask.spacing[a]!));
  const half = (side + 2 * MARGIN_MM) / 2;
  const out = new Uint8Array(mask.data.length);
  for (let k = 0, i = 0; k < nz; k++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        const p = [x, y, k];
        if ([0, 1, 2].some((a) => Math.abs((p[a]! - c[a]! / count) * mask.spacing[a]!) > half + 1e-3)) out[i] = 1;
      }
    }
  }
  return out;
}

function expectGeometry(v: Volume, ref: Volume): void {
  expect(v.size).toEqual(ref.size);
  expectArraysClose(v.spacing, ref.spacing, { atol: 1e-5 });
  expectArraysClose(v.origin, ref.origin, { atol: 1e-4 });
  expectArraysClose(v.direction, ref.direction, { atol: 1e-5 });
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('radcam-cli-cam-'));
  const { image, mask } = makeCase();
  await writeVolume(join(dir, 'oblique.nii.gz'), image);
  await writeVolume(join(dir, 'oblique_mask.nii.gz'), mask);
  // a tiny untrained model whose patches use a 4 mm margin
  const model = createModel({ dims: 3, inputSize: 8, inChannels: 1, widths: [4, 8], strides: [1, 2] }, { seed: 1 });
  model.preprocessing = { marginMm: MARGIN_MM };
  await saveModel(model, join(dir, 'tiny'));
  model.dispose();
  await writeSynthCohort(join(dir, 'cohort'), { patients: 3, lesions: 5, size: 32, seed: 3 });
  const r = await run(['train', '--cohort', 'cohort/cohort.csv', '--out', 'model', '--size', '8', '--widths', '4,8', '--strides', '1,2', '--epochs', '2', '--validation', '0'], dir);
  if (r.code !== 0) throw new Error(r.stderr);
}, 60_000);
afterAll(() => cleanup());

describe('radcam cam (one lesion)', () => {
  it('writes a CAM NIfTI with the input image\'s size, spacing, origin and direction (oblique, anisotropic)', async () => {
    const r = await run(['cam', '--model', 'tiny', '--image', 'oblique.nii.gz', '--mask', 'oblique_mask.nii.gz', '--out', 'cam.nii.gz', '--subregions', 'sub.nii.gz'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^probability \(label 1\): 0\.\d{4}$/m);
    expect(r.stdout).toMatch(/radcam\/layercam at enc2, class 1/);
    const input = await readVolume(join(dir, 'oblique.nii.gz'));
    // the input itself round-trips the geometry we built
    const built = makeCase().image;
    expectGeometry(input, built);
    const cam = await readVolume(join(dir, 'cam.nii.gz'));
    expectGeometry(cam, input);
    expectGeometry(cam, built);
    expect(cam.data).toBeInstanceOf(Float32Array);
    const sub = await readVolume(join(dir, 'sub.nii.gz'));
    expectGeometry(sub, input);
    const mask = await readMask(join(dir, 'oblique_mask.nii.gz'));
    const outside = outsidePatch(mask);
    expect(outside.reduce((a, b) => a + b, 0)).toBeGreaterThan(1000); // the patch does not cover the image
    for (let i = 0; i < cam.data.length; i++) {
      const v = cam.data[i]!;
      expect(v >= 0 && v <= 1).toBe(true);
      if (outside[i]) expect(v).toBe(0);
      if (!mask.data[i]) expect(sub.data[i]).toBe(0);
    }
  });

  it('writes raw signed maps with --raw, normalises to [0, 1] in the lesion otherwise', async () => {
    const mask = await readMask(join(dir, 'oblique_mask.nii.gz'));
    const outside = outsidePatch(mask);
    let r = await run(['cam', '--model', 'tiny', '--image', 'oblique.nii.gz', '--mask', 'oblique_mask.nii.gz', '--method', 'hirescam', '--raw', '--out', 'raw.nii.gz'], dir);
    expect(r.code, r.stderr).toBe(0);
    const raw = await readVolume(join(dir, 'raw.nii.gz'));
    expectGeometry(raw, await readVolume(join(dir, 'oblique.nii.gz')));
    let inside = 0;
    for (let i = 0; i < raw.data.length; i++) {
      if (outside[i]) expect(raw.data[i]).toBe(0);
      else if (raw.data[i] !== 0) inside++;
    }
    expect(inside).toBeGreaterThan(100);

    r = await run(['cam', '--model', 'tiny', '--image', 'oblique.nii.gz', '--mask', 'oblique_mask.nii.gz', '--method', 'hirescam', '--out', 'norm.nii.gz', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ method: 'radcam/hirescam', layer: 'enc2', classIndex: 1, normalised: true, cam: 'norm.nii.gz' });
    const norm = await readVolume(join(dir, 'norm.nii.gz'));
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < norm.data.length; i++) {
      if (!mask.data[i]) continue;
      lo = Math.min(lo, norm.data[i]!);
      hi = Math.max(hi, norm.data[i]!);
    }
    expect(lo).toBe(0);
    expect(hi).toBe(1);
    // min–max normalisation is monotone: the order of in-lesion values is kept
    const idx = [...mask.data.keys()].filter((i) => mask.data[i]);
    const byRaw = [...idx].sort((a, b) => raw.data[a]! - raw.data[b]!);
    for (let t = 1; t < byRaw.length; t++) expect(norm.data[byRaw[t]!]!).toBeGreaterThanOrEqual(norm.data[byRaw[t - 1]!]!);
  });

  it('reports localisation metrics against a truth mask', async () => {
    const mask = await readMask(join(dir, 'oblique_mask.nii.gz'));
    // truth: the lesion voxels with x ≥ 14 (the +x half)
    const truth = { ...mask, data: mask.data.map((v, i) => (v && i % SIZE[0] >= 14 ? 1 : 0)) };
    await writeVolume(join(dir, 'truth.nii.gz'), truth);
    const r = await run(['cam', '--model', 'tiny', '--image', 'oblique.nii.gz', '--mask', 'oblique_mask.nii.gz', '--truth', 'truth.nii.gz', '--method', 'gradcam', '--class', '0', '--out', 'g.nii.gz', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const nL = mask.data.reduce((a, b) => a + b, 0);
    const nT = truth.data.reduce((a, b) => a + b, 0);
    expect(j.classIndex).toBe(0);
    expect(j.lesionVoxels).toBe(nL);
    expect(j.lesionVolumeMm3).toBeCloseTo(nL * SPACING[0] * SPACING[1] * SPACING[2], 3); // NIfTI stores spacing as float32
    expect(j.localisation.volumeShare).toBeCloseTo(nT / nL, 12);
    expect(j.localisation.lift).toBeCloseTo(j.localisation.energyShare / j.localisation.volumeShare, 9);
  });

  it('adds deletion / insertion AUCs with --faithfulness', async () => {
    const r = await run(['cam', '--model', 'tiny', '--image', 'oblique.nii.gz', '--mask', 'oblique_mask.nii.gz', '--faithfulness', '--out', 'f.nii.gz', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const f = JSON.parse(r.stdout).faithfulness;
    // areas under probability curves over fractions 0…1
    for (const k of ['deletionAuc', 'insertionAuc']) expect(f[k] >= 0 && f[k] <= 1, `${k} ${f[k]}`).toBe(true);
  });

  it('gives usage and typed errors', async () => {
    const base = ['cam', '--model', 'tiny', '--image', 'oblique.nii.gz', '--mask', 'oblique_mask.nii.gz'];
    for (const extra of [
      ['--method', 'nosuch'],
      ['--class', '2'],
      ['--subregion-method', 'value'],
      ['--percentile', '50'],
      ['--cohort', 'cohort/cohort.csv', '--out-dir', 'x'],
      ['--out-dir', 'x'],
    ]) {
      const r = await run([...base, ...extra], dir);
      expect(r.code, `${extra.join(' ')}: ${r.stderr}`).toBe(2);
      expectOneLineError(r.stderr, 'E_CLI_USAGE');
    }
    let r = await run([...base, '--out', 'oblique.nii.gz'], dir);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, 'E_OUTPUT_IS_INPUT');
    r = await run([...base, '--layer', 'enc9', '--out', 'l.nii.gz'], dir);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, 'E_INVALID_ARGUMENT');
    const m = await readMask(join(dir, 'oblique_mask.nii.gz'));
    await writeVolume(join(dir, 'empty.nii.gz'), { ...m, data: new Uint8Array(m.data.length) });
    r = await run(['cam', '--model', 'tiny', '--image', 'oblique.nii.gz', '--mask', 'empty.nii.gz', '--out', 'e.nii.gz'], dir);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, 'E_EMPTY_ROI');
  });
});

describe('radcam cam --cohort', () => {
  it('writes a CAM and a subregion label image per lesion and a CSV of lesion and subregion rows', async () => {
    const r = await run(['cam', '--model', 'model', '--cohort', 'cohort/cohort.csv', '--out-dir', 'cams', '--class', '0'], dir, { tty: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('CAMs [');
    expect(r.stdout).toMatch(/^lesions: 5, subregions: \d+/m);
    const manifest = parseCsv(readFileSync(join(dir, 'cohort', 'cohort.csv'), 'utf8'));
    const withTruth = manifest.filter((m) => m.subregion);
    expect(withTruth.length).toBeGreaterThan(0);
    expect(r.stdout).toContain(`localisation (${withTruth.length} lesions with a truth mask): median lift`);
    const rows = parseCsv(readFileSync(join(dir, 'cams', 'cam.csv'), 'utf8'));
    const lesions = rows.filter((x) => x.kind === 'lesion');
    expect(lesions.map((x) => x.lesion_id)).toEqual(manifest.map((m) => m.lesion_id));
    for (const m of manifest) {
      const row = lesions.find((x) => x.lesion_id === m.lesion_id)!;
      expect(row.method).toBe('radcam/layercam');
      expect(row.class).toBe('0');
      expect(row.label).toBe(m.label);
      const image = await readVolume(join(dir, 'cohort', m.image!));
      const mask = await readMask(join(dir, 'cohort', m.mask!), { reference: image });
      const cam = await readVolume(join(dir, 'cams', row.cam_file!));
      expectGeometry(cam, image);
      const labels = await readVolume(join(dir, 'cams', row.subregions_file!));
      expectGeometry(labels, image);
      const nL = mask.data.reduce((a, b) => a + b, 0);
      expect(Number(row.lesion_voxels)).toBe(nL);
      // every subregion row matches its label in the written label image
      const subs = rows.filter((x) => x.kind === 'subregion' && x.lesion_id === m.lesion_id);
      expect(subs.length).toBe(Number(row.subregions));
      for (const s of subs) {
        let count = 0;
        for (let i = 0; i < labels.data.length; i++) if (labels.data[i] === Number(s.subregion)) count++;
        expect(Number(s.voxels)).toBe(count);
      }
      if (m.subregion) {
        const truth = await readMask(join(dir, 'cohort', m.subregion), { reference: image });
        let nT = 0;
        for (let i = 0; i < truth.data.length; i++) if (truth.data[i] && mask.data[i]) nT++;
        expect(Number(row.truth_volume_share)).toBeCloseTo(nT / nL, 4);
        expect(['0', '1']).toContain(row.pointing_hit);
        expect(Number(row.dice)).toBeGreaterThanOrEqual(0);
      } else {
        expect(row.lift).toBe('');
      }
    }
  });

  it('takes truth masks from --truth-dir (named <lesion_id>.nii.gz)', async () => {
    const r = await run(['cam', '--model', 'model', '--cohort', 'cohort/cohort.csv', '--out-dir', 'cams2', '--truth-dir', 'cohort/subregions', '--method', 'gradcampp', '--raw', '--faithfulness'], dir);
    expect(r.code, r.stderr).toBe(0);
    const rows = parseCsv(readFileSync(join(dir, 'cams2', 'cam.csv'), 'utf8')).filter((x) => x.kind === 'lesion');
    for (const row of rows) {
      expect(row.deletion_auc).not.toBe('');
      expect(row.insertion_auc).not.toBe('');
      expect(Number(row.deletion_auc)).toBeGreaterThanOrEqual(0);
      expect(Number(row.insertion_auc)).toBeLessThanOrEqual(1);
      const has = existsSync(join(dir, 'cohort', 'subregions', `${row.lesion_id}.nii.gz`));
      expect(row.truth !== '', row.lesion_id).toBe(has);
      expect(row.lift !== '').toBe(has);
    }
  });
});
