/** `runStudy`: the three-arm comparison end to end (what `radcam study` runs). */
import { readFileSync, existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RadcamError, toCsv } from '@radcam/core';
import { deLongTest, repeatedGroupedFolds, deriveSeed } from '@radcam/learn';
import { readCohortManifest, type CohortCase, type CohortManifest } from '../manifest.js';
import { atomicWriteFile } from '../io.js';
import { CheckpointStore } from './checkpoint.js';
import { featureTable, lesionFeatures, type FeatureArm } from './features.js';
import { crossValidatePerFold, crossValidateTable, meanWithCi, summariseArm } from './evaluate.js';
import { loadLesionContexts, methodSlug, runCnnArm } from './cnn.js';
import { buildLesionPanels, renderReport } from './report.js';
import { loadStudyParams, mergeSettings, resolveStudySettings, type ResolvedStudySettings, type StudySettings } from './settings.js';
import type { LesionLocalisation, LocalisationPairwise, LocalisationSummary, StudyArmResult, StudyProgress, StudyResults } from './types.js';

export interface RunStudyOptions extends StudySettings {
  /** Output directory (created; a re-run with the same directory resumes from its checkpoints). */
  out: string;
  /** A YAML/JSON parameter file merged under the explicit options (explicit options win). */
  params?: string;
}

export interface RunStudyHooks {
  onProgress?: (p: StudyProgress) => void;
}

export interface RunStudyResult {
  results: StudyResults;
  outDir: string;
  /** Absolute paths of the main outputs. */
  files: { results: string; predictions: string; report: string | null; features: string[] };
  /** Heavy steps served from checkpoints (`hits`) and computed (`misses`), by step kind. */
  checkpoints: { hits: Record<string, number>; misses: Record<string, number> };
}

const PACKAGES = ['core', 'volume-io', 'radiomics', 'gradient-features', 'learn', 'model', 'cam', 'study'];

/** Versions of the @radcam packages (read from their package.json next to this package). */
export function packageVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  let dir = dirname(fileURLToPath(import.meta.url));
  let studyDir: string | null = null;
  for (let i = 0; i < 6 && !studyDir; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        if ((JSON.parse(readFileSync(p, 'utf8')) as { name?: string }).name === '@radcam/study') studyDir = dir;
      } catch {
        /* keep looking */
      }
    }
    dir = dirname(dir);
  }
  for (const name of PACKAGES) {
    const candidates = studyDir
      ? [join(studyDir, 'node_modules', '@radcam', name, 'package.json'), join(studyDir, '..', name, 'package.json'), ...(name === 'study' ? [join(studyDir, 'package.json')] : [])]
      : [];
    for (const c of candidates) {
      try {
        out[`@radcam/${name}`] = (JSON.parse(readFileSync(c, 'utf8')) as { version: string }).version;
        break;
      } catch {
        /* next */
      }
    }
    out[`@radcam/${name}`] ??= 'unknown';
  }
  return out;
}

function checkOutput(outDir: string, manifest: CohortManifest): void {
  const inputs = [manifest.path, ...manifest.cases.flatMap((c) => [c.image, c.mask, ...(c.subregion ? [c.subregion] : [])])];
  const owned = ['cams', 'subregions', 'features', '.checkpoints'].map((d) => join(outDir, d) + sep);
  const files = ['results.json', 'predictions.csv', 'index.html'].map((f) => join(outDir, f));
  for (const i of inputs) {
    const p = resolve(i);
    if (owned.some((o) => p.startsWith(o)) || files.includes(p)) {
      throw new RadcamError('E_OUTPUT_IS_INPUT', `the study output directory would overwrite the cohort file ${p}`, {
        expected: 'an --out directory that does not hold the cohort (e.g. DIR/study)',
        found: outDir,
        path: p,
      });
    }
  }
}

