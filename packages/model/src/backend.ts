/**
 * Backend selection. `cpu` (tfjs-backend-cpu, always present) is the fallback; the optional peers
 * `@tensorflow/tfjs-node-gpu` / `@tensorflow/tfjs-node` and `@tensorflow/tfjs-backend-wasm` are
 * loaded with a dynamic import at run time when asked for, never required.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { RadcamError } from '@radcam/core';
import { registerGradients } from './gradients.js';

/** Which backend to prefer. 'tensorflow' = tfjs-node-gpu, then tfjs-node. */
export type BackendPreference = 'cpu' | 'tensorflow' | 'wasm';

export interface SelectBackendOptions {
  /** Default: 'tensorflow' when one of the tfjs-node packages is installed, else 'cpu'. */
  prefer?: BackendPreference;
  /**
   * Silence TensorFlow.js' console banner and warnings by setting its `PROD` flag (default true);
   * the backend choice is reported in the result's `message` instead.
   */
  quiet?: boolean;
}

export interface SelectBackendResult {
  /** The active backend name after selection (`tf.getBackend()`). */
  backend: string;
  /** What was asked for. */
  requested: BackendPreference | 'auto';
  /** Packages tried, in order, and whether they loaded. */
  tried: { name: string; ok: boolean; error?: string }[];
  /** True when training is allowed on this backend (false on wasm: wrong Conv3D backprop). */
  canTrain: boolean;
  /** Human-readable summary, e.g. "cpu (tfjs-node not installed)". */
  message: string;
}

async function tryImport(name: string): Promise<{ ok: boolean; error?: string }> {
  try {
    // A variable specifier keeps bundlers and tsc from resolving the optional peer.
    const spec = name;
    await import(spec);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
  }
}

/** Make sure some backend is active (cpu unless another one was selected). Synchronous. */
export function ensureBackend(): string {
  // Referencing the class keeps the cpu backend's registration import in bundles.
  void MathBackendCPU;
  return tf.getBackend();
}

/**
 * Choose and activate a backend, reporting the choice. Falls back to `cpu` when the preferred
 * package is not installed (the report says why).
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<SelectBackendResult> {
  registerGradients();
  if (options.quiet ?? true) tf.env().set('PROD', true);
  const requested = options.prefer ?? 'auto';
  const tried: SelectBackendResult['tried'] = [];
  let chosen = 'cpu';
  if (requested === 'tensorflow' || requested === 'auto') {
    for (const name of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      const r = await tryImport(name);
      tried.push({ name, ...r });
      if (r.ok && tf.findBackend('tensorflow')) {
        chosen = 'tensorflow';
        break;
      }
    }
  } else if (requested === 'wasm') {
    const r = await tryImport('@tensorflow/tfjs-backend-wasm');
    tried.push({ name: '@tensorflow/tfjs-backend-wasm', ...r });
    if (r.ok && tf.findBackendFactory('wasm')) chosen = 'wasm';
  }
  ensureBackend();
  const ok = await tf.setBackend(chosen);
  if (!ok) {
    tried.push({ name: chosen, ok: false, error: 'backend failed to initialise' });
    chosen = 'cpu';
    await tf.setBackend('cpu');
  }
  registerGradients();
  const backend = tf.getBackend();
  const failed = tried.filter((t) => !t.ok).map((t) => t.name);
  const message = failed.length > 0 ? `${backend} (not available: ${failed.join(', ')})` : backend;
  return { backend, requested, tried, canTrain: backend !== 'wasm', message };
}

/** Throws `E_BACKEND` when the active backend cannot train this model (wasm). */
export function assertCanTrain(): void {
  const b = ensureBackend();
  if (b === 'wasm') {
    throw new RadcamError('E_BACKEND', 'refusing to train on the wasm backend: its Conv3D backprop kernels return wrong values', {
      expected: "'cpu' or 'tensorflow'",
      found: 'wasm',
    });
  }
}
