/**
 * The CNN arm and the CAM-derived arms: per (repeat, fold) a network is trained on the training
 * lesions (checkpointed as a saved model + its test predictions), then every CAM method explains
 * every lesion with THAT fold's network; features of the top-activated subregion feed a
 * fold-local classifier (training lesions' maps come from a network that saw them, the test
 * lesions' maps from a network that did not — no test information reaches the classifier).
 * The out-of-fold maps of repeat 0 are written as `cams/` and `subregions/`, and scored against
 * ground-truth subregions when the cohort has them.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import * as camPkg from '@radcam/cam';
import {
  allocLike,
  crop,
  cropToMask,
  type Geometry,
  type Mask,
  type TypedArray,
  type Vec3,
  type Volume,
} from '@radcam/core';
import { deriveSeed } from '@radcam/learn';
import { extractPatch, loadModel, predict, saveModel, selectBackend, trainModel, batchTensor, type AutoencoderClassifier, type Patch } from '@radcam/model';
import { extractFeatures, resolveSettings } from '@radcam/radiomics';
import { readMask, readVolume } from '@radcam/volume-io';
import type { CohortCase } from '../manifest.js';
import { writeVolumeFile } from '../io.js';
import type { CheckpointStore } from './checkpoint.js';
import { fingerprint, type ResolvedStudySettings } from './settings.js';
import type { LesionLocalisation, StudyProgress } from './types.js';

const { camToPatientSpace, computeCam, extractSubregions, localizationMetrics, mapPercentile } = camPkg;

/** One lesion in memory: network patch, a crop of image / mask / truth, the full grid. */
export interface LesionContext {
  case: CohortCase;
  label: 0 | 1;
  patch: Patch;
  /** Geometry of the patient's full image grid. */
  geometry: Geometry;
  /** Image, lesion mask and truth subregion cropped to the lesion's box + margin. */
  image: Volume;
  mask: Mask;
  truth: Mask | null;
  /** Index of the crop's first voxel in the full grid. */
  min: Vec3;
}

function geometryOf(v: Geometry): Geometry {
  return { size: [...v.size] as Vec3, spacing: [...v.spacing] as Vec3, origin: [...v.origin] as Vec3, direction: Float64Array.from(v.direction) };
}

/** Read every lesion once: network patch + crop (margin = patch margin + 2 voxels). */
export async function loadLesionContexts(
  cases: readonly CohortCase[],
  s: ResolvedStudySettings,
  onProgress: (p: StudyProgress) => void,
): Promise<LesionContext[]> {
  const out: LesionContext[] = [];
  let cache: { path: string; vol: Volume } | null = null;
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!;
    if (!cache || cache.path !== c.image) cache = { path: c.image, vol: await readVolume(c.image) };
    const image = cache.vol;
    const mask = await readMask(c.mask, { reference: image });
    const truthFull = c.subregion ? await readMask(c.subregion, { reference: image }) : null;
    const patch = extractPatch(image, mask, s.cnn.patch);
    const cr = cropToMask(image, mask, { marginMm: s.cnn.patch.marginMm ?? 5, marginVoxels: 2 });
    out.push({
      case: c,
      label: c.label!,
      patch,
      geometry: geometryOf(image),
      image: cr.image,
      mask: cr.mask,
      truth: truthFull ? crop(truthFull, cr.min, cr.max) : null,
      min: cr.min,
    });
    onProgress({ step: 'load', done: i + 1, total: cases.length, cached: false, item: c.lesionId });
  }
  return out;
}

/** Embed a cropped volume into a zero volume on the full grid. */
export function embed<T extends TypedArray>(part: Volume<T>, min: Vec3, full: Geometry, ctor: { new (n: number): T }): Volume<T> {
  const out = allocLike(full, ctor as never) as unknown as Volume<T>;
  const [px, py, pz] = part.size;
  const [nx, ny] = full.size;
  for (let k = 0; k < pz; k++) {
    for (let j = 0; j < py; j++) {
      const src = px * (j + py * k);
      const dst = min[0] + nx * (min[1] + j + ny * (min[2] + k));
      (out.data as TypedArray).set((part.data as TypedArray).subarray(src, src + px) as never, dst);
    }
  }
  return out;
}

