// Acceptance (issue 8): killing `radcam study` mid-run and re-running finishes with the same
// results as an uninterrupted run. The BUILT executable is spawned as a real process and killed
// with SIGKILL (no chance to clean up) twice: once after its first checkpoint file appears
// (feature extraction) and once after the first CNN fold checkpoint appears (training); a third run
// with the same --out finishes. Its results.json (minus timing fields) and predictions.csv must
// equal those of an uninterrupted run in another directory. Needs `dist/` (the root `test` script
// builds first; locally: pnpm exec turbo run build --filter=@radcam/cli...).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.js');

let dir: string;
let cleanup: () => Promise<void>;

const studyArgs = (out: string) => [
  'study', '--cohort', 'cohort/cohort.csv', '--out', out, '--folds', '2', '--repeats', '2', '--seed', '11', '--params', 'study.yaml',
];

function runToEnd(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file under `root` (relative paths), or [] while it does not exist. */
function listFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return; // a directory renamed or removed under us
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  walk(root);
  return out;
}

/**
 * Start the study, poll its checkpoint folder until `ready(files)` holds, then SIGKILL it.
 * Resolves with the checkpoint files seen at the kill; rejects if the process ends by itself.
 */
function runAndKill(out: string, ready: (files: string[]) => boolean): Promise<{ seen: string[]; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...studyArgs(out)], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    let exited = false;
    let seen: string[] = [];
    const started = Date.now();
    const timer = setInterval(() => {
      if (exited) return;
      seen = listFiles(join(dir, out, '.checkpoints'));
      if (ready(seen)) {
        clearInterval(timer);
        child.kill('SIGKILL');
      } else if (Date.now() - started > 45_000) {
        clearInterval(timer);
        child.kill('SIGKILL');
        reject(new Error(`no suitable checkpoint after 45 s; saw ${JSON.stringify(seen)}; stderr: ${stderr}`));
      }
    }, 5);
    child.on('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      exited = true;
      clearInterval(timer);
      if (signal === 'SIGKILL') resolve({ seen, signal });
      else reject(new Error(`study exited by itself (code ${code}) before it was killed: ${stderr}`));
    });
  });
}

/** results.json without its timing fields (`timings`, `cnn.folds[].seconds`, per the schema). */
function comparableResults(out: string): unknown {
  const r = JSON.parse(readFileSync(join(dir, out, 'results.json'), 'utf8')) as Record<string, unknown> & {
    cnn: { folds: Record<string, unknown>[] } | null;
  };
  delete r.timings;
  if (r.cnn) for (const f of r.cnn.folds) delete f.seconds;
  return r;
}

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build first (pnpm exec turbo run build --filter=@radcam/cli...)`);
  ({ dir, cleanup } = await tempDir('radcam-cli-study-kill-'));
  const s = runToEnd(['synth', '--out', 'cohort', '--patients', '8', '--lesions', '12', '--size', '40', '--seed', '4']);
  if (s.status !== 0) throw new Error(`radcam synth failed: ${s.stderr}`);
  writeFileSync(
    join(dir, 'study.yaml'),
    [
      'metrics: { replicates: 50 }',
      'cnn:',
      '  patch: { dims: 3, size: 8, marginMm: 4 }',
      '  model: { widths: [4, 8], strides: [1, 2] }',
      '  epochs: 2',
      'cam: { methods: [layercam, gradcam] }',
      '',
    ].join('\n'),
  );
}, 60_000);

afterAll(async () => cleanup?.());

describe('radcam study killed mid-run (SIGKILL)', () => {
  it('re-run with the same --out finishes with the same results as an uninterrupted run', async () => {
    // 1st run: killed as soon as any checkpoint has been written (during feature extraction)
    const k1 = await runAndKill('killed', (files) => files.some((f) => f.endsWith('.json') && !f.endsWith('.tmp')));
    expect(k1.signal).toBe('SIGKILL');
    expect(existsSync(join(dir, 'killed', 'results.json'))).toBe(false); // really killed mid-run

    // 2nd run: resumes, and is killed once the first CNN fold has been trained and checkpointed
    const k2 = await runAndKill('killed', (files) => files.some((f) => /^cnn-[^/]+\/f\d+\/result\.json$/.test(f)));
    expect(k2.signal).toBe('SIGKILL');
    expect(existsSync(join(dir, 'killed', 'results.json'))).toBe(false);
    expect(k2.seen.length).toBeGreaterThan(k1.seen.length);

    // 3rd run: finishes, serving the finished steps from checkpoints and computing the rest
    const resumed = runToEnd(studyArgs('killed'));
    expect(resumed.status, resumed.stderr).toBe(0);
    const m = /resumed: (\d+) step\(s\) from checkpoints, (\d+) computed/.exec(resumed.stdout);
    expect(m, resumed.stdout).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(Number(m![2])).toBeGreaterThan(0); // the kill did interrupt unfinished work

    // the same study, uninterrupted, in another directory
    const clean = runToEnd(studyArgs('clean'));
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.stdout).not.toMatch(/resumed:/);

    expect(comparableResults('killed')).toEqual(comparableResults('clean'));
    expect(readFileSync(join(dir, 'killed', 'predictions.csv'), 'utf8')).toBe(readFileSync(join(dir, 'clean', 'predictions.csv'), 'utf8'));
    for (const f of ['features/radiomics.csv', 'features/gradient.csv', 'features/cam_layercam.csv']) {
      expect(readFileSync(join(dir, 'killed', f), 'utf8'), f).toBe(readFileSync(join(dir, 'clean', f), 'utf8'));
    }
  }, 120_000);
});
