/**
 * Patient-grouped cross-validation of the autoencoder–classifier on the synthetic cohort — shared
 * by `pnpm bench cv` (benchmark-sized run) and packages/model/test/cv.test.ts (test-sized run).
 *
 * The cohort generator (@radcam/study) and the fold splitter / DeLong CI (@radcam/learn) are
 * imported from their sources by relative path: @radcam/model does not depend on either package
 * (study depends on model), and this file is not part of the published build.
 */
import { synthesizeCohort, type SynthCohortOptions } from '../../study/src/synth.ts';
import { repeatedGroupedFolds } from '../../learn/src/cv.ts';
import { aucDeLong, type AucWithCi } from '../../learn/src/metrics.ts';
import { crossValidate, extractPatch, smallCohortPatchOptions, smallCohortTraining, type CrossValidateOptions, type PatchOptions } from '../src/index.js';

/**
 * Input pipeline of the reported CV run: `smallCohortPatchOptions()` (src/presets.ts, shared with
 * the study's CNN arm and `radcam demo`). Scale-normalised 16³ patches with rim-relative
 * intensities and a mask channel carrying the lesion size (docs/model.md, configuration G).
 */
export const CV_PATCH: PatchOptions = smallCohortPatchOptions();

/**
 * Architecture and training of the reported CV run: `smallCohortTraining()` — 8/16/32, strides
 * 1/2/2, no normalisation, dropout 0.2; no early stopping (on ~55 training lesions an 11-lesion
 * validation split picks the stopping epoch by noise), 150 epochs, λ 0.1, Adam 3e-3, 48-symmetry
 * augmentation — one model per fold, seed 0.
 */
export const CV_TRAIN: CrossValidateOptions = { ...smallCohortTraining(), ensemble: 1, seed: 0 };

export interface SynthCvOptions {
  synth?: SynthCohortOptions;
  patch?: PatchOptions;
  train?: CrossValidateOptions;
  /** Number of folds (default 5). */
  k?: number;
  /** Seed of the fold assignment (default 0). */
  foldSeed?: number;
  onFold?: (row: CvFoldRow) => void;
}

export interface CvFoldRow {
  fold: number;
  lesions: number;
  patients: number;
  responders: number;
  auc: number;
  bestEpoch: number;
  epochs: number;
  /** Process CPU seconds spent on this fold (training + prediction). */
  cpuSeconds: number;
}

export interface SynthCvResult {
  lesions: number;
  patients: number;
  folds: CvFoldRow[];
  /** AUC of the pooled out-of-fold probabilities with its DeLong 95 % CI. */
  pooled: AucWithCi;
  meanFoldAuc: number;
  labels: number[];
  groups: string[];
  foldIds: number[];
  outOfFold: Float32Array;
  /** Process CPU seconds: cohort synthesis + patch extraction, and training. */
  cpuSeconds: { prepare: number; train: number };
}

const cpu = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};

/** Synthesise the cohort, extract patches, assign patient-grouped stratified folds, cross-validate. */
export async function runSynthCv(options: SynthCvOptions = {}): Promise<SynthCvResult> {
  const patch = { ...CV_PATCH, ...(options.patch ?? {}) };
  const train: CrossValidateOptions = { ...CV_TRAIN, ...(options.train ?? {}), preprocessing: patch };
  const c0 = process.cpuUsage();
  const cohort = synthesizeCohort(options.synth ?? {});
  const inputs: Float32Array[] = [];
  const labels: number[] = [];
  const groups: string[] = [];
  for (const p of cohort.patients) {
    for (const l of p.lesions) {
      inputs.push(extractPatch(p.image, l.mask, patch).data);
      labels.push(l.plan.label);
      groups.push(p.plan.id);
    }
  }
  const prepare = cpu(c0);
  const foldIds = Array.from(repeatedGroupedFolds(labels, groups, { k: options.k ?? 5, seed: options.foldSeed ?? 0 })[0]!);
  const c1 = process.cpuUsage();
  let last = process.cpuUsage();
  const rows: CvFoldRow[] = [];
  const res = await crossValidate({ inputs, labels, groups }, foldIds, {
    ...train,
    onFold: (r) => {
      const row: CvFoldRow = {
        fold: r.fold,
        lesions: r.testIndices.length,
        patients: new Set(r.testIndices.map((i) => groups[i])).size,
        responders: r.testIndices.filter((i) => labels[i] === 1).length,
        auc: r.auc,
        bestEpoch: r.bestEpoch,
        epochs: r.history.length,
        cpuSeconds: cpu(last),
      };
      last = process.cpuUsage();
      rows.push(row);
      options.onFold?.(row);
    },
  });
  return {
    lesions: inputs.length,
    patients: cohort.patients.length,
    folds: rows,
    pooled: aucDeLong(labels, res.outOfFold),
    meanFoldAuc: res.meanFoldAuc,
    labels,
    groups,
    foldIds,
    outOfFold: res.outOfFold,
    cpuSeconds: { prepare, train: cpu(c1) },
  };
}
