import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend.js';

describe('selectBackend', () => {
  it('falls back to cpu when the optional tfjs-node peers are not installed and reports what it tried', async () => {
    const r = await selectBackend();
    // @tensorflow/tfjs-node(-gpu) cannot be installed in this project's environment
    expect(r.backend).toBe('cpu');
    expect(r.requested).toBe('auto');
    expect(r.tried.map((t) => t.name)).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    expect(r.tried.every((t) => !t.ok && typeof t.error === 'string')).toBe(true);
    expect(r.canTrain).toBe(true);
    expect(r.message).toMatch(/^cpu \(not available: @tensorflow\/tfjs-node-gpu, @tensorflow\/tfjs-node\)$/);
    expect(tf.getBackend()).toBe('cpu');
  });
  it('is quiet by default (tfjs PROD flag) and can leave the flag alone', async () => {
    tf.env().set('PROD', false);
    await selectBackend({ prefer: 'cpu', quiet: false });
    expect(tf.env().getBool('PROD')).toBe(false);
    await selectBackend({ prefer: 'cpu' });
    expect(tf.env().getBool('PROD')).toBe(true);
  });
});
