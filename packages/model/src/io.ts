/**
 * Save / load a model directory: `model.json` (format + version + architecture + preprocessing +
 * training metadata + tfjs `weightsManifest`) and `weights.bin` (tfjs binary weights format:
 * little-endian float32 values concatenated in manifest order). Bit-exact round trip.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RadcamError } from '@radcam/core';
import { AutoencoderClassifier, defaultModelConfig, paramSpecs, type ModelConfig } from './model.js';
import type { PatchOptions } from './patch.js';

/** `format` field of model.json. */
export const MODEL_FORMAT = 'radcam-autoencoder-classifier';
/** Major version of the directory layout this code reads and writes. */
export const MODEL_FORMAT_VERSION = 1;

/** The tfjs weights manifest entry (https://www.tensorflow.org/js/guide/save_load). */
export interface WeightsManifestEntry {
  paths: string[];
  weights: { name: string; shape: number[]; dtype: 'float32' }[];
}

/** Contents of model.json. */
export interface ModelJson {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  generatedBy: string;
  architecture: ModelConfig;
  preprocessing: PatchOptions | null;
  training: Record<string, unknown> | null;
  weightsManifest: WeightsManifestEntry[];
}

export interface SaveModelOptions {
  /** Replace an existing model.json in `dir`. Default false (→ `E_OUTPUT_EXISTS`). */
  overwrite?: boolean;
}

export interface SaveModelResult {
  dir: string;
  files: string[];
  bytes: number;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

async function atomicWrite(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new RadcamError('E_IO', `cannot write ${path}`, { path, cause: err });
  }
}

/** Write `model` to `dir` (created if needed). */
export async function saveModel(model: AutoencoderClassifier, dir: string, options: SaveModelOptions = {}): Promise<SaveModelResult> {
  const jsonPath = join(dir, 'model.json');
  const binPath = join(dir, 'weights.bin');
  await mkdir(dir, { recursive: true });
  if (!options.overwrite && (await exists(jsonPath))) {
    throw new RadcamError('E_OUTPUT_EXISTS', 'a model already exists in this directory', { path: jsonPath, expected: 'an empty directory or overwrite: true' });
  }
  const weights = model.getWeights();
  let total = 0;
  for (const v of weights.values()) total += v.length;
  const bin = new Uint8Array(total * 4);
  const view = new DataView(bin.buffer);
  const entries: WeightsManifestEntry['weights'] = [];
  let off = 0;
  for (const [name, v] of model.params) {
    const vals = weights.get(name)!;
    entries.push({ name, shape: [...v.shape], dtype: 'float32' });
    if (LITTLE_ENDIAN) bin.set(new Uint8Array(vals.buffer, vals.byteOffset, vals.byteLength), off);
    else for (let i = 0; i < vals.length; i++) view.setFloat32(off + 4 * i, vals[i]!, true);
    off += vals.byteLength;
  }
  const json: ModelJson = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    generatedBy: '@radcam/model',
    architecture: { ...model.config, widths: [...model.config.widths], strides: [...model.config.strides] },
    preprocessing: model.preprocessing,
    training: model.training,
    weightsManifest: [{ paths: ['weights.bin'], weights: entries }],
  };
  await atomicWrite(binPath, bin);
  await atomicWrite(jsonPath, `${JSON.stringify(json, null, 2)}\n`);
  return { dir, files: [jsonPath, binPath], bytes: bin.byteLength };
}

/**
 * Read a model directory written by `saveModel`. Throws `E_FILE_NOT_FOUND`, `E_CORRUPT_FILE`, or
 * `E_MODEL_INCOMPATIBLE` (another format or an unsupported format version).
 */
export async function loadModel(dir: string): Promise<AutoencoderClassifier> {
  const jsonPath = join(dir, 'model.json');
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (err) {
    throw new RadcamError('E_FILE_NOT_FOUND', 'model.json not found', { path: jsonPath, cause: err });
  }
  let json: Partial<ModelJson>;
  try {
    json = JSON.parse(text) as Partial<ModelJson>;
  } catch (err) {
    throw new RadcamError('E_CORRUPT_FILE', 'model.json is not valid JSON', { path: jsonPath, cause: err });
  }
  if (json.format !== MODEL_FORMAT || json.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new RadcamError('E_MODEL_INCOMPATIBLE', 'model directory was written by an incompatible version', {
      path: jsonPath,
      expected: `format ${MODEL_FORMAT} version ${MODEL_FORMAT_VERSION}`,
      found: `format ${String(json.format)} version ${String(json.formatVersion)}`,
    });
  }
  let cfg: ModelConfig;
  try {
    cfg = defaultModelConfig(json.architecture ?? {});
  } catch (err) {
    throw new RadcamError('E_MODEL_INCOMPATIBLE', 'model.json architecture is not supported', { path: jsonPath, cause: err });
  }
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) throw new RadcamError('E_CORRUPT_FILE', 'model.json has no weightsManifest', { path: jsonPath });
  const values = new Map<string, Float32Array>();
  for (const group of manifest) {
    const chunks: Uint8Array[] = [];
    for (const p of group.paths) {
      try {
        chunks.push(new Uint8Array(await readFile(join(dir, p))));
      } catch (err) {
        throw new RadcamError('E_FILE_NOT_FOUND', `weights file ${p} not found`, { path: join(dir, p), cause: err });
      }
    }
    const len = chunks.reduce((a, c) => a + c.byteLength, 0);
    const buf = new Uint8Array(len);
    let o = 0;
    for (const c of chunks) {
      buf.set(c, o);
      o += c.byteLength;
    }
    const view = new DataView(buf.buffer);
    let off = 0;
    for (const w of group.weights) {
      if (w.dtype !== 'float32') throw new RadcamError('E_MODEL_INCOMPATIBLE', `weight ${w.name} has dtype ${w.dtype}`, { expected: 'float32' });
      const n = w.shape.reduce((a, b) => a * b, 1);
      if (off + 4 * n > len) {
        throw new RadcamError('E_CORRUPT_FILE', 'weights file is shorter than the manifest says', { path: dir, expected: `≥ ${off + 4 * n} bytes`, found: `${len}` });
      }
      const v = new Float32Array(n);
      for (let i = 0; i < n; i++) v[i] = view.getFloat32(off + 4 * i, true);
      values.set(w.name, v);
      off += 4 * n;
    }
    if (off !== len) throw new RadcamError('E_CORRUPT_FILE', 'weights file length does not match the manifest', { path: dir, expected: `${off} bytes`, found: `${len}` });
  }
  for (const spec of paramSpecs(cfg)) {
    if (!values.has(spec.name)) throw new RadcamError('E_CORRUPT_FILE', `weight ${spec.name} missing from the manifest`, { path: jsonPath });
  }
  const model = new AutoencoderClassifier(cfg, values);
  model.preprocessing = json.preprocessing ?? null;
  model.training = json.training ?? null;
  return model;
}
