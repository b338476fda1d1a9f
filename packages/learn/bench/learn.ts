/**
 * `pnpm bench learn`: cross-validation wall time of every built-in classifier on a study-sized
 * feature matrix — 69 lesions of 39 patients × 1000 features (3 informative) — 5-fold
 * patient-grouped CV, 1 repeat. Two pipelines: all features (dropConstant + zscore) and
 * fold-local univariate selection to 20. Also one nested-CV run (3 inner folds, default grid).
 * Prints a table and writes bench-results/learn.json. Options: `--features 1000`, `--repeats 1`.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '@radcam/core';
import { auc, builtinClassifiers, crossValidate, repeatedGroupedFolds, type DenseMatrix, type StepSpec } from '../src/index.js';

const args = process.argv.slice(2);
const opt = (k: string, d: string): string => {
  const i = args.indexOf(`--${k}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : d;
};
const P = Number(opt('features', '1000'));
const R = Number(opt('repeats', '1'));

function cohort(seed: number): { X: DenseMatrix; y: Uint8Array; groups: string[] } {
  const rng = createRng(seed);
  const sizes = [...Array(21).fill(1), ...Array(9).fill(2), ...Array(6).fill(3), ...Array(3).fill(4)] as number[];
  const groups: string[] = [];
  const y: number[] = [];
  sizes.forEach((s, g) => {
    for (let k = 0; k < s; k++) (groups.push(`P${g}`), y.push(rng.next() < 0.45 ? 1 : 0));
  });
  const n = groups.length;
  const d = new Float64Array(n * P);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < P; j++) d[i * P + j] = rng.normal();
    for (let j = 0; j < 3; j++) d[i * P + j]! += 1.5 * (y[i]! - 0.5);
  }
  return { X: { data: d, rows: n, cols: P }, y: Uint8Array.from(y), groups };
}

const { X, y, groups } = cohort(11);
const folds = repeatedGroupedFolds(y, groups, { k: 5, repeats: R, seed: 1 });
const pipelines: Record<string, StepSpec[]> = {
  all: [{ type: 'dropConstant' }, { type: 'zscore' }],
  'top20-auc': [{ type: 'dropConstant' }, { type: 'zscore' }, { type: 'selectUnivariate', k: 20 }],
};

interface Row {
  classifier: string;
  pipeline: string;
  nested: boolean;
  folds: number;
  totalMs: number;
  msPerFold: number;
  auc: number;
}
const rows: Row[] = [];
const run = (id: string, pipeline: string, nested: boolean): void => {
  const t0 = performance.now();
  const r = crossValidate(X, y, { folds, classifier: id, pipeline: pipelines[pipeline]!, seed: 3, tune: nested, innerK: 3 });
  const ms = performance.now() - t0;
  const nf = r.foldResults.length;
  rows.push({
    classifier: id,
    pipeline,
    nested,
    folds: nf,
    totalMs: Math.round(ms),
    msPerFold: Math.round((ms / nf) * 10) / 10,
    auc: Math.round(auc(y, r.meanOof) * 1000) / 1000,
  });
};
// warm-up (JIT)
crossValidate(X, y, { folds: folds.slice(0, 1), classifier: 'learn/logreg-l2', seed: 0 });
for (const pipe of Object.keys(pipelines)) for (const c of builtinClassifiers) run(c.id, pipe, false);
for (const c of builtinClassifiers) run(c.id, 'top20-auc', true);

console.log(`learn: ${X.rows} samples × ${P} features, ${new Set(groups).size} patients, 5-fold grouped CV × ${R} repeat(s)`);
console.table(rows);
const root = process.cwd();
mkdirSync(join(root, 'bench-results'), { recursive: true });
const out = join(root, 'bench-results', 'learn.json');
const tmp = `${out}.tmp-${process.pid}`;
writeFileSync(
  tmp,
  JSON.stringify({ bench: 'learn', samples: X.rows, features: P, patients: new Set(groups).size, k: 5, repeats: R, node: process.version, date: new Date().toISOString(), rows }, null, 2),
);
renameSync(tmp, out);
console.log(`wrote ${out}`);
