/**
 * `pnpm bench cam`: CAM methods on the default synthetic cohort (@radcam/study, 39 patients /
 * 69 lesions, seed 42). A 3D autoencoder–classifier (@radcam/model) is trained (seeded) with the
 * configuration that `pnpm bench cv` reports (`CV_PATCH` / `CV_TRAIN` in
 * packages/model/bench/_cvlib.ts: scale-normalised patches, rim-relative intensities, size-encoded
 * mask channel, 8/16/32 filters) but on **32³ patches by default** (`--size 16` = the CV run's
 * patches): the last conv layer of a 16³ patch is a 4³ grid, too coarse for the resistant
 * subregion (lift ceiling 2.37, measured 1.41 out of fold), while at 32³ it is 8³ (docs/cam.md,
 * docs/model.md experiments G–K). Every method explains the NON-RESPONDER class (class 0) of every
 * lesion that carries a true resistant subregion; maps are taken back to the patient grid and
 * compared with the truth: energy share / lift (a uniform map has lift 1), pointing game, Dice of
 * the Otsu subregion, voxel AUC; deletion/insertion AUC inside the lesion; runtime per lesion.
 * Prints a table and writes bench-results/cam-oof.json (cam.json with `--in-sample`).
 *
 * Two protocols: by default (out of fold) the 5 patient-grouped cross-validation models are
 * trained and every lesion is explained by the model of the fold that held it out — the honest
 * number (≈ 15 min at 32³ on 2 cores); `--in-sample` trains one model on all lesions and explains
 * the lesions it was trained on (5× faster, optimistic). `--oof` is accepted (the default).
 *
 * A last row, "oracle", takes the truth itself to the CAM layer's grid and back: the localisation
 * ceiling at that resolution (it separates model quality from resolution limits).
 *
 * Options: `--epochs N` `--size S` (patch side) `--widths 8,16,32` `--strides 1,2,2` `--lambda λ` `--lr η`
 * `--patch '{"sizeEncoding":"none"}'` (override patch options) `--lesions L` `--stability 6` (lesions used for the noise-stability score)
 * `--methods layercam,gradcam@enc2,…` (`method@layer` targets another layer),
 * `--model DIR` (use a saved model and its preprocessing instead of training one), `--in-sample`,
 * `--seed S` (training seed), `--tag T` (writes cam[-oof]-T.json), `--tta` (maps averaged over input flips).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { resampleToGeometry, type Mask } from '@radcam/core';
import {
  crossValidate,
  extractPatch,
  loadModel,
  selectBackend,
  trainModel,
  type AutoencoderClassifier,
  type Patch,
  type PatchOptions,
} from '@radcam/model';
import { synthesizeCohort } from '../../study/src/index.ts';
import { repeatedGroupedFolds } from '../../learn/src/cv.ts';
import { CV_PATCH, CV_TRAIN } from '../../model/bench/_cvlib.ts';
import {
  camStability,
  camToPatientSpace,
  computeCam,
  deletionCurve,
  insertionCurve,
  localizationMetrics,
  resizeLinear,
} from '../src/index.js';

const args = process.argv.slice(2);
const opt = (k: string, d: string) => {
  const i = args.indexOf(`--${k}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : d;
};
const has = (k: string) => args.includes(`--${k}`);
const EPOCHS = Number(opt('epochs', String(CV_TRAIN.epochs ?? 200)));
// 32³ by default: the last conv layer then has an 8³ grid (see the header)
const SIZE = Number(opt('size', '32'));
const WIDTHS = opt('widths', (CV_TRAIN.model?.widths ?? [8, 16, 32]).join(',')).split(',').map(Number);
const STRIDES = opt('strides', (CV_TRAIN.model?.strides ?? [1, 2, 2]).join(',')).split(',').map(Number);
const MODEL_DIR = opt('model', '');
const LAMBDA = Number(opt('lambda', String(CV_TRAIN.lambda ?? 0.1)));
const LR = Number(opt('lr', String(CV_TRAIN.learningRate ?? 3e-3)));
const LESIONS = Number(opt('lesions', '69'));
const STAB = Number(opt('stability', '6'));
const OOF = !has('in-sample');
// training seed (CV_TRAIN.seed by default) and a tag for the JSON name (cam[-oof]-TAG.json)
const SEED = Number(opt('seed', String(CV_TRAIN.seed ?? 0)));
const TAG = opt('tag', '');
// test-time augmentation: average each map over the input's flips (computeCam `tta: true`)
const TTA = has('tta');
// `method@layer` targets another layer, e.g. layercam@enc2
const METHODS = opt('methods', 'layercam,gradcam,gradcampp,cam,hirescam,gradcam-elementwise,scorecam,layercam@enc2,gradcam@enc2').split(',');

const median = (a: number[]) => {
  const s = a.filter((v) => Number.isFinite(v)).sort((x, y) => x - y);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const mean = (a: number[]) => {
  const s = a.filter((v) => Number.isFinite(v));
  return s.reduce((x, y) => x + y, 0) / s.length;
};
const r3 = (v: number) => Math.round(v * 1000) / 1000;

const backend = await selectBackend();
console.log(`backend: ${backend.message}`);

let t0 = performance.now();
const cohort = synthesizeCohort({ lesions: LESIONS, patients: Math.min(39, LESIONS) });
const synthSeconds = (performance.now() - t0) / 1000;

const loaded: AutoencoderClassifier | null = MODEL_DIR ? await loadModel(MODEL_DIR) : null;
// `--patch '{"sizeEncoding":"none"}'` overrides single patch options of CV_PATCH
const popts: PatchOptions = loaded?.preprocessing ?? { ...CV_PATCH, size: SIZE, ...(JSON.parse(opt('patch', '{}')) as PatchOptions) };
interface Case {
  index: number;
  id: string;
  label: 0 | 1;
  patient: string;
  patch: Patch;
  image: (typeof cohort.patients)[number]['image'];
  mask: Mask;
  truth: Mask | null;
}
const cases: Case[] = [];
t0 = performance.now();
for (const p of cohort.patients) {
  for (const l of p.lesions) {
    cases.push({
      index: cases.length,
      id: l.plan.lesionId,
      label: l.plan.label,
      patient: p.plan.id,
      patch: extractPatch(p.image, l.mask, popts),
      image: p.image,
      mask: l.mask,
      truth: l.subregion,
    });
  }
}
const patchSeconds = (performance.now() - t0) / 1000;

t0 = performance.now();
/** The model that explains case i (one model, or the case's out-of-fold model with --oof). */
let modelFor: (i: number) => AutoencoderClassifier;
let training: Record<string, unknown>;
const trainOpts = {
  ...CV_TRAIN,
  model: { ...CV_TRAIN.model, inputSize: SIZE, widths: WIDTHS, strides: STRIDES },
  lambda: LAMBDA,
  learningRate: LR,
  preprocessing: popts,
  epochs: EPOCHS,
  seed: SEED,
};
const data = { inputs: cases.map((c) => c.patch.data), labels: cases.map((c) => c.label), groups: cases.map((c) => c.patient) };
if (loaded) {
  modelFor = () => loaded;
  training = { loadedFrom: MODEL_DIR, ...(loaded.training ?? {}) };
} else if (OOF) {
  const folds = Array.from(repeatedGroupedFolds(data.labels, data.groups, { k: 5, seed: 0 })[0]!);
  const cv = await crossValidate(data, folds, { ...trainOpts, keepModels: true });
  const byFold = new Map(cv.folds.map((f) => [f.fold, f.model!]));
  modelFor = (i) => byFold.get(folds[i]!)!;
  training = {
    protocol: 'out-of-fold (5 patient-grouped folds)',
    foldAuc: cv.folds.map((f) => r3(f.auc)),
    pooledAuc: r3(cv.auc),
    bestEpochs: cv.folds.map((f) => f.bestEpoch),
    ...trainOpts,
    seconds: r3((performance.now() - t0) / 1000),
  };
} else {
  const trained = await trainModel(data, trainOpts);
  modelFor = () => trained.model;
  const best = trained.history[trained.bestEpoch - 1];
  training = {
    protocol: 'in-sample (one model trained on all lesions)',
    ...trainOpts,
    epochsRun: trained.history.length,
    bestEpoch: trained.bestEpoch,
    valAuc: best?.valAuc ?? null,
    seconds: r3((performance.now() - t0) / 1000),
  };
}
const model = modelFor(0);
console.log('model:', JSON.stringify(training));

