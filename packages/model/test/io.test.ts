import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@radcam/core';
import { createModel, loadModel, predict, saveModel } from '../src/index.js';

const arch = { dims: 3 as const, inputSize: 8, widths: [4, 8], strides: [1, 2] };

function patches(n: number): Float32Array[] {
  const rng = createRng(3);
  return Array.from({ length: n }, () => Float32Array.from({ length: 512 }, () => rng.normal()));
}

describe('save / load', () => {
  it('round trip is bit-exact and predicts identical probabilities', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'radcam-model-'));
    try {
      const m = createModel(arch, { seed: 21 });
      m.preprocessing = { dims: 3, size: 8, marginMm: 5 };
      const res = await saveModel(m, join(dir, 'm'));
      expect(res.bytes).toBe(m.parameterCount * 4);
      const json = JSON.parse(await readFile(join(dir, 'm', 'model.json'), 'utf8'));
      expect(json.format).toBe('radcam-autoencoder-classifier');
      expect(json.formatVersion).toBe(1);
      expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
      expect(json.preprocessing).toEqual({ dims: 3, size: 8, marginMm: 5 });
      // the binary file is the little-endian float32 concatenation, in manifest order
      const bin = new Uint8Array(await readFile(join(dir, 'm', 'weights.bin')));
      const first = json.weightsManifest[0].weights[0];
      const k = m.getWeights().get(first.name)!;
      expect(new DataView(bin.buffer, bin.byteOffset).getFloat32(0, true)).toBe(k[0]);

      const l = await loadModel(join(dir, 'm'));
      expect(l.config).toEqual(m.config);
      expect(l.preprocessing).toEqual(m.preprocessing);
      const wa = m.getWeights();
      for (const [name, v] of l.getWeights()) {
        expect(Buffer.from(v.buffer).equals(Buffer.from(wa.get(name)!.buffer)), name).toBe(true);
      }
      const x = patches(3);
      expect(Array.from(predict(l, x))).toEqual(Array.from(predict(m, x)));
      m.dispose();
      l.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a dense-latent, transposed-conv model round-trips and predicts identical probabilities', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'radcam-model-'));
    try {
      const m = createModel({ ...arch, strides: [2, 2], latent: 5, decoder: 'transpose', norm: 'none' }, { seed: 4 });
      await saveModel(m, join(dir, 'm'));
      const l = await loadModel(join(dir, 'm'));
      expect(l.config).toEqual(m.config);
      expect(l.config.latent).toBe(5);
      expect(l.config.decoder).toBe('transpose');
      const x = patches(3);
      expect(Array.from(predict(l, x))).toEqual(Array.from(predict(m, x)));
      const la = l.activations(tf.tensor(x[0]!, [1, 8, 8, 8, 1])).get('reconstruction')!.dataSync();
      const ma = m.activations(tf.tensor(x[0]!, [1, 8, 8, 8, 1])).get('reconstruction')!.dataSync();
      expect(Array.from(la)).toEqual(Array.from(ma));
      m.dispose();
      l.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses an incompatible version, a foreign model.json and an existing model dir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'radcam-model-'));
    try {
      const m = createModel(arch, { seed: 1 });
      await saveModel(m, dir);
      await expect(saveModel(m, dir)).rejects.toMatchObject({ code: 'E_OUTPUT_EXISTS' });
      await saveModel(m, dir, { overwrite: true });
      const p = join(dir, 'model.json');
      const json = JSON.parse(await readFile(p, 'utf8'));
      await writeFile(p, JSON.stringify({ ...json, formatVersion: 2 }));
      await expect(loadModel(dir)).rejects.toMatchObject({ code: 'E_MODEL_INCOMPATIBLE' });
      await writeFile(p, JSON.stringify({ modelTopology: {}, weightsManifest: [] }));
      await expect(loadModel(dir)).rejects.toMatchObject({ code: 'E_MODEL_INCOMPATIBLE' });
      await writeFile(p, JSON.stringify(json));
      await writeFile(join(dir, 'weights.bin'), new Uint8Array(12));
      await expect(loadModel(dir)).rejects.toMatchObject({ code: 'E_CORRUPT_FILE' });
      await expect(loadModel(join(dir, 'nope'))).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
      m.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
