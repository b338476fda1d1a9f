/**
 * Random forest (Breiman 2001) for binary classification, written here because
 * `ml-random-forest` 2.1 draws its feature subset once per TREE rather than per split and its
 * `predictProbability` reduces without an initial value (the first tree's vote is taken as the
 * accumulator), which makes its probabilities wrong; see docs/learn.md.
 *
 * CART trees with Gini impurity, bootstrap samples, `mtry` features drawn at every split,
 * probability = mean over trees of the leaf's positive fraction (as scikit-learn). Seeded through
 * `@radcam/core`'s `createRng`; identical seeds give identical forests.
 */
import { RadcamError, createRng, type Rng } from '@radcam/core';
import { type DenseMatrix, type Labels, type MatrixInput, assertBothClasses, toDenseMatrix, toLabels } from './matrix.js';

export interface ForestOptions {
  /** Number of trees (default 300). */
  nTrees?: number;
  /** Features tried per split: number, fraction in (0,1), or 'sqrt' (default) / 'log2'. */
  mtry?: number | 'sqrt' | 'log2';
  /** Maximum depth (default unlimited). */
  maxDepth?: number;
  /** Minimum (bootstrap-weighted) samples in a leaf (default 1). */
  minLeaf?: number;
  /** Minimum samples to split a node (default 2). */
  minSplit?: number;
  /** 'balanced' weights classes by n / (2 nₖ) in the impurity (default none). */
  classWeight?: 'balanced' | null;
  seed?: number;
}

/** A tree as flat arrays; node 0 is the root; leaves have feature −1. */
export interface TreeArrays {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Positive fraction (class-weighted) at the node. */
  value: Float64Array;
}

export interface ForestModel {
  kind: 'forest';
  trees: TreeArrays[];
  nFeatures: number;
  /** Mean decrease in (weighted) Gini impurity per feature, normalised to sum 1. */
  importance: Float64Array;
  seed: number;
}

interface Builder {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

function resolveMtry(m: ForestOptions['mtry'], p: number): number {
  if (m === undefined || m === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(p)));
  if (m === 'log2') return Math.max(1, Math.floor(Math.log2(p)));
  if (m > 0 && m < 1) return Math.max(1, Math.floor(m * p));
  if (Number.isInteger(m) && m >= 1) return Math.min(p, m);
  throw new RadcamError('E_INVALID_ARGUMENT', 'invalid mtry', { expected: "'sqrt', 'log2', a fraction or an integer ≥ 1", found: String(m) });
}

/** Fit a random forest. */
export function fitForest(Xin: MatrixInput, yin: Labels, options: ForestOptions = {}): ForestModel {
  const X = toDenseMatrix(Xin);
  const y = toLabels(yin, X.rows);
  assertBothClasses(y);
  const n = X.rows;
  const p = X.cols;
  const nTrees = options.nTrees ?? 300;
  const mtry = resolveMtry(options.mtry, p);
  const maxDepth = options.maxDepth ?? Infinity;
  const minLeaf = options.minLeaf ?? 1;
  const minSplit = options.minSplit ?? 2;
  const seed = options.seed ?? 0;
  const rng = createRng(seed);
  let pos = 0;
  for (const v of y) pos += v;
  const cw1 = options.classWeight === 'balanced' ? n / (2 * pos) : 1;
  const cw0 = options.classWeight === 'balanced' ? n / (2 * (n - pos)) : 1;

  // Presort: order[j] lists sample indices by increasing X[:, j].
  const order = new Int32Array(p * n);
  const col = new Float64Array(n);
  const tmp = new Int32Array(n);
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < n; i++) {
      col[i] = X.data[i * p + j]!;
      tmp[i] = i;
    }
    tmp.sort((a, b) => col[a]! - col[b]!);
    order.set(tmp, j * n);
  }
  const importance = new Float64Array(p);
  const trees: TreeArrays[] = [];
  const counts = new Int32Array(n);
  const nodeOf = new Int32Array(n);
  const featBuf = new Int32Array(p);
  for (let t = 0; t < nTrees; t++) {
    counts.fill(0);
    for (let k = 0; k < n; k++) counts[rng.int(n)]!++;
    trees.push(growTree(X, y, counts, nodeOf, order, featBuf, mtry, maxDepth, minLeaf, minSplit, cw0, cw1, rng, importance));
  }
  let s = 0;
  for (const v of importance) s += v;
  if (s > 0) for (let j = 0; j < p; j++) importance[j]! /= s;
  return { kind: 'forest', trees, nFeatures: p, importance, seed };
}

