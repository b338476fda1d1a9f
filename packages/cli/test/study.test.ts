import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSynthCohort } from '@radcam/study';
import { expectOneLineError, run, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('radcam-cli-study-'));
  await writeSynthCohort(join(dir, 'cohort'), { patients: 6, lesions: 8, size: 40, seed: 5 });
  await writeFile(
    join(dir, 'study.yaml'),
    [
      'repeats: 3 # overridden by --repeats',
      'metrics: { replicates: 50 }',
      'cnn:',
      '  patch: { dims: 3, size: 8, marginMm: 4 }',
      '  model: { widths: [4, 8], strides: [1, 2] }',
      '  epochs: 1',
      'cam: { methods: [layercam, gradcam] }',
      '',
    ].join('\n'),
  );
}, 60_000);

afterAll(async () => cleanup());

describe('radcam study', () => {
  it('runs the arms, prints the results table and writes the outputs', async () => {
    const r = await run(['study', '--cohort', 'cohort/cohort.csv', '--out', 'out', '--folds', '2', '--repeats', '1', '--seed', '3', '--params', 'study.yaml'], dir);
    expect(r.code, r.stderr).toBe(0);
    for (const arm of ['radiomics', 'gradient', 'cnn', 'CAM layercam', 'CAM gradcam']) expect(r.stdout).toMatch(new RegExp(`^${arm}\\s+\\d\\.\\d\\d \\[`, 'm'));
    expect(r.stdout).toContain('CAM localisation of the truth subregion');
    expect(r.stdout).toContain('report:  out/index.html');
    const res = JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8'));
    expect(res.settings).toMatchObject({ folds: 2, repeats: 1, seed: 3, metrics: { replicates: 50 } });
    expect(res.settings.cam.methods).toEqual(['radcam/layercam', 'radcam/gradcam']);
    for (const f of ['predictions.csv', 'index.html', 'features/radiomics.csv', 'features/gradient.csv', 'features/cam_layercam.csv']) {
      expect(existsSync(join(dir, 'out', f)), f).toBe(true);
    }
    // a re-run resumes from the checkpoints
    const again = await run(['study', '--cohort', 'cohort/cohort.csv', '--out', 'out', '--folds', '2', '--repeats', '1', '--seed', '3', '--params', 'study.yaml'], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/resumed: \d+ step\(s\) from checkpoints, 0 computed/);
  });

  it('runs a subset of arms', async () => {
    const r = await run(['study', '--cohort', 'cohort/cohort.csv', '--out', 'tab', '--folds', '2', '--repeats', '2', '--arms', 'gradient', '--params', 'study.yaml'], dir);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(readFileSync(join(dir, 'tab', 'results.json'), 'utf8'));
    expect(res.arms.map((a: { name: string }) => a.name)).toEqual(['gradient']);
    expect(res.folds).toHaveLength(2);
    expect(res.localisation).toBeNull();
  });

  it('gives one-line usage errors and typed errors', async () => {
    let r = await run(['study', '--out', 'x'], dir);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, 'E_CLI_USAGE');
    r = await run(['study', '--cohort', 'cohort/cohort.csv', '--out', 'x', '--arms', 'radiomics,svm'], dir);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, 'E_CLI_USAGE');
    r = await run(['study', '--cohort', 'cohort/cohort.csv', '--out', 'x', '--folds', '1'], dir);
    expect(r.code).toBe(2);
    r = await run(['study', '--cohort', 'cohort/cohort.csv', '--out', 'cohort', '--arms', 'gradient'], dir);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, 'E_OUTPUT_IS_INPUT');
    r = await run(['study', '--cohort', 'missing.csv', '--out', 'x'], dir);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, 'E_FILE_NOT_FOUND');
  });

  it('draws progress bars on a TTY', async () => {
    const r = await run(['study', '--cohort', 'cohort/cohort.csv', '--out', 'tty', '--folds', '2', '--repeats', '1', '--arms', 'gradient', '--params', 'study.yaml'], dir, { tty: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('gradient features [');
    expect(r.stderr).toContain('report thumbnails [');
  });
});
