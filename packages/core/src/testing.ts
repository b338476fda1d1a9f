/**
 * Test helpers shared by every radcam package (and usable by third-party extractor authors).
 * They throw plain `Error`s with a readable message, so they work under any test runner.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface CloseOptions {
  /** Relative tolerance (default 1e-6). */
  rtol?: number;
  /** Absolute tolerance (default 1e-9). */
  atol?: number;
  /** Treat NaN == NaN as equal (default true). */
  equalNaN?: boolean;
  /** Label used in the error message. */
  label?: string;
}

/** |a − b| ≤ atol + rtol·|b| (numpy.isclose semantics, b is the reference). */
export function isClose(a: number, b: number, opts: CloseOptions = {}): boolean {
  const rtol = opts.rtol ?? 1e-6;
  const atol = opts.atol ?? 1e-9;
  if (Number.isNaN(a) || Number.isNaN(b)) return (opts.equalNaN ?? true) && Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

export function expectClose(actual: number, expected: number, opts: CloseOptions = {}): void {
  if (!isClose(actual, expected, opts)) {
    throw new Error(
      `${opts.label ? opts.label + ': ' : ''}expected ${expected}, got ${actual} (|diff| ${Math.abs(actual - expected)}, rtol ${opts.rtol ?? 1e-6}, atol ${opts.atol ?? 1e-9})`,
    );
  }
}

/** Element-wise closeness of two array-likes of equal length; reports the worst few mismatches. */
export function expectArraysClose(actual: ArrayLike<number>, expected: ArrayLike<number>, opts: CloseOptions = {}): void {
  if (actual.length !== expected.length) {
    throw new Error(`${opts.label ? opts.label + ': ' : ''}length ${actual.length} ≠ expected ${expected.length}`);
  }
  const bad: string[] = [];
  let nBad = 0;
  for (let i = 0; i < actual.length; i++) {
    if (!isClose(actual[i]!, expected[i]!, opts)) {
      nBad++;
      if (bad.length < 5) bad.push(`[${i}] ${actual[i]} vs ${expected[i]}`);
    }
  }
  if (nBad > 0) {
    throw new Error(`${opts.label ? opts.label + ': ' : ''}${nBad}/${actual.length} elements differ: ${bad.join(', ')}`);
  }
}

/** The IBSI rule: |x − ref| ≤ tol; with tol 0, equality once rounded to ref's 3 significant digits. */
export function ibsiPasses(x: number, ref: number, tol: number): boolean {
  if (!Number.isFinite(x)) return false;
  if (tol > 0) return Math.abs(x - ref) <= tol * (1 + 1e-9) + 1e-12;
  if (ref === 0) return Math.abs(x) <= 1e-9;
  const half = 0.5 * 10 ** (Math.floor(Math.log10(Math.abs(ref))) - 2);
  return Math.abs(x - ref) <= half * (1 + 1e-9);
}

/** The repository root: the nearest ancestor of `from` holding `pnpm-workspace.yaml`. */
export function findRepoRoot(from: string = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no pnpm-workspace.yaml above ${from}: cannot locate the radcam repository root`);
    dir = up;
  }
}

/**
 * Path inside the shared reference-data folder `../shared` (a sibling of the repo root).
 * Throws a clear error when the folder or file is missing, so tests fail loudly, never skip.
 */
export function sharedPath(...parts: string[]): string {
  const root = findRepoRoot();
  const shared = process.env.RADCAM_SHARED_DIR ? resolve(process.env.RADCAM_SHARED_DIR) : resolve(root, '..', 'shared');
  if (!existsSync(shared)) {
    throw new Error(
      `reference data folder not found at ${shared}: tests need ../shared next to the repository (IBSI and PyRadiomics data); set RADCAM_SHARED_DIR to override`,
    );
  }
  const p = join(shared, ...parts);
  if (!existsSync(p)) throw new Error(`reference file missing: ${p} (is ../shared complete?)`);
  return p;
}

export { parseCsv } from './csv.js';
