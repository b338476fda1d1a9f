/**
 * Experiment harness (not a listed bench: leading underscore). Usage:
 *   node --import tsx packages/model/bench/_exp.ts --patch '{"size":16}' --train '{"epochs":40}' [--folds 0,1] [--lesions 69]
 * Prints per-fold AUC, pooled AUC, CPU seconds.
 */
import { synthesizeCohort } from '../../study/src/synth.ts';
import { repeatedGroupedFolds } from '../../learn/src/cv.ts';
import { aucDeLong } from '../../learn/src/metrics.ts';
import { crossValidate, trainModel, predict, extractPatch, selectBackend, rocAuc, type PatchOptions, type CrossValidateOptions } from '../src/index.js';

const args = process.argv.slice(2);
const opt = (k: string, d: string) => {
  const i = args.indexOf(`--${k}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : d;
};
const popts: PatchOptions = JSON.parse(opt('patch', '{"size":16}'));
const topts: CrossValidateOptions = JSON.parse(opt('train', '{}'));
topts.preprocessing = popts;
const only = opt('folds', '').split(',').filter(Boolean).map(Number);
const synth = JSON.parse(opt('synth', '{}'));
await selectBackend({ prefer: 'cpu' });
const c0 = process.cpuUsage();
const cohort = synthesizeCohort(synth);
const inputs: Float32Array[] = [];
const labels: number[] = [];
const groups: string[] = [];
const hasSub: number[] = [];
for (const p of cohort.patients)
  for (const l of p.lesions) {
    inputs.push(extractPatch(p.image, l.mask, popts).data);
    labels.push(l.plan.label);
    groups.push(p.plan.id);
    hasSub.push(l.subregion ? 0 : 1);
  }
const prepCpu = process.cpuUsage(c0);
console.log(`lesions ${inputs.length}, prep CPU ${((prepCpu.user + prepCpu.system) / 1e6).toFixed(1)} s; ceiling AUC (no subregion → responder) ${rocAuc(hasSub, labels).toFixed(3)}`);
const folds = Array.from(repeatedGroupedFolds(labels, groups, { k: 5, seed: 0 })[0]!);
const useFolds = only.length ? folds.map((f) => (only.includes(f) ? f : -1)) : folds;
// for subsets, train on all other samples: crossValidate uses every non-test sample of a fold with id >= 0 or <0
const c1 = process.cpuUsage();
{
  // Bayes-like ceiling: the deterministic part of the shrinkage (subregion ± 22 − 1.5·(r0 − 6.5))
  const det: number[] = [];
  for (const p of cohort.patients) for (const l of p.lesions) det.push((l.subregion ? -22 : 22) - 1.5 * (l.plan.radiusMm - 6.5));
  console.log(`ceiling AUC (subregion + size term) ${rocAuc(det, labels).toFixed(3)}`);
}
if (only.length === 1) {
  const test = folds.map((f, i) => (f === only[0] ? i : -1)).filter((i) => i >= 0);
  const train = folds.map((f, i) => (f !== only[0] ? i : -1)).filter((i) => i >= 0);
  const tr = await trainModel({ inputs: train.map((i) => inputs[i]!), labels: train.map((i) => labels[i]!), groups: train.map((i) => groups[i]!) }, {
    ...topts,
    seed: (topts.seed ?? 0) + only[0]!,
    onEpoch: (l) => { if (process.env.VERBOSE) console.log(JSON.stringify(l)); },
  });
  const p = predict(tr.model, test.map((i) => inputs[i]!));
  const cpu = process.cpuUsage(c1);
  console.log(`fold ${only[0]}: AUC ${rocAuc(p, test.map((i) => labels[i]!)).toFixed(3)} best epoch ${tr.bestEpoch}/${tr.history.length} valAuc ${tr.history[tr.bestEpoch - 1]?.valAuc?.toFixed(3)} trainAUC ${rocAuc(predict(tr.model, train.map((i) => inputs[i]!)), train.map((i) => labels[i]!)).toFixed(3)} CPU ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s`);
  process.exit(0);
}
const t1 = performance.now();
const res = await crossValidate({ inputs, labels, groups }, useFolds, {
  ...topts,
  onFold: (r) => {
    const cpu = process.cpuUsage(c1);
    console.log(`fold ${r.fold}: AUC ${r.auc.toFixed(3)} best epoch ${r.bestEpoch}/${r.history.length} valAuc ${r.history[r.bestEpoch - 1]?.valAuc?.toFixed(3)} CPU ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s wall ${((performance.now() - t1) / 1000).toFixed(0)} s`);
  },
});
const ci = aucDeLong(labels, res.outOfFold);
console.log(`pooled AUC ${res.auc.toFixed(3)} [${ci.lower.toFixed(3)}, ${ci.upper.toFixed(3)}], mean fold ${res.meanFoldAuc.toFixed(3)}`);
