/**
 * Parity with PyRadiomics' own baseline (../shared/pyradiomics/baseline/baseline_<class>.csv):
 * every configuration column of the cases whose images are shipped (brain1, brain2, breast1) is
 * extracted with the settings parsed from its `diagnostics_Configuration_Settings` row and each
 * feature is compared with PyRadiomics' testUtils rule, relative difference |1 − value/baseline|
 * (baseline 0 → exact), at the acceptance tolerance of issue 4: 1e-6 (shape 1e-3).
 *
 * Skipped explicitly: the lung1 / lung2 columns (their images are not in ../shared).
 *
 * Shape: the `brain1` column was produced by PyRadiomics 2.0.1b1 while its mesh code was being
 * written; current PyRadiomics (v3.1.0 output below) gives a slightly different MeshVolume /
 * SurfaceArea for that case (rel. 1.2e-4 / 7.9e-4, inside the 1e-3 shape tolerance), and
 * our mesh reproduces the current values to the last digit (see the v3.1.0 test).
 */
import { describe, expect, it } from 'vitest';
import { extractPyradiomics } from './extract.js';
import { columnParams, loadCase, readBaseline, relativeDifference, type BaselineColumn } from './baseline.testutil.js';
import { pyradiomicsParams, type PyradiomicsClass } from './params.js';

const CASES = ['brain1', 'brain2', 'breast1'];
const MISSING_CASES = ['lung1', 'lung2'];
const CLASSES: PyradiomicsClass[] = ['firstorder', 'glcm', 'glrlm', 'glszm', 'gldm', 'ngtdm', 'shape'];

const baselines = CLASSES.map(readBaseline);

/** Column name → the baseline columns of every class that has it. */
const byColumn = new Map<string, Array<{ cls: PyradiomicsClass; col: BaselineColumn }>>();
for (const b of baselines) {
  for (const col of b.columns) {
    if (!byColumn.has(col.column)) byColumn.set(col.column, []);
    byColumn.get(col.column)!.push({ cls: b.cls, col });
  }
}

describe('PyRadiomics baseline parity', () => {
  it('skips only the cases whose images are absent (lung1, lung2)', () => {
    const cases = new Set([...byColumn.values()].flat().map((e) => e.col.testCase));
    expect([...cases].filter((c) => !CASES.includes(c)).sort()).toEqual(MISSING_CASES);
  });

  const columns = [...byColumn.keys()].filter((c) => CASES.includes(byColumn.get(c)![0]!.col.testCase));
  it.each(columns)('%s', async (column) => {
    const entries = byColumn.get(column)!;
    const { image, mask } = await loadCase(entries[0]!.col.testCase);
    const failures: string[] = [];
    // one extraction for the texture/first-order classes (same settings), one for shape
    const texture = entries.filter((e) => e.cls !== 'shape');
    const groups = [texture, entries.filter((e) => e.cls === 'shape')].filter((g) => g.length > 0);
    for (const group of groups) {
      const params = columnParams(group[0]!.col, group.map((e) => e.cls));
      const { features } = extractPyradiomics(image, mask, params);
      for (const { cls, col } of group) {
        for (const [name, ref] of Object.entries(col.values)) {
          const v = features[name];
          const d = v === undefined ? Infinity : relativeDifference(v, ref);
          const tol = cls === 'shape' ? 1e-3 : 1e-6;
          if (!(d <= tol)) failures.push(`${name}: ${v} vs ${ref} (rel ${d.toExponential(2)})`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

/**
 * Shape features of the example cases as printed by PyRadiomics v3.1.0
 * (examples/batchprocessing.py with exampleSettings/Params.yaml; Python 3.9.12, numpy 1.26.3,
 * SimpleITK 2.3.1; output CSV reproduced in a public tutorial note). Its image and mask hashes
 * are those of the baseline's brain1, brain2 and breast1 columns.
 */
const PYRADIOMICS_310_SHAPE: Record<string, Record<string, number>> = {
  brain1: {
    MeshVolume: 16147.51180013021, SurfaceArea: 6438.821603779402, Sphericity: 0.4798234536231475,
    SurfaceVolumeRatio: 0.3987500788652454, Maximum3DDiameter: 69.60099030590368,
    Maximum2DDiameterSlice: 53.59397776919529, Maximum2DDiameterColumn: 49.490854979101925,
    Maximum2DDiameterRow: 65.88905951721043, VoxelVolume: 16412.658691406243,
  },
  brain2: {
    MeshVolume: 1736.0178629557292, SurfaceArea: 929.7601508652821, Sphericity: 0.7513044980804245,
    SurfaceVolumeRatio: 0.5355706128981187, Maximum3DDiameter: 24.444532236269108,
    Maximum2DDiameterSlice: 16.312978920172732, Maximum2DDiameterColumn: 23.59325330603009,
    Maximum2DDiameterRow: 20.728928495281654, VoxelVolume: 1797.180175781249,
  },
  breast1: {
    MeshVolume: 124.09130483210153, SurfaceArea: 172.88707947619218, Sphericity: 0.6959037135176507,
    SurfaceVolumeRatio: 1.3932247687306738, Maximum3DDiameter: 9.081018608331778,
    Maximum2DDiameterSlice: 8.399793710266938, Maximum2DDiameterColumn: 7.1214084629446734,
    Maximum2DDiameterRow: 8.24091097816352, VoxelVolume: 132.42579545515324,
  },
};

describe('PyRadiomics v3.1.0 mesh parity', () => {
  it.each(Object.keys(PYRADIOMICS_310_SHAPE))('%s: mesh volume, surface area, diameters to 1e-12', async (testCase) => {
    const { image, mask } = await loadCase(testCase);
    const params = pyradiomicsParams({ setting: { label: 1 }, featureClass: { shape: null } });
    const { features } = extractPyradiomics(image, mask, params);
    const failures: string[] = [];
    for (const [name, ref] of Object.entries(PYRADIOMICS_310_SHAPE[testCase]!)) {
      const v = features[`original_shape_${name}`];
      const d = v === undefined ? Infinity : relativeDifference(v, ref);
      if (!(d <= 1e-12)) failures.push(`${name}: ${v} vs ${ref} (rel ${d.toExponential(2)})`);
    }
    expect(failures).toEqual([]);
  });
});
