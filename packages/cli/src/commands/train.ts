/**
 * `radcam train`: train the autoencoder–classifier (`@radcam/model`) on every lesion of a cohort
 * manifest and save it to a model directory. Also holds the cohort helpers that `radcam predict`
 * and `radcam cam` share (row-named errors, one image in memory at a time).
 */
import { stat } from 'node:fs/promises';
import { relative } from 'node:path';
import { RadcamError, isRadcamError, toCsv, type Mask, type Volume } from '@radcam/core';
import type { CohortCase, CohortManifest } from '@radcam/study';
import { choiceOpt, intOpt, numberOpt, stringOpt, usageError, type CommandContext, type CommandSpec, type OptionValues } from '../cli.js';
import { assertNotInput } from '../output.js';

/* ---------------------------------------------------------------------------------------------
 * cohort helpers (shared by train, predict and cam)
 * ------------------------------------------------------------------------------------------- */

/** One cohort row with its 1-based line in the CSV (the header is line 1). */
export interface CohortRow {
  case: CohortCase;
  line: number;
}

/** "cohort.csv line 3 (lesion P001_L2)": how errors name a row. */
export function rowName(manifest: string, row: CohortRow): string {
  const file = manifest.split(/[\\/]/).pop() ?? manifest;
  return `${file} line ${row.line} (lesion ${row.case.lesionId})`;
}

/** Re-throw `err` with the row named in front of its message (the code is kept). */
export function rowError(manifest: string, row: CohortRow, err: unknown): RadcamError {
  const where = rowName(manifest, row);
  if (isRadcamError(err)) {
    if (err.message.startsWith(where)) return err;
    // err.message already carries its "; expected …; found …" tail
    return new RadcamError(err.code, `${where}: ${err.message}`, { ...(err.path !== undefined ? { path: err.path } : {}), cause: err });
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return new RadcamError('E_FILE_NOT_FOUND', `${where}: file not found`, { ...(e.path ? { found: e.path, path: e.path } : {}), cause: err });
  return new RadcamError('E_INTERNAL', `${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/**
 * Read a cohort manifest (paths relative to its folder) and check that every referenced file
 * exists, before any heavy work. `labels: true` requires a 0/1 label on every row.
 */
export async function readCohortRows(path: string, options: { labels?: boolean } = {}): Promise<{ manifest: CohortManifest; rows: CohortRow[] }> {
  const { readCohortManifest } = await import('@radcam/study');
  const manifest = await readCohortManifest(path, { requireLabels: options.labels ?? false });
  if (manifest.cases.length === 0) throw new RadcamError('E_COHORT', `cohort manifest ${path} has no rows`, { expected: 'at least one lesion', path });
  const rows = manifest.cases.map((c, i) => ({ case: c, line: i + 2 }));
  for (const r of rows) {
    const files: [string, string][] = [['image', r.case.image], ['mask', r.case.mask]];
    for (const [what, f] of files) {
      try {
        await stat(f);
      } catch {
        throw new RadcamError('E_FILE_NOT_FOUND', `${rowName(path, r)}: ${what} file not found`, {
          expected: `an existing file (paths are relative to the manifest's folder)`,
          found: f,
          path: f,
        });
      }
    }
  }
  return { manifest, rows };
}

/** A lesion read from disk: its image (shared between the lesions of one image) and mask. */
export interface LoadedLesion {
  row: CohortRow;
  image: Volume;
  mask: Mask;
}

/** Throws `E_EMPTY_ROI` when `mask` has no voxel. */
export function assertMaskHasVoxels(mask: Mask): void {
  const d = mask.data;
  for (let i = 0; i < d.length; i++) if (d[i] !== 0) return;
  throw new RadcamError('E_EMPTY_ROI', 'the lesion mask has no voxels', { expected: 'at least one non-zero mask voxel', found: '0 voxels' });
}

/**
 * Visit the lesions in manifest order with one image in memory at a time (consecutive rows that
 * share an image reuse it). Errors name the row.
 */
