/** Shared parts of `radcam features` and `radcam gradient`: case lists, output shapes, batch. */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { RadcamError, parseCsv, toCsv } from '@radcam/core';
import { atomicWriteFile } from '@radcam/study';
import { type CommandContext, intOpt, stringOpt, usageError } from '../cli.js';
import { runBatch } from '../batch.js';
import { assertNotInput } from '../output.js';
import type { CaseResult, CaseTask } from '../tasks.js';
import { availableParallelism } from 'node:os';

export interface CaseRow {
  /** Every column of the row as written. */
  row: Record<string, string>;
  image: string;
  mask: string;
}

/** Read `cases.csv` (`image`, `mask` columns, paths relative to the file). */
export async function readCases(path: string): Promise<{ columns: string[]; cases: CaseRow[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RadcamError(code === 'ENOENT' ? 'E_FILE_NOT_FOUND' : 'E_IO', `cannot read case list ${path}`, { found: code, path });
  }
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  const columns = first.trim() ? Object.keys(parseCsv(`${first}\n${first}\n`)[0] ?? {}) : [];
  for (const c of ['image', 'mask']) {
    if (!columns.includes(c)) {
      throw new RadcamError('E_COHORT', `case list lacks the column "${c}"`, { expected: 'columns image and mask', found: columns.join(', ') || 'no header', path });
    }
  }
  const base = dirname(path);
  const cases = parseCsv(text).map((row, i) => {
    const image = (row.image ?? '').trim();
    const mask = (row.mask ?? '').trim();
    if (!image || !mask) throw new RadcamError('E_COHORT', `case list line ${i + 2}: empty image or mask`, { path });
    return { row, image: isAbsolute(image) ? image : resolve(base, image), mask: isAbsolute(mask) ? mask : resolve(base, mask) };
  });
  if (cases.length === 0) throw new RadcamError('E_COHORT', 'case list has no rows', { path });
  return { columns, cases };
}

export function jobsOpt(ctx: CommandContext): number {
  return intOpt(ctx.values, 'jobs', Math.max(1, Math.min(4, availableParallelism())), { min: 1, max: 64 });
}

/** Write text to --out (atomically, never over an input) or stdout. */
export async function emit(ctx: CommandContext, text: string, inputs: string[]): Promise<void> {
  const out = stringOpt(ctx.values, 'out');
  if (out === undefined) {
    ctx.io.stdout.write(text);
    return;
  }
  const p = ctx.path(out);
  assertNotInput(p, inputs);
  await atomicWriteFile(p, text);
}

/** Feature columns: union over results, first-seen order. */
export function featureColumns(results: (CaseResult | null)[]): string[] {
  const seen = new Set<string>();
  for (const r of results) if (r) for (const k of Object.keys(r.features)) seen.add(k);
  return [...seen];
}

export function singleCaseOutput(format: 'json' | 'csv', image: string, mask: string, res: CaseResult): string {
  if (format === 'json') return JSON.stringify({ features: res.features, diagnostics: res.diagnostics }, null, 2) + '\n';
  const cols = ['image', 'mask', ...Object.keys(res.features)];
  return toCsv(cols, [{ image, mask, ...res.features }]);
}

export interface BatchSummary {
  cases: number;
  failed: number;
  features: number;
  seconds: number;
  mode: string;
}

/**
 * Run a batch over `cases.csv`; one output row per case (input columns copied, then features, then
 * `error`, empty on success). Failing cases do not stop the batch.
 */
export async function runCaseList(
  ctx: CommandContext,
  casesPath: string,
  makeTask: (c: CaseRow) => CaseTask,
  label: string,
): Promise<{ csv: string; summary: BatchSummary; inputs: string[] }> {
  const { columns, cases } = await readCases(casesPath);
  const tasks = cases.map(makeTask);
  const bar = ctx.progress(label, tasks.length);
  const t0 = performance.now();
  const { outcomes, mode } = await runBatch(tasks, { jobs: jobsOpt(ctx), onDone: () => bar.tick() });
  bar.finish();
  const results = outcomes.map((o) => ('ok' in o ? o.ok : null));
  const feats = featureColumns(results);
  const cols = [...columns.filter((c) => c !== 'error'), ...feats.filter((f) => !columns.includes(f)), 'error'];
  const rows = cases.map((c, i) => {
    const o = outcomes[i]!;
    return 'ok' in o ? { ...c.row, ...o.ok.features, error: '' } : { ...c.row, error: `${o.error.code}: ${o.error.message.replace(/\s+/g, ' ')}` };
  });
  const failed = outcomes.filter((o) => 'error' in o).length;
  return {
    csv: toCsv(cols, rows),
    summary: { cases: cases.length, failed, features: feats.length, seconds: (performance.now() - t0) / 1000, mode },
    inputs: [casesPath, ...cases.flatMap((c) => [c.image, c.mask])],
  };
}

/** `--cases` and positionals are exclusive; returns which mode applies. */
export function batchMode(ctx: CommandContext, name: string): string | null {
  const cases = stringOpt(ctx.values, 'cases');
  if (cases !== undefined) {
    if (ctx.positionals.length) throw usageError(`radcam ${name} takes either IMAGE MASK or --cases FILE, not both`);
    return ctx.path(cases);
  }
  if (ctx.positionals.length !== 2) {
    throw usageError(`radcam ${name} needs IMAGE MASK (or --cases FILE)`, { found: `${ctx.positionals.length} arguments` });
  }
  if (ctx.values.jobs !== undefined) throw usageError('--jobs applies to --cases batches only');
  return null;
}
