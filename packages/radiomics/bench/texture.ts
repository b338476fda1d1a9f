/**
 * `pnpm bench texture`: per-family time of the six IBSI texture extractors (all aggregations) on a
 * ~400 000-voxel ellipsoidal ROI of a smooth random texture discretised to 32 and 256 grey levels.
 * Prints a table and writes bench-results/texture.json. Options: `--reps 3`, `--levels 32,256`.
 * Reference point: PyRadiomics needs ≈ 0.7 s single-threaded for its 5 texture classes on such an
 * ROI (3D only, merged-direction defaults); here every IBSI aggregation (2D/2.5D/3D) is computed.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createExtractionContext, createRng, createVolume, type Mask, type Volume } from '@radcam/core';
import { textureExtractors, TEXTURE_LEVELS_CACHE_KEY } from '../src/texture/index.js';

const args = process.argv.slice(2);
const opt = (k: string, d: string) => {
  const i = args.indexOf(`--${k}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : d;
};
const REPS = Number(opt('reps', '3'));
const LEVELS = opt('levels', '32,256').split(',').map(Number);

const SX = 112, SY = 112, SZ = 84;
const RX = 50, RY = 50, RZ = 38; // 4/3·π·50·50·38 ≈ 398 000 voxels

function makeCase(): { image: Volume<Float32Array>; mask: Mask; roiVoxels: number } {
  const rng = createRng(11);
  const n = SX * SY * SZ;
  const data = new Float32Array(n);
  const mask = new Uint8Array(n);
  // Smooth structure (random low-frequency waves) plus voxel noise.
  const waves = Array.from({ length: 12 }, () => ({
    k: [rng.normal() * 0.25, rng.normal() * 0.25, rng.normal() * 0.25],
    ph: rng.next() * 2 * Math.PI,
    a: 0.5 + rng.next(),
  }));
  let roi = 0;
  for (let z = 0, p = 0; z < SZ; z++) {
    for (let y = 0; y < SY; y++) {
      for (let x = 0; x < SX; x++, p++) {
        let v = 0;
        for (const w of waves) v += w.a * Math.sin(w.k[0]! * x + w.k[1]! * y + w.k[2]! * z + w.ph);
        data[p] = v + 0.6 * rng.normal();
        const u = ((x - SX / 2) / RX) ** 2 + ((y - SY / 2) / RY) ** 2 + ((z - SZ / 2) / RZ) ** 2;
        if (u <= 1) {
          mask[p] = 1;
          roi++;
        }
      }
    }
  }
  return { image: createVolume(data, [SX, SY, SZ]), mask: createVolume(mask, [SX, SY, SZ]), roiVoxels: roi };
}

/** Fixed-bin-number discretisation (IBSI FBN) inside the mask. */
function discretise(image: Volume<Float32Array>, mask: Mask, nLevels: number): Int32Array {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < mask.data.length; i++) {
    if (!mask.data[i]) continue;
    const v = image.data[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const out = new Int32Array(mask.data.length);
  for (let i = 0; i < mask.data.length; i++) {
    if (!mask.data[i]) continue;
    const v = image.data[i]!;
    out[i] = v >= hi ? nLevels : Math.floor((nLevels * (v - lo)) / (hi - lo)) + 1;
  }
  return out;
}

/** Process CPU time (user + system), ms: robust to other processes competing for the cores. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) >> 1]!;
}

const { image, mask, roiVoxels } = makeCase();
const rows: Array<Record<string, string | number>> = [];
const results: Record<string, unknown> = {};
for (const nLevels of LEVELS) {
  const levels = discretise(image, mask, nLevels);
  const perFamily: Record<string, number> = {};
  const perFamilyCpu: Record<string, number> = {};
  let total = 0;
  let totalCpu = 0;
  for (const ex of textureExtractors) {
    const times: number[] = [];
    const cpus: number[] = [];
    let nFeatures = 0;
    for (let r = 0; r < REPS + 1; r++) {
      // A fresh context per run: the time includes building the texture grid (crop + remap).
      const ctx = createExtractionContext(image, mask);
      ctx.cache.set(TEXTURE_LEVELS_CACHE_KEY, { levels, nLevels });
      const c0 = cpuMs();
      const t0 = performance.now();
      const res = ex.extract(ctx);
      const dt = performance.now() - t0;
      const dc = cpuMs() - c0;
      nFeatures = Object.keys(res.features).length;
      if (r > 0) {
        times.push(dt); // first run is a warm-up
        cpus.push(dc);
      }
    }
    const ms = median(times);
    const cms = median(cpus);
    perFamily[ex.family] = ms;
    perFamilyCpu[ex.family] = cms;
    total += ms;
    totalCpu += cms;
    rows.push({ levels: nLevels, family: ex.family, features: nFeatures, 'wall ms': +ms.toFixed(1), 'cpu ms': +cms.toFixed(1) });
  }
  // 3D aggregations only (what PyRadiomics computes), fresh context per family.
  const py3d: Record<string, number> = {};
  let py3dTotal = 0;
  for (const ex of textureExtractors) {
    const cpus: number[] = [];
    for (let r = 0; r < REPS + 1; r++) {
      const ctx = createExtractionContext(image, mask);
      ctx.cache.set(TEXTURE_LEVELS_CACHE_KEY, { levels, nLevels });
      const c0 = cpuMs();
      ex.extract(ctx, { aggregations: ['3D'] });
      if (r > 0) cpus.push(cpuMs() - c0);
    }
    py3d[ex.family] = median(cpus);
    // PyRadiomics' five texture classes: GLCM, GLRLM, GLSZM, NGTDM and GLDM (≈ NGLDM); no GLDZM.
    if (ex.family !== 'gldzm') py3dTotal += py3d[ex.family]!;
  }
  rows.push({ levels: nLevels, family: '3D only, 5 PyRadiomics classes (fresh contexts)', features: '', 'wall ms': '', 'cpu ms': +py3dTotal.toFixed(1) });
  // The same five on one shared context (grid built once, as extractFeatures runs them).
  const py3dSharedWall: number[] = [];
  const py3dSharedCpu: number[] = [];
  for (let r = 0; r < REPS + 1; r++) {
    const ctx = createExtractionContext(image, mask);
    ctx.cache.set(TEXTURE_LEVELS_CACHE_KEY, { levels, nLevels });
    const c0 = cpuMs();
    const t0 = performance.now();
    for (const ex of textureExtractors) if (ex.family !== 'gldzm') ex.extract(ctx, { aggregations: ['3D'] });
    if (r > 0) {
      py3dSharedWall.push(performance.now() - t0);
      py3dSharedCpu.push(cpuMs() - c0);
    }
  }
  rows.push({
    levels: nLevels,
    family: '3D only, 5 PyRadiomics classes (shared context)',
    features: '',
    'wall ms': +median(py3dSharedWall).toFixed(1),
    'cpu ms': +median(py3dSharedCpu).toFixed(1),
  });

  // All six on one shared context (grid and zone labelling computed once, as in a pipeline run).
  const shared: number[] = [];
  const sharedCpu: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const ctx = createExtractionContext(image, mask);
    ctx.cache.set(TEXTURE_LEVELS_CACHE_KEY, { levels, nLevels });
    const c0 = cpuMs();
    const t0 = performance.now();
    for (const ex of textureExtractors) ex.extract(ctx);
    shared.push(performance.now() - t0);
    sharedCpu.push(cpuMs() - c0);
  }
  rows.push({ levels: nLevels, family: 'sum of families', features: 408, 'wall ms': +total.toFixed(1), 'cpu ms': +totalCpu.toFixed(1) });
  rows.push({ levels: nLevels, family: 'all six, shared context', features: 408, 'wall ms': +median(shared).toFixed(1), 'cpu ms': +median(sharedCpu).toFixed(1) });
  results[`levels_${nLevels}`] = {
    perFamilyWallMs: perFamily,
    perFamilyCpuMs: perFamilyCpu,
    sumWallMs: total,
    sumCpuMs: totalCpu,
    sharedContextWallMs: median(shared),
    sharedContextCpuMs: median(sharedCpu),
    only3DCpuMs: py3d,
    only3DFivePyradiomicsClassesCpuMs: py3dTotal,
    only3DFivePyradiomicsClassesSharedContextWallMs: median(py3dSharedWall),
    only3DFivePyradiomicsClassesSharedContextCpuMs: median(py3dSharedCpu),
  };
}

console.log(`ROI: ${roiVoxels} voxels in a ${SX}×${SY}×${SZ} image; median of ${REPS} runs per cell after a warm-up; every IBSI aggregation; node ${process.version}`);
console.table(rows);
const dir = join(process.cwd(), 'bench-results');
mkdirSync(dir, { recursive: true });
const file = join(dir, 'texture.json');
const tmp = `${file}.tmp-${process.pid}`;
writeFileSync(tmp, JSON.stringify({ roiVoxels, size: [SX, SY, SZ], reps: REPS, node: process.version, results }, null, 2));
renameSync(tmp, file);
console.log(`wrote ${file}`);