export async function forEachLesion(
  manifestPath: string,
  rows: readonly CohortRow[],
  visit: (lesion: LoadedLesion, index: number) => Promise<void> | void,
): Promise<void> {
  const { readMask, readVolume } = await import('@radcam/volume-io');
  let cache: { path: string; vol: Volume } | null = null;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    let lesion: LoadedLesion;
    try {
      if (!cache || cache.path !== row.case.image) {
        cache = null;
        cache = { path: row.case.image, vol: await readVolume(row.case.image) };
      }
      const mask = await readMask(row.case.mask, { reference: cache.vol });
      assertMaskHasVoxels(mask);
      lesion = { row, image: cache.vol, mask };
    } catch (err) {
      throw rowError(manifestPath, row, err);
    }
    try {
      await visit(lesion, i);
    } catch (err) {
      throw rowError(manifestPath, row, err);
    }
  }
}

/** Parse a comma-separated list of positive integers (`--widths 8,16,32`). */
export function intListOpt(values: OptionValues, name: string): number[] | undefined {
  const s = stringOpt(values, name);
  if (s === undefined) return undefined;
  const parts = s.split(',').map((p) => p.trim());
  const out = parts.map(Number);
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p)) || out.some((n) => !(n >= 1))) {
    throw usageError(`--${name} must be a comma-separated list of positive integers`, { found: JSON.stringify(s) });
  }
  return out;
}

/** `--backend auto|cpu|tensorflow`: activate a tfjs backend and return its one-line report. */
export async function activateBackend(ctx: CommandContext): Promise<string> {
  const backend = choiceOpt(ctx.values, 'backend', ['auto', 'cpu', 'tensorflow'] as const, 'auto');
  const { selectBackend } = await import('@radcam/model');
  const sel = await selectBackend(backend === 'auto' ? {} : { prefer: backend });
  return sel.message;
}

export const BACKEND_OPTION = {
  type: 'string',
  valueName: 'auto|cpu|tensorflow',
  description: 'tfjs backend: tfjs-node when installed (auto), or force cpu',
  default: 'auto',
} as const;

const fmt = (v: number | undefined, d = 3) => (v !== undefined && Number.isFinite(v) ? v.toFixed(d) : '–');

/* ---------------------------------------------------------------------------------------------
 * radcam train
 * ------------------------------------------------------------------------------------------- */

