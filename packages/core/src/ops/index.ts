export * from './crop.js';
export * from './resample.js';
export * from './distance.js';
export * from './components.js';
export * from './intensity.js';
export * from './ndarray.js';