export interface CnnFoldResult {
  repeat: number;
  fold: number;
  testIds: string[];
  probabilities: number[];
  bestEpoch: number;
  epochs: number;
  seconds: number;
  valAuc: number | null;
}

/** Per-lesion CAM features (all lesions) and localisation (test lesions with a truth) of one fold and method. */
export interface CamFoldMethod {
  method: string;
  features: Record<string, number>[];
  localisation: LesionLocalisation[];
}

export interface CamFoldResult {
  repeat: number;
  fold: number;
  methods: CamFoldMethod[];
}

export interface CnnArmOutput {
  backend: string;
  /** OOF P(responder) per CNN repeat. */
  oof: Float64Array[];
  folds: CnnFoldResult[];
  /** cam[repeat][fold] */
  cams: CamFoldResult[][];
}

export function cnnFingerprint(ctx: readonly LesionContext[], assign: Int32Array, r: number, s: ResolvedStudySettings): string {
  return fingerprint({
    cnn: { ...s.cnn, repeats: undefined },
    seed: s.seed,
    repeat: r,
    lesions: ctx.map((c) => [c.case.lesionId, c.case.patientId, c.label, c.case.image, c.case.mask]),
    assign: Array.from(assign),
  });
}

function modelConfigFor(s: ResolvedStudySettings, patch: Patch) {
  return { ...s.cnn.model, dims: patch.dims, inputSize: patch.shape[0]!, inChannels: patch.channels };
}