function localisationSummary(
  per: LesionLocalisation[],
  methods: string[],
  groupOf: Map<string, string>,
  s: ResolvedStudySettings,
): { methods: LocalisationSummary[]; pairwise: LocalisationPairwise[] } {
  const byMethod = new Map(methods.map((m) => [m, per.filter((p) => p.method === m)]));
  const summaries: LocalisationSummary[] = methods.map((m, mi) => {
    const rows = byMethod.get(m)!;
    const g = rows.map((r) => groupOf.get(r.lesionId)!);
    const ci = (f: (r: LesionLocalisation) => number, k: number) => meanWithCi(rows.map(f), g, s, 100 * mi + k);
    return {
      method: m,
      lesions: rows.length,
      pointingGame: ci((r) => (r.pointingHit ? 1 : 0), 1),
      dice: ci((r) => r.dice, 2),
      iou: ci((r) => r.iou, 3),
      auc: ci((r) => r.auc, 4),
      energyShare: ci((r) => r.energyShare, 5),
      lift: ci((r) => (Number.isFinite(r.lift) ? r.lift : 1), 6),
    };
  });
  const pairwise: LocalisationPairwise[] = [];
  const metricOf = {
    dice: (r: LesionLocalisation) => r.dice,
    auc: (r: LesionLocalisation) => r.auc,
    pointingGame: (r: LesionLocalisation) => (r.pointingHit ? 1 : 0),
    energyShare: (r: LesionLocalisation) => r.energyShare,
  } as const;
  // The study's question: the pixel-wise method (primary) against each other method.
  const primary = s.cam.primary;
  for (const b of methods) {
    if (b === primary) continue;
    const A = new Map(byMethod.get(primary)!.map((r) => [r.lesionId, r]));
    const rowsB = byMethod.get(b)!.filter((r) => A.has(r.lesionId));
    (Object.keys(metricOf) as (keyof typeof metricOf)[]).forEach((metric, k) => {
      const f = metricOf[metric];
      const d = rowsB.map((rb) => f(A.get(rb.lesionId)!) - f(rb));
      pairwise.push({ a: primary, b, metric, difference: meanWithCi(d, rowsB.map((r) => groupOf.get(r.lesionId)!), s, 9000 + 10 * methods.indexOf(b) + k) });
    });
  }
  return { methods: summaries, pairwise };
}

function featuresCsv(cases: readonly CohortCase[], rows: readonly Record<string, number>[]): string {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) if (!seen.has(k)) seen.add(k), names.push(k);
  return toCsv(
    ['patient_id', 'lesion_id', 'label', ...names],
    cases.map((c, i) => ({ patient_id: c.patientId, lesion_id: c.lesionId, label: c.label, ...rows[i] })),
  );
}

/**
 * Run the study on a labelled cohort: identical patient-grouped stratified folds for every arm;
 * radiomics and gradient features → fold-local selection → classifier; the CNN per fold with
 * out-of-fold probabilities; one CAM-derived arm per CAM method; DeLong comparisons; CAM
 * localisation against truth subregions when present. Writes `results.json`, `predictions.csv`,
 * `features/*.csv`, `cams/`, `subregions/` and `index.html` into `options.out`. Heavy steps are
 * checkpointed under `out/.checkpoints`: re-running with the same `out` resumes.
 */
