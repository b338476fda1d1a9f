/** Per-lesion feature extraction of the radiomics and gradient arms, checkpointed per lesion. */
import { stat } from 'node:fs/promises';
import { RadcamError, type Mask, type Volume } from '@radcam/core';
import { readMask, readVolume } from '@radcam/volume-io';
import { extractFeatures, resolveSettings } from '@radcam/radiomics';
import { extractGradientFeatures } from '@radcam/gradient-features';
import type { CohortCase } from '../manifest.js';
import type { CheckpointStore } from './checkpoint.js';
import { fingerprint, type ResolvedStudySettings } from './settings.js';
import type { StudyProgress } from './types.js';

export type FeatureArm = 'radiomics' | 'gradient';

interface FeatureCheckpoint {
  lesionId: string;
  inputs: { path: string; size: number; mtimeMs: number }[];
  features: Record<string, number>;
}

async function fileStamp(path: string): Promise<{ path: string; size: number; mtimeMs: number }> {
  const st = await stat(path);
  return { path, size: st.size, mtimeMs: Math.round(st.mtimeMs) };
}

/** The settings object a feature arm's extraction depends on (also its checkpoint fingerprint). */
export function featureArmSettings(arm: FeatureArm, s: ResolvedStudySettings): Record<string, unknown> {
  return arm === 'radiomics'
    ? { arm, preset: s.radiomics.preset, families: s.radiomics.families, params: s.radiomics.params }
    : { arm, options: s.gradient.options };
}

/** Extract one lesion's features with an arm's settings. */
export function extractArmFeatures(arm: FeatureArm, image: Volume, mask: Mask, s: ResolvedStudySettings): Record<string, number> {
  if (arm === 'radiomics') {
    const resolved = resolveSettings({
      preset: s.radiomics.preset,
      params: s.radiomics.params,
      ...(s.radiomics.families ? { families: s.radiomics.families } : {}),
    });
    return extractFeatures(image, mask, { ...(resolved as object), preset: s.radiomics.preset } as never).features;
  }
  return extractGradientFeatures(image, mask, s.gradient.options as never).features;
}

/**
 * Features of every lesion for one arm, in cohort order. A lesion whose checkpoint matches its
 * input files (path, size, mtime) and the arm's settings is not recomputed.
 */
export async function lesionFeatures(
  arm: FeatureArm,
  cases: readonly CohortCase[],
  s: ResolvedStudySettings,
  store: CheckpointStore,
  onProgress: (p: StudyProgress) => void,
): Promise<Record<string, number>[]> {
  const fp = fingerprint(featureArmSettings(arm, s));
  const out: Record<string, number>[] = [];
  let imageCache: { path: string; vol: Volume } | null = null;
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!;
    const key = `features-${arm}-${fp}/${c.lesionId}.json`;
    const inputs = [await fileStamp(c.image), await fileStamp(c.mask)];
    const cp = await store.read<FeatureCheckpoint>(key);
    if (cp && JSON.stringify(cp.inputs) === JSON.stringify(inputs)) {
      out.push(cp.features);
      store.count(`features/${arm}`, true);
      onProgress({ step: 'features', arm, done: i + 1, total: cases.length, cached: true, item: c.lesionId });
      continue;
    }
    if (!imageCache || imageCache.path !== c.image) imageCache = { path: c.image, vol: await readVolume(c.image) };
    const mask = await readMask(c.mask, { reference: imageCache.vol });
    let features: Record<string, number>;
    try {
      features = extractArmFeatures(arm, imageCache.vol, mask, s);
    } catch (err) {
      throw new RadcamError((err as { code?: string }).code ?? 'E_STUDY_FEATURES', `${arm} features of lesion ${c.lesionId} failed: ${(err as Error).message}`, {
        path: c.mask,
        cause: err,
      });
    }
    await store.write(key, { lesionId: c.lesionId, inputs, features } satisfies FeatureCheckpoint);
    store.count(`features/${arm}`, false);
    out.push(features);
    onProgress({ step: 'features', arm, done: i + 1, total: cases.length, cached: false, item: c.lesionId });
  }
  return out;
}

/** A feature table: names in first-seen order; columns with a non-finite value in any lesion are dropped. */
export interface FeatureTable {
  names: string[];
  /** Row-major lesions × names. */
  data: Float64Array;
  rows: number;
  cols: number;
  dropped: string[];
}

export function featureTable(rows: readonly Record<string, number>[]): FeatureTable {
  const all: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) if (!seen.has(k)) seen.add(k), all.push(k);
  const names: string[] = [];
  const dropped: string[] = [];
  for (const n of all) {
    if (rows.every((r) => Number.isFinite(r[n]))) names.push(n);
    else dropped.push(n);
  }
  const data = new Float64Array(rows.length * names.length);
  rows.forEach((r, i) => names.forEach((n, j) => (data[i * names.length + j] = r[n]!)));
  return { names, data, rows: rows.length, cols: names.length, dropped };
}