/** Features of the CAM-weighted lesion from a map on the crop grid. */
function camFeatures(
  lc: LesionContext,
  cam: Volume<Float32Array>,
  s: ResolvedStudySettings,
  radiomicsSettings: unknown,
): { features: Record<string, number>; sub: ReturnType<typeof extractSubregions> } {
  const L = lc.mask.data;
  const I = lc.image.data;
  const M = cam.data;
  // Subregion: the configured threshold; when it degenerates to ≤ 0 (ReLU maps with most of the
  // lesion at 0), keep the positive part instead of the whole lesion.
  let opts = s.cam.subregion;
  if ((opts.method ?? 'otsu') === 'percentile') {
    const vals: number[] = [];
    let pos = Infinity;
    for (let i = 0; i < L.length; i++) if (L[i]) (vals.push(M[i]!), M[i]! > 0 && M[i]! < pos && (pos = M[i]!));
    const thr = mapPercentile(vals, opts.percentile ?? 75);
    if (!(thr > 0) && Number.isFinite(pos)) opts = { ...opts, method: 'value', threshold: pos };
  }
  let sub = extractSubregions(cam, lc.mask, opts);
  let nSub = 0;
  for (const v of sub.mask.data) nSub += v;
  if (nSub === 0) sub = { ...sub, mask: lc.mask };
  const S = sub.mask.data;
  let sL = 0;
  let nL = 0;
  let sS = 0;
  let nS = 0;
  let sW = 0;
  let sWI = 0;
  for (let i = 0; i < L.length; i++) {
    if (!L[i]) continue;
    const v = I[i]!;
    sL += v;
    nL++;
    if (S[i]) (sS += v), nS++;
    const w = M[i]! > 0 ? M[i]! : 0;
    sW += w;
    sWI += w * v;
  }
  const muL = sL / nL;
  const features: Record<string, number> = {
    cam_sub_mean_ratio: nS ? sS / nS / muL : 1,
    cam_weighted_mean_ratio: sW > 0 ? sWI / sW / muL : 1,
    cam_sub_share: nS / nL,
    cam_sub_components: sub.subregions.length,
  };
  const r = extractFeatures(lc.image, sub.mask, { ...(radiomicsSettings as object), preset: s.radiomics.preset } as never);
  for (const [k, v] of Object.entries(r.features)) features[`sub_${k}`] = v;
  return { features, sub };
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Train (or restore) one network per (repeat, fold) for the first `cnn.repeats` repeats and run
 * the CAM methods with each. `outDir` receives `cams/` and `subregions/` (repeat 0, test lesions).
 */
export async function runCnnArm(
  ctx: readonly LesionContext[],
  folds: readonly Int32Array[],
  s: ResolvedStudySettings,
  store: CheckpointStore,
  outDir: string,
  onProgress: (p: StudyProgress) => void,
): Promise<CnnArmOutput> {
  const backend = await selectBackend();
  const R = Math.min(s.cnn.repeats, folds.length);
  const n = ctx.length;
  const K = Math.max(...folds[0]!) + 1;
  const totalFolds = R * K;
  const totalCams = totalFolds * s.cam.methods.length;
  let doneFolds = 0;
  let doneCams = 0;
  const radiomicsSettings = resolveSettings({ preset: s.radiomics.preset, params: s.radiomics.params, families: s.cam.families });
  const camFp = fingerprint({ cam: s.cam, radiomics: { preset: s.radiomics.preset, params: s.radiomics.params } });
  const oof: Float64Array[] = [];
  const foldResults: CnnFoldResult[] = [];
  const cams: CamFoldResult[][] = [];
  const inputs = ctx.map((c) => c.patch.data);
  for (let r = 0; r < R; r++) {
    const assign = folds[r]!;
    const fp = cnnFingerprint(ctx, assign, r, s);
    const pred = new Float64Array(n).fill(NaN);
    const camRow: CamFoldResult[] = [];
    for (let f = 0; f < K; f++) {
      const dir = `cnn-${fp}/f${f}`;
      const tr: number[] = [];
      const te: number[] = [];
      for (let i = 0; i < n; i++) (assign[i] === f ? te : tr).push(i);
      let model: AutoencoderClassifier | null = null;
      let fr = await store.read<CnnFoldResult>(`${dir}/result.json`);
      if (fr && (await exists(store.path(`${dir}/model/model.json`)))) {
        store.count('train', true);
        onProgress({ step: 'train', arm: 'cnn', done: ++doneFolds, total: totalFolds, cached: true, item: `r${r}f${f}` });
      } else {
        const t0 = performance.now();
        const seed = deriveSeed(s.seed, 5000 + 1000 * r + f);
        const trained = await trainModel(
          { inputs: tr.map((i) => inputs[i]!), labels: tr.map((i) => ctx[i]!.label), groups: tr.map((i) => ctx[i]!.case.patientId) },
          {
            model: modelConfigFor(s, ctx[0]!.patch),
            preprocessing: s.cnn.patch,
            epochs: s.cnn.epochs,
            batchSize: s.cnn.batchSize,
            learningRate: s.cnn.learningRate,
            patience: s.cnn.patience,
            lambda: s.cnn.lambda,
            validationFraction: s.cnn.validationFraction,
            monitor: s.cnn.monitor,
            augment: s.cnn.augment,
            weightDecay: s.cnn.weightDecay,
            classWeight: s.cnn.classWeight,
            loss: s.cnn.loss,
            focalGamma: s.cnn.focalGamma,
            seed,
          },
        );
        model = trained.model;
        const probs = predict(model, te.map((i) => inputs[i]!), { batchSize: s.cnn.batchSize });
        const best = trained.history[trained.bestEpoch - 1];
        fr = {
          repeat: r,
          fold: f,
          testIds: te.map((i) => ctx[i]!.case.lesionId),
          probabilities: Array.from(probs),
          bestEpoch: trained.bestEpoch,
          epochs: trained.history.length,
          seconds: (performance.now() - t0) / 1000,
          valAuc: best?.valAuc ?? null,
        };
        await saveModel(model, store.path(`${dir}/model`), { overwrite: true });
        await store.write(`${dir}/result.json`, fr);
        store.count('train', false);
        onProgress({ step: 'train', arm: 'cnn', done: ++doneFolds, total: totalFolds, cached: false, item: `r${r}f${f}` });
      }
      te.forEach((i, z) => (pred[i] = fr!.probabilities[z]!));
      foldResults.push(fr);

      // CAMs of this fold's network
      const camKey = `cam-${camFp}-${fp}/f${f}.json`;
      let cf = await store.read<CamFoldResult>(camKey);
      if (cf) {
        store.count('cam', true);
        doneCams += s.cam.methods.length;
        onProgress({ step: 'cam', arm: 'cnn', done: doneCams, total: totalCams, cached: true, item: `r${r}f${f}` });
      } else {
        model ??= await loadModel(store.path(`${dir}/model`));
        const testSet = new Set(te);
        cf = { repeat: r, fold: f, methods: [] };
        for (const method of s.cam.methods) {
          const features: Record<string, number>[] = [];
          const localisation: LesionLocalisation[] = [];
          const bs = 16;
          for (let start = 0; start < n; start += bs) {
            const idx = Array.from({ length: Math.min(bs, n - start) }, (_, q) => start + q);
            const x = batchTensor(model.config, idx.map((i) => inputs[i]!));
            let res: ReturnType<typeof computeCam>;
            try {
              res = computeCam(model, x, { method, classIndex: s.cam.classIndex, ...(s.cam.layer ? { layer: s.cam.layer } : {}) });
            } finally {
              x.dispose();
            }
            for (let q = 0; q < idx.length; q++) {
              const i = idx[q]!;
              const lc = ctx[i]!;
              const map = { data: Float32Array.from(res.maps[q]!.data), size: res.maps[q]!.size };
              const cam = camToPatientSpace(map, lc.patch.geometry, lc.image);
              const { features: fv, sub } = camFeatures(lc, cam, s, radiomicsSettings);
              features[i] = fv;
              if (!testSet.has(i)) continue;
              if (lc.truth) {
                const loc = localizationMetrics(cam, lc.truth, lc.mask, { prediction: sub.mask });
                localisation.push({ lesionId: lc.case.lesionId, method, ...loc });
              }
              if (r === 0) await writeLesionCam(outDir, lc, method, cam, sub.labels, s);
            }
          }
          cf.methods.push({ method, features, localisation });
          onProgress({ step: 'cam', arm: 'cnn', done: ++doneCams, total: totalCams, cached: false, item: `r${r}f${f} ${method}` });
        }
        await store.write(camKey, cf);
        store.count('cam', false);
      }
      model?.dispose();
      camRow.push(cf);
    }
    oof.push(pred);
    cams.push(camRow);
  }
  return { backend: backend.message, oof, folds: foldResults, cams };
}

/** Short file-name form of a CAM method id (`radcam/layercam` → `layercam`). */
export function methodSlug(method: string): string {
  return method.replace(/^radcam\//, '').replace(/[^A-Za-z0-9_.-]+/g, '-');
}

async function writeLesionCam(
  outDir: string,
  lc: LesionContext,
  method: string,
  cam: Volume<Float32Array>,
  labels: Volume<Uint16Array>,
  s: ResolvedStudySettings,
): Promise<void> {
  // Scale so that the in-lesion maximum is 1 (maps of different methods become comparable).
  let mx = 0;
  for (let i = 0; i < cam.data.length; i++) if (lc.mask.data[i] && cam.data[i]! > mx) mx = cam.data[i]!;
  const scaled = { ...cam, data: Float32Array.from(cam.data, (v) => (mx > 0 ? v / mx : v)) };
  const id = lc.case.lesionId;
  const slug = methodSlug(method);
  await writeVolumeFile(join(outDir, 'cams', `${id}_${slug}.nii.gz`), embed(scaled, lc.min, lc.geometry, Float32Array));
  const full = embed(labels, lc.min, lc.geometry, Uint16Array);
  await writeVolumeFile(join(outDir, 'subregions', `${id}_${slug}.nii.gz`), full);
  if (method === s.cam.primary) await writeVolumeFile(join(outDir, 'subregions', `${id}.nii.gz`), full);
}
