/**
 * `pnpm bench cv`: 5-fold patient-grouped stratified cross-validation (@radcam/learn
 * `repeatedGroupedFolds`) of the 3D autoencoder–classifier on the default synthetic cohort
 * (@radcam/study: 39 patients, 69 lesions, seed 42). Prints per-fold AUC and the pooled
 * out-of-fold AUC with its DeLong 95 % CI, and writes bench-results/cv.json.
 *
 * Options (defaults = the reported configuration, `CV_PATCH` / `CV_TRAIN` in _cvlib.ts):
 *   --epochs N  --patience N  --ensemble N (models averaged per fold)  --size S (patch side)
 *   --widths 8,16,32  --strides 1,2,2  --lambda 0.1  --lr 0.003  --wd 0 (decoupled weight decay)
 *   --val F (validation fraction for early stopping; 0 = train on all, keep the last epoch)
 *   --monitor val_bce|val_loss|val_auc  --seed S (training)  --fold-seed S  --lesions L --patients P (smaller cohort)
 *   --patch '{"sizeEncoding":"none"}' (override patch options, see PatchOptions)
 *   --synth '{"subregionDropRange":[0.15,0.3],"subregionRadiusFraction":0.55}' (generator options)
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { selectBackend } from '../src/index.js';
import { CV_PATCH, CV_TRAIN, runSynthCv, type CvFoldRow } from './_cvlib.ts';

const args = process.argv.slice(2);
const opt = (k: string): string | undefined => {
  const i = args.indexOf(`--${k}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const num = (k: string): number | undefined => (opt(k) !== undefined ? Number(opt(k)) : undefined);

const backend = await selectBackend();
console.log(`backend: ${backend.message}`);
const train = {
  ...CV_TRAIN,
  model: {
    ...CV_TRAIN.model,
    ...(opt('widths') ? { widths: opt('widths')!.split(',').map(Number) } : {}),
    ...(opt('strides') ? { strides: opt('strides')!.split(',').map(Number) } : {}),
  },
  ...(num('epochs') !== undefined ? { epochs: num('epochs')! } : {}),
  ...(num('patience') !== undefined ? { patience: num('patience')! } : {}),
  ...(num('ensemble') !== undefined ? { ensemble: num('ensemble')! } : {}),
  ...(num('lambda') !== undefined ? { lambda: num('lambda')! } : {}),
  ...(num('lr') !== undefined ? { learningRate: num('lr')! } : {}),
  ...(num('wd') !== undefined ? { weightDecay: num('wd')! } : {}),
  ...(num('seed') !== undefined ? { seed: num('seed')! } : {}),
  ...(num('val') !== undefined ? { validationFraction: num('val')! } : {}),
  ...(opt('monitor') ? { monitor: opt('monitor') as 'val_bce' | 'val_loss' | 'val_auc' } : {}),
};
const patch = { ...CV_PATCH, ...(num('size') !== undefined ? { size: num('size')! } : {}), ...(opt('patch') ? JSON.parse(opt('patch')!) : {}) };
const synth = {
  ...(opt('synth') ? JSON.parse(opt('synth')!) : {}),
  ...(num('lesions') !== undefined ? { lesions: num('lesions')! } : {}),
  ...(num('patients') !== undefined ? { patients: num('patients')! } : {}),
};
const t0 = performance.now();
const r3 = (v: number) => Math.round(v * 1000) / 1000;
const res = await runSynthCv({
  synth,
  patch,
  train,
  ...(num('fold-seed') !== undefined ? { foldSeed: num('fold-seed')! } : {}),
  onFold: (f: CvFoldRow) => console.log(`fold ${f.fold}: AUC ${r3(f.auc)} (${f.lesions} lesions, best epoch ${f.bestEpoch}/${f.epochs}, ${f.cpuSeconds.toFixed(0)} CPU s)`),
});
const wall = (performance.now() - t0) / 1000;
const rows = [
  ...res.folds.map((f) => ({ fold: String(f.fold), lesions: f.lesions, patients: f.patients, responders: f.responders, auc: r3(f.auc), bestEpoch: f.bestEpoch, epochs: f.epochs, cpuSeconds: r3(f.cpuSeconds) })),
  {
    fold: 'pooled (out-of-fold)',
    lesions: res.lesions,
    patients: res.patients,
    responders: res.labels.filter((y) => y === 1).length,
    auc: r3(res.pooled.auc),
    bestEpoch: NaN,
    epochs: NaN,
    cpuSeconds: r3(res.cpuSeconds.train),
  },
];
console.table(rows);
const verdict = `pooled out-of-fold AUC ${r3(res.pooled.auc)} [95 % DeLong CI ${r3(res.pooled.lower)}, ${r3(res.pooled.upper)}], mean fold AUC ${r3(res.meanFoldAuc)} (acceptance: ≥ 0.85) → ${res.pooled.auc >= 0.85 ? 'PASS' : 'FAIL'}`;
console.log(verdict);

const dir = join(process.cwd(), 'bench-results');
mkdirSync(dir, { recursive: true });
const out = join(dir, 'cv.json');
const tmp = `${out}.tmp-${process.pid}`;
writeFileSync(
  tmp,
  JSON.stringify(
    {
      bench: 'cv',
      node: process.version,
      backend: backend.backend,
      date: new Date().toISOString(),
      cohort: { synth, lesions: res.lesions, patients: res.patients },
      patch,
      train: { ...train, onFold: undefined },
      folds: res.folds,
      pooled: res.pooled,
      meanFoldAuc: res.meanFoldAuc,
      acceptance: verdict,
      cpuSeconds: res.cpuSeconds,
      wallSeconds: r3(wall),
      outOfFold: res.labels.map((y, i) => ({ patient: res.groups[i], label: y, fold: res.foldIds[i], probability: res.outOfFold[i] })),
    },
    null,
    2,
  ),
);
renameSync(tmp, out);
console.log(`wrote ${out}`);