export async function runStudy(cohort: string | CohortManifest, options: RunStudyOptions, hooks: RunStudyHooks = {}): Promise<RunStudyResult> {
  const onProgress = hooks.onProgress ?? (() => undefined);
  const { out, params, ...explicit } = options;
  const fromFile = params ? await loadStudyParams(params) : {};
  const s = resolveStudySettings(mergeSettings(fromFile, explicit));
  const manifest = typeof cohort === 'string' ? await readCohortManifest(cohort, { requireLabels: true, checkFiles: true }) : cohort;
  const cases = manifest.cases;
  if (cases.some((c) => c.label === null)) {
    throw new RadcamError('E_COHORT', 'every lesion of a study needs a 0/1 label', { found: cases.find((c) => c.label === null)!.lesionId });
  }
  const outDir = resolve(out);
  checkOutput(outDir, manifest);
  await mkdir(outDir, { recursive: true });
  const store = new CheckpointStore(join(outDir, '.checkpoints'));
  const timings: Record<string, number> = {};
  const tic = () => performance.now();
  const toc = (k: string, t: number) => (timings[k] = +((performance.now() - t) / 1000).toFixed(3));

  const y = Uint8Array.from(cases, (c) => c.label!);
  const groups = cases.map((c) => c.patientId);
  const nPos = y.reduce((a, b) => a + b, 0);
  if (nPos === 0 || nPos === y.length) throw new RadcamError('E_COHORT', 'the cohort needs both responders and non-responders', { found: `${nPos} of ${y.length} positive` });
  const patients = new Set(groups).size;
  if (s.folds > patients) throw new RadcamError('E_STUDY_SETTINGS', `${s.folds} folds need at least ${s.folds} patients`, { found: `${patients} patients` });
  const folds = repeatedGroupedFolds(y, groups, { k: s.folds, repeats: s.repeats, seed: s.seed });
  const arms: StudyArmResult[] = [];
  const featureFiles: string[] = [];

  for (const arm of ['radiomics', 'gradient'] as FeatureArm[]) {
    if (!s.arms.includes(arm)) continue;
    let t = tic();
    const rows = await lesionFeatures(arm, cases, s, store, onProgress);
    toc(`features/${arm}`, t);
    const file = join(outDir, 'features', `${arm}.csv`);
    await atomicWriteFile(file, featuresCsv(cases, rows));
    featureFiles.push(file);
    t = tic();
    const table = featureTable(rows);
    const res = crossValidateTable(table, y, groups, folds, s);
    arms.push(summariseArm({ name: arm, kind: arm, features: table.cols, featuresDropped: table.dropped, classifier: s.classifier.id }, res, y, groups, s));
    toc(`evaluate/${arm}`, t);
    onProgress({ step: 'evaluate', arm, done: 1, total: 1, cached: false });
  }

  let backend: string | null = null;
  let localisation: StudyResults['localisation'] = null;
  let cnnInfo: StudyResults['cnn'] = null;
  const cnnSeeds: number[][] = [];
  if (s.arms.includes('cnn')) {
    let t = tic();
    const ctx = await loadLesionContexts(cases, s, onProgress);
    toc('load', t);
    t = tic();
    const cnn = await runCnnArm(ctx, folds, s, store, outDir, onProgress);
    toc('cnn+cam', t);
    backend = cnn.backend;
    const R = cnn.oof.length;
    const K = s.folds;
    for (let r = 0; r < R; r++) cnnSeeds.push(Array.from({ length: K }, (_, f) => deriveSeed(s.seed, 5000 + 1000 * r + f)));
    t = tic();
    arms.push(summariseArm({ name: 'cnn', kind: 'cnn' }, { oof: cnn.oof, usage: [] }, y, groups, s));
    cnnInfo = { folds: cnn.folds.map((f) => ({ repeat: f.repeat, fold: f.fold, bestEpoch: f.bestEpoch, epochs: f.epochs, seconds: f.seconds, valAuc: f.valAuc })) };
    const cnnFolds = folds.slice(0, R);
    const perLesion: LesionLocalisation[] = [];
    s.cam.methods.forEach((method, mi) => {
      const tableOf = (r: number, f: number) => featureTable(cnn.cams[r]![f]!.methods[mi]!.features);
      const res = crossValidatePerFold(tableOf, y, groups, cnnFolds, s);
      const anyTable = tableOf(0, 0);
      arms.push(
        summariseArm(
          { name: `cam:${method}`, kind: 'cam', camMethod: method, features: anyTable.cols, featuresDropped: anyTable.dropped, classifier: s.classifier.id },
          res,
          y,
          groups,
          s,
        ),
      );
      for (const f of cnn.cams[0]!) perLesion.push(...f.methods[mi]!.localisation);
    });
    toc('evaluate/cnn+cam', t);
    // CAM features of the out-of-fold maps (each lesion from the network that tested it, repeat 0)
    for (let mi = 0; mi < s.cam.methods.length; mi++) {
      const rows = cases.map((_, i) => cnn.cams[0]![folds[0]![i]!]!.methods[mi]!.features[i]!);
      const file = join(outDir, 'features', `cam_${methodSlug(s.cam.methods[mi]!)}.csv`);
      await atomicWriteFile(file, featuresCsv(cases, rows));
      featureFiles.push(file);
    }
    const withTruth = cases.filter((c) => c.subregion).length;
    const groupOf = new Map(cases.map((c) => [c.lesionId, c.patientId]));
    const order = new Map(cases.map((c, i) => [c.lesionId, i]));
    perLesion.sort((a, b) => order.get(a.lesionId)! - order.get(b.lesionId)! || s.cam.methods.indexOf(a.method) - s.cam.methods.indexOf(b.method));
    localisation = {
      available: withTruth > 0 && perLesion.length > 0,
      classIndex: s.cam.classIndex,
      ...(withTruth > 0 ? localisationSummary(perLesion, s.cam.methods, groupOf, s) : { methods: [], pairwise: [] }),
      perLesion,
    };
  }

  const comparisons = [];
  for (let a = 0; a < arms.length; a++) {
    for (let b = a + 1; b < arms.length; b++) {
      comparisons.push({ a: arms[a]!.name, b: arms[b]!.name, ...deLongTest(y, arms[a]!.oof, arms[b]!.oof, { level: s.metrics.level }) });
    }
  }

  const results: StudyResults = {
    format: 'radcam-study-results',
    formatVersion: 1,
    generatedBy: '@radcam/study runStudy',
    versions: packageVersions(),
    runtime: { node: process.version, platform: `${process.platform}-${process.arch}`, backend },
    cohort: {
      manifest: manifest.path,
      patients,
      lesions: cases.length,
      responders: nPos,
      nonResponders: cases.length - nPos,
      withTruthSubregion: cases.filter((c) => c.subregion).length,
    },
    settings: s,
    seeds: { base: s.seed, folds: folds.map((_, r) => deriveSeed(s.seed, r)), cnn: cnnSeeds },
    folds: folds.map((f) => Array.from(f)),
    lesions: cases.map((c) => ({ patientId: c.patientId, lesionId: c.lesionId, label: c.label! })),
    arms,
    comparisons,
    localisation,
    cnn: cnnInfo,
    outputs: {
      results: 'results.json',
      predictions: 'predictions.csv',
      features: 'features/',
      ...(s.arms.includes('cnn') ? { cams: 'cams/<lesion>_<method>.nii.gz', subregions: 'subregions/<lesion>.nii.gz' } : {}),
      ...(s.report ? { report: 'index.html' } : {}),
    },
    timings,
  };

  const predictions = toCsv(
    ['patient_id', 'lesion_id', 'label', 'fold', ...arms.map((a) => a.name)],
    cases.map((c, i) => ({
      patient_id: c.patientId,
      lesion_id: c.lesionId,
      label: c.label,
      fold: folds[0]![i],
      ...Object.fromEntries(arms.map((a) => [a.name, a.oof[i]!.toFixed(6)])),
    })),
  );
  const files: RunStudyResult['files'] = { results: join(outDir, 'results.json'), predictions: join(outDir, 'predictions.csv'), report: null, features: featureFiles };
  await atomicWriteFile(files.predictions, predictions);
  if (s.report) {
    const t = tic();
    const panels = await buildLesionPanels(cases, results, outDir, onProgress);
    files.report = join(outDir, 'index.html');
    await atomicWriteFile(files.report, renderReport(results, panels));
    toc('report', t);
  }
  await atomicWriteFile(files.results, JSON.stringify(results, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1) + '\n');
  onProgress({ step: 'write', done: 1, total: 1, cached: false });
  return {
    results,
    outDir,
    files,
    checkpoints: { hits: Object.fromEntries(store.hits), misses: Object.fromEntries(store.misses) },
  };
}
