import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { toCsv } from '@radcam/core';
import { atomicWriteFile, readCohortManifest, type CohortCase } from '@radcam/study';
import { intOpt, stringOpt, type CommandContext, type CommandSpec } from '../cli.js';
import { runBatch } from '../batch.js';
import { hasApi } from '../deps.js';
import type { CaseTask } from '../tasks.js';
import { runSynth, synthSummaryLines, SYNTH_OPTIONS } from './synth.js';
import { runStudyCommand } from './study.js';
import type { StudySettings } from '@radcam/study';

/** Mann–Whitney AUC of `x` for label 1 vs 0 (ties count ½); NaN values skipped. */
export function aucOf(x: number[], labels: (0 | 1 | null)[]): number {
  const pos: number[] = [];
  const neg: number[] = [];
  x.forEach((v, i) => {
    if (!Number.isFinite(v) || labels[i] === null) return;
    (labels[i] === 1 ? pos : neg).push(v);
  });
  if (!pos.length || !neg.length) return NaN;
  let s = 0;
  for (const a of pos) for (const b of neg) s += a > b ? 1 : a === b ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

/** CNN epochs per fold in the demo. */
export const DEMO_EPOCHS = 150;

interface ArmRow {
  arm: string;
  features: number;
  cases: number;
  failed: number;
  seconds: number;
  best: string;
}

async function runArm(
  ctx: CommandContext,
  arm: string,
  cases: CohortCase[],
  makeTask: (c: CohortCase) => CaseTask,
  outFile: string,
  jobs: number,
): Promise<ArmRow> {
  const bar = ctx.progress(arm, cases.length);
  const t0 = performance.now();
  const { outcomes } = await runBatch(cases.map(makeTask), { jobs, onDone: () => bar.tick() });
  bar.finish();
  const seconds = (performance.now() - t0) / 1000;
  const names: string[] = [];
  const seen = new Set<string>();
  for (const o of outcomes) if ('ok' in o) for (const k of Object.keys(o.ok.features)) if (!seen.has(k)) seen.add(k), names.push(k);
  const rows = cases.map((c, i) => {
    const o = outcomes[i]!;
    const base = { patient_id: c.patientId, lesion_id: c.lesionId, label: c.label ?? '' };
    return 'ok' in o ? { ...base, ...o.ok.features, error: '' } : { ...base, error: `${o.error.code}: ${o.error.message}` };
  });
  await atomicWriteFile(outFile, toCsv(['patient_id', 'lesion_id', 'label', ...names, 'error'], rows));
  // The most label-related single feature (|AUC − ½| largest): a hint that the arm learns something.
  let best = '';
  let bestAuc = 0.5;
  const labels = cases.map((c) => c.label);
  for (const n of names) {
    const auc = aucOf(rows.map((r) => Number((r as Record<string, unknown>)[n] ?? NaN)), labels);
    if (Number.isFinite(auc) && Math.abs(auc - 0.5) > Math.abs(bestAuc - 0.5)) (bestAuc = auc), (best = n);
  }
  const failed = outcomes.filter((o) => 'error' in o).length;
  if (failed) {
    const first = outcomes.find((o) => 'error' in o) as { error: { code: string; message: string } };
    ctx.note(`radcam demo: ${arm}: ${failed} case(s) failed, first: ${first.error.code}: ${first.error.message}`);
  }
  return {
    arm,
    features: names.length,
    cases: cases.length,
    failed,
    seconds,
    best: best ? `${Math.max(bestAuc, 1 - bestAuc).toFixed(2)} ${best}` : '–',
  };
}

export const demoCommand: CommandSpec = {
  name: 'demo',
  summary: 'synthesise the default cohort and run the whole three-arm study on it',
  usage: ['demo [--out DIR] [--jobs N] [--size N] [--seed S] [--epochs N] [--skip-study]'],
  description:
    'Step 1 writes the synthetic cohort (39 patients, 69 lesions) into DIR (default ./radcam-demo)\n' +
    'and prints its summary. Step 2 extracts radiomics and gradient features of every lesion into\n' +
    'DIR/features/*.csv and prints, per arm, the feature count, run time and the single feature\n' +
    'with the largest univariate AUC against the response label (a sanity hint, not a validated result).\n' +
    'Step 3 runs `radcam study` on the cohort into DIR/study with settings sized for a 2-core machine\n' +
    '(DEMO_STUDY_SETTINGS: 5 folds, 5 repeats of the tabular arms, one CNN repeat with 16³ patches)\n' +
    'and prints the results table and the report path. Re-running resumes from its checkpoints.',
  options: {
    out: { type: 'string', valueName: 'DIR', description: 'output directory', default: 'radcam-demo' },
    jobs: { type: 'string', valueName: 'N', description: 'worker threads for feature extraction (default: min(4, cores))' },
    'skip-features': { type: 'boolean', description: 'only synthesise the cohort' },
    'skip-study': { type: 'boolean', description: 'stop after the feature tables' },
    epochs: { type: 'string', valueName: 'N', description: `CNN training epochs per fold (default ${DEMO_EPOCHS})` },
    ...SYNTH_OPTIONS,
  },
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const dir = ctx.path(stringOpt(ctx.values, 'out') ?? 'radcam-demo');
    const jobs = intOpt(ctx.values, 'jobs', Math.max(1, Math.min(4, availableParallelism())), { min: 1, max: 64 });
    ctx.out('== synthetic cohort');
    const summary = await runSynth(ctx, dir, false);
    for (const l of synthSummaryLines(summary, ctx.io.cwd)) ctx.out(l);
    if (ctx.values['skip-features']) return;

    const { cases } = await readCohortManifest(summary.manifest, { requireLabels: true });
    const arms: ArmRow[] = [];
    const skipped: string[] = [];
    const featDir = join(dir, 'features');
    if (await hasApi('@radcam/radiomics', ['extractFeatures', 'resolveSettings', 'loadParams'])) {
      arms.push(
        await runArm(ctx, 'radiomics', cases, (c) => ({ kind: 'radiomics', image: c.image, mask: c.mask, settings: { preset: DEMO_RADIOMICS_PRESET } }), join(featDir, 'radiomics.csv'), jobs),
      );
    } else skipped.push('radiomics (@radcam/radiomics not available in this build)');
    if (await hasApi('@radcam/gradient-features', ['extractGradientFeatures'])) {
      arms.push(await runArm(ctx, 'gradient', cases, (c) => ({ kind: 'gradient', image: c.image, mask: c.mask, settings: { options: {} } }), join(featDir, 'gradient.csv'), jobs));
    } else skipped.push('gradient (@radcam/gradient-features not available in this build)');
    ctx.out('');
    ctx.out('== features');
    if (arms.length) {
      const head = ['arm', 'features', 'lesions', 'failed', 'time', 'best univariate AUC (feature)'];
      const body = arms.map((a) => [a.arm, String(a.features), String(a.cases), String(a.failed), `${a.seconds.toFixed(1)} s`, a.best]);
      const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
      for (const r of [head, ...body]) ctx.out(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  '));
      ctx.out(`feature tables in ${relative(ctx.io.cwd, featDir) || '.'}/`);
    }
    for (const s of skipped) ctx.out(`skipped: ${s}`);
    if (ctx.values['skip-study']) return;

    ctx.out('');
    ctx.out('== study');
    const patients = new Set(cases.map((c) => c.patientId)).size;
    const settings: StudySettings = {
      ...DEMO_STUDY_SETTINGS,
      cnn: { ...DEMO_STUDY_SETTINGS.cnn, epochs: intOpt(ctx.values, 'epochs', DEMO_EPOCHS, { min: 1, max: 10000 }) },
    };
    if (patients < (settings.folds ?? 5)) {
      ctx.out(`skipped: the study needs at least ${settings.folds} patients for ${settings.folds}-fold CV (cohort has ${patients})`);
      return;
    }
    const t0 = performance.now();
    await runStudyCommand(ctx, summary.manifest, join(dir, 'study'), settings);
    ctx.out(`study time: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  },
};


/** Study settings of `radcam demo` (sized to finish in a few minutes on 2 cores; see docs/study.md). */
export const DEMO_STUDY_SETTINGS: StudySettings = {
  folds: 5,
  repeats: 5,
  seed: 42,
  // the CNN arm uses the study defaults (@radcam/model smallCohortPatchOptions / smallCohortTraining)
  cnn: { epochs: DEMO_EPOCHS, repeats: 1 },
  metrics: { replicates: 1000 },
};

/** Radiomics settings preset of the demo (see docs/cli.md). */
export const DEMO_RADIOMICS_PRESET = 'default';
