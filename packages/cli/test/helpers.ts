import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/index.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `radcam` in-process with captured streams. */
export async function run(argv: string[], cwd: string, opts: { tty?: boolean } = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    cwd,
    stdout: { write: (s: string) => ((stdout += s), true) },
    stderr: { write: (s: string) => ((stderr += s), true), isTTY: opts.tty ?? false, columns: 100 },
  });
  return { code, stdout, stderr };
}

export async function tempDir(prefix = 'radcam-cli-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The one-line error contract: a single line `radcam: E_CODE: …` and no stack trace. */
export function expectOneLineError(stderr: string, code: string): void {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  const errLines = lines.filter((l) => l.startsWith('radcam: '));
  if (errLines.length !== 1) throw new Error(`expected exactly one error line, got:\n${stderr}`);
  if (!errLines[0]!.startsWith(`radcam: ${code}: `)) throw new Error(`expected code ${code}, got: ${errLines[0]}`);
  if (/\n\s+at /.test(stderr)) throw new Error(`stack trace printed without --debug:\n${stderr}`);
}
