export * from './process.js';
export * from './diagnostics.js';
export * from './presets.js';
