/**
 * The worker-thread pool of the voxel maps. Workers share the plan's grids and the output buffer
 * (SharedArrayBuffer) and pull batches of target voxels from a queue; each voxel is written by
 * exactly one worker and its value depends only on its kernel, so the output does not depend on
 * the number of workers or on the scheduling.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RadcamError } from '@radcam/core';
import type { VoxelPlan } from './plan.js';
import type { VoxelWorkerReply, VoxelWorkerRequest } from './worker.js';

/** How to start a voxel worker: a script file, or (sources) an eval'd bootstrap that loads it with tsx. */
export interface VoxelWorkerScript {
  /** Script URL, or bootstrap source code when `eval` is true. */
  source: URL | string;
  eval: boolean;
}

function findUp(start: string, rel: string): string | null {
  let dir = start;
  for (;;) {
    const p = join(dir, rel);
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

let cachedScript: VoxelWorkerScript | null | undefined;

/**
 * The worker script next to this module: the built `worker.js` (dist), else — when running from
 * the TypeScript sources (tests, benchmarks) — a bootstrap that imports `worker.ts` through the
 * `tsImport` API of the `tsx` package found in an enclosing `node_modules`, with the workspace
 * `tsconfig.json` (path mapping of `@radcam/*` to sources). `null` when neither exists (the
 * caller then computes in-process).
 */
export function voxelWorkerScript(): VoxelWorkerScript | null {
  if (cachedScript !== undefined) return cachedScript;
  cachedScript = null;
  let here: string;
  try {
    here = fileURLToPath(import.meta.url);
  } catch {
    return null;
  }
  const dir = dirname(here);
  for (const rel of ['worker.js', join('voxel', 'worker.js'), 'voxel-worker.js']) {
    const p = join(dir, rel);
    if (existsSync(p)) return (cachedScript = { source: pathToFileURL(p), eval: false });
  }
  const ts = join(dir, 'worker.ts');
  if (!existsSync(ts)) return null;
  const tsxPkg = findUp(dir, join('node_modules', 'tsx', 'package.json'));
  const api = tsxPkg ? join(dirname(tsxPkg), 'dist', 'esm', 'api', 'index.mjs') : null;
  if (!api || !existsSync(api)) return null;
  const workspace = findUp(dir, 'pnpm-workspace.yaml');
  const tsconfig = process.env.TSX_TSCONFIG_PATH ?? (workspace ? join(dirname(workspace), 'tsconfig.json') : undefined);
  const opts = JSON.stringify({ parentURL: pathToFileURL(here).href, ...(tsconfig && existsSync(tsconfig) ? { tsconfig } : {}) });
  const code = `import(${JSON.stringify(pathToFileURL(api).href)}).then((m) => m.tsImport(${JSON.stringify(pathToFileURL(ts).href)}, ${opts}));`;
  return (cachedScript = { source: code, eval: true });
}

export interface PoolRunOptions {
  batchSize: number;
  onBatch: (done: number) => void;
  signal?: AbortSignal;
}

/**
 * A reusable pool of voxel-map workers (start-up is paid once; useful for many cases or when the
 * workers must transpile their sources). One run at a time; runs are queued.
 */
export interface VoxelWorkerPool {
  readonly size: number;
  /** Compute every target of `plan` into the shared `out` (feature-major, row length = targets). */
  run(plan: VoxelPlan, out: Float32Array, options: PoolRunOptions): Promise<void>;
  /** Terminate the workers. */
  close(): Promise<void>;
}

/**
 * Start `size` voxel-map worker threads. Throws `E_UNSUPPORTED` when no worker script is
 * available (see {@link voxelWorkerScript}).
 */
export async function createVoxelWorkerPool(size: number): Promise<VoxelWorkerPool> {
  if (!(Number.isInteger(size) && size >= 1 && size <= 256)) {
    throw new RadcamError('E_INVALID_ARGUMENT', 'a voxel worker pool needs 1..256 workers', { found: String(size) });
  }
  const script = voxelWorkerScript();
  if (!script) throw new RadcamError('E_UNSUPPORTED', 'no voxel worker script next to the module', { expected: 'worker.js (built) or worker.ts with tsx' });
  const { Worker } = await import('node:worker_threads');
  type Handler = { message(i: number, msg: VoxelWorkerReply): void; fail(e: unknown): void };
  let current: Handler | null = null;
  let closed = false;
  const workers = Array.from({ length: size }, (_, i) => {
    const w = new Worker(script.source, { eval: script.eval });
    w.on('message', (msg: VoxelWorkerReply) => current?.message(i, msg));
    w.on('error', (err) => current?.fail(new RadcamError('E_INTERNAL', `voxel worker crashed: ${err.message}`, { cause: err })));
    w.on('exit', (code) => {
      if (!closed) current?.fail(new RadcamError('E_INTERNAL', `voxel worker exited with code ${code}`));
    });
    return w;
  });
  let queue: Promise<void> = Promise.resolve();
  const runOne = (plan: VoxelPlan, out: Float32Array, options: PoolRunOptions): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (closed) {
        reject(new RadcamError('E_INVALID_ARGUMENT', 'the voxel worker pool is closed'));
        return;
      }
      const n = plan.targets.length;
      const batch = Math.max(1, options.batchSize);
      let next = 0;
      let active = 0;
      let failed = false;
      const finish = (e?: unknown): void => {
        if (failed) return;
        if (e !== undefined) failed = true;
        current = null;
        options.signal?.removeEventListener('abort', onAbort);
        if (e !== undefined) reject(e);
        else resolve();
      };
      const onAbort = (): void => finish(new RadcamError('E_ABORTED', 'voxel-map computation was aborted'));
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const dispatch = (i: number): boolean => {
        if (failed || next >= n) return false;
        const start = next;
        const end = Math.min(n, start + batch);
        next = end;
        workers[i]!.postMessage({ type: 'run', start, end } satisfies VoxelWorkerRequest);
        return true;
      };
      const count = Math.min(size, Math.ceil(n / batch));
      if (count === 0) return finish();
      current = {
        message(i, msg) {
          if (failed) return;
          if (msg.type === 'error') return finish(new RadcamError(msg.code, `voxel worker: ${msg.message}`));
          if (msg.type === 'done') options.onBatch(msg.end - msg.start);
          if (!dispatch(i)) {
            active--;
            if (active === 0) finish();
          }
        },
        fail: (e) => finish(e),
      };
      for (let i = 0; i < count; i++) {
        active++;
        workers[i]!.postMessage({ type: 'init', plan, out } satisfies VoxelWorkerRequest);
      }
    });
  return {
    size,
    run(plan, out, options) {
      const p = queue.then(() => runOne(plan, out, options));
      queue = p.catch(() => undefined);
      return p;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** Run every target of `plan` on a fresh pool of `workers` threads (closed afterwards). */
export async function runVoxelPool(plan: VoxelPlan, out: Float32Array, workers: number, options: PoolRunOptions): Promise<void> {
  const pool = await createVoxelWorkerPool(workers);
  try {
    await pool.run(plan, out, options);
  } finally {
    await pool.close();
  }
}
