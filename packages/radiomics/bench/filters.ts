/**
 * `pnpm bench filters`: time of each IBSI 2 filter (`applyFilter`) and of the PyRadiomics-compat
 * LoG (ITK recursive Gaussian) and Wavelet (PyWavelets SWT, all 8 sub-bands) on a float32 volume
 * of size³ voxels (default 256³ = 16.8 MVox; a smooth random texture plus noise, spacing 1 mm).
 * Prints a table (ms, MVox/s) and writes bench-results/filters.json.
 * Options: `--size 256`, `--only name1,name2` (substring match), `--skip name1,…`; with `--only`
 * or `--skip` the rows are merged into an existing bench-results/filters.json of the same size.
 * Slow filters (Gabor over 3 planes) are still run; expect minutes for them at 256³.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, createVolume, type Volume } from '@radcam/core';
import { applyFilter, type FilterSpec } from '../src/filters/index.js';
import { laplacianRecursiveGaussian } from '../src/filters/pyradiomics-log.js';
import { pyradiomicsWavelet } from '../src/filters/pyradiomics-wavelet.js';

const args = process.argv.slice(2);
const opt = (k: string, d: string) => {
  const i = args.indexOf(`--${k}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : d;
};
const N = Number(opt('size', '256'));
const ONLY = opt('only', '').split(',').filter(Boolean);
const SKIP = opt('skip', '').split(',').filter(Boolean);

function makeVolume(): Volume<Float32Array> {
  const rng = createRng(7);
  const data = new Float32Array(N * N * N);
  const waves = Array.from({ length: 6 }, () => ({ k: [rng.normal() * 0.2, rng.normal() * 0.2, rng.normal() * 0.2], ph: rng.next() * 6.283 }));
  for (let z = 0, p = 0; z < N; z++) {
    for (let y = 0; y < N; y++) {
      for (let x = 0; x < N; x++, p++) {
        let v = 0;
        for (const w of waves) v += Math.sin(w.k[0]! * x + w.k[1]! * y + w.k[2]! * z + w.ph);
        data[p] = 100 * v + 20 * rng.normal();
      }
    }
  }
  return createVolume(data, [N, N, N], { spacing: [1, 1, 1] });
}

type Case = { name: string; run: (v: Volume<Float32Array>) => unknown };
const ibsi = (name: string, spec: FilterSpec): Case => ({ name, run: (v) => applyFilter(v, spec) });
const CASES: Case[] = [
  ibsi('ibsi mean (support 5, 3D)', { filter: 'mean', support: 5 }),
  ibsi('ibsi LoG (σ 2 mm, truncate 4, 3D)', { filter: 'log', sigmaMm: 2 }),
  ibsi('ibsi Laws E5L5S5', { filter: 'laws', kernel: 'E5L5S5' }),
  ibsi('ibsi Laws E5L5S5 rot-inv max + energy δ7', { filter: 'laws', kernel: 'E5L5S5', rotationInvariant: true, pooling: 'max', energyDelta: 7 }),
  ibsi('ibsi Gabor σ5 λ2 γ1.5 θ-step π/4 axial', { filter: 'gabor', sigmaMm: 5, lambdaMm: 2, gamma: 1.5, thetaStep: Math.PI / 4 }),
  ibsi('ibsi Gabor σ5 λ2 γ1.5 θ-step π/4 3 planes', { filter: 'gabor', sigmaMm: 5, lambdaMm: 2, gamma: 1.5, thetaStep: Math.PI / 4, planes: 'orthogonal' }),
  ibsi('ibsi wavelet db3 LLH level 1 (undecimated)', { filter: 'wavelet', wavelet: 'db3', subband: 'LLH', level: 1 }),
  ibsi('ibsi wavelet db3 LLH level 2 (undecimated, à trous)', { filter: 'wavelet', wavelet: 'db3', subband: 'LLH', level: 2 }),
  ibsi('ibsi wavelet db3 LLH level 1 rot-inv avg', { filter: 'wavelet', wavelet: 'db3', subband: 'LLH', level: 1, rotationInvariant: true, pooling: 'average' }),
  ibsi('ibsi Simoncelli level 1 (3D)', { filter: 'simoncelli', level: 1 }),
  ibsi('ibsi Riesz-LoG σ 3 mm order (1,0,0)', { filter: 'riesz-log', sigmaMm: 3, rieszOrder: [1, 0, 0] }),
  { name: 'pyradiomics LoG σ 1 mm (recursive)', run: (v) => laplacianRecursiveGaussian(v.data, v.size, v.spacing, 1) },
  { name: 'pyradiomics LoG σ 5 mm (recursive)', run: (v) => laplacianRecursiveGaussian(v.data, v.size, v.spacing, 5) },
  { name: 'pyradiomics Wavelet coif1 (8 sub-bands)', run: (v) => pyradiomicsWavelet(v.data, v.size, { wavelet: 'coif1' }) },
];

const vol = makeVolume();
const mvox = (N * N * N) / 1e6;
const rows: Array<{ filter: string; ms: number; 'MVox/s': number; error?: string }> = [];
for (const c of CASES) {
  if (ONLY.length && !ONLY.some((o) => c.name.toLowerCase().includes(o.toLowerCase()))) continue;
  if (SKIP.some((o) => c.name.toLowerCase().includes(o.toLowerCase()))) continue;
  process.stdout.write(`${c.name} … `);
  const t0 = performance.now();
  try {
    c.run(vol);
    const ms = performance.now() - t0;
    rows.push({ filter: c.name, ms: Math.round(ms), 'MVox/s': Math.round((mvox / (ms / 1000)) * 100) / 100 });
    process.stdout.write(`${Math.round(ms)} ms\n`);
  } catch (e) {
    rows.push({ filter: c.name, ms: NaN, 'MVox/s': NaN, error: (e as Error).message });
    process.stdout.write(`failed: ${(e as Error).message}\n`);
  }
}
console.table(rows);
const dir = join(process.cwd(), 'bench-results');
mkdirSync(dir, { recursive: true });
const out = join(dir, 'filters.json');
let results = rows;
if ((ONLY.length || SKIP.length) && existsSync(out)) {
  try {
    const prev = JSON.parse(readFileSync(out, 'utf8')) as { size: number[]; results: typeof rows };
    if (prev.size[0] === N) {
      const mine = new Map(rows.map((r) => [r.filter, r]));
      results = prev.results.map((r) => mine.get(r.filter) ?? r);
      for (const r of rows) if (!prev.results.some((p) => p.filter === r.filter)) results.push(r);
    }
  } catch {
    /* unreadable previous results: write ours only */
  }
}
writeFileSync(`${out}.tmp`, JSON.stringify({ size: [N, N, N], voxels: N ** 3, node: process.version, date: new Date().toISOString(), results }, null, 2));
renameSync(`${out}.tmp`, out);
console.log(`wrote ${out}`);
