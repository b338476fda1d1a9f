import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '@radcam/core';
import { sharedPath } from '@radcam/core/testing';
import { writeSynthCohort } from '@radcam/study';
import { classifyParamsText } from '../src/commands/features.js';
import { expectOneLineError, run, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('radcam-cli-presets-'));
  await writeSynthCohort(join(dir, 'cohort'), { patients: 2, lesions: 3, size: 32, seed: 4 });
}, 60_000);
afterAll(() => cleanup());

/** PyRadiomics' own test baseline (PyRadiomics' values, not ours): feature → value for `column`. */
function baseline(cls: string, column: string): Record<string, number> {
  const rows = parseCsv(readFileSync(sharedPath('pyradiomics', 'baseline', `baseline_${cls}.csv`), 'utf8'));
  const out: Record<string, number> = {};
  for (const r of rows) if (r.featureName!.startsWith('original_')) out[r.featureName!] = Number(r[column]);
  return out;
}

const relDiff = (a: number, b: number) => Math.abs(1 - a / b);

describe('radcam features --preset pyradiomics / PyRadiomics parameter files', () => {
  const image = () => sharedPath('pyradiomics', 'brain1_image.nrrd');
  const label = () => sharedPath('pyradiomics', 'brain1_label.nrrd');

  it('reproduces PyRadiomics first-order features of brain1 with PyRadiomics names', async () => {
    const r = await run(['features', image(), label(), '--preset', 'pyradiomics', '--families', 'firstorder'], dir);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { features: Record<string, number>; diagnostics: Record<string, unknown> };
    expect(Object.keys(j.features).every((k) => k.startsWith('original_firstorder_'))).toBe(true);
    expect(Object.keys(j.features)).toHaveLength(18);
    const ref = baseline('firstorder', 'brain1');
    // the baseline ran with voxelArrayShift 2000 (PyRadiomics 3 default: 0), which only moves Energy, TotalEnergy and RMS
    for (const f of ['Mean', 'Median', 'Kurtosis', 'Entropy', '90Percentile', 'Variance', 'Uniformity']) {
      const name = `original_firstorder_${f}`;
      expect(relDiff(j.features[name]!, ref[name]!), name).toBeLessThanOrEqual(1e-6);
    }
    expect(j.diagnostics['diagnostics_Mask-original_VoxelNum']).toBe(Number(parseCsv(readFileSync(sharedPath('pyradiomics', 'baseline', 'baseline_firstorder.csv'), 'utf8')).find((x) => x.featureName === 'diagnostics_Mask-original_VoxelNum')!.brain1));
  });

  it('accepts a PyRadiomics YAML parameter file as is (detected by its keys)', async () => {
    await writeFile(
      join(dir, 'Params.yaml'),
      ['imageType:', '  Original: {}', 'featureClass:', '  firstorder:', '  glcm: [JointEnergy, Idmn]', 'setting:', '  binWidth: 25', '  label: 1', '  voxelArrayShift: 2000', ''].join('\n'),
    );
    const r = await run(['features', image(), label(), '--params', 'Params.yaml', '--format', 'csv'], dir);
    expect(r.code, r.stderr).toBe(0);
    const [row] = parseCsv(r.stdout);
    const names = Object.keys(row!).filter((k) => k.startsWith('original_'));
    expect(names.filter((n) => n.startsWith('original_glcm_'))).toEqual(['original_glcm_JointEnergy', 'original_glcm_Idmn']);
    const fo = baseline('firstorder', 'brain1');
    for (const f of ['Energy', 'TotalEnergy', 'RootMeanSquared', 'Mean']) {
      const name = `original_firstorder_${f}`;
      expect(relDiff(Number(row![name]), fo[name]!), name).toBeLessThanOrEqual(1e-6);
    }
    const cm = baseline('glcm', 'brain1');
    for (const name of ['original_glcm_JointEnergy', 'original_glcm_Idmn']) expect(relDiff(Number(row![name]), cm[name]!), name).toBeLessThanOrEqual(1e-6);
    // the same file with --preset pyradiomics, and as JSON with compat: pyradiomics
    const again = await run(['features', image(), label(), '--params', 'Params.yaml', '--preset', 'pyradiomics', '--format', 'csv'], dir);
    expect(again.stdout).toBe(r.stdout);
    await writeFile(join(dir, 'compat.json'), JSON.stringify({ compat: 'pyradiomics', featureClass: { firstorder: ['Mean'] } }));
    const json = await run(['features', image(), label(), '--params', 'compat.json'], dir);
    expect(json.code, json.stderr).toBe(0);
    expect(Object.keys(JSON.parse(json.stdout).features)).toEqual(['original_firstorder_Mean']);
  });

  it('classifies parameter files by their top-level keys', () => {
    expect(classifyParamsText('setting:\n  binWidth: 10\n').schema).toBe('pyradiomics');
    expect(classifyParamsText('# PyRadiomics\nimageType:\n  Original: {}\n').schema).toBe('pyradiomics');
    expect(classifyParamsText('featureClass:\n  glcm:\n').schema).toBe('pyradiomics');
    expect(classifyParamsText('preset: ibsi-ct-A\ndiscretisation: { method: fbs, binWidth: 25 }\n').schema).toBe('radcam');
    expect(classifyParamsText('texture:\n  setting: 1\n').schema).toBe('radcam'); // nested keys do not count
    expect(classifyParamsText('{"discretisation": {"method": "fbn", "bins": 8}}').schema).toBe('radcam');
    expect(classifyParamsText('{"setting": {"binWidth": 5}}').schema).toBe('pyradiomics');
    const c = classifyParamsText('compat: "pyradiomics"  # switch\nsetting:\n  binCount: 16\n');
    expect(c.schema).toBe('pyradiomics');
    expect(c.pyradiomicsText).not.toContain('compat');
    expect(() => classifyParamsText('compat: mirp\n')).toThrow(/compat/);
  });

  it('runs a --cases batch in the PyRadiomics mode with an error column', async () => {
    const lines = (await readFile(join(dir, 'cohort', 'cohort.csv'), 'utf8')).trimEnd().split('\n');
    lines.push('P009,P009_L1,images/P001.nii.gz,masks/missing.nii.gz,1,');
    await writeFile(join(dir, 'cohort', 'cases.csv'), lines.join('\n') + '\n');
    const r = await run(['features', '--cases', 'cohort/cases.csv', '--preset', 'pyradiomics', '--families', 'shape,firstorder', '--out', 'py.csv'], dir);
    expect(r.code, r.stderr).toBe(0);
    const rows = parseCsv(readFileSync(join(dir, 'py.csv'), 'utf8'));
    expect(rows).toHaveLength(4);
    expect(rows.slice(0, 3).every((x) => x.error === '' && Number(x.original_shape_VoxelVolume) > 0)).toBe(true);
    expect(rows[3]!.error).toMatch(/^E_FILE_NOT_FOUND: /);
    expect(Object.keys(rows[0]!).slice(0, 6)).toEqual(['patient_id', 'lesion_id', 'image', 'mask', 'label', 'subregion']);
    expect(r.stderr).toMatch(/4 cases, 1 failed, \d+ features \(PyRadiomics-compatible\)/);
  });

  it('refuses inconsistent combinations and unsupported PyRadiomics settings', async () => {
    await writeFile(join(dir, 'radcam.yaml'), 'discretisation: { method: fbn, bins: 16 }\n');
    await writeFile(join(dir, 'log.yaml'), 'imageType:\n  LBP3D: {}\n');
    let r = await run(['features', image(), label(), '--preset', 'pyradiomics', '--params', 'radcam.yaml'], dir);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, 'E_CLI_USAGE');
    r = await run(['features', image(), label(), '--preset', 'ibsi-ct-A', '--params', 'Params.yaml'], dir);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, 'E_CLI_USAGE');
    r = await run(['features', image(), label(), '--preset', 'pyradiomics', '--families', 'glcm,lbp'], dir);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, 'E_CLI_USAGE');
    r = await run(['features', image(), label(), '--preset', 'pyradiomics', '--voxel', '--kernel-radius', '1'], dir);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, 'E_CLI_USAGE');
    r = await run(['features', image(), label(), '--params', 'log.yaml'], dir);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, 'E_PARAMS_FILE');
    expect(r.stderr).toContain('imageType.LBP3D');
  });
});

