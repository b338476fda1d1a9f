import { mkdir } from 'node:fs/promises';
import { basename } from 'node:path';
import { choiceOpt, numberOpt, stringOpt, usageError, type CommandSpec } from '../cli.js';
import { runCase, type GradientTaskSettings } from '../tasks.js';
import { batchMode, emit, runCaseList, singleCaseOutput } from './extract-common.js';

const GROUPS = ['basic', 'distribution', 'orientation'] as const;

/** File-name stem of a case for its maps: lesion_id / case_id / id column, else the mask's name. */
function stemOf(row: Record<string, string> | undefined, mask: string, index: number): string {
  const id = row?.['lesion_id'] || row?.['case_id'] || row?.['id'];
  const raw = id || basename(mask).replace(/\.(nii(\.gz)?|nrrd|nhdr|mha|mhd)$/i, '') || `case${index + 1}`;
  return raw.replace(/[^A-Za-z0-9._-]+/g, '_');
}

export const gradientCommand: CommandSpec = {
  name: 'gradient',
  summary: 'gradient features (|∇I|, radial gradient, radial deviation) of the core, margin and octants',
  usage: [
    'gradient IMAGE MASK [--margin-mm X | --inner-mm A --outer-mm B] [--format json|csv] [--out FILE] [--maps DIR]',
    'gradient --cases cases.csv [--out features.csv] [--jobs N] [--maps DIR] [margin options]',
  ],
  description:
    'Default margin: 3 mm for lesions larger than 4000 mm³, 1 mm otherwise. 90 basic features\n' +
    'grad_<mag|radial|raddev>_<region>_<mean|sd|cv>; --groups adds distribution / orientation groups.\n' +
    'Output shapes as radcam features. --maps DIR writes <case>_{mag,radial,raddev}.nii.gz on the image grid.',
  options: {
    'margin-mm': { type: 'string', valueName: 'MM', description: 'fixed margin distance inside and outside the boundary' },
    'inner-mm': { type: 'string', valueName: 'MM', description: 'erosion distance defining the core' },
    'outer-mm': { type: 'string', valueName: 'MM', description: 'dilation distance of the outer margin' },
    'size-threshold-mm3': { type: 'string', valueName: 'MM3', description: 'size-rule threshold (default 4000)' },
    method: { type: 'string', valueName: 'central|gaussian', description: 'gradient operator (default central)' },
    'sigma-mm': { type: 'string', valueName: 'MM', description: 'σ of the Gaussian-derivative operator' },
    groups: { type: 'string', valueName: 'LIST', description: `feature groups: ${GROUPS.join(',')} (default basic)` },
    octants: { type: 'string', valueName: 'lps|numeric', description: 'octant naming (oct_LPS… or oct1…oct8)' },
    format: { type: 'string', valueName: 'json|csv', description: 'output format of a single case', default: 'json' },
    out: { type: 'string', valueName: 'FILE', description: 'write to FILE (atomically) instead of stdout' },
    maps: { type: 'string', valueName: 'DIR', description: 'also write the three gradient maps into DIR' },
    cases: { type: 'string', valueName: 'FILE', description: 'batch mode: CSV of cases (image, mask columns)' },
    jobs: { type: 'string', valueName: 'N', description: 'worker threads in batch mode (default: min(4, cores))' },
  },
  positionals: { min: 0, max: 2, names: 'IMAGE MASK' },
  examples: ['radcam gradient t1c.nii.gz lesion.nii.gz --format csv', 'radcam gradient --cases radcam-demo/cohort.csv --out gradient.csv --jobs 2'],
  async run(ctx) {
    const casesPath = batchMode(ctx, 'gradient');
    const options: Record<string, unknown> = {};
    const num = (flag: string, key: string) => {
      const v = numberOpt(ctx.values, flag);
      if (v !== undefined) {
        if (v < 0) throw usageError(`--${flag} must be ≥ 0`, { found: String(v) });
        options[key] = v;
      }
    };
    num('margin-mm', 'marginMm');
    num('inner-mm', 'innerMm');
    num('outer-mm', 'outerMm');
    num('size-threshold-mm3', 'sizeThresholdMm3');
    num('sigma-mm', 'sigmaMm');
    if (stringOpt(ctx.values, 'method') !== undefined) options.method = choiceOpt(ctx.values, 'method', ['central', 'gaussian'] as const, 'central');
    if (stringOpt(ctx.values, 'octants') !== undefined) options.octantNaming = choiceOpt(ctx.values, 'octants', ['lps', 'numeric'] as const, 'lps');
    const groups = stringOpt(ctx.values, 'groups');
    if (groups !== undefined) {
      const list = groups.split(',').map((g) => g.trim()).filter(Boolean);
      const bad = list.filter((g) => !(GROUPS as readonly string[]).includes(g));
      if (bad.length || !list.length) throw usageError(`--groups must list ${GROUPS.join(', ')}`, { found: groups });
      options.groups = list;
    }
    const mapsOpt = stringOpt(ctx.values, 'maps');
    const mapsDir = mapsOpt !== undefined ? ctx.path(mapsOpt) : undefined;
    if (mapsDir !== undefined) await mkdir(mapsDir, { recursive: true });
    const settings = (stem: string): GradientTaskSettings =>
      mapsDir !== undefined ? { options, mapsDir, mapsStem: stem } : { options };
    if (casesPath !== null) {
      let i = 0;
      const { csv, summary, inputs } = await runCaseList(
        ctx,
        casesPath,
        (c) => ({ kind: 'gradient', image: c.image, mask: c.mask, settings: settings(stemOf(c.row, c.mask, i++)) }),
        'gradient',
      );
      await emit(ctx, csv, inputs);
      ctx.note(`radcam gradient: ${summary.cases} cases, ${summary.failed} failed, ${summary.features} features, ${summary.seconds.toFixed(1)} s`);
      return;
    }
    const format = choiceOpt(ctx.values, 'format', ['json', 'csv'] as const, 'json');
    const [image, mask] = [ctx.path(ctx.positionals[0]!), ctx.path(ctx.positionals[1]!)];
    const res = await runCase({ kind: 'gradient', image, mask, settings: settings(stemOf(undefined, mask, 0)) });
    await emit(ctx, singleCaseOutput(format, ctx.positionals[0]!, ctx.positionals[1]!, res), [image, mask]);
  },
};
