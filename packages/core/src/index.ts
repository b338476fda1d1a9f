export * from './errors.js';
export * from './registry.js';
export * from './rng.js';
export * from './volume.js';
export * from './extractor.js';
export * from './csv.js';
export * from './ops/index.js';