describe('radcam features --preset ibsi-ct-A … E', () => {
  /** IBSI reference value and tolerance of `tag` for CT configuration `cfg`. */
  function reference(cfg: string, tag: string): { value: number; tol: number } {
    const rows = parseCsv(readFileSync(sharedPath('ibsi', 'ibsi1', 'reference_values', 'ibsi1_ct_phantom_reference_values.csv'), 'utf8'));
    const row = rows.find((x) => x.dataset === `config_${cfg}` && x.feature_tag === tag);
    if (!row) throw new Error(`no reference for ${cfg} ${tag}`);
    return { value: Number(row.reference_value), tol: Number(row.tolerance) };
  }

  it.each(['A', 'C'])('reproduces IBSI CT-phantom statistics of configuration %s', async (cfg) => {
    const ct = sharedPath('ibsi', 'ibsi1', 'ct_phantom', 'nifti');
    const r = await run(['features', join(ct, 'image', 'phantom.nii.gz'), join(ct, 'mask', 'mask.nii.gz'), '--preset', `ibsi-ct-${cfg}`, '--families', 'stat'], dir);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { features: Record<string, number>; diagnostics: { preset?: string } };
    expect(j.diagnostics.preset).toBe(`ibsi-ct-${cfg}`);
    for (const tag of ['stat_mean', 'stat_median', 'stat_p10', 'stat_max']) {
      const ref = reference(cfg, tag);
      expect(Math.abs(j.features[tag]! - ref.value), `${cfg} ${tag}`).toBeLessThanOrEqual(ref.tol);
    }
  });
});
