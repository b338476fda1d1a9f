/**
 * Per-case work shared by the in-process runner and the worker threads: read an image and a
 * mask, extract features. Inputs are plain data so they cross `postMessage`.
 */
import { join } from 'node:path';
import { describeError } from './cli.js';
import { gradient, radiomics, volumeIo } from './deps.js';

/** Settings for `radcam features`, resolved in each thread by `@radcam/radiomics`. */
export interface RadiomicsTaskSettings {
  preset?: string;
  /** Absolute path of a YAML/JSON parameter file. */
  paramsPath?: string;
  families?: string[];
}

export interface GradientTaskSettings {
  /** Passed to `extractGradientFeatures` as options. */
  options: Record<string, unknown>;
  /** Write the three maps (full image grid) as `<mapsDir>/<mapsStem>_{mag,radial,raddev}.nii.gz`. */
  mapsDir?: string;
  mapsStem?: string;
}

export type CaseTask =
  | { kind: 'radiomics'; image: string; mask: string; settings: RadiomicsTaskSettings }
  | { kind: 'gradient'; image: string; mask: string; settings: GradientTaskSettings };

export interface CaseResult {
  features: Record<string, number>;
  diagnostics: Record<string, unknown>;
}

export type CaseOutcome = { ok: CaseResult } | { error: { code: string; message: string } };

/** Resolve radiomics settings (validates the preset, the parameter file and the families). */
export async function resolveRadiomicsSettings(s: RadiomicsTaskSettings): Promise<unknown> {
  const r = await radiomics('radcam features');
  const params = s.paramsPath !== undefined ? await r.loadParams(s.paramsPath) : undefined;
  return r.resolveSettings({
    ...(s.preset !== undefined ? { preset: s.preset } : {}),
    ...(params !== undefined ? { params } : {}),
    ...(s.families !== undefined ? { families: s.families } : {}),
  });
}

const settingsCache = new Map<string, Promise<unknown>>();

/** Run one case. Throws on failure (the runners turn errors into outcomes). */
export async function runCase(task: CaseTask): Promise<CaseResult> {
  const io = await volumeIo(`radcam ${task.kind === 'radiomics' ? 'features' : 'gradient'}`, ['readVolume', 'readMask']);
  const image = await io.readVolume(task.image);
  const mask = await io.readMask(task.mask, { reference: image });
  if (task.kind === 'radiomics') {
    const key = JSON.stringify(task.settings);
    let settings = settingsCache.get(key);
    if (!settings) settingsCache.set(key, (settings = resolveRadiomicsSettings(task.settings)));
    const r = await radiomics('radcam features');
    const resolved = (await settings) as Record<string, unknown>;
    const res = r.extractFeatures(image, mask, task.settings.preset !== undefined ? { ...resolved, preset: task.settings.preset } : resolved);
    return { features: res.features, diagnostics: res.diagnostics ?? {} };
  }
  const g = await gradient('radcam gradient');
  const { mapsDir, mapsStem } = task.settings;
  const res = g.extractGradientFeatures(image, mask, {
    ...task.settings.options,
    ...(mapsDir !== undefined ? { returnMaps: 'full' } : {}),
  });
  if (mapsDir !== undefined && res.maps) {
    const write = (await volumeIo('radcam gradient --maps', ['writeVolume'])).writeVolume;
    const stem = mapsStem ?? 'case';
    const names: Record<string, string> = { magnitude: 'mag', radial: 'radial', raddev: 'raddev' };
    for (const [key, vol] of Object.entries(res.maps)) {
      await write(join(mapsDir, `${stem}_${names[key] ?? key}.nii.gz`), vol);
    }
  }
  return { features: res.features, diagnostics: res.diagnostics ?? {} };
}

export async function runCaseSafely(task: CaseTask): Promise<CaseOutcome> {
  try {
    return { ok: await runCase(task) };
  } catch (err) {
    return { error: describeError(err) };
  }
}
