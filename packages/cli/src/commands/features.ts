import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RadcamError, toCsv, type Mask, type Volume } from '@radcam/core';
import type { PyradiomicsClass, PyradiomicsParams } from '@radcam/radiomics';
import { choiceOpt, describeError, intOpt, stringOpt, usageError, type CommandContext, type CommandSpec } from '../cli.js';
import { requireApi, volumeIo } from '../deps.js';
import type { Progress } from '../progress.js';
import { resolveRadiomicsSettings, runCase, type CaseResult, type RadiomicsTaskSettings } from '../tasks.js';
import { batchMode, emit, featureColumns, readCases, runCaseList, singleCaseOutput } from './extract-common.js';

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
    'column: a failing case is reported in its row and the batch continues.\n' +
    'Presets: default, ibsi-phantom, ibsi-ct-A … ibsi-ct-E (the IBSI CT-phantom configurations) and\n' +
    'pyradiomics: PyRadiomics 3.x-compatible extraction with PyRadiomics names (original_glcm_…).\n' +
    'A parameter file in PyRadiomics\' schema (setting:, featureClass:, imageType: keys — or a file\n' +
    'with compat: pyradiomics) selects the PyRadiomics mode by itself; --families then takes\n' +
    'PyRadiomics classes (firstorder, shape, shape2D, glcm, glrlm, glszm, gldm, ngtdm).',
  options: {
    params: { type: 'string', valueName: 'FILE', description: 'YAML or JSON parameter file (radcam or PyRadiomics schema)' },
    preset: { type: 'string', valueName: 'NAME', description: 'settings preset: default, ibsi-phantom, ibsi-ct-A…E, pyradiomics' },
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
    'radcam features ct.nii.gz gtv.nii.gz --preset ibsi-ct-C --format csv',
    'radcam features brain.nrrd label.nrrd --preset pyradiomics',
    'radcam features brain.nrrd label.nrrd --params Params.yaml   # a PyRadiomics parameter file',
    'radcam features --cases radcam-demo/cohort.csv --out features.csv --jobs 2',
  ],
  async run(ctx) {
    const py = await pyradiomicsMode(ctx);
    if (ctx.values.voxel === true) {
      if (py) throw usageError('--voxel is not available in the PyRadiomics-compatible mode');
      return runVoxelMaps(ctx);
    }
    for (const k of ['kernel-radius', 'out-dir']) if (stringOpt(ctx.values, k) !== undefined) throw usageError(`--${k} needs --voxel`);
    const casesPath = batchMode(ctx, 'features');
    if (py) return runPyradiomics(ctx, py, casesPath);
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

/* ---------------------------------------------------------------------------------------------
 * PyRadiomics-compatible mode: --preset pyradiomics, or a PyRadiomics-schema parameter file
 * ------------------------------------------------------------------------------------------- */

/** Top-level keys of PyRadiomics' parameter schema. */
const PYRADIOMICS_KEYS = ['setting', 'featureClass', 'imageType', 'voxelSetting'];

/** What a parameter file is: radcam settings, PyRadiomics' schema, or `compat: pyradiomics`. */
export interface ParamsFileKind {
  schema: 'radcam' | 'pyradiomics';
  /** The document to hand to PyRadiomics' parser (the `compat` key removed). */
  pyradiomicsText?: string;
  pyradiomicsDoc?: Record<string, unknown>;
}

/**
 * Classify a parameter file by its top-level keys: `setting:` / `featureClass:` / `imageType:`
 * (PyRadiomics' schema) or `compat: pyradiomics` → PyRadiomics; anything else → radcam settings.
 * Throws `E_SETTINGS` for an unknown `compat` value.
 */
export function classifyParamsText(text: string, path = '(inline)'): ParamsFileKind {
  const trimmed = text.trimStart();
  const compatError = (v: unknown) =>
    new RadcamError('E_SETTINGS', `${path}: unknown setting value "compat"`, { expected: '"pyradiomics"', found: JSON.stringify(v), path });
  if (trimmed.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch {
      return { schema: 'radcam' }; // the radcam loader reports the syntax error
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { schema: 'radcam' };
    const d = { ...(doc as Record<string, unknown>) };
    if ('compat' in d) {
      if (d.compat !== 'pyradiomics') throw compatError(d.compat);
      delete d.compat;
      return { schema: 'pyradiomics', pyradiomicsDoc: d };
    }
    return Object.keys(d).some((k) => PYRADIOMICS_KEYS.includes(k)) ? { schema: 'pyradiomics', pyradiomicsDoc: d } : { schema: 'radcam' };
  }
  const lines = text.split(/\r?\n/);
  const keys: string[] = [];
  let compatLine = -1;
  let compat: string | undefined;
  lines.forEach((line, i) => {
    const m = /^([A-Za-z_][\w-]*)\s*:(.*)$/.exec(line);
    if (!m) return;
    keys.push(m[1]!);
    if (m[1] === 'compat') {
      compatLine = i;
      compat = m[2]!.replace(/\s+#.*$/, '').trim().replace(/^(['"])(.*)\1$/, '$2');
    }
  });
  if (compatLine >= 0) {
    if (compat !== 'pyradiomics') throw compatError(compat);
    return { schema: 'pyradiomics', pyradiomicsText: lines.filter((_l, i) => i !== compatLine).join('\n') };
  }
  return keys.some((k) => PYRADIOMICS_KEYS.includes(k)) ? { schema: 'pyradiomics', pyradiomicsText: text } : { schema: 'radcam' };
}

interface PyradiomicsMode {
  params: PyradiomicsParams;
  /** Absolute path of the parameter file, if any. */
  paramsPath?: string;
}

/** PyRadiomics class names accepted by `--families` in the PyRadiomics mode (case-insensitive). */
const PY_CLASS_BY_LOWER: Record<string, PyradiomicsClass> = {
  firstorder: 'firstorder', shape: 'shape', shape2d: 'shape2D', glcm: 'glcm', glrlm: 'glrlm', glszm: 'glszm', gldm: 'gldm', ngtdm: 'ngtdm',
};

/** Null unless `--preset pyradiomics` or a PyRadiomics-schema `--params` file selects the mode. */
async function pyradiomicsMode(ctx: CommandContext): Promise<PyradiomicsMode | null> {
  const preset = stringOpt(ctx.values, 'preset');
  const paramsOpt = stringOpt(ctx.values, 'params');
  let kind: ParamsFileKind | null = null;
  const paramsPath = paramsOpt !== undefined ? ctx.path(paramsOpt) : undefined;
  if (paramsPath !== undefined) {
    let text: string;
    try {
      text = await readFile(paramsPath, 'utf8');
    } catch (cause) {
      throw new RadcamError('E_FILE_NOT_FOUND', `cannot read parameter file ${paramsPath}`, { path: paramsPath, cause });
    }
    kind = classifyParamsText(text, paramsPath);
  }
  const isPy = kind?.schema === 'pyradiomics';
  if (preset !== 'pyradiomics' && !isPy) return null;
  if (preset !== undefined && preset !== 'pyradiomics') {
    throw usageError(`a PyRadiomics parameter file cannot be combined with --preset ${preset}`, { expected: 'no --preset, or --preset pyradiomics' });
  }
  if (kind && !isPy && paramsPath !== undefined) {
    throw usageError('--preset pyradiomics takes a parameter file in PyRadiomics\' schema (setting:, featureClass:, imageType:)', { found: paramsOpt });
  }
  const r = await import('@radcam/radiomics');
  let params: PyradiomicsParams;
  if (kind?.pyradiomicsDoc) params = r.pyradiomicsParams(kind.pyradiomicsDoc);
  else if (kind?.pyradiomicsText !== undefined) params = r.parsePyradiomicsParams(kind.pyradiomicsText);
  else params = r.defaultPyradiomicsParams();
  const families = stringOpt(ctx.values, 'families');
  if (families !== undefined) {
    const wanted = families.split(',').map((f) => f.trim()).filter(Boolean);
    if (!wanted.length) throw usageError('--families needs at least one class');
    const fc: PyradiomicsParams['featureClasses'] = {};
    for (const w of wanted) {
      const cls = PY_CLASS_BY_LOWER[w.toLowerCase()];
      if (!cls) throw usageError(`--families: unknown PyRadiomics feature class "${w}"`, { expected: Object.values(PY_CLASS_BY_LOWER).join(', ') });
      fc[cls] = cls in params.featureClasses ? params.featureClasses[cls]! : null;
    }
    params = { ...params, featureClasses: fc };
  }
  return { params, ...(paramsPath !== undefined ? { paramsPath } : {}) };
}

/** One case in the PyRadiomics mode: the mask is a label image (voxels == `label` form the ROI). */
async function pyradiomicsCase(image: string, mask: string, params: PyradiomicsParams): Promise<CaseResult> {
  const io = await volumeIo('radcam features --preset pyradiomics', ['readVolume']);
  const r = await import('@radcam/radiomics');
  const res = r.extractPyradiomics(await io.readVolume(image), await io.readVolume(mask), params);
  return { features: res.features, diagnostics: res.diagnostics };
}

/** `features` in the PyRadiomics mode, single case or `--cases` batch (in-process, in order). */
async function runPyradiomics(ctx: CommandContext, py: PyradiomicsMode, casesPath: string | null): Promise<void> {
  const extraInputs = py.paramsPath !== undefined ? [py.paramsPath] : [];
  if (casesPath === null) {
    const format = choiceOpt(ctx.values, 'format', ['json', 'csv'] as const, 'json');
    const [image, mask] = [ctx.path(ctx.positionals[0]!), ctx.path(ctx.positionals[1]!)];
    const res = await pyradiomicsCase(image, mask, py.params);
    await emit(ctx, singleCaseOutput(format, ctx.positionals[0]!, ctx.positionals[1]!, res), [image, mask, ...extraInputs]);
    return;
  }
  if (ctx.values.jobs !== undefined) ctx.note('radcam features: the PyRadiomics-compatible mode runs a batch in-process (--jobs ignored)');
  const { columns, cases } = await readCases(casesPath);
  const bar = ctx.progress('features', cases.length);
  const t0 = performance.now();
  const results: (CaseResult | null)[] = [];
  const errors: string[] = [];
  for (const c of cases) {
    try {
      results.push(await pyradiomicsCase(c.image, c.mask, py.params));
      errors.push('');
    } catch (err) {
      const e = describeError(err);
      results.push(null);
      errors.push(`${e.code}: ${e.message.replace(/\s+/g, ' ')}`);
    }
    bar.tick();
  }
  bar.finish();
  const feats = featureColumns(results);
  const cols = [...columns.filter((c) => c !== 'error'), ...feats.filter((f) => !columns.includes(f)), 'error'];
  const rows = cases.map((c, i) => ({ ...c.row, ...(results[i]?.features ?? {}), error: errors[i] }));
  await emit(ctx, toCsv(cols, rows), [casesPath, ...cases.flatMap((c) => [c.image, c.mask]), ...extraInputs]);
  const failed = errors.filter(Boolean).length;
  ctx.note(`radcam features: ${cases.length} cases, ${failed} failed, ${feats.length} features (PyRadiomics-compatible), ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