const evalCases = cases.filter((c) => c.truth !== null);
interface Row {
  method: string;
  lesions: number;
  medianLift: number;
  meanEnergyShare: number;
  meanVolumeShare: number;
  liftAtLeast2: number;
  pointingGame: number;
  medianDiceOtsu: number;
  medianVoxelAuc: number;
  deletionAuc: number;
  insertionAuc: number;
  msPerLesion: number;
}
const rows: Row[] = [];
const perLesion: Record<string, unknown>[] = [];
for (const method of METHODS) {
  const lifts: number[] = [];
  const es: number[] = [];
  const vs: number[] = [];
  const hits: number[] = [];
  const dice: number[] = [];
  const aucs: number[] = [];
  const del: number[] = [];
  const ins: number[] = [];
  let ms = 0;
  for (const c of evalCases) {
    const x = tf.tensor(c.patch.data, [1, ...c.patch.shape]);
    const t1 = performance.now();
    const [name, layer] = method.split('@');
    const m = modelFor(c.index);
    const res = computeCam(m, x, { method: name!, classIndex: 0, ...(layer ? { layer } : {}), ...(TTA ? { tta: true } : {}) });
    const img = camToPatientSpace(res.maps[0]!, c.patch.geometry, c.image);
    ms += performance.now() - t1;
    const loc = localizationMetrics(img, c.truth!, c.mask);
    lifts.push(loc.lift);
    es.push(loc.energyShare);
    vs.push(loc.volumeShare);
    hits.push(loc.pointingHit ? 1 : 0);
    dice.push(loc.dice);
    aucs.push(loc.auc);
    // faithfulness inside the lesion, on the patch grid
    const lesionPatch = resampleToGeometry(c.mask, c.patch.geometry, { interpolator: 'nearest', fill: 0 });
    const fo = { steps: 10, classIndex: 0, mask: lesionPatch.data };
    del.push(deletionCurve(m, x, res.maps, fo).auc[0]!);
    ins.push(insertionCurve(m, x, res.maps, fo).auc[0]!);
    perLesion.push({ method, lesion: c.id, label: c.label, ...loc, deletionAuc: del.at(-1), insertionAuc: ins.at(-1) });
    x.dispose();
  }
  rows.push({
    method,
    lesions: evalCases.length,
    medianLift: r3(median(lifts)),
    meanEnergyShare: r3(mean(es)),
    meanVolumeShare: r3(mean(vs)),
    liftAtLeast2: r3(mean(lifts.map((l) => (l >= 2 ? 1 : 0)))),
    pointingGame: r3(mean(hits)),
    medianDiceOtsu: r3(median(dice)),
    medianVoxelAuc: r3(median(aucs)),
    deletionAuc: r3(mean(del)),
    insertionAuc: r3(mean(ins)),
    msPerLesion: r3(ms / evalCases.length),
  });
}

