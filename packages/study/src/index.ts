/**
 * @radcam/study — cohort manifests, the synthetic cohort, and the three-arm study (`runStudy`:
 * radiomics vs gradient features vs the CNN with CAM-derived arms, on identical patient-grouped
 * folds, checkpointed, with a self-contained HTML report). See docs/study.md.
 */
export const PACKAGE_NAME = '@radcam/study';
export * from './synth.js';
export * from './manifest.js';
export { writeSynthCohort, SYNTH_MODEL_VERSION, COHORT_COLUMNS, TRUTH_COLUMNS } from './write.js';
export type { WriteSynthCohortOptions, SynthCohortSummary } from './write.js';
export { atomicWriteFile, writeVolumeFile } from './io.js';
export { runStudy, packageVersions } from './study/run.js';
export type { RunStudyOptions, RunStudyHooks, RunStudyResult } from './study/run.js';
export {
  resolveStudySettings,
  loadStudyParams,
  mergeSettings,
  fingerprint,
  stableStringify,
  STUDY_ARMS,
  DEFAULT_PIPELINE,
  DEFAULT_CAM_METHODS,
} from './study/settings.js';
export type {
  StudySettings,
  ResolvedStudySettings,
  StudyArmName,
  ClassifierSettings,
  CnnSettings,
  CamSettings,
  MetricSettings,
} from './study/settings.js';
export type * from './study/types.js';
export { CheckpointStore, encodeJson, decodeJson } from './study/checkpoint.js';
export { featureTable, type FeatureTable } from './study/features.js';
export { methodSlug } from './study/cnn.js';
export { renderReport, rocSvg, armLabel, escapeHtml, type LesionPanel } from './study/report.js';
export { encodePng, crc32 } from './study/png.js';
