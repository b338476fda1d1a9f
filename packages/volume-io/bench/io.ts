/**
 * `pnpm bench io`: read/write throughput of @radcam/volume-io on a synthetic int16 CT volume
 * (512×512×200, 105 MB of voxels). Prints MB/s of voxel data and writes bench-results/io.json.
 * Options: `--size 512x512x200`, `--reps 3`.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, type Volume } from '@radcam/core';
import { readVolume, readVolumeInfo, writeVolume, gzipBackend } from '../src/index.js';

const args = process.argv.slice(2);
const opt = (k: string, d: string) => {
  const i = args.indexOf(`--${k}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : d;
};
const [NX, NY, NZ] = opt('size', '512x512x200').split('x').map(Number) as [number, number, number];
const REPS = Number(opt('reps', '3'));

/** CT-like content: air outside an elliptical body, soft tissue, two lungs, a spine, Gaussian noise. */
function syntheticCt(): Volume<Int16Array> {
  const rng = createRng(42);
  const data = new Int16Array(NX * NY * NZ);
  const noise = new Float32Array(4096 * 4);
  for (let i = 0; i < noise.length; i++) noise[i] = rng.normal();
  let p = 0;
  for (let z = 0; z < NZ; z++) {
    for (let y = 0; y < NY; y++) {
      const v = (y - NY / 2) / (NY * 0.36);
      for (let x = 0; x < NX; x++, p++) {
        const u = (x - NX / 2) / (NX * 0.44);
        const r = u * u + v * v;
        let hu = -1000;
        let sd = 8;
        if (r < 1) {
          hu = 40; sd = 18;
          const lu = ((x - NX * 0.33) / (NX * 0.13)) ** 2 + ((y - NY * 0.45) / (NY * 0.2)) ** 2;
          const ru = ((x - NX * 0.67) / (NX * 0.13)) ** 2 + ((y - NY * 0.45) / (NY * 0.2)) ** 2;
          if (lu < 1 || ru < 1) { hu = -820; sd = 40; }
          const sp = ((x - NX / 2) / (NX * 0.04)) ** 2 + ((y - NY * 0.7) / (NY * 0.04)) ** 2;
          if (sp < 1) { hu = 700; sd = 60; }
        }
        data[p] = Math.round(hu + sd * noise[(p * 7 + z * 13) & (noise.length - 1)]!);
      }
    }
  }
  return { data, size: [NX, NY, NZ], spacing: [0.7, 0.7, 1.5], origin: [-179, -179, -150], direction: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1) };
}

/** Best wall time (ms) and the CPU time (ms, all threads) of that run. */
async function best(fn: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  let b = { wall: Infinity, cpu: Infinity };
  for (let r = 0; r < REPS; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (wall < b.wall) b = { wall, cpu: (c.user + c.system) / 1000 };
  }
  return b;
}

const vol = syntheticCt();
const MB = vol.data.byteLength / 1e6;
const dir = mkdtempSync(join(tmpdir(), 'radcam-bench-io-'));
const cases: { label: string; file: string; opts: Record<string, unknown> }[] = [
  { label: '.nii.gz (gzip level 1)', file: 'ct1.nii.gz', opts: { gzipLevel: 1 } },
  { label: '.nii.gz (gzip level 6, default)', file: 'ct6.nii.gz', opts: {} },
  { label: '.nii (raw)', file: 'ct.nii', opts: {} },
  { label: '.nrrd (gzip level 1)', file: 'ct1.nrrd', opts: { gzipLevel: 1 } },
  { label: '.nrrd (gzip level 6)', file: 'ct6.nrrd', opts: {} },
  { label: '.mha (zlib level 1)', file: 'ct1.mha', opts: { gzipLevel: 1 } },
  { label: '.mha (raw)', file: 'ctraw.mha', opts: { compress: false } },
];
const rows: Record<string, string | number>[] = [];
try {
  for (const c of cases) {
    const path = join(dir, c.file);
    const tw = await best(() => writeVolume(path, vol, c.opts));
    const tr = await best(async () => {
      const v = await readVolume(path);
      if (v.data.length !== vol.data.length) throw new Error('bad read');
    });
    let th = Infinity;
    for (let r = 0; r < 20; r++) {
      const t0 = performance.now();
      await readVolumeInfo(path);
      th = Math.min(th, performance.now() - t0);
    }
    rows.push({
      format: c.label,
      'file MB': +(statSync(path).size / 1e6).toFixed(1),
      'write MB/s': Math.round(MB / (tw.wall / 1000)),
      'read MB/s': Math.round(MB / (tr.wall / 1000)),
      // throughput per CPU-second (all threads): what one idle core would give; independent of load
      'write MB/cpu-s': Math.round(MB / (tw.cpu / 1000)),
      'read MB/cpu-s': Math.round(MB / (tr.cpu / 1000)),
      'header ms': +th.toFixed(3),
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const { loadavg, cpus } = await import('node:os');
console.log(`@radcam/volume-io — int16 ${NX}×${NY}×${NZ} (${MB.toFixed(1)} MB of voxels), best of ${REPS}, gzip via ${gzipBackend()}, Node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}`);
console.log('gzip writes use parallel 4 MiB members (radcam default); .nii.gz reads of such files inflate members in parallel');
console.table(rows);
mkdirSync('bench-results', { recursive: true });
writeFileSync(
  join('bench-results', 'io.json'),
  JSON.stringify({ benchmark: 'io', node: process.version, load: (await import('node:os')).loadavg()[0], size: [NX, NY, NZ], voxelMB: MB, reps: REPS, gzip: gzipBackend(), rows }, null, 2) + '\n',
);
