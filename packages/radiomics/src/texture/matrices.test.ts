/**
 * The texture matrices of the IBSI-1 digital phantom against the tables of the IBSI manual
 * (../shared/ibsi/ibsi1/reference_values/supplementary/digital_phantom_texture_matrices.rst).
 *
 * The rst conversion lost most table captions (slice numbers, some direction labels), so the
 * tables are taken in document order: slices 1–4 in order, and per-direction tables matched to
 * the computed directions as a one-to-one assignment (every table must equal exactly one
 * direction's matrix, and every direction must be used once).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '@radcam/core';
import { sharedPath } from '@radcam/core/testing';
import {
  buildGlcm, buildGldzm, buildGlrlm, buildGlszm, buildNgldm, buildNgtdm, DIRECTIONS_2D, DIRECTIONS_3D, matrixEntries,
} from './index.js';
import { loadPhantom } from './phantom.testutil.js';

type Row = number[];
interface Section { title: string; tables: Row[][] }

function parseRst(text: string): Section[] {
  const lines = text.split(/\r?\n/);
  const sections: Section[] = [];
  let cur: Section | undefined;
  let table: Row[] | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const next = lines[i + 1] ?? '';
    if (/^[A-Z]/.test(line) && /^-{5,}\s*$/.test(next)) {
      cur = { title: line.trim(), tables: [] };
      sections.push(cur);
      table = undefined;
      continue;
    }
    if (!cur) continue;
    if (line.startsWith('.. table::')) {
      table = [];
      cur.tables.push(table);
      continue;
    }
    const m = /^\s+\|(.*)\|\s*$/.exec(line);
    if (m && table) {
      const cells = m[1]!.split('|').map((c) => c.trim());
      if (cells.every((c) => c !== '' && Number.isFinite(Number(c)))) table.push(cells.map(Number));
    }
  }
  return sections;
}

const sortRows = (rows: Row[]): Row[] => [...rows].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);

describe('IBSI-1 digital phantom texture matrices', () => {
  const sections = parseRst(readFileSync(sharedPath('ibsi', 'ibsi1', 'reference_values', 'supplementary', 'digital_phantom_texture_matrices.rst'), 'utf8'));
  const section = (title: string): Row[][] => {
    const s = sections.find((x) => x.title === title);
    if (!s) throw new Error(`section "${title}" not found in the rst`);
    return s.tables;
  };
  const { levels, image } = loadPhantom();
  const size = image.size;
  const NG = 6;
  const slices = [0, 1, 2, 3];
  const dirKey = (d: Readonly<Vec3>) => d.join(',');

  /** Assign each table group to exactly one direction whose matrices equal it. */
  function assignDirections(groups: Row[][][], dirs: ReadonlyArray<Readonly<Vec3>>, compute: (dir: Readonly<Vec3>) => Row[][]): string[] {
    const computed = dirs.map((d) => compute(d).map(sortRows));
    const used = new Set<number>();
    const names: string[] = [];
    for (const g of groups) {
      const want = g.map(sortRows);
      const hit = computed.findIndex((c, k) => !used.has(k) && JSON.stringify(c) === JSON.stringify(want));
      expect(hit, `no unused direction reproduces table group ${JSON.stringify(want)}`).toBeGreaterThanOrEqual(0);
      used.add(hit);
      names.push(dirKey(dirs[hit]!));
    }
    expect(used.size).toBe(dirs.length);
    return names;
  }

  it('the rst holds the expected number of tables per section', () => {
    const counts = Object.fromEntries(sections.map((s) => [s.title, s.tables.length]));
    for (const s of sections) for (const t of s.tables) expect(t.length, s.title).toBeGreaterThan(0);
    expect(counts).toEqual({
      'Grey level co-occurrence matrix (2D)': 16,
      'Grey level co-occurrence matrix (2D, merged)': 4,
      'Grey level co-occurrence matrix (3D)': 13,
      'Grey level co-occurrence matrix (3D, merged)': 1,
      'Grey level run length matrix (2D)': 16,
      'Grey level run length matrix (2D, merged)': 4,
      'Grey level run length matrix (3D)': 13,
      'Grey level run length matrix (3D, merged)': 1,
      'Grey level size zone matrix (2D)': 4,
      'Grey level size zone matrix (3D)': 1,
      'Grey level distance zone matrix (2D)': 4,
      'Grey level distance zone matrix (3D)': 1,
      'Neighbourhood grey tone difference matrix (2D)': 4,
      'Neighbourhood grey tone difference matrix (3D)': 1,
      'Neighbouring grey level dependence matrix (2D)': 4,
      'Neighbouring grey level dependence matrix (3D)': 1,
    });
  });

  it('GLCM 2D: 4 directions × 4 slices', () => {
    const t = section('Grey level co-occurrence matrix (2D)');
    const groups = [0, 1, 2, 3].map((g) => t.slice(4 * g, 4 * g + 4));
    const names = assignDirections(groups, DIRECTIONS_2D, (dir) =>
      slices.map((z) => matrixEntries(buildGlcm(levels, size, NG, { slice: z, directions: [dir] }))));
    // The captions that survived label the first three groups (0,1,0), (1,-1,0), (1,0,0) (symmetric: ±d equal).
    expect(names.slice(0, 3)).toEqual(['0,1,0', '-1,1,0', '1,0,0']);
  });

  it('GLCM 2D merged per slice, 3D per direction and 3D merged', () => {
    const merged = section('Grey level co-occurrence matrix (2D, merged)');
    slices.forEach((z) => expect(sortRows(matrixEntries(buildGlcm(levels, size, NG, { slice: z })))).toEqual(sortRows(merged[z]!)));
    assignDirections(section('Grey level co-occurrence matrix (3D)').map((t) => [t]), DIRECTIONS_3D, (dir) => [
      matrixEntries(buildGlcm(levels, size, NG, { directions: [dir] })),
    ]);
    expect(sortRows(matrixEntries(buildGlcm(levels, size, NG)))).toEqual(sortRows(section('Grey level co-occurrence matrix (3D, merged)')[0]!));
  });

  it('GLRLM 2D, 2D merged, 3D and 3D merged', () => {
    const t = section('Grey level run length matrix (2D)');
    const groups = [0, 1, 2, 3].map((g) => t.slice(4 * g, 4 * g + 4));
    const names = assignDirections(groups, DIRECTIONS_2D, (dir) =>
      slices.map((z) => matrixEntries(buildGlrlm(levels, size, NG, { slice: z, directions: [dir] }))));
    expect(names.slice(0, 3)).toEqual(['0,1,0', '-1,1,0', '1,0,0']);
    const merged = section('Grey level run length matrix (2D, merged)');
    slices.forEach((z) => expect(sortRows(matrixEntries(buildGlrlm(levels, size, NG, { slice: z })))).toEqual(sortRows(merged[z]!)));
    assignDirections(section('Grey level run length matrix (3D)').map((x) => [x]), DIRECTIONS_3D, (dir) => [
      matrixEntries(buildGlrlm(levels, size, NG, { directions: [dir] })),
    ]);
    expect(sortRows(matrixEntries(buildGlrlm(levels, size, NG)))).toEqual(sortRows(section('Grey level run length matrix (3D, merged)')[0]!));
  });

  it('GLSZM and GLDZM 2D per slice and 3D', () => {
    const s2 = section('Grey level size zone matrix (2D)');
    slices.forEach((z) => expect(sortRows(matrixEntries(buildGlszm(levels, size, NG, { slice: z })))).toEqual(sortRows(s2[z]!)));
    expect(sortRows(matrixEntries(buildGlszm(levels, size, NG)))).toEqual(sortRows(section('Grey level size zone matrix (3D)')[0]!));
    const d2 = section('Grey level distance zone matrix (2D)');
    slices.forEach((z) => expect(sortRows(matrixEntries(buildGldzm(levels, size, NG, { slice: z })))).toEqual(sortRows(d2[z]!)));
    expect(sortRows(matrixEntries(buildGldzm(levels, size, NG)))).toEqual(sortRows(section('Grey level distance zone matrix (3D)')[0]!));
  });

  it('NGTDM 2D per slice and 3D (s to the 6 decimals printed)', () => {
    const check = (m: ReturnType<typeof buildNgtdm>, table: Row[]) => {
      const want = sortRows(table);
      expect(Array.from(m.levels)).toEqual(want.map((r) => r[0]));
      expect(Array.from(m.n)).toEqual(want.map((r) => r[2]));
      m.s.forEach((s, k) => expect(Math.abs(s - want[k]![1]!)).toBeLessThanOrEqual(5e-6));
    };
    const t2 = section('Neighbourhood grey tone difference matrix (2D)');
    slices.forEach((z) => check(buildNgtdm(levels, size, NG, { slice: z }), t2[z]!));
    check(buildNgtdm(levels, size, NG), section('Neighbourhood grey tone difference matrix (3D)')[0]!);
  });

  it('NGLDM 2D per slice and 3D', () => {
    const t2 = section('Neighbouring grey level dependence matrix (2D)');
    slices.forEach((z) => expect(sortRows(matrixEntries(buildNgldm(levels, size, NG, { slice: z })))).toEqual(sortRows(t2[z]!)));
    expect(sortRows(matrixEntries(buildNgldm(levels, size, NG)))).toEqual(sortRows(section('Neighbouring grey level dependence matrix (3D)')[0]!));
  });
});
