import { describe, expect, it } from 'vitest';
import { runSynthCv } from '../bench/_cvlib.js';

/**
 * Test-sized run of the cross-validation that `pnpm bench cv` reports on the full cohort: a tiny
 * synthetic cohort, tiny patches and a few epochs. It checks the protocol (patient-grouped folds,
 * every lesion predicted exactly once by a model that never saw its patient, the pooled AUC and
 * its DeLong CI) — not the accuracy, which needs the benchmark-sized run.
 */
describe('patient-grouped cross-validation on the synthetic cohort (test-sized)', () => {
  it('predicts every lesion once out of fold, keeps patients within a fold and reports AUC with a CI', async () => {
    const t0 = performance.now();
    const res = await runSynthCv({
      synth: { patients: 10, lesions: 16, size: 40, seed: 3 },
      patch: { size: 8 },
      train: { model: { widths: [4, 8], strides: [1, 2], norm: 'none', dropout: 0 }, epochs: 2, patience: 2, batchSize: 8 },
      k: 5,
    });
    expect(res.lesions).toBe(16);
    expect(res.folds).toHaveLength(5);
    // patient-grouped: a patient's lesions share one fold
    const foldOf = new Map<string, number>();
    res.groups.forEach((g, i) => {
      if (foldOf.has(g)) expect(res.foldIds[i]).toBe(foldOf.get(g));
      foldOf.set(g, res.foldIds[i]!);
    });
    expect(res.folds.reduce((a, f) => a + f.lesions, 0)).toBe(16);
    for (const p of res.outOfFold) {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    }
    // pooled AUC = Mann–Whitney over all (positive, negative) pairs of the out-of-fold probabilities
    let pairs = 0;
    let wins = 0;
    res.labels.forEach((yi, i) =>
      res.labels.forEach((yj, j) => {
        if (yi !== 1 || yj !== 0) return;
        pairs++;
        const a = res.outOfFold[i]!;
        const b = res.outOfFold[j]!;
        wins += a > b ? 1 : a === b ? 0.5 : 0;
      }),
    );
    expect(res.pooled.auc).toBeCloseTo(wins / pairs, 6);
    expect(res.pooled.lower).toBeLessThanOrEqual(res.pooled.auc);
    expect(res.pooled.upper).toBeGreaterThanOrEqual(res.pooled.auc);
    expect(performance.now() - t0).toBeLessThan(30_000);
  }, 60_000);
});
