import { describe, expect, it } from 'vitest';
import { Registry, globalRegistry } from './registry.js';
import { RadcamError } from './errors.js';

describe('Registry', () => {
  it('registers, rejects duplicates, overrides and disposes', () => {
    const r = new Registry<{ id: string; v: number }>('thing');
    const dispose = r.register({ id: 'acme/a', v: 1 });
    expect(r.get('acme/a').v).toBe(1);
    expect(() => r.register({ id: 'acme/a', v: 2 })).toThrowError(RadcamError);
    try {
      r.register({ id: 'acme/a', v: 2 });
    } catch (e) {
      expect((e as RadcamError).code).toBe('E_REGISTRY_DUPLICATE');
    }
    const undo = r.register({ id: 'acme/a', v: 3 }, { override: true });
    expect(r.get('acme/a').v).toBe(3);
    undo();
    expect(r.get('acme/a').v).toBe(1);
    dispose();
    expect(r.has('acme/a')).toBe(false);
    expect(() => r.get('acme/a')).toThrowError(/unknown thing/);
  });
  it('requires namespaced ids', () => {
    const r = new Registry<{ id: string }>('thing');
    expect(() => r.register({ id: 'plain' })).toThrowError(/namespaced/);
  });
  it('global registries are shared through Symbol.for', () => {
    const a = globalRegistry<{ id: string }>('test-shared', 'x');
    const b = globalRegistry<{ id: string }>('test-shared', 'x');
    expect(a).toBe(b);
    expect((globalThis as any)[Symbol.for('radcam.registry.test-shared')]).toBe(a);
  });
});
