import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Mask, Volume } from '@radcam/core';
import { choiceOpt, intOpt, stringOpt, usageError, type CommandContext, type CommandSpec } from '../cli.js';
import { requireApi, volumeIo } from '../deps.js';
import type { Progress } from '../progress.js';
import { resolveRadiomicsSettings, runCase, type RadiomicsTaskSettings } from '../tasks.js';
import { batchMode, emit, runCaseList, singleCaseOutput } from './extract-common.js';

export const featuresCommand: CommandSpec = {
  name: 'features',
  summary: 'extract IBSI radiomics features from an image and a mask (or a batch of cases)',
  usage: [
    'features IMAGE MASK [--params FILE] [--preset NAME] [--families glcm,ngtdm,…] [--format json|csv] [--out FILE]',
    'features --cases cases.csv [--out features.csv] [--jobs N] [--params FILE] [--preset NAME] [--families …]',
    'features IMAGE MASK --voxel --kernel-radius R [--families …] [--jobs N] [--out-dir DIR] [--params FILE] [--preset NAME]',
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
    voxel: { type: 'boolean', description: 'voxel-wise feature maps (sliding kernel) instead of ROI features' },
    'kernel-radius': { type: 'string', valueName: 'R', description: 'voxel maps: kernel radius in voxels (integer ≥ 1)' },
    'out-dir': { type: 'string', valueName: 'DIR', description: 'voxel maps: output folder (default voxel-maps)' },
  },
  positionals: { min: 0, max: 2, names: 'IMAGE MASK' },
  examples: [
    'radcam features ct.nii.gz gtv.nii.gz --preset ibsi-phantom --format csv',
    'radcam features --cases radcam-demo/cohort.csv --out features.csv --jobs 2',
  ],
  async run(ctx) {
    if (ctx.values.voxel === true) return runVoxelMaps(ctx);
    for (const k of ['kernel-radius', 'out-dir']) if (stringOpt(ctx.values, k) !== undefined) throw usageError(`--${k} needs --voxel`);
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

/** The subset of `@radcam/radiomics` that `--voxel` uses. */
interface VoxelApi {
  computeVoxelMaps(
    image: Volume,
    mask: Mask,
    options: Record<string, unknown> & { onProgress?: (p: { done: number; total: number }) => void },
  ): Promise<{ maps: Record<string, Volume>; diagnostics: Record<string, unknown> & { fallbackReason?: string } }>;
  loadParams(path: string): Record<string, unknown>;
}

/** `features IMAGE MASK --voxel`: one NIfTI map per feature, written atomically into --out-dir. */
async function runVoxelMaps(ctx: CommandContext): Promise<void> {
  if (stringOpt(ctx.values, 'cases') !== undefined) throw usageError('--voxel takes IMAGE MASK, not --cases');
  if (ctx.positionals.length !== 2) throw usageError('--voxel needs IMAGE and MASK', { found: `${ctx.positionals.length} positional arguments` });
  for (const k of ['out', 'format']) {
    if (stringOpt(ctx.values, k) !== undefined && !(k === 'format' && stringOpt(ctx.values, k) === 'json')) throw usageError(`--${k} does not apply to --voxel (use --out-dir)`);
  }
  const rs = stringOpt(ctx.values, 'kernel-radius');
  if (rs === undefined) throw usageError('--voxel needs --kernel-radius R');
  const kernelRadius = intOpt(ctx.values, 'kernel-radius', 1, { min: 1, max: 10 });
  const workers = stringOpt(ctx.values, 'jobs') !== undefined ? intOpt(ctx.values, 'jobs', 1, { min: 0, max: 64 }) : undefined;
  const outDir = ctx.path(stringOpt(ctx.values, 'out-dir') ?? 'voxel-maps');
  const r = await requireApi<VoxelApi>('@radcam/radiomics', ['computeVoxelMaps', 'loadParams'], 'radcam features --voxel');
  const io = await volumeIo('radcam features --voxel', ['readVolume', 'readMask', 'writeVolume']);
  const paramsOpt = stringOpt(ctx.values, 'params');
  const params = paramsOpt !== undefined ? r.loadParams(ctx.path(paramsOpt)) : {};
  const preset = stringOpt(ctx.values, 'preset') ?? (params.preset as string | undefined);
  const families = stringOpt(ctx.values, 'families');
  const [imagePath, maskPath] = [ctx.path(ctx.positionals[0]!), ctx.path(ctx.positionals[1]!)];
  const image = await io.readVolume(imagePath);
  const mask = await io.readMask(maskPath, { reference: image });
  let bar: Progress | undefined;
  const res = await r.computeVoxelMaps(image, mask, {
    kernelRadius,
    settings: { ...params, ...(preset !== undefined ? { preset } : {}) },
    ...(families !== undefined ? { families: families.split(',').map((f) => f.trim()).filter(Boolean) } : {}),
    ...(workers !== undefined ? { workers } : {}),
    onProgress: (p) => {
      bar ??= ctx.progress('voxel maps', p.total);
      bar.tick(p.done - bar.done);
    },
  });
  if (res.diagnostics.fallbackReason) ctx.note(`radcam features --voxel: computed in-process (${res.diagnostics.fallbackReason})`);
  await mkdir(outDir, { recursive: true });
  const files: Record<string, string> = {};
  const inputs = [imagePath, maskPath, ...(paramsOpt !== undefined ? [ctx.path(paramsOpt)] : [])];
  for (const [tag, vol] of Object.entries(res.maps)) {
    const file = join(outDir, `${tag}.nii.gz`);
    await io.writeVolume(file, vol, { inputs });
    files[tag] = file;
  }
  ctx.io.stdout.write(JSON.stringify({ maps: files, diagnostics: res.diagnostics }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
  ctx.note(`radcam features --voxel: ${Object.keys(files).length} maps, ${String(res.diagnostics.targets)} voxels → ${outDir}`);
}
