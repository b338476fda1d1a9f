/**
 * Settings tuned for small lesion cohorts (~69 lesions, like the study's): the configuration of
 * `pnpm bench cv` (docs/model.md, "Cross-validation on the synthetic cohort", configuration G),
 * shared by the study's CNN arm, `radcam demo` and the benchmark.
 */
import type { ModelConfig } from './model.js';
import type { AugmentOptions, PatchOptions } from './patch.js';

/**
 * Input pipeline: 16³ scale-normalised patches (FOV = lesion extent + 2·(2 mm + 15 %)),
 * intensities relative to the enhancing rim, and a mask channel whose lesion voxels carry the
 * lesion's size (`sizeEncoding: 'log-diameter'`: the scale normalisation would hide it).
 */
export function smallCohortPatchOptions(): PatchOptions {
  return { dims: 3, size: 16, marginMm: 2, marginFraction: 0.15, normalize: 'rim', maskChannel: true, sizeEncoding: 'log-diameter' };
}

/** Architecture and training of the small-cohort configuration. */
export interface SmallCohortTraining {
  /** widths 8/16/32, strides 1/2/2, no normalisation, dropout 0.2 (35 k parameters with 2 input channels). */
  model: Partial<ModelConfig>;
  /** 150: no early stopping, the last epoch is kept. */
  epochs: number;
  /** 0: every training lesion is used (an 11-lesion validation split picks the stopping epoch by noise). */
  validationFraction: number;
  /** Reconstruction weight 0.1. */
  lambda: number;
  /** Adam 3e-3. */
  learningRate: number;
  /** Flips, axial rot90 and axis permutations (the 48 cube symmetries), ±10 % intensity. */
  augment: AugmentOptions;
}

export function smallCohortTraining(): SmallCohortTraining {
  return {
    model: { widths: [8, 16, 32], strides: [1, 2, 2], norm: 'none', dropout: 0.2 },
    epochs: 150,
    validationFraction: 0,
    lambda: 0.1,
    learningRate: 3e-3,
    augment: { permuteAxes: true },
  };
}
