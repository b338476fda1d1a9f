/**
 * `pnpm bench cam`: CAM methods on the default synthetic cohort (@radcam/study, 39 patients /
 * 69 lesions, seed 42). A 3D autoencoder–classifier (@radcam/model) is trained on all lesion
 * patches (seeded), then every method explains the NON-RESPONDER class (class 0) of every lesion
 * that carries a true resistant subregion; maps are taken back to the patient grid and compared
 * with the truth: energy share / lift (a uniform map has lift 1), pointing game, Dice of the Otsu
 * subregion, voxel AUC; deletion/insertion AUC inside the lesion; runtime per lesion.
 * Prints a table and writes bench-results/cam.json.
 *
 * A last row, "oracle", takes the truth itself to the CAM layer's grid and back: the localisation
 * ceiling at that resolution (it separates model quality from resolution limits).
 *
 * Options: `--no-mask-channel` (default: the lesion mask is a second input channel), `--lambda 0.1`
 * (reconstruction weight), `--lr 0.003`, `--epochs 80` `--size 16` (patch side) `--widths 4,8,16` (encoder filters) `--lesions 69`
 * `--stability 6` (lesions used for the noise-stability score) `--methods layercam,gradcam@enc2,…`
 * (`method@layer` targets another layer),
 * `--model DIR` (use a saved model and its preprocessing instead of training one).
 * The defaults keep the tfjs-cpu training to a few minutes (3D conv back-propagation in plain JS
 * is slow); larger patches/filters are a flag away.
 *
 * Caveat: CAMs are computed on the training lesions (in-sample); the bench measures localisation
 * and cost, not generalisation (that is @radcam/study's cross-validated comparison).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { resampleToGeometry, type Mask } from '@radcam/core';
import {
  extractPatch,
  loadModel,
  selectBackend,
  trainModel,
  type AutoencoderClassifier,
  type Patch,
  type PatchOptions,
} from '@radcam/model';
import { synthesizeCohort } from '../../study/src/index.ts';
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
const EPOCHS = Number(opt('epochs', '80'));
const SIZE = Number(opt('size', '16'));
const WIDTHS = opt('widths', '4,8,16').split(',').map(Number);
const MODEL_DIR = opt('model', '');
const MASK_CHANNEL = !args.includes('--no-mask-channel');
const LAMBDA = Number(opt('lambda', '0.1'));
const LR = Number(opt('lr', '0.003'));
const LESIONS = Number(opt('lesions', '69'));
const STAB = Number(opt('stability', '6'));
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
const popts: PatchOptions = loaded?.preprocessing ?? { dims: 3, size: SIZE, marginMm: 5, maskChannel: MASK_CHANNEL };
interface Case {
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
let model: AutoencoderClassifier;
let training: Record<string, unknown>;
if (loaded) {
  model = loaded;
  training = { loadedFrom: MODEL_DIR, ...(loaded.training ?? {}) };
} else {
  const trained = await trainModel(
    { inputs: cases.map((c) => c.patch.data), labels: cases.map((c) => c.label), groups: cases.map((c) => c.patient) },
    {
      model: { dims: 3, inputSize: SIZE, widths: WIDTHS, strides: [1, 2, 2], inChannels: MASK_CHANNEL ? 2 : 1 },
      lambda: LAMBDA,
      learningRate: LR,
      preprocessing: popts,
      epochs: EPOCHS,
      patience: EPOCHS,
      seed: 0,
      monitor: 'val_auc',
    },
  );
  model = trained.model;
  const best = trained.history[trained.bestEpoch - 1];
  training = {
    epochs: trained.history.length,
    bestEpoch: trained.bestEpoch,
    valAuc: best?.valAuc ?? null,
    widths: WIDTHS,
    maskChannel: MASK_CHANNEL,
    lambda: LAMBDA,
    learningRate: LR,
    seconds: r3((performance.now() - t0) / 1000),
  };
}
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
    const res = computeCam(model, x, { method: name!, classIndex: 0, ...(layer ? { layer } : {}) });
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
    del.push(deletionCurve(model, x, res.maps, fo).auc[0]!);
    ins.push(insertionCurve(model, x, res.maps, fo).auc[0]!);
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
{
  const lifts: number[] = [];
  const es: number[] = [];
  const vs: number[] = [];
  const dice: number[] = [];
  const aucs: number[] = [];
  const hits: number[] = [];
  for (const c of evalCases) {
    const x = tf.tensor(c.patch.data, [1, ...c.patch.shape]);
    const layerSize = computeCam(model, x, { method: 'hirescam', classIndex: 0 }).size;
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
    method: 'oracle: truth at layer resolution',
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
  const per = sub[0]!.patch.data.length;
  const buf = new Float32Array(per * sub.length);
  sub.forEach((c, i) => buf.set(c.patch.data, i * per));
  const x = tf.tensor(buf, [sub.length, ...sub[0]!.patch.shape]);
  for (const method of ['layercam', 'gradcam', 'gradcampp', 'hirescam']) {
    const s = camStability(model, x, { method, classIndex: 0, noise: 0.05, repeats: 3, seed: 1 });
    stab.push({ method, meanPearson: r3(s.meanPearson), meanSpearman: r3(s.meanSpearman) });
  }
  x.dispose();
  console.table(stab);
}

const layer = rows.find((r) => r.method === 'layercam');
const verdict = layer ? `layercam median lift ${layer.medianLift} (acceptance: ≥ 2) → ${layer.medianLift >= 2 ? 'PASS' : 'FAIL'}` : 'layercam not run';
console.log(verdict);

const dir = join(process.cwd(), 'bench-results');
mkdirSync(dir, { recursive: true });
const out = join(dir, 'cam.json');
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
