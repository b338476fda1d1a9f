/** Batch runner: cases on worker threads (or in-process), results in input order. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runCaseSafely, type CaseOutcome, type CaseTask } from './tasks.js';

export interface BatchOptions {
  /** Worker threads (1 = run in this thread). */
  jobs: number;
  onDone?: (done: number, total: number) => void;
}

export interface BatchRun {
  outcomes: CaseOutcome[];
  /** How the cases ran: `"threads"` or `"in-process"` (no built worker next to this module). */
  mode: 'threads' | 'in-process';
}

/** The built worker script, when it exists (it does in `dist/`, not when running from sources). */
export function workerScript(): string | null {
  const url = new URL('./worker.js', import.meta.url);
  if (url.protocol !== 'file:') return null;
  const p = fileURLToPath(url);
  return existsSync(p) ? p : null;
}

export async function runBatch(tasks: CaseTask[], options: BatchOptions): Promise<BatchRun> {
  const outcomes: CaseOutcome[] = new Array(tasks.length);
  let done = 0;
  const script = workerScript();
  const jobs = Math.max(1, Math.min(options.jobs, tasks.length));
  if (jobs <= 1 || script === null) {
    for (let i = 0; i < tasks.length; i++) {
      outcomes[i] = await runCaseSafely(tasks[i]!);
      options.onDone?.(++done, tasks.length);
    }
    return { outcomes, mode: 'in-process' };
  }
  let next = 0;
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: jobs }, () =>
        new Promise<void>((resolveWorker, rejectWorker) => {
          const w = new Worker(script);
          workers.push(w);
          let current = -1;
          const feed = () => {
            if (next >= tasks.length) {
              resolveWorker();
              return;
            }
            current = next++;
            w.postMessage({ id: current, task: tasks[current] });
          };
          w.on('message', (msg: { id: number; outcome: CaseOutcome }) => {
            outcomes[msg.id] = msg.outcome;
            options.onDone?.(++done, tasks.length);
            feed();
          });
          w.on('error', (err) => {
            // A crashed worker: report its case, stop this worker, let the others continue.
            if (current >= 0 && outcomes[current] === undefined) {
              outcomes[current] = { error: { code: 'E_INTERNAL', message: `worker crashed: ${err.message}` } };
              options.onDone?.(++done, tasks.length);
            }
            rejectWorker(err);
          });
          feed();
        }),
      ).map((p) => p.catch(() => undefined)),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  // Cases left unassigned after worker crashes run in-process.
  for (let i = 0; i < tasks.length; i++) {
    if (outcomes[i] === undefined) {
      outcomes[i] = await runCaseSafely(tasks[i]!);
      options.onDone?.(++done, tasks.length);
    }
  }
  return { outcomes, mode: 'threads' };
}
