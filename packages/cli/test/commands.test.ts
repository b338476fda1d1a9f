import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '@radcam/core';
import { expectOneLineError, run, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
const cohort = () => join(dir, 'cohort');
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const r = await run(['synth', '--out', 'cohort', '--patients', '3', '--lesions', '5', '--size', '40', '--seed', '3'], dir);
  if (r.code !== 0) throw new Error(r.stderr);
});
afterAll(() => cleanup());

describe('radcam synth', () => {
  it('writes the cohort and prints a summary', async () => {
    const rows = parseCsv(await readFile(join(cohort(), 'cohort.csv'), 'utf8'));
    expect(rows).toHaveLength(5);
    expect(Object.keys(rows[0]!)).toEqual(['patient_id', 'lesion_id', 'image', 'mask', 'label', 'subregion']);
    for (const r of rows) expect(existsSync(join(cohort(), r.mask!))).toBe(true);
    const again = await run(['synth', '--out', 'cohort', '--patients', '3', '--lesions', '5', '--size', '40', '--seed', '3'], dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/patients\s+3 /);
    expect(again.stdout).toMatch(/lesions\s+5/);
  });

  it('refuses a non-empty directory that is not a synthetic cohort', async () => {
    await writeFile(join(dir, 'note.txt'), 'keep me');
    const r = await run(['synth', '--out', '.', '--patients', '1', '--lesions', '1', '--size', '32'], dir);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, 'E_OUTPUT_EXISTS');
  });
});

describe('radcam features / gradient', () => {
  it('extracts the features of one case as JSON { features, diagnostics }', async () => {
    const r = await run(['features', 'cohort/images/P001.nii.gz', 'cohort/masks/P001_L1.nii.gz', '--families', 'morphology,stat'], dir);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { features: Record<string, number>; diagnostics: unknown };
    expect(Object.keys(j)).toEqual(['features', 'diagnostics']);
    expect(j.features.morph_volume).toBeGreaterThan(0);
    expect(Object.keys(j.features).every((k) => k.startsWith('morph_') || k.startsWith('stat_'))).toBe(true);
    const bad = await run(['features', 'cohort/images/P001.nii.gz', 'cohort/masks/P001_L1.nii.gz', '--preset', 'nonsense'], dir);
    expect(bad.code).toBe(1);
    expectOneLineError(bad.stderr, 'E_SETTINGS');
  });

  it('runs a batch where a failing case is reported in its row and the others succeed', async () => {
    const rows = (await readFile(join(cohort(), 'cohort.csv'), 'utf8')).trimEnd().split('\n');
    rows.push('P009,P009_L1,images/P001.nii.gz,masks/missing.nii.gz,1,');
    await writeFile(join(cohort(), 'cases.csv'), rows.join('\n') + '\n');
    const r = await run(['features', '--cases', 'cohort/cases.csv', '--out', 'feat.csv', '--families', 'morphology', '--jobs', '1'], dir);
    expect(r.code, r.stderr).toBe(0);
    const out = parseCsv(await readFile(join(dir, 'feat.csv'), 'utf8'));
    expect(out).toHaveLength(6);
    expect(out.slice(0, 5).every((row) => row.error === '' && Number(row.morph_volume) > 0)).toBe(true);
    expect(out[5]!.lesion_id).toBe('P009_L1');
    expect(out[5]!.error).toMatch(/^E_FILE_NOT_FOUND: /);
    expect(out[5]!.morph_volume).toBe('');
  });

  it('computes the 90 gradient features as CSV and writes the three maps', async () => {
    const r = await run(['gradient', 'cohort/images/P001.nii.gz', 'cohort/masks/P001_L1.nii.gz', '--format', 'csv', '--maps', 'maps', '--margin-mm', '1'], dir);
    expect(r.code, r.stderr).toBe(0);
    const rows = parseCsv(r.stdout);
    expect(rows).toHaveLength(1);
    const feats = Object.keys(rows[0]!).filter((k) => k.startsWith('grad_'));
    expect(feats).toHaveLength(90);
    expect((await readdir(join(dir, 'maps'))).sort()).toEqual(['P001_L1_mag.nii.gz', 'P001_L1_raddev.nii.gz', 'P001_L1_radial.nii.gz']);
  });

  it('refuses to write the output over an input', async () => {
    const r = await run(['gradient', '--cases', 'cohort/cohort.csv', '--out', 'cohort/cohort.csv'], dir);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, 'E_OUTPUT_IS_INPUT');
  });
});

describe('radcam demo', () => {
  it('synthesises a cohort and prints the summary and the feature table', async () => {
    const r = await run(['demo', '--out', 'demo', '--patients', '3', '--lesions', '4', '--size', '40', '--jobs', '1'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('== synthetic cohort');
    expect(r.stdout).toMatch(/radiomics\s+\d+\s+4\s+0 /);
    expect(r.stdout).toMatch(/gradient\s+90\s+4\s+0 /);
    expect(existsSync(join(dir, 'demo', 'features', 'gradient.csv'))).toBe(true);
  });
});
