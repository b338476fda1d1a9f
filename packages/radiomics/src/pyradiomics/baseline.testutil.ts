/**
 * Test helpers for the PyRadiomics baseline (`../shared/pyradiomics/baseline/baseline_<class>.csv`):
 * CSV columns are configurations (`brain1`, `brain1_2d`, …) whose settings are the Python dict
 * literal in the `diagnostics_Configuration_Settings` row.
 */
import { readFileSync } from 'node:fs';
import { parseCsv, sharedPath } from '@radcam/core/testing';
import type { Volume } from '@radcam/core';
import { readVolume } from '@radcam/volume-io';
import { pyradiomicsParams, type PyradiomicsClass, type PyradiomicsParams } from './params.js';

/** Parse a Python literal (dict / list / tuple / str / number / True / False / None). */
export function parsePythonLiteral(text: string): unknown {
  const json = text
    .replace(/'/g, '"')
    .replace(/\bTrue\b/g, 'true')
    .replace(/\bFalse\b/g, 'false')
    .replace(/\bNone\b/g, 'null')
    .replace(/\(/g, '[')
    .replace(/\)/g, ']');
  return JSON.parse(json);
}

export interface BaselineColumn {
  column: string;
  testCase: string;
  settings: Record<string, unknown>;
  values: Record<string, number>;
}

export interface Baseline {
  cls: PyradiomicsClass;
  columns: BaselineColumn[];
}

export function readBaseline(cls: PyradiomicsClass): Baseline {
  const text = readFileSync(sharedPath('pyradiomics', 'baseline', `baseline_${cls}.csv`), 'utf8');
  const rows = parseCsv(text);
  const header = Object.keys(rows[0] ?? {}).filter((h) => h !== 'featureName');
  const columns: BaselineColumn[] = [];
  for (const name of header) {
    const col: BaselineColumn = { column: name, testCase: '', settings: {}, values: {} };
    for (const r of rows) {
      const key = r.featureName!;
      const v = r[name] ?? '';
      if (key === 'diagnostics_Configuration_TestCase') col.testCase = v;
      else if (key === 'diagnostics_Configuration_Settings') col.settings = parsePythonLiteral(v) as Record<string, unknown>;
      else if (key.startsWith('original_') && v !== '') col.values[key] = Number(v);
    }
    columns.push(col);
  }
  return { cls, columns };
}

/** Parameters of a baseline column for one class (PyRadiomics' test harness disables resegmentation for shape). */
export function columnParams(col: BaselineColumn, classes: readonly PyradiomicsClass[]): PyradiomicsParams {
  const setting = { ...col.settings };
  // PyRadiomics' testUtils: "ensure resegmentation is disable for shape class"
  if (classes.includes('shape') && 'resegmentRange' in setting) setting.resegmentRange = null;
  // correctMask only matters for masks on another grid; the test masks share the image grid
  if (setting.correctMask === true) delete setting.correctMask;
  return pyradiomicsParams({ setting, featureClass: Object.fromEntries(classes.map((c) => [c, null])) });
}

const cache = new Map<string, Promise<{ image: Volume; mask: Volume }>>();

/** Image and label volumes of a test case (`brain1`, …) from ../shared/pyradiomics. */
export function loadCase(testCase: string): Promise<{ image: Volume; mask: Volume }> {
  let p = cache.get(testCase);
  if (!p) {
    p = (async () => ({
      image: await readVolume(sharedPath('pyradiomics', `${testCase}_image.nrrd`)),
      mask: await readVolume(sharedPath('pyradiomics', `${testCase}_label.nrrd`)),
    }))();
    cache.set(testCase, p);
  }
  return p;
}

/** PyRadiomics testUtils.checkResult's relative difference: |1 − value/baseline| (baseline 0 → exact). */
export function relativeDifference(value: number, baseline: number): number {
  if (baseline === 0) return value === 0 ? 0 : 1;
  return Math.abs(1 - value / baseline);
}
