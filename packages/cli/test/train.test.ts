import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '@radcam/core';
import { readMask, writeVolume } from '@radcam/volume-io';
import { writeSynthCohort } from '@radcam/study';
import { expectOneLineError, run, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
/** A tiny model: 8³ patches, 4/8 filters, no validation split. */
const TINY = ['--size', '8', '--widths', '4,8', '--strides', '1,2', '--epochs', '2', '--validation', '0', '--margin-mm', '4'];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('radcam-cli-train-'));
  await writeSynthCohort(join(dir, 'cohort'), { patients: 3, lesions: 5, size: 32, seed: 3 });
}, 60_000);
afterAll(() => cleanup());

async function cohortLines(): Promise<string[]> {
  return (await readFile(join(dir, 'cohort', 'cohort.csv'), 'utf8')).trimEnd().split('\n');
}

describe('radcam train', () => {
  it('trains on every row, prints the backend and writes model.json, weights.bin and history.csv', async () => {
    const r = await run(['train', '--cohort', 'cohort/cohort.csv', '--out', 'model', '--seed', '7', ...TINY], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^backend: cpu/m);
    expect(r.stdout).toMatch(/^lesions: 5 \(\d with label 1, \d with label 0\), patch 8³ × 1 channel$/m);
    expect(r.stdout).toMatch(/^training: 2 epochs, kept epoch 2/m);
    for (const f of ['model.json', 'weights.bin', 'history.csv']) expect(existsSync(join(dir, 'model', f)), f).toBe(true);
    const json = JSON.parse(readFileSync(join(dir, 'model', 'model.json'), 'utf8'));
    expect(json.architecture).toMatchObject({ dims: 3, inputSize: 8, inChannels: 1, widths: [4, 8], strides: [1, 2] });
    expect(json.preprocessing).toMatchObject({ dims: 3, size: 8, marginMm: 4 });
    expect(json.training).toMatchObject({ seed: 7, epochs: 2, samples: 5 });
    const hist = parseCsv(readFileSync(join(dir, 'model', 'history.csv'), 'utf8'));
    expect(hist.map((h) => h.epoch)).toEqual(['1', '2']);
    expect(hist.every((h) => Number(h.trainLoss) > 0)).toBe(true);

    // same seed → identical weights; an existing model is refused unless --overwrite
    const again = await run(['train', '--cohort', 'cohort/cohort.csv', '--out', 'model', '--seed', '7', ...TINY], dir);
    expect(again.code).toBe(1);
    expectOneLineError(again.stderr, 'E_OUTPUT_EXISTS');
    const second = await run(['train', '--cohort', 'cohort/cohort.csv', '--out', 'model2', '--seed', '7', ...TINY], dir);
    expect(second.code, second.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(join(dir, 'model', 'weights.bin')), readFileSync(join(dir, 'model2', 'weights.bin')))).toBe(0);
    const over = await run(['train', '--cohort', 'cohort/cohort.csv', '--out', 'model2', '--seed', '8', '--overwrite', ...TINY], dir);
    expect(over.code, over.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(join(dir, 'model', 'weights.bin')), readFileSync(join(dir, 'model2', 'weights.bin')))).not.toBe(0);
  });

  it('trains a 2D model with a mask channel and draws progress bars on a TTY', async () => {
    const r = await run(
      ['train', '--cohort', 'cohort/cohort.csv', '--out', 'model2d', '--dims', '2', '--mask-channel', '--size', '8', '--widths', '4,8', '--strides', '1,2', '--epochs', '2'],
      dir,
      { tty: true },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('loading lesions [');
    expect(r.stderr).toContain('training epochs [');
    expect(r.stdout).toContain('patch 8² × 2 channels');
    expect(r.stdout).toMatch(/validation: \d+ lesions?, BCE \d/);
    const json = JSON.parse(readFileSync(join(dir, 'model2d', 'model.json'), 'utf8'));
    expect(json.architecture).toMatchObject({ dims: 2, inputSize: 8, inChannels: 2 });
  });

  it('--preset small-cohort: the tuned preprocessing and architecture, other options override it', async () => {
    // 5 lesions at 8³: the preset's 150 epochs are one small step each
    const r = await run(['train', '--cohort', 'cohort/cohort.csv', '--out', 'model-preset', '--preset', 'small-cohort', '--size', '8'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('patch 8³ × 2 channels');
    expect(r.stdout).toContain('training: 150 epochs, kept epoch 150');
    expect(r.stdout).toContain('no validation split');
    const json = JSON.parse(readFileSync(join(dir, 'model-preset', 'model.json'), 'utf8'));
    expect(json.architecture).toMatchObject({ dims: 3, inputSize: 8, inChannels: 2, widths: [8, 16, 32], strides: [1, 2, 2], norm: 'none' });
    expect(json.preprocessing).toMatchObject({ size: 8, normalize: 'rim', maskChannel: true, sizeEncoding: 'log-diameter' });
    const bad = await run(['train', '--cohort', 'cohort/cohort.csv', '--out', 'm-x', '--preset', 'large'], dir);
    expect(bad.code).toBe(2);
    expectOneLineError(bad.stderr, 'E_CLI_USAGE');
  });

  it('names the row of a missing file, an empty mask and a bad label', async () => {
    const lines = await cohortLines();
    // line 4 of the CSV = third lesion
    const missing = [...lines];
    missing[3] = missing[3]!.replace(/masks\/[^,]+/, 'masks/nope.nii.gz');
    await writeFile(join(dir, 'cohort', 'missing.csv'), missing.join('\n') + '\n');
    let r = await run(['train', '--cohort', 'cohort/missing.csv', '--out', 'm-x', ...TINY], dir);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, 'E_FILE_NOT_FOUND');
    const lesion3 = lines[3]!.split(',')[1]!;
    expect(r.stderr).toContain(`missing.csv line 4 (lesion ${lesion3}): mask file not found`);

    // an all-zero mask on the image grid
    const ref = await readMask(join(dir, 'cohort', lines[2]!.split(',')[3]!));
    await writeVolume(join(dir, 'cohort', 'masks', 'empty.nii.gz'), { ...ref, data: new Uint8Array(ref.data.length) });
    const empty = [...lines];
    empty[2] = empty[2]!.replace(/masks\/[^,]+/, 'masks/empty.nii.gz');
    await writeFile(join(dir, 'cohort', 'empty.csv'), empty.join('\n') + '\n');
    r = await run(['train', '--cohort', 'cohort/empty.csv', '--out', 'm-x', ...TINY], dir);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, 'E_EMPTY_ROI');
    expect(r.stderr).toContain(`empty.csv line 3 (lesion ${lines[2]!.split(',')[1]}): the lesion mask has no voxels`);

    const label = [...lines];
    label[5] = label[5]!.replace(/,([01]),/, ',2,');
    await writeFile(join(dir, 'cohort', 'label.csv'), label.join('\n') + '\n');
    r = await run(['train', '--cohort', 'cohort/label.csv', '--out', 'm-x', ...TINY], dir);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, 'E_COHORT');
    expect(r.stderr).toContain('line 6: invalid label');
    expect(r.stderr).toContain('found "2"');

    // training needs a label on every row
    const unlabelled = [...lines];
    unlabelled[1] = unlabelled[1]!.replace(/,([01]),/, ',,');
    await writeFile(join(dir, 'cohort', 'unlabelled.csv'), unlabelled.join('\n') + '\n');
    r = await run(['train', '--cohort', 'cohort/unlabelled.csv', '--out', 'm-x', ...TINY], dir);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, 'E_COHORT');
    expect(r.stderr).toContain('line 2: invalid label');
    expect(existsSync(join(dir, 'm-x'))).toBe(false);
  });

  it('gives usage errors for missing or bad options', async () => {
    for (const argv of [
      ['train', '--out', 'x'],
      ['train', '--cohort', 'cohort/cohort.csv'],
      ['train', '--cohort', 'cohort/cohort.csv', '--out', 'x', '--dims', '4'],
      ['train', '--cohort', 'cohort/cohort.csv', '--out', 'x', '--epochs', '0'],
      ['train', '--cohort', 'cohort/cohort.csv', '--out', 'x', '--widths', '4,a'],
      ['train', '--cohort', 'cohort/cohort.csv', '--out', 'x', '--validation', '1'],
      // 10 is not divisible by the product of the strides (4)
      ['train', '--cohort', 'cohort/cohort.csv', '--out', 'x', '--size', '10', '--widths', '4,8', '--strides', '2,2'],
    ]) {
      const r = await run(argv, dir);
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(2);
      expectOneLineError(r.stderr, 'E_CLI_USAGE');
    }
    const r = await run(['train', '--cohort', 'nope.csv', '--out', 'x'], dir);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, 'E_FILE_NOT_FOUND');
  });
});
