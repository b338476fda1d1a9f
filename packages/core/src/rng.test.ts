import { describe, expect, it } from 'vitest';
import { createRng } from './rng.js';

describe('createRng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = createRng(42), b = createRng(42), c = createRng(43);
    const xa = Array.from({ length: 5 }, () => a.next());
    const xb = Array.from({ length: 5 }, () => b.next());
    const xc = Array.from({ length: 5 }, () => c.next());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
  });
  it('has uniform mean 1/2 and variance 1/12, normal mean 0 variance 1', () => {
    const r = createRng(7);
    const n = 200_000;
    let s = 0, s2 = 0, g = 0, g2 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      if (!(u >= 0 && u < 1)) throw new Error(`out of range: ${u}`);
      s += u; s2 += u * u;
      const z = r.normal();
      g += z; g2 += z * z;
    }
    expect(s / n).toBeCloseTo(0.5, 2);
    expect(s2 / n - (s / n) ** 2).toBeCloseTo(1 / 12, 2);
    expect(g / n).toBeCloseTo(0, 1);
    expect(g2 / n).toBeCloseTo(1, 1);
  });
  it('restores from state', () => {
    const a = createRng(5);
    a.next();
    const b = createRng(a.state());
    expect(b.next()).toBe(a.next());
  });
});