// Resolution ceiling: the truth itself, taken to the CAM layer's grid and back through the same
// patch → image mapping. No model can localise better than this at that layer resolution.
const layers = [...new Set([model.lastConvLayer, ...METHODS.map((m) => m.split('@')[1]).filter((l): l is string => !!l)])];
for (const oracleLayer of layers) {
  const lifts: number[] = [];
  const es: number[] = [];
  const vs: number[] = [];
  const dice: number[] = [];
  const aucs: number[] = [];
  const hits: number[] = [];
  for (const c of evalCases) {
    const x = tf.tensor(c.patch.data, [1, ...c.patch.shape]);
    const layerSize = computeCam(model, x, { method: 'hirescam', classIndex: 0, layer: oracleLayer }).size;
    x.dispose();
    const t = resampleToGeometry(c.truth!, c.patch.geometry, { interpolator: 'linear', fill: 0, outputType: 'float32' });
    const coarse = resizeLinear(Float32Array.from(t.data), c.patch.geometry.size, layerSize);
    const img = camToPatientSpace({ data: coarse, size: layerSize }, c.patch.geometry, c.image);
    const loc = localizationMetrics(img, c.truth!, c.mask);
    lifts.push(loc.lift);
    es.push(loc.energyShare);
    vs.push(loc.volumeShare);
    dice.push(loc.dice);
    aucs.push(loc.auc);
    hits.push(loc.pointingHit ? 1 : 0);
  }
  rows.push({
    method: `oracle: truth at ${oracleLayer} resolution`,
    lesions: evalCases.length,
    medianLift: r3(median(lifts)),
    meanEnergyShare: r3(mean(es)),
    meanVolumeShare: r3(mean(vs)),
    liftAtLeast2: r3(mean(lifts.map((l) => (l >= 2 ? 1 : 0)))),
    pointingGame: r3(mean(hits)),
    medianDiceOtsu: r3(median(dice)),
    medianVoxelAuc: r3(median(aucs)),
    deletionAuc: NaN,
    insertionAuc: NaN,
    msPerLesion: NaN,
  });
}
console.table(rows);

