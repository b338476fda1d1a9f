/** Result and progress types of `runStudy` (the shape of `results.json`). */
import type { DeLongTestResult, RocPoint } from '@radcam/learn';
import type { ResolvedStudySettings } from './settings.js';

/** A progress event. `cached: true` = served from a checkpoint (no recomputation). */
export interface StudyProgress {
  step: 'load' | 'features' | 'train' | 'cam' | 'evaluate' | 'write' | 'report';
  arm?: string;
  done: number;
  total: number;
  cached: boolean;
  item?: string;
}

export interface MetricCi {
  value: number;
  lower: number;
  upper: number;
}

export interface ArmMetrics {
  auc: MetricCi & { deLongLower: number; deLongUpper: number; deLongSe: number };
  accuracy: MetricCi;
  sensitivity: MetricCi;
  specificity: MetricCi;
  f1: MetricCi;
  balancedAccuracy: MetricCi;
  brier: MetricCi;
}

export interface TopFeature {
  name: string;
  /** Share of the fitted folds whose pipeline kept the feature. */
  selected: number;
  /** Mean |importance| (classifier-specific: |β| of a linear model, impurity decrease of a forest) over folds that kept it. */
  importance: number;
}

export interface StudyArmResult {
  /** `radiomics`, `gradient`, `cnn` or `cam:<method>`. */
  name: string;
  kind: 'radiomics' | 'gradient' | 'cnn' | 'cam';
  camMethod?: string;
  /** Features offered to the fold-local pipeline (tabular arms). */
  features?: number;
  /** Features dropped because a lesion had a non-finite value. */
  featuresDropped?: string[];
  classifier?: string;
  /** Repeats whose out-of-fold predictions are averaged. */
  repeats: number;
  metrics: ArmMetrics;
  threshold: number;
  /** AUC of each repeat's out-of-fold predictions. */
  repeatAuc: number[];
  /** Mean out-of-fold P(responder) per lesion (cohort order). */
  oof: number[];
  roc: RocPoint[];
  topFeatures: TopFeature[];
}

export interface DeLongComparison extends DeLongTestResult {
  a: string;
  b: string;
}

export interface LocalisationSummary {
  method: string;
  lesions: number;
  pointingGame: MetricCi;
  dice: MetricCi;
  iou: MetricCi;
  auc: MetricCi;
  energyShare: MetricCi;
  lift: MetricCi;
}

export interface LocalisationPairwise {
  a: string;
  b: string;
  metric: 'dice' | 'auc' | 'pointingGame' | 'energyShare';
  /** Mean of (a − b) over lesions, with a patient-bootstrap CI. */
  difference: MetricCi;
}

export interface LesionLocalisation {
  lesionId: string;
  method: string;
  pointingHit: boolean;
  dice: number;
  iou: number;
  auc: number;
  energyShare: number;
  volumeShare: number;
  lift: number;
}

export interface StudyResults {
  format: 'radcam-study-results';
  formatVersion: 1;
  generatedBy: string;
  versions: Record<string, string>;
  runtime: { node: string; platform: string; backend: string | null };
  cohort: {
    manifest: string;
    patients: number;
    lesions: number;
    responders: number;
    nonResponders: number;
    withTruthSubregion: number;
  };
  settings: ResolvedStudySettings;
  seeds: { base: number; folds: number[]; cnn: number[][] };
  /** Fold id per lesion (cohort order), one list per repeat — identical for every arm. */
  folds: number[][];
  lesions: { patientId: string; lesionId: string; label: 0 | 1 }[];
  arms: StudyArmResult[];
  comparisons: DeLongComparison[];
  localisation: {
    available: boolean;
    classIndex: number;
    methods: LocalisationSummary[];
    pairwise: LocalisationPairwise[];
    perLesion: LesionLocalisation[];
  } | null;
  cnn: { folds: { repeat: number; fold: number; bestEpoch: number; epochs: number; seconds: number; valAuc: number | null }[] } | null;
  outputs: Record<string, string>;
  /** Wall-clock seconds per step of this invocation (a resumed run reports its own). */
  timings: Record<string, number>;
}
