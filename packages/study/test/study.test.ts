/**
 * The three-arm study end to end on a tiny synthetic cohort (8 patients / 12 lesions, 48-voxel
 * grid, 2 folds, 1 repeat, a 2-block CNN trained for 1 epoch): outputs, identical patient-grouped
 * folds, metrics recomputed from the written predictions with textbook formulas, resume without
 * recomputation, interrupted run = uninterrupted run, results.json against the published schema,
 * and the report in headless Chromium.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv, sameGeometry } from '@radcam/core';
import { findRepoRoot } from '@radcam/core/testing';
import { readVolume } from '@radcam/volume-io';
import { readCohortManifest, runStudy, writeSynthCohort, type RunStudyOptions, type RunStudyResult, type StudyProgress } from '../src/index.js';
import { validateSchema } from './schema-validator.js';

const root = mkdtempSync(join(tmpdir(), 'radcam-study-'));
const cohortDir = join(root, 'cohort');
const manifest = join(cohortDir, 'cohort.csv');
const METHODS = ['radcam/gradcam', 'radcam/gradcampp', 'radcam/layercam'];
const opts = (out: string): RunStudyOptions => ({
  out,
  folds: 2,
  repeats: 1,
  seed: 7,
  cnn: { patch: { dims: 3, size: 8, marginMm: 4 }, model: { widths: [4, 8], strides: [1, 2] }, epochs: 1, patience: 1 },
  cam: { methods: METHODS },
  metrics: { replicates: 100 },
});

/** Mann–Whitney AUC by the definition P(s⁺ > s⁻) + ½ P(tie), over all pairs. */
function mannWhitney(y: number[], s: number[]): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < y.length; i++) {
    for (let j = 0; j < y.length; j++) {
      if (y[i] !== 1 || y[j] !== 0) continue;
      den++;
      num += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
  }
  return num / den;
}

let first: RunStudyResult;
let events: StudyProgress[] = [];

