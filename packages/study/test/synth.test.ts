import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv } from '@radcam/core';
import { planSynthCohort, synthesizeCohort, writeSynthCohort, type SynthCohort } from '../src/index.js';

const sha = (a: ArrayBufferView) => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');

function cohortHash(c: SynthCohort): string {
  const h = createHash('sha256');
  for (const p of c.patients) {
    h.update(sha(p.image.data));
    for (const l of p.lesions) h.update(sha(l.mask.data) + (l.subregion ? sha(l.subregion.data) : '-') + l.plan.label);
  }
  return h.digest('hex');
}

const tmpDirs: string[] = [];
afterAll(async () => {
  for (const d of tmpDirs) await rm(d, { recursive: true, force: true });
});

describe('synthetic cohort: plan', () => {
  it('has 39 patients and 69 lesions by default, 1–3 per patient', () => {
    const plan = planSynthCohort();
    expect(plan.patients).toHaveLength(39);
    const counts = plan.patients.map((p) => p.lesions.length);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(69);
    for (const c of counts) expect(c === 1 || c === 2 || c === 3).toBe(true);
    const ids = plan.patients.flatMap((p) => p.lesions.map((l) => l.lesionId));
    expect(new Set(ids).size).toBe(69);
  });

  it('honours other totals exactly and rejects impossible ones', () => {
    const plan = planSynthCohort({ patients: 5, lesions: 15, size: 64 });
    expect(plan.patients.map((p) => p.lesions.length)).toEqual([3, 3, 3, 3, 3]);
    expect(() => planSynthCohort({ patients: 5, lesions: 16 })).toThrow(/between 5 and 15/);
    expect(() => planSynthCohort({ patients: 5, lesions: 4 })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
  });

  it('puts exactly round(0.45·L) subregions, in the stated octant, and keeps radii in range', () => {
    const plan = planSynthCohort();
    const ls = plan.patients.flatMap((p) => p.lesions);
    expect(ls.filter((l) => l.subregion).length).toBe(Math.round(0.45 * 69));
    for (const l of ls) {
      expect(l.radiusMm).toBeGreaterThanOrEqual(3 * 0.6 - 1e-9);
      expect(l.radiusMm).toBeLessThanOrEqual(12 + 1e-9);
      if (!l.subregion) continue;
      const d = [0, 1, 2].map((a) => l.subregion!.centre[a]! - l.centre[a]!);
      const name = (d[0]! > 0 ? 'L' : 'R') + (d[1]! > 0 ? 'P' : 'A') + (d[2]! > 0 ? 'S' : 'I');
      expect(l.subregion.octant).toBe(name);
    }
  });

  it('draws the subregion contrast and size from the documented ranges (model v2; v1 via options)', () => {
    // docs/synthetic-cohort.md: drop U(0.35, 0.5), radius max(2.5 mm, 0.65·r₀); model v1: U(0.15, 0.3), 0.55·r₀
    const check = (plan: ReturnType<typeof planSynthCohort>, lo: number, hi: number, f: number) => {
      for (const l of plan.patients.flatMap((p) => p.lesions)) {
        if (!l.subregion) continue;
        expect(l.subregion.enhancementDrop).toBeGreaterThanOrEqual(lo);
        expect(l.subregion.enhancementDrop).toBeLessThanOrEqual(hi);
        expect(l.subregion.radiusMm).toBeCloseTo(Math.max(2.5, f * l.radiusMm), 12);
      }
    };
    const v2 = planSynthCohort();
    check(v2, 0.35, 0.5, 0.65);
    const v1 = planSynthCohort({ subregionDropRange: [0.15, 0.3], subregionRadiusFraction: 0.55 });
    check(v1, 0.15, 0.3, 0.55);
    // only the ranges change: the same lesions, subregion octants and labels
    const key = (p: typeof v1) => p.patients.flatMap((q) => q.lesions.map((l) => `${l.lesionId}:${l.label}:${l.subregion?.octant ?? '-'}`)).join(',');
    expect(key(v1)).toBe(key(v2));
    expect(() => planSynthCohort({ subregionDropRange: [0.5, 0.3] })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(() => planSynthCohort({ subregionRadiusFraction: 0 })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
  });

  it('keeps the labels balanced and the label noise near 10 % (model: Φ(−22/√(16²+4²)) ≈ 9 %)', () => {
    let flips = 0;
    let total = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const ls = planSynthCohort({ seed }).patients.flatMap((p) => p.lesions);
      const responders = ls.filter((l) => l.label === 1).length / ls.length;
      // Stated range of docs/synthetic-cohort.md: 40–75 % responders for any seed.
      expect(responders).toBeGreaterThanOrEqual(0.4);
      expect(responders).toBeLessThanOrEqual(0.75);
      flips += ls.filter((l) => (l.subregion ? 0 : 1) !== l.label).length;
      total += ls.length;
      for (const l of ls) expect(l.label).toBe(l.shrinkagePct > 20 ? 1 : 0);
    }
    expect(flips / total).toBeGreaterThan(0.05);
    expect(flips / total).toBeLessThan(0.15);
  });
});

describe('synthetic cohort: volumes', () => {
  const cohort = synthesizeCohort({ size: 48 });

  it('is deterministic (same seed → same bytes; another seed → different)', () => {
    const small = { patients: 3, lesions: 6, size: 40 };
    const a = cohortHash(synthesizeCohort({ ...small, seed: 7 }));
    expect(cohortHash(synthesizeCohort({ ...small, seed: 7 }))).toBe(a);
    expect(cohortHash(synthesizeCohort({ ...small, seed: 8 }))).not.toBe(a);
  });

  it('has non-empty lesion masks inside the image, subregions inside their lesion, no overlaps', () => {
    for (const p of cohort.patients) {
      const [nx, ny, nz] = p.image.size;
      const union = new Uint8Array(p.image.data.length);
      for (const l of p.lesions) {
        expect(l.voxels).toBeGreaterThan(0);
        let sub = 0;
        for (let idx = 0; idx < l.mask.data.length; idx++) {
          if (l.subregion?.data[idx]) {
            sub++;
            expect(l.mask.data[idx]).toBe(1);
          }
          if (!l.mask.data[idx]) continue;
          expect(union[idx]).toBe(0);
          union[idx] = 1;
          const i = idx % nx;
          const j = Math.floor(idx / nx) % ny;
          const k = Math.floor(idx / (nx * ny));
          // Not on the border: a margin around the lesion fits in the image.
          expect(i > 0 && j > 0 && k > 0 && i < nx - 1 && j < ny - 1 && k < nz - 1).toBe(true);
        }
        if (l.subregion) expect(sub).toBeGreaterThan(0);
        expect(l.mask.size).toEqual(p.image.size);
      }
    }
  });

  it('lowers the intensity of the resistant subregion (mean inside < rest of lesion in ≥ 90 %)', () => {
    let lower = 0;
    let n = 0;
    for (const p of cohort.patients) {
      for (const l of p.lesions) {
        if (!l.subregion) continue;
        let a = 0, na = 0, b = 0, nb = 0;
        for (let i = 0; i < l.mask.data.length; i++) {
          if (!l.mask.data[i]) continue;
          if (l.subregion.data[i]) (a += p.image.data[i]!), na++;
          else (b += p.image.data[i]!), nb++;
        }
        n++;
        if (nb === 0 || a / na < b / nb) lower++;
      }
    }
    expect(n).toBe(31);
    expect(lower / n).toBeGreaterThanOrEqual(0.9);
  });

  it('separates the classes with a truth-free statistic, above chance but not perfectly', () => {
    // Statistic computed from image + lesion mask only: the lowest over the highest octant mean
    // (octants about the mask centroid). Non-responders (label 0) carry a darker octant in
    // expectation; eccentric necrosis, texture and label noise keep it from separating perfectly.
    const stats: { label: number; s: number }[] = [];
    for (const p of cohort.patients) {
      const [nx, ny] = p.image.size;
      for (const l of p.lesions) {
        let nv = 0;
        let cx = 0, cy = 0, cz = 0;
        for (let i = 0; i < l.mask.data.length; i++) {
          if (!l.mask.data[i]) continue;
          cx += i % nx; cy += Math.floor(i / nx) % ny; cz += Math.floor(i / (nx * ny));
          nv++;
        }
        cx /= nv; cy /= nv; cz /= nv;
        const sum = new Float64Array(8), cnt = new Float64Array(8);
        for (let i = 0; i < l.mask.data.length; i++) {
          if (!l.mask.data[i]) continue;
          const o = (i % nx > cx ? 1 : 0) + (Math.floor(i / nx) % ny > cy ? 2 : 0) + (Math.floor(i / (nx * ny)) > cz ? 4 : 0);
          sum[o] = sum[o]! + p.image.data[i]!; cnt[o] = cnt[o]! + 1;
        }
        let lo = Infinity, hi = -Infinity;
        for (let o = 0; o < 8; o++) {
          if (cnt[o]! === 0) continue;
          lo = Math.min(lo, sum[o]! / cnt[o]!);
          hi = Math.max(hi, sum[o]! / cnt[o]!);
        }
        stats.push({ label: l.plan.label, s: lo / hi });
      }
    }
    const s0 = stats.filter((x) => x.label === 0).map((x) => x.s);
    const s1 = stats.filter((x) => x.label === 1).map((x) => x.s);
    let auc = 0;
    for (const a of s0) for (const b of s1) auc += a < b ? 1 : a === b ? 0.5 : 0;
    auc /= s0.length * s1.length;
    expect(auc).toBeGreaterThan(0.6);
    expect(auc).toBeLessThan(0.95);
  });
});

describe('writeSynthCohort', () => {
  it('writes the files and manifest, byte-identical for the same seed', async () => {
    const opts = { patients: 3, lesions: 5, size: 40, seed: 11 };
    const dirs: string[] = [];
    for (let r = 0; r < 2; r++) {
      const d = await mkdtemp(join(tmpdir(), 'radcam-synth-'));
      tmpDirs.push(d);
      dirs.push(d);
      const summary = await writeSynthCohort(d, opts);
      expect(summary.patients).toBe(3);
      expect(summary.lesions).toBe(5);
      expect(summary.responders + summary.nonResponders).toBe(5);
    }
    const listing = async (d: string) => {
      const out: Record<string, string> = {};
      for (const sub of ['images', 'masks', 'subregions', '.']) {
        let names: string[] = [];
        try { names = await readdir(join(d, sub)); } catch { continue; }
        for (const f of names) if (f.includes('.')) out[`${sub}/${f}`] = createHash('sha256').update(await readFile(join(d, sub, f))).digest('hex');
      }
      return out;
    };
    const [a, b] = [await listing(dirs[0]!), await listing(dirs[1]!)];
    expect(Object.keys(a).length).toBeGreaterThan(8);
    expect(b).toEqual(a);
    const rows = parseCsv(await readFile(join(dirs[0]!, 'cohort.csv'), 'utf8'));
    expect(rows).toHaveLength(5);
    expect(Object.keys(rows[0]!)).toEqual(['patient_id', 'lesion_id', 'image', 'mask', 'label', 'subregion']);
    for (const r of rows) {
      expect(r.image).toMatch(/^images\/P\d{3}\.nii\.gz$/);
      expect(['0', '1']).toContain(r.label);
      const hdr = gunzipSync(await readFile(join(dirs[0]!, r.mask!)));
      // NIfTI-1: sizeof_hdr 348, dim = [3, 40, 40, 27], magic "n+1".
      expect(hdr.readInt32LE(0)).toBe(348);
      expect([0, 1, 2, 3].map((i) => hdr.readInt16LE(40 + 2 * i))).toEqual([3, 40, 40, 27]);
      expect(hdr.toString('latin1', 344, 347)).toBe('n+1');
    }
  });

  it('refuses a non-empty directory that holds no synthetic cohort', async () => {
    const d = await mkdtemp(join(tmpdir(), 'radcam-synth-'));
    tmpDirs.push(d);
    await (await import('node:fs/promises')).writeFile(join(d, 'precious.txt'), 'x');
    await expect(writeSynthCohort(d, { patients: 1, lesions: 1, size: 32 })).rejects.toMatchObject({ code: 'E_OUTPUT_EXISTS' });
  });
});
