/**
 * `pnpm bench io`: read/write throughput of @radcam/volume-io on a synthetic int16 CT volume
 * (512×512×200, 105 MB of voxels). Prints MB/s of voxel data and writes bench-results/io.json.
 * Options: `--size 512x512x200`, `--reps 3`.
 *
 * The "foreign" section reads one single-member `.nii.gz` (written like gzip(1) / nibabel / ITK do,
 * i.e. one gzip member, not radcam's parallel members) with radcam (serial, split-parallel, auto)
 * and, when present on the machine, with itk-wasm (`ITK_WASM_DIR` = a folder where
 * `@itk-wasm/image-io` is installed; never a dependency of this repo) and nibabel (a `python3` that
 * can `import nibabel`). Medians of `--reps` runs; the issue's reference numbers are recorded too.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { syntheticCt } from './_synthetic-ct.js';
import { encodeVolume, readVolume, readVolumeInfo, writeVolume, gzipBackend } from '../src/index.js';
import { splitStats } from '../src/node-gzip.js';

const args = process.argv.slice(2);
const opt = (k: string, d: string) => {
  const i = args.indexOf(`--${k}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : d;
};
const [NX, NY, NZ] = opt('size', '512x512x200').split('x').map(Number) as [number, number, number];
const REPS = Number(opt('reps', '3'));

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

const vol = syntheticCt(NX, NY, NZ);
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
/** Reference numbers quoted in issue #2 (another machine of this class; not measured here). */
const ISSUE_REFERENCE = { 'itk-wasm': 460, nibabel: 225, 'nifti-reader-js + fflate': 133, 'libdeflate (single-thread inflate floor)': 587 };
const foreignRows: Record<string, string | number>[] = [];
const foreignMeta: Record<string, unknown> = {};

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
  await foreign();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Median wall and CPU (ms) of `REPS` runs (after one untimed warm-up). */
async function median(fn: () => Promise<void>): Promise<{ wall: number; cpu: number; walls: number[] }> {
  await fn();
  const w: number[] = [];
  const c: number[] = [];
  for (let r = 0; r < Math.max(3, REPS); r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    w.push(performance.now() - t0);
    const u = process.cpuUsage(c0);
    c.push((u.user + u.system) / 1000);
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
  return { wall: med(w), cpu: med(c), walls: w.map(Math.round) };
}

async function foreign(): Promise<void> {
  // a single-member .nii.gz, as gzip -6 / nibabel / ITK write it (not radcam's parallel members)
  const path = join(dir, 'foreign6.nii.gz');
  writeFileSync(path, gzipSync(encodeVolume(vol, { format: '.nii' }), { level: 6 }));
  const fileMB = +(statSync(path).size / 1e6).toFixed(1);
  const row = (tool: string, t: { wall: number; cpu: number; walls?: number[] }, note = '') =>
    foreignRows.push({ reader: tool, 'file MB': fileMB, 'read MB/s (median)': Math.round(MB / (t.wall / 1000)), 'read MB/cpu-s': Math.round(MB / (t.cpu / 1000)), note });
  for (const [label, parallelGunzip] of [['radcam readVolume (default: serial node:zlib)', false], ['radcam split-parallel inflate (parallelGunzip: true)', true], ["radcam parallelGunzip: 'auto' (load-gated)", 'auto']] as const) {
    const t = await median(async () => {
      const v = await readVolume(path, { parallelGunzip });
      if (v.data.length !== vol.data.length) throw new Error('bad read');
    });
    row(label, t, parallelGunzip === true ? `parts ${splitStats.parts}, window repair ${(splitStats.repairedBytes / 1e6).toFixed(1)} MB${splitStats.declined ? `, declined: ${splitStats.declined}` : ''}` : '');
  }
  // itk-wasm, only if installed outside the repo (ITK_WASM_DIR)
  const itkDir = process.env.ITK_WASM_DIR;
  if (itkDir) {
    try {
      const entry = createRequire(join(itkDir, 'package.json')).resolve('@itk-wasm/image-io');
      const mod = (await import(pathToFileURL(entry).href)) as { readImageNode: (p: string) => Promise<{ data: { byteLength: number } }> };
      const t = await median(async () => {
        const img = await mod.readImageNode(path);
        if (img.data.byteLength !== vol.data.byteLength) throw new Error('bad itk read');
      });
      row('itk-wasm readImageNode', t, `@itk-wasm/image-io from ${itkDir}`);
    } catch (err) {
      foreignMeta['itk-wasm'] = `not measured: ${(err as Error).message}`;
    }
  } else foreignMeta['itk-wasm'] = 'not measured (set ITK_WASM_DIR to a folder with @itk-wasm/image-io installed)';
  // nibabel, if some python3 on the machine has it
  const py = [process.env.NIBABEL_PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean) as string[];
  const script = `import sys,time,json,numpy as np,nibabel as nib
w=[];c=[]
for r in range(int(sys.argv[2])+1):
  c0=time.process_time();t0=time.perf_counter();a=np.asanyarray(nib.load(sys.argv[1]).dataobj);t1=time.perf_counter();c1=time.process_time()
  if r: w.append(t1-t0);c.append(c1-c0)
print(json.dumps({"wall":sorted(w)[len(w)//2]*1e3,"cpu":sorted(c)[len(c)//2]*1e3,"n":int(a.nbytes),"version":nib.__version__}))`;
  let nib = false;
  for (const exe of py) {
    const r = spawnSync(exe, ['-c', script, path, String(Math.max(3, REPS))], { encoding: 'utf8' });
    if (r.status === 0) {
      const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { wall: number; cpu: number; n: number; version: string };
      if (j.n !== vol.data.byteLength) throw new Error('bad nibabel read');
      row('nibabel (np.asanyarray(img.dataobj))', j, `nibabel ${j.version} via ${exe}`);
      nib = true;
      break;
    }
  }
  if (!nib) foreignMeta.nibabel = 'not measured (no python3 with nibabel)';
}

const { loadavg, cpus } = await import('node:os');
console.log(`@radcam/volume-io — int16 ${NX}×${NY}×${NZ} (${MB.toFixed(1)} MB of voxels), best of ${REPS}, gzip via ${gzipBackend()}, Node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}`);
console.log('gzip writes use parallel 4 MiB members (radcam default); .nii.gz reads of such files inflate members in parallel');
console.table(rows);
console.log('Foreign single-member .nii.gz (gzip level 6, one member), median of runs; issue #2 reference MB/s:', ISSUE_REFERENCE);
console.table(foreignRows);
for (const [k, v] of Object.entries(foreignMeta)) console.log(`${k}: ${v}`);
mkdirSync('bench-results', { recursive: true });
writeFileSync(
  join('bench-results', 'io.json'),
  JSON.stringify({ benchmark: 'io', node: process.version, load: (await import('node:os')).loadavg()[0], size: [NX, NY, NZ], voxelMB: MB, reps: REPS, gzip: gzipBackend(), rows, foreign: { file: 'single-member gzip level 6 of the raw .nii (node:zlib gzipSync)', rows: foreignRows, ...foreignMeta, issueReferenceMBps: ISSUE_REFERENCE } }, null, 2) + '\n',
);
