/**
 * Worker-thread entry of the voxel-map pool: `init` with a {@link VoxelPlan} and the shared output
 * buffer, then `run` messages with target ranges; replies `done` (or `error`).
 */
import { parentPort } from 'node:worker_threads';
import { VoxelKernelComputer } from './kernel.js';
import type { VoxelPlan } from './plan.js';

export type VoxelWorkerRequest =
  | { type: 'init'; plan: VoxelPlan; out: Float32Array }
  | { type: 'run'; start: number; end: number };

export type VoxelWorkerReply =
  | { type: 'ready' }
  | { type: 'done'; start: number; end: number }
  | { type: 'error'; code: string; message: string };

let computer: VoxelKernelComputer | undefined;
let out: Float32Array | undefined;

parentPort?.on('message', (msg: VoxelWorkerRequest) => {
  try {
    if (msg.type === 'init') {
      computer = new VoxelKernelComputer(msg.plan);
      out = msg.out;
      parentPort!.postMessage({ type: 'ready' } satisfies VoxelWorkerReply);
      return;
    }
    if (!computer || !out) throw new Error('voxel worker used before init');
    computer.computeRange(msg.start, msg.end, out, computer.plan.targets.length);
    parentPort!.postMessage({ type: 'done', start: msg.start, end: msg.end } satisfies VoxelWorkerReply);
  } catch (e) {
    const err = e as { code?: unknown; message?: unknown };
    parentPort!.postMessage({
      type: 'error',
      code: typeof err?.code === 'string' ? err.code : 'E_INTERNAL',
      message: typeof err?.message === 'string' ? err.message : String(e),
    } satisfies VoxelWorkerReply);
  }
});
