/** Cohort manifests: `cohort.csv` with one row per lesion. */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { RadcamError, parseCsv } from '@radcam/core';

/** One lesion of a cohort manifest (paths resolved to absolute). */
export interface CohortCase {
  patientId: string;
  lesionId: string;
  image: string;
  mask: string;
  /** 1 = responder, 0 = non-responder, null when the row has no label. */
  label: 0 | 1 | null;
  /** Ground-truth subregion mask path, or null. */
  subregion: string | null;
  /** Every column of the row as written (paths unresolved). */
  row: Record<string, string>;
}

export interface CohortManifest {
  /** Absolute path of the manifest. */
  path: string;
  /** Column names in file order. */
  columns: string[];
  cases: CohortCase[];
}

export interface ReadCohortOptions {
  /** Require a 0/1 label on every row (default false). */
  requireLabels?: boolean;
  /** Check that every referenced file exists (default false). */
  checkFiles?: boolean;
  /** Columns that must be present (default `image`, `mask`). */
  requiredColumns?: string[];
}

/** Column names of a CSV text, in order (the header row parsed as a data row of itself). */
function headerOf(text: string): string[] {
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  if (first.trim() === '') return [];
  return Object.keys(parseCsv(`${first}\n${first}\n`)[0] ?? {});
}

/**
 * Parse a manifest's text. `baseDir` resolves relative paths. Columns: `image`, `mask` (required),
 * `patient_id`, `lesion_id` (default: row number), `label` (0/1 or empty), `subregion` (optional).
 * Throws `E_COHORT` naming the line on a bad row.
 */
export function parseCohortManifest(text: string, baseDir: string, options: ReadCohortOptions = {}): Omit<CohortManifest, 'path'> {
  const columns = headerOf(text);
  const required = options.requiredColumns ?? ['image', 'mask'];
  for (const c of required) {
    if (!columns.includes(c)) {
      throw new RadcamError('E_COHORT', `cohort manifest lacks the column "${c}"`, {
        expected: `columns ${required.join(', ')}`,
        found: columns.length ? columns.join(', ') : 'no header',
      });
    }
  }
  const rows = parseCsv(text);
  const seen = new Set<string>();
  const res = (p: string) => (p === '' ? p : isAbsolute(p) ? p : resolve(baseDir, p));
  const cases = rows.map((row, i): CohortCase => {
    const line = i + 2;
    for (const c of required) {
      if ((row[c] ?? '').trim() === '') {
        throw new RadcamError('E_COHORT', `cohort manifest line ${line}: empty "${c}"`, { expected: `a value in column ${c}` });
      }
    }
    const lesionId = (row['lesion_id'] ?? '').trim() || (row['case_id'] ?? '').trim() || `case${i + 1}`;
    if (seen.has(lesionId)) {
      throw new RadcamError('E_COHORT', `cohort manifest line ${line}: duplicate lesion_id "${lesionId}"`, {
        expected: 'unique lesion ids',
      });
    }
    seen.add(lesionId);
    const rawLabel = (row['label'] ?? '').trim();
    let label: 0 | 1 | null = null;
    if (rawLabel === '0' || rawLabel === '1') label = rawLabel === '1' ? 1 : 0;
    else if (rawLabel !== '' || options.requireLabels) {
      throw new RadcamError('E_COHORT', `cohort manifest line ${line}: invalid label`, {
        expected: options.requireLabels ? '0 or 1' : '0, 1 or empty',
        found: JSON.stringify(rawLabel),
      });
    }
    const sub = (row['subregion'] ?? '').trim();
    return {
      patientId: (row['patient_id'] ?? '').trim() || lesionId,
      lesionId,
      image: res((row['image'] ?? '').trim()),
      mask: res((row['mask'] ?? '').trim()),
      label,
      subregion: sub ? res(sub) : null,
      row,
    };
  });
  return { columns, cases };
}

/** Read and validate a cohort manifest (`cohort.csv`); relative paths resolve against its folder. */
export async function readCohortManifest(path: string, options: ReadCohortOptions = {}): Promise<CohortManifest> {
  const abs = resolve(path);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RadcamError(code === 'ENOENT' ? 'E_FILE_NOT_FOUND' : 'E_IO', `cannot read cohort manifest ${path}`, {
      found: code ?? String(err),
      path: abs,
      cause: err,
    });
  }
  const parsed = parseCohortManifest(text, dirname(abs), options);
  if (options.checkFiles) {
    for (const c of parsed.cases) {
      for (const f of [c.image, c.mask, ...(c.subregion ? [c.subregion] : [])]) {
        try {
          await stat(f);
        } catch {
          throw new RadcamError('E_FILE_NOT_FOUND', `cohort case ${c.lesionId}: file not found`, { found: f, path: f });
        }
      }
    }
  }
  return { path: abs, ...parsed };
}