beforeAll(async () => {
  await writeSynthCohort(cohortDir, { patients: 8, lesions: 12, size: 48, seed: 3 });
  first = await runStudy(manifest, opts(join(root, 'a')), { onProgress: (p) => events.push(p) });
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('runStudy', () => {
  it('runs every arm and one CAM arm per method on identical patient-grouped folds', async () => {
    const r = first.results;
    expect(r.arms.map((a) => a.name)).toEqual(['radiomics', 'gradient', 'cnn', ...METHODS.map((m) => `cam:${m}`)]);
    const { cases } = await readCohortManifest(manifest);
    expect(r.folds).toHaveLength(1);
    const fold = r.folds[0]!;
    // a patient's lesions share a fold; both folds hold both classes
    const byPatient = new Map<string, Set<number>>();
    cases.forEach((c, i) => byPatient.set(c.patientId, (byPatient.get(c.patientId) ?? new Set()).add(fold[i]!)));
    for (const s of byPatient.values()) expect(s.size).toBe(1);
    for (const f of [0, 1]) expect(new Set(cases.filter((_, i) => fold[i] === f).map((c) => c.label)).size).toBe(2);
    // the CNN of fold f was tested on exactly the lesions of fold f (from its checkpoint)
    const dirs = (await import('node:fs')).readdirSync(join(first.outDir, '.checkpoints')).filter((d) => d.startsWith('cnn-'));
    expect(dirs).toHaveLength(1);
    for (const f of [0, 1]) {
      const cp = JSON.parse(readFileSync(join(first.outDir, '.checkpoints', dirs[0]!, `f${f}`, 'result.json'), 'utf8')) as { testIds: string[] };
      expect(cp.testIds.sort()).toEqual(cases.filter((_, i) => fold[i] === f).map((c) => c.lesionId).sort());
    }
    // gradient arm: the 90 features of the package
    expect(r.arms.find((a) => a.name === 'gradient')!.features).toBe(90);
  });

  it('reports metrics that match the written out-of-fold predictions', () => {
    const r = first.results;
    const rows = parseCsv(readFileSync(first.files.predictions, 'utf8'));
    expect(rows).toHaveLength(12);
    const y = rows.map((row) => Number(row['label']));
    for (const a of r.arms) {
      const s = rows.map((row) => Number(row[a.name]));
      for (const v of s) expect(v).toBeGreaterThanOrEqual(0), expect(v).toBeLessThanOrEqual(1);
      // AUC of the written predictions (6-decimal rounding cannot reorder distinct OOF values here)
      expect(a.metrics.auc.value).toBeCloseTo(mannWhitney(y, s), 9);
      // accuracy at 0.5 by definition
      const acc = s.filter((v, i) => (v >= 0.5 ? 1 : 0) === y[i]).length / y.length;
      expect(a.metrics.accuracy.value).toBeCloseTo(acc, 9);
      const brier = s.reduce((t, v, i) => t + (v - y[i]!) ** 2, 0) / y.length;
      expect(a.metrics.brier.value).toBeCloseTo(brier, 5);
      for (const m of Object.values(a.metrics)) expect(m.lower).toBeLessThanOrEqual(m.upper);
    }
    // DeLong: every pair once, AUCs consistent with the arms
    expect(r.comparisons).toHaveLength((6 * 5) / 2);
    for (const c of r.comparisons) {
      expect(c.auc1).toBeCloseTo(r.arms.find((a) => a.name === c.a)!.metrics.auc.value, 12);
      expect(c.difference).toBeCloseTo(c.auc1 - c.auc2, 12);
      expect(c.p).toBeGreaterThanOrEqual(0);
      expect(c.p).toBeLessThanOrEqual(1);
    }
  });

  it('writes features, CAMs on the image grid, subregions and localisation against the truth', async () => {
    const { cases } = await readCohortManifest(manifest);
    for (const f of ['radiomics', 'gradient', 'cam_gradcam', 'cam_gradcampp', 'cam_layercam']) {
      const rows = parseCsv(readFileSync(join(first.outDir, 'features', `${f}.csv`), 'utf8'));
      expect(rows.map((r) => r['lesion_id'])).toEqual(cases.map((c) => c.lesionId));
    }
    for (const c of cases) {
      for (const m of ['gradcam', 'gradcampp', 'layercam']) expect(existsSync(join(first.outDir, 'cams', `${c.lesionId}_${m}.nii.gz`))).toBe(true);
      expect(existsSync(join(first.outDir, 'subregions', `${c.lesionId}.nii.gz`))).toBe(true);
    }
    const c0 = cases[0]!;
    const image = await readVolume(c0.image);
    const cam = await readVolume(join(first.outDir, 'cams', `${c0.lesionId}_layercam.nii.gz`));
    expect(sameGeometry(cam, image)).toBe(true);
    const mask = await readVolume(c0.mask);
    let inMax = 0;
    for (let i = 0; i < mask.data.length; i++) if (mask.data[i]) inMax = Math.max(inMax, cam.data[i]!);
    expect(inMax === 0 || Math.abs(inMax - 1) < 1e-6).toBe(true); // scaled to the in-lesion maximum
    const sub = await readVolume(join(first.outDir, 'subregions', `${c0.lesionId}.nii.gz`));
    for (let i = 0; i < sub.data.length; i++) if (sub.data[i]) expect(mask.data[i]).toBe(1); // inside the lesion
    const L = first.results.localisation!;
    const withTruth = cases.filter((c) => c.subregion).length;
    expect(withTruth).toBeGreaterThan(0);
    expect(L.available).toBe(true);
    expect(L.perLesion).toHaveLength(withTruth * METHODS.length);
    for (const p of L.perLesion) for (const v of [p.dice, p.iou, p.energyShare]) expect(v).toBeGreaterThanOrEqual(0), expect(v).toBeLessThanOrEqual(1);
    for (const m of L.methods) {
      const rows = L.perLesion.filter((p) => p.method === m.method);
      expect(m.pointingGame.value).toBeCloseTo(rows.filter((p) => p.pointingHit).length / rows.length, 12);
      expect(m.dice.value).toBeCloseTo(rows.reduce((t, p) => t + p.dice, 0) / rows.length, 12);
    }
    // pixel-wise CAM (the primary method) against each other method, four metrics each
    expect(L.pairwise).toHaveLength(2 * 4);
    expect(L.pairwise.every((p) => p.a === 'radcam/layercam')).toBe(true);
  });

  it('a second run with the same --out recomputes nothing and gives the same results', async () => {
    const again: StudyProgress[] = [];
    const second = await runStudy(manifest, opts(join(root, 'a')), { onProgress: (p) => again.push(p) });
    const heavy = (e: StudyProgress[]) => e.filter((p) => p.step === 'features' || p.step === 'train' || p.step === 'cam');
    expect(heavy(events).some((p) => !p.cached)).toBe(true);
    expect(heavy(again).length).toBeGreaterThan(0);
    expect(heavy(again).every((p) => p.cached)).toBe(true);
    expect(second.checkpoints.misses).toEqual({});
    expect(second.checkpoints.hits).toEqual({ 'features/radiomics': 12, 'features/gradient': 12, train: 2, cam: 2 });
    const strip = (r: RunStudyResult) => ({ ...r.results, timings: null });
    expect(strip(second)).toEqual(strip(first));
  });

  it('an interrupted run, re-run, finishes with the same results as an uninterrupted one', async () => {
    const out = join(root, 'b');
    let stop = false;
    await expect(
      runStudy(manifest, opts(out), {
        onProgress: (p) => {
          if (p.step === 'cam' && !stop) {
            stop = true;
            throw new Error('killed');
          }
        },
      }),
    ).rejects.toThrow('killed');
    const resumed = await runStudy(manifest, opts(out));
    expect(resumed.checkpoints.hits['features/radiomics']).toBe(12);
    expect(resumed.checkpoints.hits['train']).toBe(1);
    expect(resumed.checkpoints.misses['train']).toBe(1);
    const pick = (r: RunStudyResult) => ({ arms: r.results.arms, comparisons: r.results.comparisons, localisation: r.results.localisation, folds: r.results.folds });
    expect(pick(resumed)).toEqual(pick(first));
  });

  it('results.json is valid against the published schema', () => {
    const schema = JSON.parse(readFileSync(join(findRepoRoot(), 'packages/study/schema/results.schema.json'), 'utf8'));
    const doc = JSON.parse(readFileSync(first.files.results, 'utf8'));
    expect(validateSchema(schema, doc)).toEqual([]);
    // and the validator does reject a broken document
    expect(validateSchema(schema, { ...doc, arms: [{ name: 'x' }] }).length).toBeGreaterThan(0);
  });

  it('refuses an output directory that would overwrite the cohort', async () => {
    await expect(runStudy(manifest, { ...opts(cohortDir), arms: ['radiomics'] })).rejects.toMatchObject({ code: 'E_OUTPUT_IS_INPUT' });
    await expect(runStudy(manifest, { ...opts(join(root, 'c')), folds: 9 })).rejects.toMatchObject({ code: 'E_STUDY_SETTINGS' });
    await expect(runStudy(manifest, { ...opts(join(root, 'c')), arms: ['nope' as never] })).rejects.toMatchObject({ code: 'E_STUDY_SETTINGS' });
  });

  it('writes a self-contained report that renders in headless Chromium without errors', async () => {
    const html = readFileSync(first.files.report!, 'utf8');
    // no external resources: the only URL is the SVG namespace
    expect(html.match(/(?:src|href)="(?!data:)[^"#]/g)).toBeNull();
    expect(html.match(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/g)).toBeNull();
    for (const id of ['summary', 'metrics', 'roc', 'delong', 'features', 'localisation', 'lesions']) expect(html).toContain(`id="${id}"`);
    const CHROMIUM = '/usr/bin/chromium';
    if (!existsSync(CHROMIUM)) {
      console.warn(`!! ${CHROMIUM} is missing: the report was checked as text only`);
      return;
    }
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'radcam-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      offline: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (q) => !q.url().startsWith('data:') && !q.url().startsWith('file:') && requests.push(q.url()));
      await page.goto(`file://${first.files.report}`);
      const seen = await page.evaluate(() => ({
        metricRows: document.querySelectorAll('#metrics-table tr[data-arm]').length,
        curves: document.querySelectorAll('#roc-plot polyline.roc-curve').length,
        delongRows: document.querySelectorAll('#delong-table tr').length - 1,
        lesions: document.querySelectorAll('#lesions .lesion').length,
        images: Array.from(document.images).filter((i) => i.complete && i.naturalWidth > 0).length,
        allImages: document.images.length,
        localisationRows: document.querySelectorAll('#localisation-table tr').length - 1,
      }));
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      expect(seen.metricRows).toBe(6);
      expect(seen.curves).toBe(6);
      expect(seen.delongRows).toBe(15);
      expect(seen.lesions).toBe(12);
      expect(seen.localisationRows).toBe(3);
      // 3 views × (image + 3 CAMs + subregions) per lesion, all decoded
      expect(seen.allImages).toBe(12 * 3 * 5);
      expect(seen.images).toBe(seen.allImages);
    } finally {
      await browser.close();
    }
  });
});
