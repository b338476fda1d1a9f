/**
 * @radcam/learn — tabular classifiers, fold-local preprocessing, patient-grouped stratified
 * repeated (nested) cross-validation, and metrics with confidence intervals.
 */
export const PACKAGE_NAME = '@radcam/learn';
export * from './matrix.js';
export * from './stats.js';
export * from './metrics.js';
export * from './logreg.js';
export * from './svm.js';
export * from './forest.js';
export * from './preprocess.js';
export * from './classifier.js';
export * from './cv.js';