export const trainCommand: CommandSpec = {
  name: 'train',
  summary: 'train the autoencoder–classifier on every lesion of a cohort and save it',
  usage: [
    'train --cohort cohort.csv --out MODELDIR [--dims 3|2] [--epochs N] [--seed S] [--size N] [--margin-mm X] [--mask-channel]',
    '      [--widths 8,16,32] [--strides 1,2,2] [--batch-size N] [--lr X] [--lambda X] [--validation F] [--patience N] [--overwrite]',
  ],
  description:
    'Every row of the manifest (columns image, mask, label 0/1; optional patient_id, lesion_id) is a\n' +
    'training lesion: a patch centred on the lesion (the preprocessing is saved with the model) is\n' +
    'cut from its image. A seeded split of --validation of the patients drives early stopping\n' +
    '(--validation 0: train all epochs, keep the last). MODELDIR receives model.json, weights.bin\n' +
    '(tfjs weights format) and history.csv (one row per epoch). The tfjs backend in use is printed.',
  options: {
    cohort: { type: 'string', valueName: 'FILE', description: 'cohort manifest (CSV; paths relative to it)' },
    out: { type: 'string', valueName: 'MODELDIR', description: 'output model directory' },
    dims: { type: 'string', valueName: '3|2', description: '3D patches or 2D axial slices through the centroid', default: '3' },
    epochs: { type: 'string', valueName: 'N', description: 'maximum epochs (default 50; 150 with --preset small-cohort)' },
    seed: { type: 'string', valueName: 'S', description: 'seed of initialisation, split, shuffling, augmentation', default: '42' },
    size: { type: 'string', valueName: 'N', description: 'patch side in voxels (default 32 in 3D, 64 in 2D)' },
    'margin-mm': { type: 'string', valueName: 'X', description: 'margin around the lesion box, mm (default 10)' },
    'mask-channel': { type: 'boolean', description: 'add the lesion mask as a second input channel' },
    widths: { type: 'string', valueName: 'LIST', description: 'filters per encoder block (default 8,16,32)' },
    strides: { type: 'string', valueName: 'LIST', description: 'stride (1 or 2) per encoder block (default 1,2,2)' },
    'batch-size': { type: 'string', valueName: 'N', description: 'mini-batch size (default 8)' },
    lr: { type: 'string', valueName: 'X', description: 'Adam learning rate (default 0.001)' },
    lambda: { type: 'string', valueName: 'X', description: 'weight of the reconstruction loss (default 1)' },
    validation: { type: 'string', valueName: 'F', description: 'validation fraction for early stopping (default 0.2; 0 = none)' },
    patience: { type: 'string', valueName: 'N', description: 'epochs without improvement before stopping (default 10)' },
    preset: {
      type: 'string',
      valueName: 'NAME',
      description:
        "'small-cohort': the configuration tuned for ~69-lesion cohorts (16³ rim-normalised patches with a size-encoded mask channel, " +
        '8/16/32 without normalisation, 150 epochs, no early stopping, λ 0.1, lr 0.003, 48-symmetry augmentation); other options override it',
    },
    backend: BACKEND_OPTION,
    overwrite: { type: 'boolean', description: 'replace a model already in MODELDIR' },
  },
  positionals: { min: 0, max: 0 },
  examples: [
    'radcam train --cohort radcam-demo/cohort.csv --out model --preset small-cohort',
    'radcam train --cohort radcam-demo/cohort.csv --out model --epochs 60 --seed 1',
    'radcam train --cohort cohort.csv --out model2d --dims 2 --mask-channel',
  ],
  async run(ctx) {
    const cohort = stringOpt(ctx.values, 'cohort');
    const out = stringOpt(ctx.values, 'out');
    if (!cohort) throw usageError('radcam train needs --cohort FILE');
    if (!out) throw usageError('radcam train needs --out MODELDIR');
    const presetName = choiceOpt(ctx.values, 'preset', ['none', 'small-cohort'] as const, 'none');
    const model = await import('@radcam/model');
    const preset = presetName === 'small-cohort' ? { patch: model.smallCohortPatchOptions(), training: model.smallCohortTraining() } : null;
    const dims = Number(choiceOpt(ctx.values, 'dims', ['3', '2'] as const, '3')) as 2 | 3;
    const epochs = intOpt(ctx.values, 'epochs', preset?.training.epochs ?? 50, { min: 1, max: 100_000 });
    const seed = intOpt(ctx.values, 'seed', 42, { min: 0, max: 2 ** 32 - 1 });
    const size = intOpt(ctx.values, 'size', preset?.patch.size ?? (dims === 3 ? 32 : 64), { min: 2, max: 1024 });
    const marginMm = numberOpt(ctx.values, 'margin-mm');
    if (marginMm !== undefined && marginMm < 0) throw usageError('--margin-mm must be ≥ 0', { found: String(marginMm) });
    const widths = intListOpt(ctx.values, 'widths');
    const strides = intListOpt(ctx.values, 'strides');
    const batchSize = stringOpt(ctx.values, 'batch-size') !== undefined ? intOpt(ctx.values, 'batch-size', 8, { min: 1, max: 4096 }) : undefined;
    const lr = numberOpt(ctx.values, 'lr');
    if (lr !== undefined && !(lr > 0)) throw usageError('--lr must be > 0', { found: String(lr) });
    const lambda = numberOpt(ctx.values, 'lambda');
    if (lambda !== undefined && lambda < 0) throw usageError('--lambda must be ≥ 0', { found: String(lambda) });
    const validation = numberOpt(ctx.values, 'validation');
    if (validation !== undefined && !(validation >= 0 && validation < 1)) throw usageError('--validation must be in [0, 1)', { found: String(validation) });
    const patience = stringOpt(ctx.values, 'patience') !== undefined ? intOpt(ctx.values, 'patience', 10, { min: 1, max: 100_000 }) : undefined;

    const cohortPath = ctx.path(cohort);
    const outDir = ctx.path(out);
    assertNotInput(outDir, [cohortPath]);
    const { rows } = await readCohortRows(cohortPath, { labels: true });

    const backend = await activateBackend(ctx);
    ctx.out(`backend: ${backend}`);
    const preprocessing = {
      ...(preset?.patch ?? {}),
      dims,
      size,
      ...(marginMm !== undefined ? { marginMm } : {}),
      ...(ctx.values['mask-channel'] === true ? { maskChannel: true } : {}),
    };
    const modelConfig = { ...(preset?.training.model ?? {}), ...(widths ? { widths } : {}), ...(strides ? { strides } : {}) };
    // Validate the architecture before reading images (a bad --widths/--strides is a usage error).
    try {
      model.defaultModelConfig({ dims, inputSize: size, inChannels: preprocessing.maskChannel ? 2 : 1, ...modelConfig });
    } catch (err) {
      if (isRadcamError(err)) throw usageError(`invalid architecture: ${err.message}`, { ...(err.found !== undefined ? { found: err.found } : {}) });
      throw err;
    }

    const inputs: Float32Array[] = [];
    const labels: number[] = [];
    const groups: string[] = [];
    const load = ctx.progress('loading lesions', rows.length);
    await forEachLesion(cohortPath, rows, ({ row, image, mask }) => {
      const patch = model.extractPatch(image, mask, preprocessing);
      inputs.push(patch.data);
      labels.push(row.case.label!);
      groups.push(row.case.patientId);
      load.tick();
    });
    load.finish();
    const n1 = labels.filter((l) => l === 1).length;
    const channels = preprocessing.maskChannel ? 2 : 1;
    ctx.out(`lesions: ${rows.length} (${n1} with label 1, ${rows.length - n1} with label 0), patch ${size}${dims === 3 ? '³' : '²'} × ${channels} channel${channels > 1 ? 's' : ''}`);

    const bar = ctx.progress('training epochs', epochs);
    let res: Awaited<ReturnType<typeof model.trainModel>>;
    try {
      res = await model.trainModel(
        { inputs, labels, groups },
        {
          preprocessing,
          model: modelConfig,
          epochs,
          seed,
          ...(preset ? { learningRate: preset.training.learningRate, lambda: preset.training.lambda, validationFraction: preset.training.validationFraction, augment: preset.training.augment } : {}),
          ...(batchSize !== undefined ? { batchSize } : {}),
          ...(lr !== undefined ? { learningRate: lr } : {}),
          ...(lambda !== undefined ? { lambda } : {}),
          ...(validation !== undefined ? { validationFraction: validation } : {}),
          ...(patience !== undefined ? { patience } : {}),
          onEpoch: () => bar.tick(),
        },
      );
    } finally {
      bar.finish();
    }
    try {
      const saved = await model.saveModel(res.model, outDir, { overwrite: ctx.values.overwrite === true });
      const historyCols = ['epoch', 'trainLoss', 'trainBce', 'trainMse', 'valLoss', 'valBce', 'valMse', 'valAuc', 'improved', 'seconds'];
      const { atomicWriteFile } = await import('@radcam/study');
      await atomicWriteFile(`${outDir}/history.csv`, toCsv(historyCols, res.history.map((h) => ({ ...h, improved: h.improved ? 1 : 0 }))));
      const last = res.history[res.history.length - 1];
      const best = res.history[res.bestEpoch - 1];
      ctx.out(
        `training: ${res.history.length} epoch${res.history.length === 1 ? '' : 's'}${res.stoppedEarly ? ' (stopped early)' : ''}, ` +
          `kept epoch ${res.bestEpoch}, train loss ${fmt(last?.trainLoss)}` +
          (res.validationIndices.length ? `, validation: ${res.validationIndices.length} lesion${res.validationIndices.length === 1 ? '' : 's'}, BCE ${fmt(best?.valBce)}, AUC ${fmt(best?.valAuc, 2)}` : ', no validation split'),
      );
      ctx.out(`model: ${relative(ctx.io.cwd, saved.dir) || '.'} (${[...saved.files.map((f) => f.split(/[\\/]/).pop()), 'history.csv'].join(', ')})`);
    } finally {
      res.model.dispose();
    }
  },
};
