/** Writing the synthetic cohort to disk (Node only). */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RadcamError, toCsv } from '@radcam/core';
import { atomicWriteFile, writeVolumeFile } from './io.js';
import { planSynthCohort, synthesizePatient, type ResolvedSynthOptions, type SynthCohortOptions } from './synth.js';

/** Version of the synthetic generative model; bumped whenever the bytes for a seed change. */
export const SYNTH_MODEL_VERSION = 2;

export interface WriteSynthCohortOptions extends SynthCohortOptions {
  /** Called after each patient is written (for progress bars). */
  onProgress?: (done: number, total: number) => void;
  /**
   * Allow writing into a non-empty directory that was not produced by `radcam synth`
   * (default false → `E_OUTPUT_EXISTS`). A previous synthetic cohort (with `synth.json`) is replaced.
   */
  force?: boolean;
}

export interface SynthCohortSummary {
  dir: string;
  /** Absolute path of `cohort.csv`. */
  manifest: string;
  options: ResolvedSynthOptions;
  patients: number;
  lesions: number;
  /** Lesions per patient → number of patients, e.g. `{ 1: 17, 2: 14, 3: 8 }`. */
  lesionsPerPatient: Record<number, number>;
  responders: number;
  nonResponders: number;
  withSubregion: number;
  /** Lesions whose label disagrees with the presence of a subregion (label noise). */
  labelNoise: number;
  /** Median lesion volume, mm³, and range. */
  volumeMm3: { min: number; median: number; max: number };
  files: number;
}

/** Columns of `cohort.csv`. */
export const COHORT_COLUMNS = ['patient_id', 'lesion_id', 'image', 'mask', 'label', 'subregion'] as const;
/** Columns of `truth.csv` (the hidden generative parameters, for evaluation only). */
export const TRUTH_COLUMNS = [
  'patient_id', 'lesion_id', 'label', 'shrinkage_pct', 'has_subregion', 'subregion_octant', 'subregion_voxels',
  'enhancement_drop', 'radius_mm', 'volume_mm3', 'voxels', 'necrotic', 'scanner_gain', 'centre_x', 'centre_y', 'centre_z',
] as const;

async function checkOutputDir(dir: string, force: boolean): Promise<void> {
  let entries: string[];
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) {
      throw new RadcamError('E_OUTPUT_EXISTS', `output path ${dir} exists and is not a directory`, { path: dir });
    }
    entries = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (entries.length === 0 || force) return;
  if (entries.includes('synth.json')) {
    const marker = JSON.parse(await readFile(join(dir, 'synth.json'), 'utf8').catch(() => '{}')) as { generator?: string };
    if (marker.generator === '@radcam/study synth') return;
  }
  throw new RadcamError('E_OUTPUT_EXISTS', `output directory ${dir} is not empty and holds no synthetic cohort`, {
    expected: 'an empty or new directory, or one written by radcam synth',
    found: `${entries.length} entries`,
    path: dir,
  });
}

/**
 * Synthesise the cohort patient by patient and write it to `dir`:
 * `images/<patient>.nii.gz`, `masks/<lesion>.nii.gz`, `subregions/<lesion>.nii.gz`, `cohort.csv`
 * (paths relative to `dir`), `truth.csv` (generative parameters) and `synth.json` (options).
 * Every file is written atomically; memory holds one patient at a time.
 */
export async function writeSynthCohort(dir: string, options: WriteSynthCohortOptions = {}): Promise<SynthCohortSummary> {
  const { onProgress, force, ...synthOptions } = options;
  const root = resolve(dir);
  await checkOutputDir(root, force ?? false);
  const plan = planSynthCohort(synthOptions);
  const o = plan.options;
  const rows: Record<string, unknown>[] = [];
  const truth: Record<string, unknown>[] = [];
  const volumes: number[] = [];
  let files = 0;
  for (const p of plan.patients) {
    const patient = synthesizePatient(p, o);
    const image = `images/${p.id}.nii.gz`;
    await writeVolumeFile(join(root, image), patient.image);
    files++;
    for (const l of patient.lesions) {
      const mask = `masks/${l.plan.lesionId}.nii.gz`;
      await writeVolumeFile(join(root, mask), l.mask);
      files++;
      let subregion = '';
      let subVoxels = 0;
      if (l.subregion) {
        subregion = `subregions/${l.plan.lesionId}.nii.gz`;
        await writeVolumeFile(join(root, subregion), l.subregion);
        files++;
        for (let i = 0; i < l.subregion.data.length; i++) subVoxels += l.subregion.data[i]!;
      }
      rows.push({ patient_id: p.id, lesion_id: l.plan.lesionId, image, mask, label: l.plan.label, subregion });
      volumes.push(l.volumeMm3);
      truth.push({
        patient_id: p.id,
        lesion_id: l.plan.lesionId,
        label: l.plan.label,
        shrinkage_pct: +l.plan.shrinkagePct.toFixed(3),
        has_subregion: l.plan.subregion ? 1 : 0,
        subregion_octant: l.plan.subregion?.octant ?? '',
        subregion_voxels: subVoxels,
        enhancement_drop: l.plan.subregion ? +l.plan.subregion.enhancementDrop.toFixed(4) : '',
        radius_mm: +l.plan.radiusMm.toFixed(4),
        volume_mm3: +l.volumeMm3.toFixed(3),
        voxels: l.voxels,
        necrotic: l.plan.necrosis ? 1 : 0,
        scanner_gain: +p.gain.toFixed(5),
        centre_x: +l.plan.centre[0].toFixed(4),
        centre_y: +l.plan.centre[1].toFixed(4),
        centre_z: +l.plan.centre[2].toFixed(4),
      });
    }
    onProgress?.(p.index + 1, plan.patients.length);
  }
  await atomicWriteFile(join(root, 'cohort.csv'), toCsv(COHORT_COLUMNS, rows));
  await atomicWriteFile(join(root, 'truth.csv'), toCsv(TRUTH_COLUMNS, truth));
  await atomicWriteFile(
    join(root, 'synth.json'),
    JSON.stringify({ generator: '@radcam/study synth', modelVersion: SYNTH_MODEL_VERSION, options: o }, null, 2) + '\n',
  );
  files += 3;
  const lesionsPerPatient: Record<number, number> = {};
  for (const p of plan.patients) lesionsPerPatient[p.lesions.length] = (lesionsPerPatient[p.lesions.length] ?? 0) + 1;
  const all = plan.patients.flatMap((p) => p.lesions);
  const sorted = [...volumes].sort((a, b) => a - b);
  return {
    dir: root,
    manifest: join(root, 'cohort.csv'),
    options: o,
    patients: plan.patients.length,
    lesions: all.length,
    lesionsPerPatient,
    responders: all.filter((l) => l.label === 1).length,
    nonResponders: all.filter((l) => l.label === 0).length,
    withSubregion: all.filter((l) => l.subregion).length,
    labelNoise: all.filter((l) => (l.subregion ? 0 : 1) !== l.label).length,
    volumeMm3: { min: sorted[0] ?? NaN, median: sorted[Math.floor(sorted.length / 2)] ?? NaN, max: sorted[sorted.length - 1] ?? NaN },
    files,
  };
}
