/**
 * Checkpoints of a study: one JSON file per finished heavy step under `DIR/.checkpoints/`
 * (written atomically, so a killed run leaves either the whole file or none). Keys carry a
 * fingerprint of everything the step depends on, so changed settings recompute only what they
 * affect. Non-finite numbers and typed arrays survive the round trip.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteFile } from '../io.js';

const NUM = '$num';

function replacer(_k: string, v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return { [NUM]: String(v) };
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>, (x) => (Number.isFinite(x) ? x : { [NUM]: String(x) }));
  return v;
}

function reviver(_k: string, v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === NUM) return Number(o[NUM]);
  }
  return v;
}

/** JSON text that keeps NaN / ±Infinity (as `{"$num":"NaN"}`). */
export function encodeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, replacer, indent);
}

export function decodeJson<T>(text: string): T {
  return JSON.parse(text, reviver) as T;
}

export class CheckpointStore {
  /** Steps served from a checkpoint / computed, by step kind (for reports and tests). */
  readonly hits = new Map<string, number>();
  readonly misses = new Map<string, number>();

  constructor(readonly root: string) {}

  path(key: string): string {
    return join(this.root, key);
  }

  async read<T>(key: string): Promise<T | null> {
    try {
      const v = decodeJson<T>(await readFile(this.path(key), 'utf8'));
      return v;
    } catch {
      return null;
    }
  }

  async write(key: string, value: unknown): Promise<void> {
    await atomicWriteFile(this.path(key), encodeJson(value));
  }

  async remove(key: string): Promise<void> {
    await rm(this.path(key), { recursive: true, force: true });
  }

  count(kind: string, hit: boolean): void {
    const m = hit ? this.hits : this.misses;
    m.set(kind, (m.get(kind) ?? 0) + 1);
  }
}