// stability under input noise (5 % of the patch SD), a few lesions
const stab: { method: string; meanPearson: number; meanSpearman: number }[] = [];
const sub = evalCases.slice(0, STAB);
if (sub.length > 0) {
  // per lesion, with the model that explains it (its out-of-fold model with --oof)
  for (const method of ['layercam', 'gradcam', 'gradcampp', 'hirescam']) {
    let pearson = 0;
    let spearman = 0;
    for (const c of sub) {
      const x = tf.tensor(c.patch.data, [1, ...c.patch.shape]);
      const s = camStability(modelFor(c.index), x, { method, classIndex: 0, noise: 0.05, repeats: 3, seed: 1 });
      pearson += s.meanPearson / sub.length;
      spearman += s.meanSpearman / sub.length;
      x.dispose();
    }
    stab.push({ method, meanPearson: r3(pearson), meanSpearman: r3(spearman) });
  }
  console.table(stab);
}

// Acceptance (issue 7): the pixel-wise CAM (LayerCAM) for the non-responder class, median lift ≥ 2.
// Reported for the last convolutional layer (the default target) and for every other layer run.
const verdicts = rows
  .filter((r) => r.method === 'layercam' || r.method.startsWith('layercam@'))
  .map((r) => {
    const where = r.method === 'layercam' ? `last conv layer ${model.lastConvLayer}` : `layer ${r.method.split('@')[1]}`;
    return `pixel-wise CAM (${where}): median lift ${r.medianLift} (acceptance: ≥ 2) → ${r.medianLift >= 2 ? 'PASS' : 'FAIL'}`;
  });
const verdict = verdicts.length > 0 ? verdicts.join('; ') : 'layercam not run';
for (const v of verdicts) console.log(v);

const dir = join(process.cwd(), 'bench-results');
mkdirSync(dir, { recursive: true });
const out = join(dir, `${OOF ? 'cam-oof' : 'cam'}${TAG ? `-${TAG}` : ''}.json`);
const tmp = `${out}.tmp-${process.pid}`;
writeFileSync(
  tmp,
  JSON.stringify(
    {
      bench: 'cam',
      node: process.version,
      backend: backend.backend,
      date: new Date().toISOString(),
      cohort: { lesions: cases.length, withTruthSubregion: evalCases.length, nonResponders: cases.filter((c) => c.label === 0).length, synthSeconds: r3(synthSeconds) },
      patch: { ...popts, patchSeconds: r3(patchSeconds) },
      training,
      classExplained: 0,
      testTimeAugmentation: TTA ? 'flips' : 'none',
      uniformMapLift: 1,
      acceptance: verdict,
      rows,
      stability: stab,
      perLesion,
    },
    null,
    2,
  ),
);
renameSync(tmp, out);
console.log(`wrote ${out}`);
