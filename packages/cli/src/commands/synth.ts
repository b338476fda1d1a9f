import { relative } from 'node:path';
import { writeSynthCohort, type SynthCohortSummary } from '@radcam/study';
import { intOpt, stringOpt, usageError, type CommandContext, type CommandSpec } from '../cli.js';

/** Human-readable summary table of a written synthetic cohort. */
export function synthSummaryLines(s: SynthCohortSummary, cwd: string): string[] {
  const rel = (p: string) => relative(cwd, p) || '.';
  const per = Object.entries(s.lesionsPerPatient)
    .map(([k, v]) => `${v}×${k}`)
    .join(', ');
  const pct = (n: number) => `${Math.round((100 * n) / s.lesions)} %`;
  const o = s.options;
  const rows: [string, string][] = [
    ['cohort', rel(s.dir)],
    ['patients', `${s.patients} (lesions per patient: ${per})`],
    ['lesions', String(s.lesions)],
    ['responders', `${s.responders} (${pct(s.responders)}), non-responders ${s.nonResponders} (${pct(s.nonResponders)})`],
    ['subregions', `${s.withSubregion} lesions carry a resistant subregion; ${s.labelNoise} labels disagree with it (noise)`],
    ['volume', `${s.volumeMm3.min.toFixed(0)} / ${s.volumeMm3.median.toFixed(0)} / ${s.volumeMm3.max.toFixed(0)} mm³ (min / median / max)`],
    ['grid', `${o.size.join('×')} voxels at ${o.spacing.join('×')} mm, seed ${o.seed}`],
    ['manifest', rel(s.manifest)],
  ];
  return rows.map(([k, v]) => `${k.padEnd(11)} ${v}`);
}

export function synthOptionsFrom(ctx: CommandContext) {
  return {
    patients: intOpt(ctx.values, 'patients', 39, { min: 1, max: 10000 }),
    lesions: intOpt(ctx.values, 'lesions', 69, { min: 1, max: 30000 }),
    seed: intOpt(ctx.values, 'seed', 42, { min: 0, max: 2 ** 32 - 1 }),
    size: intOpt(ctx.values, 'size', 96, { min: 24, max: 512 }),
  };
}

export async function runSynth(ctx: CommandContext, dir: string, force: boolean): Promise<SynthCohortSummary> {
  const opts = synthOptionsFrom(ctx);
  if (opts.lesions < opts.patients || opts.lesions > 3 * opts.patients) {
    throw usageError(`--lesions must be between --patients and 3 × --patients (1–3 lesions each)`, {
      found: `${opts.lesions} lesions for ${opts.patients} patients`,
    });
  }
  const bar = ctx.progress('synth', opts.patients);
  try {
    return await writeSynthCohort(dir, { ...opts, force, onProgress: () => bar.tick() });
  } finally {
    bar.finish();
  }
}

export const SYNTH_OPTIONS = {
  patients: { type: 'string', valueName: 'N', description: 'number of patients', default: '39' },
  lesions: { type: 'string', valueName: 'N', description: 'total lesions (1–3 per patient)', default: '69' },
  seed: { type: 'string', valueName: 'S', description: 'random seed (same seed → same bytes)', default: '42' },
  size: { type: 'string', valueName: 'N', description: 'grid N×N×(2N/3) voxels at 1×1×1.5 mm', default: '96' },
} as const;

export const synthCommand: CommandSpec = {
  name: 'synth',
  summary: 'write the deterministic synthetic T1c cohort (images, lesion masks, subregions, cohort.csv)',
  usage: ['synth --out DIR [--patients 39] [--lesions 69] [--seed S] [--size N] [--force]'],
  description:
    'Writes images/<patient>.nii.gz, masks/<lesion>.nii.gz, subregions/<lesion>.nii.gz, cohort.csv\n' +
    '(patient_id,lesion_id,image,mask,label,subregion; label 1 = responder), truth.csv and synth.json.\n' +
    'The generative model is described in docs/synthetic-cohort.md. A non-empty DIR that holds no\n' +
    'synthetic cohort is refused unless --force.',
  options: {
    out: { type: 'string', valueName: 'DIR', description: 'output directory (required)' },
    ...SYNTH_OPTIONS,
    force: { type: 'boolean', description: 'write into a non-empty directory' },
  },
  positionals: { min: 0, max: 0 },
  examples: ['radcam synth --out cohort', 'radcam synth --out small --patients 5 --lesions 8 --size 48 --seed 1'],
  async run(ctx) {
    const out = stringOpt(ctx.values, 'out');
    if (out === undefined) throw usageError('radcam synth needs --out DIR');
    const summary = await runSynth(ctx, ctx.path(out), ctx.values.force === true);
    for (const l of synthSummaryLines(summary, ctx.io.cwd)) ctx.out(l);
  },
};
