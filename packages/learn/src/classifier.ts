/**
 * The common classifier interface, the built-in classifiers and their registry.
 *
 * A `Classifier` is a pair of pure functions over plain data: `fit(X, y, params) → model` and
 * `predictProba(model, X) → P(y = 1)`. Models are plain objects (typed arrays inside), so they
 * structured-clone to workers and serialise.
 */
import { type Disposer, type Registry, type RegistryItem, globalRegistry } from '@radcam/core';
import type { Labels, MatrixInput } from './matrix.js';
import { type LogisticModel, fitLogisticL1, fitLogisticL2, predictLogistic } from './logreg.js';
import { type SvmModel, fitSvm, predictSvm } from './svm.js';
import { type ForestModel, fitForest, predictForest } from './forest.js';

/** Hyper-parameters: plain JSON values. `seed` is always accepted. */
export type Params = Record<string, number | string | boolean | null | undefined> & { seed?: number };

export interface Classifier<M = unknown, P extends Params = Params> extends RegistryItem {
  /** Namespaced id, e.g. `learn/logreg-l2`. */
  readonly id: string;
  readonly description: string;
  /** Default hyper-parameters. */
  readonly defaults: P;
  /** Default grid for nested CV: the values tried for each tuned hyper-parameter. */
  readonly grid: Partial<Record<keyof P & string, ReadonlyArray<number | string | boolean | null>>>;
  fit(X: MatrixInput, y: Labels, params?: Partial<P>): M;
  predictProba(model: M, X: MatrixInput): Float64Array;
  /** Per-feature importance (|coef| for linear models, impurity decrease for forests). */
  importance?(model: M): Float64Array;
}

/** L2 logistic regression; `lambda` penalises the summed log-loss, features should be z-scored. */
export const logregL2: Classifier<LogisticModel> = {
  id: 'learn/logreg-l2',
  description: 'L2-penalised logistic regression (Newton / IRLS; dual Newton when p ≥ n)',
  defaults: { lambda: 1, classWeight: null },
  grid: { lambda: [0.01, 0.1, 1, 10, 100] },
  fit: (X, y, p = {}) =>
    fitLogisticL2(X, y, { lambda: num(p.lambda, 1), classWeight: p.classWeight === 'balanced' ? 'balanced' : null }),
  predictProba: (m, X) => predictLogistic(m, X),
  importance: (m) => m.coef.map(Math.abs),
};

/** L1 (LASSO) logistic regression; `lambdaRatio` is λ / λmax of the training data. */
export const logregL1: Classifier<LogisticModel> = {
  id: 'learn/logreg-l1',
  description: 'L1-penalised logistic regression (coordinate descent); λ = lambdaRatio · λmax',
  defaults: { lambdaRatio: 0.1, classWeight: null },
  grid: { lambdaRatio: [0.02, 0.05, 0.1, 0.2, 0.5] },
  fit: (X, y, p = {}) =>
    fitLogisticL1(X, y, {
      ...(typeof p.lambda === 'number' ? { lambda: p.lambda } : { lambdaRatio: num(p.lambdaRatio, 0.1) }),
      classWeight: p.classWeight === 'balanced' ? 'balanced' : null,
    }),
  predictProba: (m, X) => predictLogistic(m, X),
  importance: (m) => m.coef.map(Math.abs),
};

/** Linear C-SVC with Platt probabilities. */
export const svmLinear: Classifier<SvmModel> = {
  id: 'learn/svm-linear',
  description: 'linear SVM (SMO, LIBSVM working-set selection), Platt-scaled probabilities',
  defaults: { C: 1, classWeight: null, probability: true },
  grid: { C: [0.001, 0.01, 0.1, 1, 10] },
  fit: (X, y, p = {}) =>
    fitSvm(X, y, {
      kernel: 'linear',
      C: num(p.C, 1),
      classWeight: p.classWeight === 'balanced' ? 'balanced' : null,
      probability: p.probability !== false,
      seed: num(p.seed, 0),
    }),
  predictProba: (m, X) => predictSvm(m, X),
  importance: (m) => (m.w ? m.w.map(Math.abs) : new Float64Array(m.nFeatures)),
};

/** RBF C-SVC with Platt probabilities; gamma 'scale' = 1/(p·Var X). */
export const svmRbf: Classifier<SvmModel> = {
  id: 'learn/svm-rbf',
  description: 'RBF-kernel SVM (SMO), Platt-scaled probabilities',
  defaults: { C: 1, gamma: 'scale', classWeight: null, probability: true },
  grid: { C: [0.1, 1, 10, 100] },
  fit: (X, y, p = {}) =>
    fitSvm(X, y, {
      kernel: 'rbf',
      C: num(p.C, 1),
      gamma: typeof p.gamma === 'number' ? p.gamma : 'scale',
      classWeight: p.classWeight === 'balanced' ? 'balanced' : null,
      probability: p.probability !== false,
      seed: num(p.seed, 0),
    }),
  predictProba: (m, X) => predictSvm(m, X),
};

/** Random forest (own CART implementation, per-split feature sampling). */
export const randomForest: Classifier<ForestModel> = {
  id: 'learn/random-forest',
  description: 'random forest (Gini CART, bootstrap, mtry per split), mean leaf probability',
  defaults: { nTrees: 300, mtry: 'sqrt', minLeaf: 1, maxDepth: null, classWeight: null },
  grid: { minLeaf: [1, 3, 5] },
  fit: (X, y, p = {}) =>
    fitForest(X, y, {
      nTrees: num(p.nTrees, 300),
      mtry: typeof p.mtry === 'number' ? p.mtry : p.mtry === 'log2' ? 'log2' : 'sqrt',
      minLeaf: num(p.minLeaf, 1),
      ...(typeof p.maxDepth === 'number' ? { maxDepth: p.maxDepth } : {}),
      classWeight: p.classWeight === 'balanced' ? 'balanced' : null,
      seed: num(p.seed, 0),
    }),
  predictProba: (m, X) => predictForest(m, X),
  importance: (m) => m.importance,
};

function num(v: unknown, d: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : d;
}

/** The built-in classifiers, by id. */
export const builtinClassifiers: readonly Classifier<any>[] = [logregL2, logregL1, svmLinear, svmRbf, randomForest];

/** The process-wide classifier registry (shared across installed copies via `Symbol.for`). */
export function classifierRegistry(): Registry<Classifier<any>> {
  return globalRegistry<Classifier<any>>('learn.classifiers', 'classifier');
}

/** Register the built-ins in the global (or a given) registry; returns one disposer for all. */
export function registerBuiltinClassifiers(registry: Registry<Classifier<any>> = classifierRegistry(), options: { override?: boolean } = {}): Disposer {
  const ds = builtinClassifiers.map((c) => registry.register(c, options));
  return () => ds.reverse().forEach((d) => d());
}

/**
 * Resolve a classifier: an object is used as is (explicit beats global); an id is looked up in
 * the global registry, then among the built-ins. Unknown ids throw `E_REGISTRY_UNKNOWN`.
 */
export function resolveClassifier(c: string | Classifier<any>): Classifier<any> {
  if (typeof c !== 'string') return c;
  const reg = classifierRegistry();
  const found = reg.find(c) ?? builtinClassifiers.find((b) => b.id === c);
  if (found) return found;
  return reg.get(c); // throws E_REGISTRY_UNKNOWN with the known ids
}
