import { choiceOpt, stringOpt, type CommandSpec } from '../cli.js';
import { resolveRadiomicsSettings, runCase, type RadiomicsTaskSettings } from '../tasks.js';
import { batchMode, emit, runCaseList, singleCaseOutput } from './extract-common.js';

export const featuresCommand: CommandSpec = {
  name: 'features',
  summary: 'extract IBSI radiomics features from an image and a mask (or a batch of cases)',
  usage: [
    'features IMAGE MASK [--params FILE] [--preset NAME] [--families glcm,ngtdm,…] [--format json|csv] [--out FILE]',
    'features --cases cases.csv [--out features.csv] [--jobs N] [--params FILE] [--preset NAME] [--families …]',
  ],
  description:
    'JSON output is { "features": { tag: value }, "diagnostics": { … } } (NaN is written as null).\n' +
    'Batch mode reads a CSV with image and mask columns (paths relative to the CSV; other columns\n' +
    'are copied through) and writes one row per case with one column per feature and an error\n' +
    'column: a failing case is reported in its row and the batch continues.',
  options: {
    params: { type: 'string', valueName: 'FILE', description: 'YAML or JSON parameter file' },
    preset: { type: 'string', valueName: 'NAME', description: 'settings preset, e.g. ibsi-phantom' },
    families: { type: 'string', valueName: 'LIST', description: 'comma-separated feature families' },
    format: { type: 'string', valueName: 'json|csv', description: 'output format of a single case', default: 'json' },
    out: { type: 'string', valueName: 'FILE', description: 'write to FILE (atomically) instead of stdout' },
    cases: { type: 'string', valueName: 'FILE', description: 'batch mode: CSV of cases' },
    jobs: { type: 'string', valueName: 'N', description: 'worker threads in batch mode (default: min(4, cores))' },
  },
  positionals: { min: 0, max: 2, names: 'IMAGE MASK' },
  examples: [
    'radcam features ct.nii.gz gtv.nii.gz --preset ibsi-phantom --format csv',
    'radcam features --cases radcam-demo/cohort.csv --out features.csv --jobs 2',
  ],
  async run(ctx) {
    const casesPath = batchMode(ctx, 'features');
    const params = stringOpt(ctx.values, 'params');
    const preset = stringOpt(ctx.values, 'preset');
    const families = stringOpt(ctx.values, 'families');
    const settings: RadiomicsTaskSettings = {
      ...(preset !== undefined ? { preset } : {}),
      ...(params !== undefined ? { paramsPath: ctx.path(params) } : {}),
      ...(families !== undefined ? { families: families.split(',').map((f) => f.trim()).filter(Boolean) } : {}),
    };
    // Validate the settings once, up front: a bad preset or parameter file is not a per-case error.
    await resolveRadiomicsSettings(settings);
    if (casesPath !== null) {
      const { csv, summary, inputs } = await runCaseList(ctx, casesPath, (c) => ({ kind: 'radiomics', image: c.image, mask: c.mask, settings }), 'features');
      await emit(ctx, csv, [...inputs, ...(settings.paramsPath ? [settings.paramsPath] : [])]);
      ctx.note(`radcam features: ${summary.cases} cases, ${summary.failed} failed, ${summary.features} features, ${summary.seconds.toFixed(1)} s`);
      return;
    }
    const format = choiceOpt(ctx.values, 'format', ['json', 'csv'] as const, 'json');
    const [image, mask] = [ctx.path(ctx.positionals[0]!), ctx.path(ctx.positionals[1]!)];
    const res = await runCase({ kind: 'radiomics', image, mask, settings });
    await emit(ctx, singleCaseOutput(format, ctx.positionals[0]!, ctx.positionals[1]!, res), [image, mask, ...(settings.paramsPath ? [settings.paramsPath] : [])]);
  },
};
