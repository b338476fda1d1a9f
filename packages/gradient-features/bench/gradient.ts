/**
 * `pnpm bench gradient`: time per lesion of the gradient features on a 128³ T1-like volume
 * (1 mm isotropic, int16) with spherical/ellipsoidal enhancing lesions of several sizes.
 * Prints a table and writes bench-results/gradient.json. Options: `--size 128`, `--reps 5`.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, type Mask, type Volume } from '@radcam/core';
import { computeGradientMaps, extractGradientFeatures, type GradientFeatureOptions } from '../src/index.js';

const args = process.argv.slice(2);
const opt = (k: string, d: string) => {
  const i = args.indexOf(`--${k}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : d;
};
const N = Number(opt('size', '128'));
const REPS = Number(opt('reps', '5'));

interface Lesion { name: string; centre: [number, number, number]; radii: [number, number, number] }
const lesions: Lesion[] = [
  { name: 'r3mm', centre: [30, 40, 50], radii: [3, 3, 3] },
  { name: 'r6mm', centre: [90, 40, 60], radii: [6, 5, 7] },
  { name: 'r10mm', centre: [40, 90, 70], radii: [10, 9, 11] },
  { name: 'r15mm', centre: [85, 85, 64], radii: [15, 14, 16] },
];

function makeCase(): { image: Volume<Int16Array>; masks: Mask[] } {
  const rng = createRng(7);
  const n = N * N * N;
  const data = new Int16Array(n);
  const masks = lesions.map(() => new Uint8Array(n));
  let p = 0;
  for (let z = 0; z < N; z++) {
    for (let y = 0; y < N; y++) {
      for (let x = 0; x < N; x++, p++) {
        let v = 300 + 40 * Math.sin(x / 17) * Math.cos(y / 23) + 15 * rng.normal();
        lesions.forEach((l, q) => {
          const u = ((x - l.centre[0]) / l.radii[0]) ** 2 + ((y - l.centre[1]) / l.radii[1]) ** 2 + ((z - l.centre[2]) / l.radii[2]) ** 2;
          if (u <= 1) masks[q]![p] = 1;
          // enhancing rim with a darker necrotic centre, smooth fall-off outside
          v += 500 * Math.exp(-((Math.sqrt(u) - 0.8) ** 2) / 0.08);
        });
        data[p] = Math.round(v);
      }
    }
  }
  const geom = { size: [N, N, N] as [number, number, number], spacing: [1, 1, 1] as [number, number, number], origin: [0, 0, 0] as [number, number, number] };
  return {
    image: { data, ...geom, direction: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1) },
    masks: masks.map((m) => ({ data: m, size: [N, N, N], spacing: [1, 1, 1], origin: [0, 0, 0], direction: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1) })),
  };
}

function median(fn: () => void): number {
  fn(); // warm-up
  const t: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1]!;
}

const { image, masks } = makeCase();
const configs: { label: string; options: GradientFeatureOptions }[] = [
  { label: 'basic (90), central', options: {} },
  { label: 'basic, gaussian σ=1 mm', options: { method: 'gaussian', sigmaMm: 1 } },
  { label: 'all groups, central', options: { groups: ['basic', 'distribution', 'orientation'] } },
];
const rows: Record<string, unknown>[] = [];
lesions.forEach((l, q) => {
  const mask = masks[q]!;
  for (const c of configs) {
    let res = extractGradientFeatures(image, mask, c.options);
    const ms = median(() => {
      res = extractGradientFeatures(image, mask, c.options);
    });
    rows.push({
      lesion: l.name,
      config: c.label,
      lesion_mm3: Math.round(res.diagnostics.lesionVolumeMm3),
      margin_mm: res.diagnostics.innerMm,
      crop_voxels: (res.diagnostics.crop.max[0] - res.diagnostics.crop.min[0] + 1) * (res.diagnostics.crop.max[1] - res.diagnostics.crop.min[1] + 1) * (res.diagnostics.crop.max[2] - res.diagnostics.crop.min[2] + 1),
      features: Object.keys(res.features).length,
      ms: +ms.toFixed(2),
    });
  }
});
const fullMs = median(() => {
  computeGradientMaps(image, masks[0]!);
});
rows.push({ lesion: '(whole volume)', config: `computeGradientMaps ${N}³, central`, lesion_mm3: '', margin_mm: '', crop_voxels: N ** 3, features: '', ms: +fullMs.toFixed(2) });
const fullG = median(() => {
  computeGradientMaps(image, masks[0]!, { method: 'gaussian', sigmaMm: 1 });
});
rows.push({ lesion: '(whole volume)', config: `computeGradientMaps ${N}³, gaussian σ=1 mm`, lesion_mm3: '', margin_mm: '', crop_voxels: N ** 3, features: '', ms: +fullG.toFixed(2) });

console.log(`gradient features — volume ${N}³ @ 1 mm, median of ${REPS} runs, node ${process.version}`);
console.table(rows);
const dir = join(process.cwd(), 'bench-results');
mkdirSync(dir, { recursive: true });
const out = join(dir, 'gradient.json');
const tmp = `${out}.tmp-${process.pid}`;
writeFileSync(tmp, JSON.stringify({ bench: 'gradient', volume: [N, N, N], spacingMm: [1, 1, 1], reps: REPS, node: process.version, date: new Date().toISOString(), rows }, null, 2));
renameSync(tmp, out);
console.log(`wrote ${out}`);
