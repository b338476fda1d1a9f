/** `radcam predict`: P(label = 1) of every cohort lesion from a saved model → `lesion_id,probability`. */
import { toCsv } from '@radcam/core';
import { intOpt, stringOpt, usageError, type CommandSpec } from '../cli.js';
import { emit } from './extract-common.js';
import { activateBackend, BACKEND_OPTION, forEachLesion, readCohortRows } from './train.js';

export const predictCommand: CommandSpec = {
  name: 'predict',
  summary: 'predict P(label = 1) for every lesion of a cohort with a saved model',
  usage: ['predict --model MODELDIR --cohort cohort.csv [--out preds.csv] [--batch-size N]'],
  description:
    'Each lesion\'s patch is made exactly as the model was trained (its saved preprocessing). Output:\n' +
    'CSV with columns lesion_id,probability (stdout, or --out written atomically). The label column\n' +
    'of the manifest is optional here; when every row has one, the AUC is noted on stderr (in-sample\n' +
    'if the model was trained on these lesions).',
  options: {
    model: { type: 'string', valueName: 'MODELDIR', description: 'model directory written by radcam train' },
    cohort: { type: 'string', valueName: 'FILE', description: 'cohort manifest (CSV; paths relative to it)' },
    out: { type: 'string', valueName: 'FILE', description: 'write the CSV to FILE instead of stdout' },
    'batch-size': { type: 'string', valueName: 'N', description: 'patches per forward pass (default 8)' },
    backend: BACKEND_OPTION,
  },
  positionals: { min: 0, max: 0 },
  examples: ['radcam predict --model model --cohort test/cohort.csv --out preds.csv'],
  async run(ctx) {
    const modelDir = stringOpt(ctx.values, 'model');
    const cohort = stringOpt(ctx.values, 'cohort');
    if (!modelDir) throw usageError('radcam predict needs --model MODELDIR');
    if (!cohort) throw usageError('radcam predict needs --cohort FILE');
    const batchSize = intOpt(ctx.values, 'batch-size', 8, { min: 1, max: 4096 });
    const cohortPath = ctx.path(cohort);
    const { rows } = await readCohortRows(cohortPath);
    ctx.note(`radcam predict: backend ${await activateBackend(ctx)}`);
    const m = await import('@radcam/model');
    const model = await m.loadModel(ctx.path(modelDir));
    try {
      const patches: Float32Array[] = [];
      const bar = ctx.progress('loading lesions', rows.length);
      await forEachLesion(cohortPath, rows, ({ image, mask }) => {
        patches.push(m.extractPatchForModel(model, image, mask).data);
        bar.tick();
      });
      bar.finish();
      const probs = m.predict(model, patches, { batchSize });
      const csv = toCsv(
        ['lesion_id', 'probability'],
        rows.map((r, i) => ({ lesion_id: r.case.lesionId, probability: probs[i]! })),
      );
      await emit(ctx, csv, [cohortPath, ...rows.flatMap((r) => [r.case.image, r.case.mask])]);
      const labels = rows.map((r) => r.case.label);
      if (labels.every((l) => l !== null) && new Set(labels).size === 2) {
        ctx.note(`radcam predict: ${rows.length} lesions, AUC against the manifest's labels ${m.rocAuc(probs, labels as number[]).toFixed(3)}`);
      } else {
        ctx.note(`radcam predict: ${rows.length} lesions`);
      }
    } finally {
      model.dispose();
    }
  },
};
