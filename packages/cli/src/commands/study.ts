import { relative } from 'node:path';
import { runStudy, STUDY_ARMS, type RunStudyResult, type StudyArmName, type StudyProgress, type StudySettings } from '@radcam/study';
import { intOpt, stringOpt, usageError, type CommandContext, type CommandSpec } from '../cli.js';
import type { Progress } from '../progress.js';

const STEP_LABEL: Record<StudyProgress['step'], string> = {
  load: 'loading lesions',
  features: 'features',
  train: 'training CNN folds',
  cam: 'CAMs',
  evaluate: 'evaluating',
  write: 'writing',
  report: 'report thumbnails',
};

/** A progress handler drawing one bar per step (TTY only; silent otherwise). */
export function studyProgress(ctx: CommandContext): { onProgress: (p: StudyProgress) => void; finish: () => void } {
  let bar: Progress | null = null;
  let key = '';
  return {
    onProgress(p) {
      if (p.step === 'evaluate' || p.step === 'write') return;
      const k = `${p.step}:${p.arm ?? ''}`;
      if (k !== key || !bar) {
        bar?.finish();
        key = k;
        const label = p.step === 'features' ? `${p.arm} features` : STEP_LABEL[p.step];
        bar = ctx.progress(label, p.total);
      }
      bar.tick(p.done - bar.done);
    },
    finish() {
      bar?.finish();
    },
  };
}

const fmt = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '–');

function table(head: string[], body: string[][]): string[] {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  return [head, ...body].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  '));
}

