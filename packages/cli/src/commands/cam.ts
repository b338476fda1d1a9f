/**
 * `radcam cam`: class activation maps of a saved model on the original image grid, their
 * response-related subregions, and (with a ground-truth subregion) localisation metrics — for one
 * lesion or every lesion of a cohort.
 */
import { stat, mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { RadcamError, toCsv, type Mask, type Volume } from '@radcam/core';
import type { ExtractSubregionsOptions, LocalizationResult, SubregionsResult } from '@radcam/cam';
import type { AutoencoderClassifier } from '@radcam/model';
import { choiceOpt, numberOpt, stringOpt, usageError, type CommandContext, type CommandSpec } from '../cli.js';
import { assertNotInput } from '../output.js';
import { activateBackend, assertMaskHasVoxels, BACKEND_OPTION, forEachLesion, readCohortRows } from './train.js';

type CamPkg = typeof import('@radcam/cam');
type ModelPkg = typeof import('@radcam/model');

/** What `radcam cam` computes per lesion. */
interface CamSettings {
  method: string;
  classIndex: 0 | 1;
  layer?: string;
  tta: boolean;
  raw: boolean;
  subregion: ExtractSubregionsOptions;
  /** Also compute deletion / insertion AUCs inside the lesion. */
  faithfulness: boolean;
}

interface LesionCam {
  /** The map on the image grid (image geometry; 0 outside the patch extent). */
  map: Volume<Float32Array>;
  probability: number;
  score: number;
  method: string;
  layer: string;
  subregions: SubregionsResult;
  localisation: LocalizationResult | null;
  /** Deletion / insertion AUC of the class probability, perturbing lesion voxels of the patch. */
  faithfulness: { deletionAuc: number; insertionAuc: number } | null;
}

/** The lesion mask on the patch grid (0/1 per patch voxel), from the model's mask channel or a re-extraction with one. */
function patchLesionMask(m: ModelPkg, model: AutoencoderClassifier, image: Volume, mask: Mask, patch: { data: Float32Array; channels: number }): Uint8Array {
  let data = patch.data;
  let C = patch.channels;
  if (C < 2) {
    const c = model.config;
    const withMask = m.extractPatch(image, mask, { ...(model.preprocessing ?? {}), dims: c.dims, size: c.inputSize, maskChannel: true });
    data = withMask.data;
    C = withMask.channels;
  }
  const n = data.length / C;
  const out = new Uint8Array(n);
  for (let v = 0; v < n; v++) out[v] = data[v * C + 1]! >= 0.5 ? 1 : 0;
  return out;
}

/**
 * CAM of one lesion, mapped onto the image grid. Unless `raw`, the map is min–max normalised with
 * the minimum and maximum inside the lesion and clipped to [0, 1] (inside the patch extent; 0
 * elsewhere). Subregions are extracted from the written map; `truth` adds localisation metrics.
 */
function lesionCam(cam: CamPkg, m: ModelPkg, model: AutoencoderClassifier, image: Volume, mask: Mask, truth: Mask | null, s: CamSettings): LesionCam {
  const patch = m.extractPatchForModel(model, image, mask);
  const res = cam.explainLesion(model, patch, image, {
    method: s.method,
    classIndex: s.classIndex,
    ...(s.layer !== undefined ? { layer: s.layer } : {}),
    ...(s.tta ? { tta: true } : {}),
  });
  // Re-map with NaN outside the patch extent so the extent survives normalisation.
  const map = cam.camToPatientSpace(res.raw.maps[0]!, patch.geometry, image, { fill: Number.NaN });
  const d = map.data;
  const L = mask.data;
  if (s.raw) {
    for (let i = 0; i < d.length; i++) if (Number.isNaN(d[i]!)) d[i] = 0;
  } else {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (L[i] === 0 || Number.isNaN(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const r = hi > lo ? hi - lo : 0;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (Number.isNaN(v) || r === 0) d[i] = 0;
      else {
        const u = (v - lo) / r;
        d[i] = u < 0 ? 0 : u > 1 ? 1 : u;
      }
    }
  }
  const subregions = cam.extractSubregions(map, mask, s.subregion);
  const localisation = truth ? cam.localizationMetrics(map, truth, mask, { subregion: s.subregion }) : null;
  let faithfulness: LesionCam['faithfulness'] = null;
  if (s.faithfulness) {
    const lesionOnPatch = patchLesionMask(m, model, image, mask, patch);
    const x = m.batchTensor(model.config, [patch.data]);
    try {
      const opts = { classIndex: s.classIndex, mask: lesionOnPatch };
      faithfulness = {
        deletionAuc: cam.deletionCurve(model, x, [res.raw.maps[0]!], opts).auc[0]!,
        insertionAuc: cam.insertionCurve(model, x, [res.raw.maps[0]!], opts).auc[0]!,
      };
    } finally {
      x.dispose();
    }
  }
  return {
    map,
    probability: m.predict(model, [patch.data])[0]!,
    score: res.raw.scores[0]!,
    method: res.raw.method,
    layer: res.raw.layer,
    subregions,
    localisation,
    faithfulness,
  };
}

function subregionSettings(ctx: CommandContext): ExtractSubregionsOptions {
  const method = choiceOpt(ctx.values, 'subregion-method', ['otsu', 'percentile', 'value'] as const, 'otsu');
  const pct = numberOpt(ctx.values, 'percentile');
  const thr = numberOpt(ctx.values, 'threshold');
  const minVol = numberOpt(ctx.values, 'min-volume-mm3');
  if (pct !== undefined && method !== 'percentile') throw usageError('--percentile needs --subregion-method percentile');
  if (thr !== undefined && method !== 'value') throw usageError('--threshold needs --subregion-method value');
  if (method === 'value' && thr === undefined) throw usageError('--subregion-method value needs --threshold X');
  if (pct !== undefined && !(pct >= 0 && pct <= 100)) throw usageError('--percentile must be in [0, 100]', { found: String(pct) });
  if (minVol !== undefined && minVol < 0) throw usageError('--min-volume-mm3 must be ≥ 0', { found: String(minVol) });
  return {
    method,
    ...(pct !== undefined ? { percentile: pct } : {}),
    ...(thr !== undefined ? { threshold: thr } : {}),
    ...(minVol !== undefined ? { minVolumeMm3: minVol } : {}),
  };
}

const num = (v: number, d = 4) => (Number.isFinite(v) ? +v.toFixed(d) : '');
const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');

const LESION_COLUMNS = [
  'kind', 'lesion_id', 'patient_id', 'label', 'probability', 'score', 'method', 'layer', 'class',
  'lesion_voxels', 'lesion_volume_mm3', 'threshold', 'subregions',
  'subregion', 'voxels', 'volume_mm3', 'centroid_x', 'centroid_y', 'centroid_z', 'lesion_share', 'energy_share', 'mean', 'max',
  'truth', 'truth_energy_share', 'truth_volume_share', 'lift', 'pointing_hit', 'dice', 'iou', 'auc',
  'deletion_auc', 'insertion_auc', 'cam_file', 'subregions_file',
];

/** The CSV rows of one lesion: a `lesion` row (prediction + metrics), then one `subregion` row each. */
function csvRows(id: { lesion_id: string; patient_id: string; label: string }, r: LesionCam, s: CamSettings, extra: Record<string, string>): Record<string, unknown>[] {
  const sub = r.subregions;
  const loc = r.localisation;
  const lesion: Record<string, unknown> = {
    kind: 'lesion',
    ...id,
    probability: num(r.probability, 6),
    score: num(r.score, 6),
    method: r.method,
    layer: r.layer,
    class: s.classIndex,
    lesion_voxels: sub.lesionVoxels,
    lesion_volume_mm3: num(sub.lesionVolumeMm3, 3),
    threshold: num(sub.threshold, 6),
    subregions: sub.subregions.length,
    ...(loc
      ? {
          truth_energy_share: num(loc.energyShare),
          truth_volume_share: num(loc.volumeShare),
          lift: num(loc.lift),
          pointing_hit: loc.pointingHit ? 1 : 0,
          dice: num(loc.dice),
          iou: num(loc.iou),
          auc: num(loc.auc),
        }
      : {}),
    ...(r.faithfulness ? { deletion_auc: num(r.faithfulness.deletionAuc), insertion_auc: num(r.faithfulness.insertionAuc) } : {}),
    ...extra,
  };
  const rows: Record<string, unknown>[] = [lesion];
  for (const g of sub.subregions) {
    rows.push({
      kind: 'subregion',
      ...id,
      subregion: g.label,
      voxels: g.voxels,
      volume_mm3: num(g.volumeMm3, 3),
      centroid_x: num(g.centroid[0], 3),
      centroid_y: num(g.centroid[1], 3),
      centroid_z: num(g.centroid[2], 3),
      lesion_share: num(g.lesionShare),
      energy_share: num(g.energyShare),
      mean: num(g.meanValue, 6),
      max: num(g.maxValue, 6),
    });
  }
  return rows;
}

async function findTruth(dir: string, lesionId: string): Promise<string | null> {
  for (const ext of ['.nii.gz', '.nii', '.nrrd', '.nhdr', '.mha', '.mhd']) {
    const p = join(dir, `${lesionId}${ext}`);
    try {
      if ((await stat(p)).isFile()) return p;
    } catch {
      /* try the next extension */
    }
  }
  return null;
}

export const camCommand: CommandSpec = {
  name: 'cam',
  summary: 'class activation maps of a saved model in patient space, with subregions and localisation metrics',
  usage: [
    'cam --model MODELDIR --image IMG --mask MASK [--method layercam] [--class 0|1] [--layer NAME] [--out cam.nii.gz] [--subregions sub.nii.gz] [--raw] [--truth MASK]',
    'cam --model MODELDIR --cohort cohort.csv --out-dir DIR [--truth-dir DIR] [--method …] [--class …] [--layer …] [--raw]',
  ],
  description:
    'The map of --method (cam, gradcam, gradcampp, layercam = pixel-wise CAM, hirescam,\n' +
    'gradcam-elementwise, scorecam, or a registered id) for --class (1: y = logit, 0: y = −logit;\n' +
    'class 0 explains the label-0 / non-responder prediction) at --layer (default the last\n' +
    'convolutional layer) is mapped back onto the image grid: the written NIfTI has the input\n' +
    "image's size, spacing, origin and direction, and is 0 outside the lesion patch. Unless --raw, it\n" +
    'is min–max normalised inside the lesion and clipped to [0, 1]. Subregions: the map thresholded\n' +
    'inside the lesion (Otsu by default), connected components ≥ --min-volume-mm3, as a label image\n' +
    '(1 = largest). Cohort mode writes DIR/<lesion_id>_cam.nii.gz, DIR/<lesion_id>_subregions.nii.gz\n' +
    'and DIR/cam.csv: per lesion a "lesion" row (probability, class score, threshold, and with a\n' +
    'truth mask — --truth-dir DIR/<lesion_id>.nii.gz, else the manifest\'s subregion column — the\n' +
    'energy share in the truth, its volume share, lift, pointing game, Dice, IoU and voxel AUC) and\n' +
    'one "subregion" row per subregion (volume, LPS centroid, lesion and energy shares).\n' +
    '--faithfulness adds deletion / insertion AUCs of the class probability (lesion voxels of the\n' +
    'patch removed / restored in map order, 20 steps, baseline 0).',
  options: {
    model: { type: 'string', valueName: 'MODELDIR', description: 'model directory written by radcam train' },
    image: { type: 'string', valueName: 'IMG', description: 'image (single lesion)' },
    mask: { type: 'string', valueName: 'MASK', description: 'lesion mask on the image grid (single lesion)' },
    method: { type: 'string', valueName: 'NAME', description: 'CAM method', default: 'layercam' },
    class: { type: 'string', valueName: '0|1', description: 'class to explain', default: '1' },
    layer: { type: 'string', valueName: 'NAME', description: 'target layer (e.g. enc2; default the last conv layer)' },
    out: { type: 'string', valueName: 'FILE', description: 'single lesion: the CAM NIfTI (default cam.nii.gz)' },
    subregions: { type: 'string', valueName: 'FILE', description: 'single lesion: also write the subregion label image' },
    truth: { type: 'string', valueName: 'MASK', description: 'single lesion: ground-truth subregion → localisation metrics' },
    raw: { type: 'boolean', description: 'write the raw, un-normalised map' },
    tta: { type: 'boolean', description: 'average the maps of all flips of the input (test-time augmentation)' },
    cohort: { type: 'string', valueName: 'FILE', description: 'cohort mode: manifest (CSV)' },
    'out-dir': { type: 'string', valueName: 'DIR', description: 'cohort mode: output folder' },
    'truth-dir': { type: 'string', valueName: 'DIR', description: 'cohort mode: truth masks named <lesion_id>.nii.gz' },
    'subregion-method': { type: 'string', valueName: 'otsu|percentile|value', description: 'subregion threshold', default: 'otsu' },
    percentile: { type: 'string', valueName: 'P', description: 'percentile of the in-lesion map (default 75)' },
    threshold: { type: 'string', valueName: 'X', description: 'map value threshold for --subregion-method value' },
    'min-volume-mm3': { type: 'string', valueName: 'V', description: 'drop subregions smaller than V mm³ (default 0)' },
    faithfulness: { type: 'boolean', description: 'add deletion / insertion AUCs (perturbing lesion voxels of the patch)' },
    json: { type: 'boolean', description: 'single lesion: print the summary as JSON' },
    backend: BACKEND_OPTION,
  },
  positionals: { min: 0, max: 0 },
  examples: [
    'radcam cam --model model --image images/P001.nii.gz --mask masks/P001_L1.nii.gz --class 0 --out P001_L1_cam.nii.gz --subregions P001_L1_sub.nii.gz',
    'radcam cam --model model --cohort cohort.csv --out-dir cams --class 0 --method gradcampp',
  ],
  async run(ctx) {
    const modelDir = stringOpt(ctx.values, 'model');
    if (!modelDir) throw usageError('radcam cam needs --model MODELDIR');
    const cohort = stringOpt(ctx.values, 'cohort');
    const single = ['image', 'mask', 'out', 'subregions', 'truth', 'json'].filter((k) => ctx.values[k] !== undefined && ctx.values[k] !== false);
    const multi = ['out-dir', 'truth-dir'].filter((k) => ctx.values[k] !== undefined);
    if (cohort !== undefined && single.length) throw usageError(`--${single[0]} applies to a single lesion, not to --cohort`);
    if (cohort === undefined && multi.length) throw usageError(`--${multi[0]} needs --cohort`);
    const settings: CamSettings = {
      method: stringOpt(ctx.values, 'method') ?? 'layercam',
      classIndex: Number(choiceOpt(ctx.values, 'class', ['0', '1'] as const, '1')) as 0 | 1,
      tta: ctx.values.tta === true,
      raw: ctx.values.raw === true,
      subregion: subregionSettings(ctx),
      faithfulness: ctx.values.faithfulness === true,
    };
    const layer = stringOpt(ctx.values, 'layer');
    if (layer !== undefined) settings.layer = layer;

    const cam = await import('@radcam/cam');
    try {
      cam.resolveCamMethod(settings.method);
    } catch (err) {
      throw usageError(`--method: ${(err as Error).message}`);
    }
    if (cohort !== undefined) return runCohort(ctx, cohort, modelDir, settings);

    const imageOpt = stringOpt(ctx.values, 'image');
    const maskOpt = stringOpt(ctx.values, 'mask');
    if (!imageOpt || !maskOpt) throw usageError('radcam cam needs --image IMG and --mask MASK (or --cohort FILE --out-dir DIR)');
    const [imagePath, maskPath] = [ctx.path(imageOpt), ctx.path(maskOpt)];
    const truthOpt = stringOpt(ctx.values, 'truth');
    const truthPath = truthOpt !== undefined ? ctx.path(truthOpt) : undefined;
    const outPath = ctx.path(stringOpt(ctx.values, 'out') ?? 'cam.nii.gz');
    const subOpt = stringOpt(ctx.values, 'subregions');
    const subPath = subOpt !== undefined ? ctx.path(subOpt) : undefined;
    const inputs = [imagePath, maskPath, ...(truthPath ? [truthPath] : [])];
    assertNotInput(outPath, inputs);
    if (subPath) {
      assertNotInput(subPath, inputs);
      if (subPath === outPath) throw usageError('--out and --subregions name the same file');
    }

    const backend = await activateBackend(ctx);
    const [m, io] = await Promise.all([import('@radcam/model'), import('@radcam/volume-io')]);
    const model = await m.loadModel(ctx.path(modelDir));
    try {
      const image = await io.readVolume(imagePath);
      const mask = await io.readMask(maskPath, { reference: image });
      assertMaskHasVoxels(mask);
      const truth = truthPath ? await io.readMask(truthPath, { reference: image }) : null;
      const r = lesionCam(cam, m, model, image, mask, truth, settings);
      await io.writeVolume(outPath, r.map, { inputs });
      if (subPath) await io.writeVolume(subPath, r.subregions.labels, { inputs });
      const rel = (p: string) => relative(ctx.io.cwd, p) || p;
      if (ctx.values.json === true) {
        const json = {
          backend,
          probability: r.probability,
          method: r.method,
          layer: r.layer,
          classIndex: settings.classIndex,
          score: r.score,
          normalised: !settings.raw,
          cam: rel(outPath),
          ...(subPath ? { subregionsFile: rel(subPath) } : {}),
          threshold: r.subregions.threshold,
          lesionVoxels: r.subregions.lesionVoxels,
          lesionVolumeMm3: r.subregions.lesionVolumeMm3,
          subregions: r.subregions.subregions,
          ...(r.localisation ? { localisation: r.localisation } : {}),
          ...(r.faithfulness ? { faithfulness: r.faithfulness } : {}),
        };
        ctx.io.stdout.write(JSON.stringify(json, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
        return;
      }
      ctx.note(`radcam cam: backend ${backend}`);
      ctx.out(`probability (label 1): ${r.probability.toFixed(4)}`);
      ctx.out(`map: ${r.method} at ${r.layer}, class ${settings.classIndex} (score ${r.score.toFixed(4)}), ${settings.raw ? 'raw' : 'min–max normalised in the lesion'} → ${rel(outPath)}`);
      const sub = r.subregions;
      ctx.out(`subregions: ${sub.subregions.length} (${sub.method} threshold ${sub.threshold.toPrecision(4)}; lesion ${sub.lesionVolumeMm3.toFixed(1)} mm³)${subPath ? ` → ${rel(subPath)}` : ''}`);
      for (const g of sub.subregions) {
        ctx.out(`  ${g.label}: ${g.volumeMm3.toFixed(1)} mm³, ${pct(g.lesionShare)} of the lesion, ${pct(g.energyShare)} of the map energy, centroid LPS (${g.centroid.map((c) => c.toFixed(1)).join(', ')}) mm`);
      }
      if (r.faithfulness) {
        ctx.out(`faithfulness (class ${settings.classIndex} probability, lesion voxels): deletion AUC ${r.faithfulness.deletionAuc.toFixed(3)} (lower is better), insertion AUC ${r.faithfulness.insertionAuc.toFixed(3)} (higher is better)`);
      }
      const loc = r.localisation;
      if (loc) {
        ctx.out(`truth: energy share ${pct(loc.energyShare)} vs volume share ${pct(loc.volumeShare)} (lift ${loc.lift.toFixed(2)}), pointing game ${loc.pointingHit ? 'hit' : 'miss'}, Dice ${loc.dice.toFixed(3)}, IoU ${loc.iou.toFixed(3)}, AUC ${loc.auc.toFixed(3)}`);
      }
    } finally {
      model.dispose();
    }
  },
};

async function runCohort(ctx: CommandContext, cohort: string, modelDir: string, s: CamSettings): Promise<void> {
  const outOpt = stringOpt(ctx.values, 'out-dir');
  if (!outOpt) throw usageError('--cohort needs --out-dir DIR');
  const outDir = ctx.path(outOpt);
  const truthDirOpt = stringOpt(ctx.values, 'truth-dir');
  const truthDir = truthDirOpt !== undefined ? ctx.path(truthDirOpt) : undefined;
  const cohortPath = ctx.path(cohort);
  const { rows } = await readCohortRows(cohortPath);
  const csvPath = join(outDir, 'cam.csv');
  const inputs = [cohortPath, ...rows.flatMap((r) => [r.case.image, r.case.mask, ...(r.case.subregion ? [r.case.subregion] : [])])];
  assertNotInput(csvPath, inputs);
  ctx.note(`radcam cam: backend ${await activateBackend(ctx)}`);
  const [cam, m, io] = await Promise.all([import('@radcam/cam'), import('@radcam/model'), import('@radcam/volume-io')]);
  const model = await m.loadModel(ctx.path(modelDir));
  const csv: Record<string, unknown>[] = [];
  const lifts: number[] = [];
  let hits = 0;
  let dice = 0;
  try {
    await mkdir(outDir, { recursive: true });
    const bar = ctx.progress('CAMs', rows.length);
    await forEachLesion(cohortPath, rows, async ({ row, image, mask }) => {
      const c = row.case;
      let truthPath: string | null = c.subregion;
      if (truthDir !== undefined) truthPath = await findTruth(truthDir, c.lesionId);
      if (truthPath) {
        try {
          await stat(truthPath);
        } catch {
          throw new RadcamError('E_FILE_NOT_FOUND', 'truth subregion file not found', { found: truthPath, path: truthPath });
        }
      }
      const truth = truthPath ? await io.readMask(truthPath, { reference: image }) : null;
      const r = lesionCam(cam, m, model, image, mask, truth, s);
      const stem = safeName(c.lesionId);
      const camFile = join(outDir, `${stem}_cam.nii.gz`);
      const subFile = join(outDir, `${stem}_subregions.nii.gz`);
      await io.writeVolume(camFile, r.map, { inputs });
      await io.writeVolume(subFile, r.subregions.labels, { inputs });
      if (r.localisation) {
        lifts.push(r.localisation.lift);
        if (r.localisation.pointingHit) hits++;
        dice += r.localisation.dice;
      }
      csv.push(
        ...csvRows({ lesion_id: c.lesionId, patient_id: c.patientId, label: c.label === null ? '' : String(c.label) }, r, s, {
          truth: truthPath ? relative(outDir, truthPath) : '',
          cam_file: `${stem}_cam.nii.gz`,
          subregions_file: `${stem}_subregions.nii.gz`,
        }),
      );
      bar.tick();
    });
    bar.finish();
  } finally {
    model.dispose();
  }
  const { atomicWriteFile } = await import('@radcam/study');
  await atomicWriteFile(csvPath, toCsv(LESION_COLUMNS, csv));
  const nSub = csv.filter((r) => r.kind === 'subregion').length;
  ctx.out(`lesions: ${rows.length}, subregions: ${nSub} (${s.subregion.method ?? 'otsu'} threshold), map: ${s.method}, class ${s.classIndex}${s.raw ? ', raw' : ''}`);
  if (lifts.length) {
    const sorted = [...lifts].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    ctx.out(`localisation (${lifts.length} lesions with a truth mask): median lift ${median.toFixed(2)}, pointing game ${hits}/${lifts.length}, mean Dice ${(dice / lifts.length).toFixed(3)}`);
  }
  ctx.out(`results: ${relative(ctx.io.cwd, csvPath) || csvPath}`);
}
