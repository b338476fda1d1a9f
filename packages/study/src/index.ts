/**
 * @radcam/study — cohort manifests and the synthetic cohort (the three-arm study and its HTML
 * report will live here too).
 */
export const PACKAGE_NAME = '@radcam/study';
export * from './synth.js';
export * from './manifest.js';
export { writeSynthCohort, SYNTH_MODEL_VERSION, COHORT_COLUMNS, TRUTH_COLUMNS } from './write.js';
export type { WriteSynthCohortOptions, SynthCohortSummary } from './write.js';
export { atomicWriteFile, writeVolumeFile } from './io.js';