/** The results table (and localisation table) printed by `radcam study` and `radcam demo`. */
export function studySummaryLines(res: RunStudyResult, cwd: string): string[] {
  const r = res.results;
  const label = (n: string) => (n.startsWith('cam:') ? `CAM ${n.slice(4).replace(/^radcam\//, '')}` : n);
  const lines = table(
    ['arm', 'AUC [95 % CI]', 'bal. accuracy', 'sensitivity', 'specificity', 'Brier', 'features'],
    r.arms.map((a) => {
      const m = a.metrics;
      return [
        label(a.name),
        `${fmt(m.auc.value)} [${fmt(m.auc.lower)}, ${fmt(m.auc.upper)}]`,
        fmt(m.balancedAccuracy.value),
        fmt(m.sensitivity.value),
        fmt(m.specificity.value),
        fmt(m.brier.value, 3),
        a.features !== undefined ? String(a.features) : '–',
      ];
    }),
  );
  const best = r.comparisons.filter((c) => c.p < 0.05);
  lines.push(`DeLong: ${r.comparisons.length} pairwise comparisons, ${best.length} with p < 0.05${best.length ? ` (${best.map((c) => `${label(c.a)} vs ${label(c.b)} p=${c.p.toPrecision(2)}`).join('; ')})` : ''}`);
  const L = r.localisation;
  if (L?.available) {
    lines.push('', `CAM localisation of the truth subregion (class ${L.classIndex}, out-of-fold maps, means [95 % CI]):`);
    lines.push(
      ...table(
        ['method', 'lesions', 'pointing game', 'Dice', 'map AUC', 'lift'],
        L.methods.map((m) => [
          m.method.replace(/^radcam\//, ''),
          String(m.lesions),
          `${fmt(m.pointingGame.value)} [${fmt(m.pointingGame.lower)}, ${fmt(m.pointingGame.upper)}]`,
          `${fmt(m.dice.value)} [${fmt(m.dice.lower)}, ${fmt(m.dice.upper)}]`,
          `${fmt(m.auc.value)} [${fmt(m.auc.lower)}, ${fmt(m.auc.upper)}]`,
          fmt(m.lift.value),
        ]),
      ),
    );
  }
  const hits = Object.values(res.checkpoints.hits).reduce((a, b) => a + b, 0);
  const misses = Object.values(res.checkpoints.misses).reduce((a, b) => a + b, 0);
  if (hits) lines.push(`resumed: ${hits} step(s) from checkpoints, ${misses} computed`);
  const rel = (p: string) => relative(cwd, p) || '.';
  lines.push(`results: ${rel(res.files.results)}`);
  if (res.files.report) lines.push(`report:  ${rel(res.files.report)}`);
  return lines;
}

/** Parse `--arms radiomics,gradient,cnn`. */
export function parseArms(s: string | undefined): StudyArmName[] | undefined {
  if (s === undefined) return undefined;
  const arms = s.split(',').map((a) => a.trim()).filter(Boolean);
  for (const a of arms) {
    if (!(STUDY_ARMS as readonly string[]).includes(a)) throw usageError(`--arms: unknown arm "${a}"`, { expected: STUDY_ARMS.join(', ') });
  }
  if (!arms.length) throw usageError('--arms needs at least one arm', { expected: STUDY_ARMS.join(', ') });
  return arms as StudyArmName[];
}

/** Run a study with progress bars and print its summary. */
export async function runStudyCommand(ctx: CommandContext, cohort: string, out: string, settings: StudySettings & { params?: string }): Promise<RunStudyResult> {
  const prog = studyProgress(ctx);
  let res: RunStudyResult;
  try {
    res = await runStudy(cohort, { out, ...settings }, { onProgress: prog.onProgress });
  } finally {
    prog.finish();
  }
  for (const l of studySummaryLines(res, ctx.io.cwd)) ctx.out(l);
  return res;
}

export const studyCommand: CommandSpec = {
  name: 'study',
  summary: 'compare radiomics, gradient features and the CNN with CAMs on a cohort (cross-validated)',
  usage: ['study --cohort cohort.csv --out DIR [--folds 5] [--repeats 10] [--seed S] [--arms radiomics,gradient,cnn] [--params study.yaml]'],
  description:
    'Runs every arm on identical patient-grouped stratified folds: IBSI radiomics and the 90 gradient\n' +
    'features (fold-local selection → classifier), the autoencoder–classifier trained per fold, and one\n' +
    'arm per CAM method (features of the top-activated subregion → classifier). Writes results.json,\n' +
    'predictions.csv, features/*.csv, cams/, subregions/ and a self-contained index.html into DIR.\n' +
    'Heavy steps are checkpointed in DIR/.checkpoints: re-running with the same --out resumes.\n' +
    'The cohort CSV needs image, mask, label (0/1) and patient_id; an optional subregion column\n' +
    '(ground-truth masks) enables the CAM localisation metrics. See docs/study.md.',
  options: {
    cohort: { type: 'string', valueName: 'FILE', description: 'cohort manifest (CSV)' },
    out: { type: 'string', valueName: 'DIR', description: 'output directory' },
    folds: { type: 'string', valueName: 'K', description: 'cross-validation folds (default 5)' },
    repeats: { type: 'string', valueName: 'R', description: 'repeats of the tabular arms (default 10)' },
    seed: { type: 'string', valueName: 'S', description: 'seed of folds, bootstrap and training (default 42)' },
    arms: { type: 'string', valueName: 'LIST', description: 'comma-separated arms: radiomics, gradient, cnn (default all)' },
    params: { type: 'string', valueName: 'FILE', description: 'YAML/JSON study settings (options on the command line win)' },
  },
  positionals: { min: 0, max: 0 },
  examples: [
    'radcam study --cohort radcam-demo/cohort.csv --out radcam-demo/study',
    'radcam study --cohort cohort.csv --out study --arms radiomics,gradient --repeats 20 --params study.yaml',
  ],
  async run(ctx) {
    const cohort = stringOpt(ctx.values, 'cohort');
    const out = stringOpt(ctx.values, 'out');
    if (!cohort) throw usageError('radcam study needs --cohort FILE');
    if (!out) throw usageError('radcam study needs --out DIR');
    const settings: StudySettings & { params?: string } = {};
    if (stringOpt(ctx.values, 'folds') !== undefined) settings.folds = intOpt(ctx.values, 'folds', 5, { min: 2, max: 1000 });
    if (stringOpt(ctx.values, 'repeats') !== undefined) settings.repeats = intOpt(ctx.values, 'repeats', 10, { min: 1, max: 1000 });
    if (stringOpt(ctx.values, 'seed') !== undefined) settings.seed = intOpt(ctx.values, 'seed', 42, { min: 0, max: 2 ** 32 - 1 });
    const arms = parseArms(stringOpt(ctx.values, 'arms'));
    if (arms) settings.arms = arms;
    const params = stringOpt(ctx.values, 'params');
    if (params) settings.params = ctx.path(params);
    await runStudyCommand(ctx, ctx.path(cohort), ctx.path(out), settings);
  },
};
