import type * as tf from '@tensorflow/tfjs-core';
import type { RegistryItem, Vec3 } from '@radcam/core';
import type { CamTarget } from '@radcam/model';

/**
 * What a CAM method needs from a model: the structural interface declared by `@radcam/model`
 * (its classifier satisfies it; tests or third parties can write their own with plain tfjs ops).
 * `forwardFrom` may return logits of shape [N], [N, 1] or [N, classes].
 */
export type { CamTarget };

/**
 * A map on a regular grid, x fastest (the memory order of a channels-last tensor [(d,) h, w]:
 * x ↔ w, y ↔ h, z ↔ d; 2D maps have size[2] = 1). `data` may be a view into a larger buffer.
 */
export interface MapGrid {
  data: Float32Array;
  size: Vec3;
}

/** Activation of the target layer, channels-last, as a flat typed array. */
export interface ActivationBlock {
  /** [N, (d,) h, w, K] row-major (K fastest). */
  data: Float32Array;
  /** N. */
  batch: number;
  /** Spatial tensor shape ([d, h, w] or [h, w]). */
  spatial: number[];
  /** Voxels per sample map (product of `spatial`). */
  voxels: number;
  /** K. */
  channels: number;
}

/** Everything a CAM method may use. Gradients and logits are computed lazily, once. */
export interface CamContext {
  readonly target: CamTarget;
  /** The model input [N, (D,) H, W, C] (owned by the caller; never disposed by a method). */
  readonly input: tf.Tensor;
  readonly layer: string;
  readonly classIndex: number;
  /** Samples per forward pass for forward-only methods (Score-CAM). */
  readonly batchSize: number;
  /** Activation A of `layer`. */
  readonly activation: ActivationBlock;
  /** g = ∂y/∂A (same layout as the activation), y = the class score of each sample. */
  gradient(): Float32Array;
  /** The class score y per sample (logit for class 1 / −logit for class 0 with a single-logit head). */
  scores(): Float32Array;
}

/** A CAM method: registry item with a namespaced id (`radcam/layercam`, `acme/mycam`). */
export interface CamMethod extends RegistryItem {
  readonly id: string;
  /** Human-readable name. */
  readonly label: string;
  /** True when the method back-propagates (false for CAM and Score-CAM). */
  readonly usesGradients: boolean;
  /** Raw (un-normalised) maps, [N × voxels], sample-major, x fastest within a sample. */
  compute(ctx: CamContext): Float32Array;
}
