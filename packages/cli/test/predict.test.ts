import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '@radcam/core';
import { extractPatchForModel, loadModel, predict } from '@radcam/model';
import { readMask, readVolume } from '@radcam/volume-io';
import { writeSynthCohort } from '@radcam/study';
import { expectOneLineError, run, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('radcam-cli-predict-'));
  await writeSynthCohort(join(dir, 'cohort'), { patients: 3, lesions: 5, size: 32, seed: 11 });
  const r = await run(
    ['train', '--cohort', 'cohort/cohort.csv', '--out', 'model', '--size', '8', '--widths', '4,8', '--strides', '1,2', '--epochs', '2', '--validation', '0', '--mask-channel'],
    dir,
  );
  if (r.code !== 0) throw new Error(r.stderr);
}, 60_000);
afterAll(() => cleanup());

describe('radcam predict', () => {
  it('writes lesion_id,probability in manifest order, the same as the model applied in-process', async () => {
    const r = await run(['predict', '--model', 'model', '--cohort', 'cohort/cohort.csv', '--out', 'preds.csv'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/backend cpu/);
    expect(r.stderr).toMatch(/5 lesions, AUC against the manifest's labels \d\.\d{3}/);
    const text = readFileSync(join(dir, 'preds.csv'), 'utf8');
    expect(text.split('\n')[0]).toBe('lesion_id,probability');
    const rows = parseCsv(text);
    const manifest = parseCsv(await readFile(join(dir, 'cohort', 'cohort.csv'), 'utf8'));
    expect(rows.map((x) => x.lesion_id)).toEqual(manifest.map((x) => x.lesion_id));

    // reference: the saved model applied through the library, paths resolved by hand
    const model = await loadModel(join(dir, 'model'));
    try {
      const patches = [];
      for (const m of manifest) {
        const image = await readVolume(join(dir, 'cohort', m.image!));
        const mask = await readMask(join(dir, 'cohort', m.mask!), { reference: image });
        patches.push(extractPatchForModel(model, image, mask).data);
      }
      const expected = predict(model, patches);
      rows.forEach((row, i) => {
        const p = Number(row.probability);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        expect(p).toBe(expected[i]);
      });
    } finally {
      model.dispose();
    }

    // stdout gives the same table
    const s = await run(['predict', '--model', 'model', '--cohort', 'cohort/cohort.csv'], dir);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toBe(text);
  });

  it('accepts a manifest without labels, from another folder (paths relative to the CSV)', async () => {
    const manifest = parseCsv(await readFile(join(dir, 'cohort', 'cohort.csv'), 'utf8'));
    await mkdir(join(dir, 'elsewhere'), { recursive: true });
    const lines = ['lesion_id,image,mask', ...manifest.map((m) => `${m.lesion_id},../cohort/${m.image},../cohort/${m.mask}`)];
    await writeFile(join(dir, 'elsewhere', 'new.csv'), lines.join('\n') + '\n');
    const r = await run(['predict', '--model', 'model', '--cohort', 'elsewhere/new.csv'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/radcam predict: 5 lesions$/m);
    expect(r.stdout).toBe(readFileSync(join(dir, 'preds.csv'), 'utf8'));
  });

  it('gives typed errors naming the row, and for bad model directories', async () => {
    const lines = (await readFile(join(dir, 'cohort', 'cohort.csv'), 'utf8')).trimEnd().split('\n');
    lines[2] = lines[2]!.replace(/images\/[^,]+/, 'images/gone.nii.gz');
    await writeFile(join(dir, 'cohort', 'bad.csv'), lines.join('\n') + '\n');
    let r = await run(['predict', '--model', 'model', '--cohort', 'cohort/bad.csv'], dir);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, 'E_FILE_NOT_FOUND');
    expect(r.stderr).toMatch(/bad\.csv line 3 \(lesion \w+\): image file not found/);
    expect(r.stdout).toBe('');

    r = await run(['predict', '--model', 'nowhere', '--cohort', 'cohort/cohort.csv'], dir);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, 'E_FILE_NOT_FOUND');

    await mkdir(join(dir, 'old'), { recursive: true });
    await writeFile(join(dir, 'old', 'model.json'), JSON.stringify({ format: 'radcam-autoencoder-classifier', formatVersion: 99 }));
    r = await run(['predict', '--model', 'old', '--cohort', 'cohort/cohort.csv'], dir);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, 'E_MODEL_INCOMPATIBLE');

    r = await run(['predict', '--model', 'model', '--cohort', 'cohort/cohort.csv', '--out', 'cohort/cohort.csv'], dir);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, 'E_OUTPUT_IS_INPUT');

    r = await run(['predict', '--cohort', 'cohort/cohort.csv'], dir);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, 'E_CLI_USAGE');
  });
});
