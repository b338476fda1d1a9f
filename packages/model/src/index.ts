/**
 * @radcam/model — the integrated convolutional autoencoder–classifier on tfjs-core (2D and 3D),
 * its input pipeline, training, cross-validation, save/load and backend selection.
 */
export const PACKAGE_NAME = '@radcam/model';
export * from './gradients.js';
export * from './backend.js';
export * from './fused.js';
export * from './conv.js';
export { wasmConvAvailable } from './kernels/wasm.js';
export * from './model.js';
export * from './patch.js';
export * from './train.js';
export * from './io.js';
export * from './presets.js';