function growTree(
  X: DenseMatrix,
  y: Uint8Array,
  counts: Int32Array,
  nodeOf: Int32Array,
  order: Int32Array,
  featBuf: Int32Array,
  mtry: number,
  maxDepth: number,
  minLeaf: number,
  minSplit: number,
  cw0: number,
  cw1: number,
  rng: Rng,
  importance: Float64Array,
): TreeArrays {
  const n = X.rows;
  const p = X.cols;
  const b: Builder = { feature: [], threshold: [], left: [], right: [], value: [] };
  // nodeOf[i] = node currently holding sample i (−1: not in the bootstrap sample).
  const root = newNode(b);
  let w0 = 0;
  let w1 = 0;
  let cnt = 0;
  for (let i = 0; i < n; i++) {
    if (counts[i]! > 0) {
      nodeOf[i] = root;
      cnt += counts[i]!;
      if (y[i]) w1 += counts[i]! * cw1;
      else w0 += counts[i]! * cw0;
    } else nodeOf[i] = -1;
  }
  // Depth-first with an explicit stack.
  const stack: Array<{ node: number; depth: number; w0: number; w1: number; cnt: number }> = [{ node: root, depth: 0, w0, w1, cnt }];
  for (let j = 0; j < p; j++) featBuf[j] = j;
  while (stack.length > 0) {
    const s = stack.pop()!;
    const W = s.w0 + s.w1;
    b.value[s.node] = W > 0 ? s.w1 / W : 0;
    if (s.depth >= maxDepth || s.cnt < minSplit || s.w0 === 0 || s.w1 === 0) continue;
    const parentGini = W * (1 - (s.w0 / W) ** 2 - (s.w1 / W) ** 2);
    let bestGain = 1e-12;
    let bestF = -1;
    let bestT = 0;
    let bestL = { w0: 0, w1: 0, cnt: 0 };
    // Draw mtry distinct features (partial Fisher–Yates on featBuf).
    for (let k = 0; k < mtry; k++) {
      const r = k + rng.int(p - k);
      const f = featBuf[r]!;
      featBuf[r] = featBuf[k]!;
      featBuf[k] = f;
      let l0 = 0;
      let l1 = 0;
      let lc = 0;
      let prev = NaN;
      const o = f * n;
      for (let q = 0; q < n; q++) {
        const i = order[o + q]!;
        if (nodeOf[i] !== s.node) continue;
        const v = X.data[i * p + f]!;
        // Candidate split between prev and v.
        if (lc >= minLeaf && s.cnt - lc >= minLeaf && v > prev) {
          const L = l0 + l1;
          const R = W - L;
          const r0 = s.w0 - l0;
          const r1 = s.w1 - l1;
          const g = parentGini - (L > 0 ? L * (1 - (l0 / L) ** 2 - (l1 / L) ** 2) : 0) - (R > 0 ? R * (1 - (r0 / R) ** 2 - (r1 / R) ** 2) : 0);
          if (g > bestGain) {
            bestGain = g;
            bestF = f;
            bestT = (prev + v) / 2;
            bestL = { w0: l0, w1: l1, cnt: lc };
          }
        }
        const c = counts[i]!;
        if (y[i]) l1 += c * cw1;
        else l0 += c * cw0;
        lc += c;
        prev = v;
      }
    }
    if (bestF < 0) continue;
    importance[bestF]! += bestGain;
    const L = newNode(b);
    const R = newNode(b);
    b.feature[s.node] = bestF;
    b.threshold[s.node] = bestT;
    b.left[s.node] = L;
    b.right[s.node] = R;
    for (let i = 0; i < n; i++) {
      if (nodeOf[i] !== s.node) continue;
      nodeOf[i] = X.data[i * p + bestF]! <= bestT ? L : R;
    }
    stack.push({ node: R, depth: s.depth + 1, w0: s.w0 - bestL.w0, w1: s.w1 - bestL.w1, cnt: s.cnt - bestL.cnt });
    stack.push({ node: L, depth: s.depth + 1, w0: bestL.w0, w1: bestL.w1, cnt: bestL.cnt });
  }
  return {
    feature: Int32Array.from(b.feature),
    threshold: Float64Array.from(b.threshold),
    left: Int32Array.from(b.left),
    right: Int32Array.from(b.right),
    value: Float64Array.from(b.value),
  };
}

function newNode(b: Builder): number {
  b.feature.push(-1);
  b.threshold.push(0);
  b.left.push(-1);
  b.right.push(-1);
  b.value.push(0);
  return b.feature.length - 1;
}

/** P(y = 1 | x): mean over trees of the leaf's positive fraction. */
export function predictForest(model: ForestModel, Xin: MatrixInput): Float64Array {
  const X = toDenseMatrix(Xin);
  const p = model.nFeatures;
  if (X.cols !== p) {
    throw new RadcamError('E_DATA_SIZE_MISMATCH', 'feature count differs from the fitted model', {
      expected: String(p),
      found: String(X.cols),
    });
  }
  const out = new Float64Array(X.rows);
  for (const t of model.trees) {
    for (let i = 0; i < X.rows; i++) {
      let node = 0;
      while (t.feature[node]! >= 0) {
        node = X.data[i * p + t.feature[node]!]! <= t.threshold[node]! ? t.left[node]! : t.right[node]!;
      }
      out[i]! += t.value[node]!;
    }
  }
  for (let i = 0; i < out.length; i++) out[i]! /= model.trees.length;
  return out;
}
