/**
 * The self-contained HTML report (`index.html`): inline SVG plots and inline PNG thumbnails, no
 * scripts, no external assets — it opens offline in any browser.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { crop, cropToMask, centroidIndex, type Mask, type Vec3, type Volume } from '@radcam/core';
import { readMask, readVolume } from '@radcam/volume-io';
import type { CohortCase } from '../manifest.js';
import { encodePng } from './png.js';
import { methodSlug } from './cnn.js';
import type { MetricCi, StudyProgress, StudyResults } from './types.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');
const ci = (m: MetricCi, f = f2) => `${f(m.value)} <span class="ci">[${f(m.lower)}, ${f(m.upper)}]</span>`;

/** Display name of an arm: `cam:radcam/layercam` → `CAM · layercam`. */
export function armLabel(name: string): string {
  if (name.startsWith('cam:')) return `CAM · ${methodSlug(name.slice(4))}`;
  return name === 'cnn' ? 'CNN' : name;
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

/** ROC curves of every arm on one inline SVG plot. */
export function rocSvg(results: StudyResults): string {
  const W = 420;
  const H = 420;
  const m = 44;
  const px = (x: number) => m + x * (W - m - 12);
  const py = (y: number) => H - m - y * (H - m - 12);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" id="roc-plot" role="img" aria-label="ROC curves of all arms" width="${W + 230}" height="${H}" viewBox="0 0 ${W + 230} ${H}">`,
    `<rect x="${px(0)}" y="${py(1)}" width="${px(1) - px(0)}" height="${py(0) - py(1)}" fill="#fff" stroke="#999"/>`,
    `<line x1="${px(0)}" y1="${py(0)}" x2="${px(1)}" y2="${py(1)}" stroke="#bbb" stroke-dasharray="4 4"/>`,
  ];
  for (let t = 0; t <= 1.0001; t += 0.2) {
    parts.push(`<text x="${px(t)}" y="${H - m + 16}" font-size="11" text-anchor="middle">${t.toFixed(1)}</text>`);
    parts.push(`<text x="${m - 6}" y="${py(t) + 4}" font-size="11" text-anchor="end">${t.toFixed(1)}</text>`);
  }
  parts.push(`<text x="${(px(0) + px(1)) / 2}" y="${H - 6}" font-size="12" text-anchor="middle">1 − specificity</text>`);
  parts.push(`<text x="12" y="${(py(0) + py(1)) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 12 ${(py(0) + py(1)) / 2})">sensitivity</text>`);
  results.arms.forEach((a, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    const pts = a.roc.map((p) => `${px(p.fpr).toFixed(1)},${py(p.tpr).toFixed(1)}`).join(' ');
    parts.push(`<polyline class="roc-curve" data-arm="${escapeHtml(a.name)}" points="${pts}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    const ly = 24 + i * 20;
    parts.push(`<line x1="${W + 10}" y1="${ly}" x2="${W + 34}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`);
    parts.push(`<text x="${W + 40}" y="${ly + 4}" font-size="12">${escapeHtml(armLabel(a.name))} (AUC ${f2(a.metrics.auc.value)})</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/* ---------- lesion thumbnails ---------- */

type View = 'axial' | 'coronal' | 'sagittal';
const VIEWS: View[] = ['axial', 'coronal', 'sagittal'];

interface SliceGrid {
  /** width × height of the tile in pixels and the voxel index of each pixel. */
  w: number;
  h: number;
  index: Int32Array;
}

/** Pixels of a slice through `c` (crop index) at `pxPerMm`, nearest neighbour, superior up. */
function sliceGrid(size: Vec3, spacing: Vec3, c: Vec3, view: View, pxPerMm: number): SliceGrid {
  const [nx, ny, nz] = size;
  const axes: [number, number] = view === 'axial' ? [0, 1] : view === 'coronal' ? [0, 2] : [1, 2];
  const flipV = view !== 'axial';
  const [a, b] = axes;
  const w = Math.max(1, Math.round(size[a]! * spacing[a]! * pxPerMm));
  const h = Math.max(1, Math.round(size[b]! * spacing[b]! * pxPerMm));
  const index = new Int32Array(w * h);
  const ijk = [c[0], c[1], c[2]];
  for (let y = 0; y < h; y++) {
    const vb = Math.min(size[b]! - 1, Math.floor(((flipV ? h - 1 - y : y) + 0.5) / (spacing[b]! * pxPerMm)));
    for (let x = 0; x < w; x++) {
      const va = Math.min(size[a]! - 1, Math.floor((x + 0.5) / (spacing[a]! * pxPerMm)));
      ijk[a] = va;
      ijk[b] = vb;
      index[y * w + x] = ijk[0]! + nx * (ijk[1]! + ny * ijk[2]!);
    }
  }
  void nz;
  return { w, h, index };
}

function jet(v: number): [number, number, number] {
  const r = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - 3)));
  const g = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - 2)));
  const b = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - 1)));
  return [r * 255, g * 255, b * 255];
}

function contour(g: SliceGrid, mask: Uint8Array): Uint8Array {
  const out = new Uint8Array(g.w * g.h);
  for (let y = 0; y < g.h; y++) {
    for (let x = 0; x < g.w; x++) {
      const p = y * g.w + x;
      if (!mask[g.index[p]!]) continue;
      const nb = [x > 0 ? p - 1 : -1, x < g.w - 1 ? p + 1 : -1, y > 0 ? p - g.w : -1, y < g.h - 1 ? p + g.w : -1];
      if (nb.some((q) => q < 0 || !mask[g.index[q]!])) out[p] = 1;
    }
  }
  return out;
}

interface PanelInput {
  image: Volume;
  mask: Mask;
  truth: Mask | null;
  maps: { title: string; map: Float32Array | null }[];
  subregions: Uint16Array | null;
}

/** Base64 PNG tiles: rows = views, columns = image, each CAM, subregions. */
function renderTiles(p: PanelInput, pxPerMm: number): { columns: string[]; rows: { view: View; tiles: string[] }[] } {
  const img = p.image.data;
  const vals: number[] = [];
  for (let i = 0; i < img.length; i++) vals.push(img[i]!);
  vals.sort((a, b) => a - b);
  const lo = vals[Math.floor(0.01 * (vals.length - 1))]!;
  const hi = vals[Math.floor(0.99 * (vals.length - 1))]!;
  const c = centroidIndex(p.mask).map((v) => Math.round(v)) as Vec3;
  const columns = ['image', ...p.maps.map((m) => m.title), ...(p.subregions ? ['subregions'] : [])];
  const rows = VIEWS.map((view) => {
    const g = sliceGrid(p.image.size, p.image.spacing, c, view, pxPerMm);
    const lesionC = contour(g, p.mask.data);
    const truthC = p.truth ? contour(g, p.truth.data) : null;
    const base = new Uint8Array(g.w * g.h * 3);
    for (let q = 0; q < g.w * g.h; q++) {
      const v = Math.round(Math.min(1, Math.max(0, (img[g.index[q]!]! - lo) / (hi - lo || 1))) * 255);
      base[3 * q] = base[3 * q + 1] = base[3 * q + 2] = v;
    }
    const finish = (rgb: Uint8Array) => {
      for (let q = 0; q < g.w * g.h; q++) {
        if (truthC?.[q]) rgb.set([0, 230, 255], 3 * q);
        if (lesionC[q]) rgb.set([255, 220, 0], 3 * q);
      }
      return Buffer.from(encodePng(rgb, g.w, g.h)).toString('base64');
    };
    const tiles = [finish(Uint8Array.from(base))];
    for (const m of p.maps) {
      const rgb = Uint8Array.from(base);
      if (m.map) {
        let mx = 0;
        for (let i = 0; i < m.map.length; i++) if (p.mask.data[i] && m.map[i]! > mx) mx = m.map[i]!;
        for (let q = 0; q < g.w * g.h; q++) {
          const v = mx > 0 ? Math.min(1, Math.max(0, m.map[g.index[q]!]! / mx)) : 0;
          if (v <= 0.02) continue;
          const [r, gg, b] = jet(v);
          const a = 0.25 + 0.45 * v;
          rgb[3 * q] = Math.round((1 - a) * rgb[3 * q]! + a * r);
          rgb[3 * q + 1] = Math.round((1 - a) * rgb[3 * q + 1]! + a * gg);
          rgb[3 * q + 2] = Math.round((1 - a) * rgb[3 * q + 2]! + a * b);
        }
      }
      tiles.push(finish(rgb));
    }
    if (p.subregions) {
      const rgb = Uint8Array.from(base);
      const cols = [[230, 60, 60], [60, 160, 230], [90, 200, 90], [200, 120, 220]];
      for (let q = 0; q < g.w * g.h; q++) {
        const l = p.subregions[g.index[q]!]!;
        if (!l) continue;
        const col = cols[(l - 1) % cols.length]!;
        for (let k = 0; k < 3; k++) rgb[3 * q + k] = Math.round(0.45 * rgb[3 * q + k]! + 0.55 * col[k]!);
      }
      tiles.push(finish(rgb));
    }
    return { view, tiles };
  });
  return { columns, rows };
}

export interface LesionPanel {
  lesionId: string;
  patientId: string;
  label: 0 | 1;
  columns: string[];
  rows: { view: string; tiles: string[] }[];
  hasTruth: boolean;
}

async function fileExists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

/** Read each lesion (and its written CAMs / subregions) and render its thumbnail panel. */
export async function buildLesionPanels(
  cases: readonly CohortCase[],
  results: StudyResults,
  outDir: string,
  onProgress: (p: StudyProgress) => void,
): Promise<LesionPanel[]> {
  const methods = results.arms.filter((a) => a.kind === 'cam').map((a) => a.camMethod!);
  const panels: LesionPanel[] = [];
  let cache: { path: string; vol: Volume } | null = null;
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!;
    if (!cache || cache.path !== c.image) cache = { path: c.image, vol: await readVolume(c.image) };
    const full = cache.vol;
    const maskFull = await readMask(c.mask, { reference: full });
    const cr = cropToMask(full, maskFull, { marginMm: 6, marginVoxels: 1 });
    const truth = c.subregion ? crop(await readMask(c.subregion, { reference: full }), cr.min, cr.max) : null;
    const maps: PanelInput['maps'] = [];
    for (const m of methods) {
      const p = join(outDir, 'cams', `${c.lesionId}_${methodSlug(m)}.nii.gz`);
      const map = (await fileExists(p)) ? (crop(await readVolume(p), cr.min, cr.max).data as Float32Array) : null;
      maps.push({ title: methodSlug(m), map });
    }
    const subPath = join(outDir, 'subregions', `${c.lesionId}.nii.gz`);
    const subregions = methods.length && (await fileExists(subPath)) ? Uint16Array.from(crop(await readVolume(subPath), cr.min, cr.max).data) : null;
    const pxPerMm = Math.max(1, Math.min(4, 96 / Math.max(...cr.image.size.map((n, k) => n * cr.image.spacing[k]!))));
    const t = renderTiles({ image: cr.image, mask: cr.mask, truth, maps, subregions }, pxPerMm);
    panels.push({ lesionId: c.lesionId, patientId: c.patientId, label: c.label!, columns: t.columns, rows: t.rows, hasTruth: truth !== null });
    onProgress({ step: 'report', done: i + 1, total: cases.length, cached: false, item: c.lesionId });
  }
  return panels;
}

const CSS = `
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 16px}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right;font-size:13px}
th{background:#f4f4f4}td.l,th.l{text-align:left}.ci{color:#777;font-size:11px}
.lesion{display:inline-block;vertical-align:top;margin:6px;border:1px solid #ddd;padding:6px;border-radius:4px}
.lesion table td{border:none;padding:1px;text-align:center}.lesion img{image-rendering:pixelated;display:block}
.note{color:#555;font-size:13px}.good{color:#1a7f37}.bad{color:#b42318}
pre{background:#f7f7f7;padding:8px;overflow:auto;font-size:12px}
`;

/** The report's HTML text. */
export function renderReport(r: StudyResults, panels: readonly LesionPanel[]): string {
  const h: string[] = [];
  const c = r.cohort;
  h.push('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">');
  h.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  h.push(`<title>radcam study report</title><style>${CSS}</style></head><body>`);
  h.push('<h1>radcam study: radiomics vs gradient features vs CNN + CAM</h1>');
  h.push(`<p class="note">Generated by ${escapeHtml(r.generatedBy)}; backend ${escapeHtml(r.runtime.backend ?? 'n/a')}; Node ${escapeHtml(r.runtime.node)}. `);
  h.push(`${r.settings.folds}-fold patient-grouped stratified CV × ${r.settings.repeats} repeat(s), seed ${r.settings.seed}; identical folds for every arm.</p>`);

  h.push('<section id="summary"><h2>Cohort</h2><table>');
  const rows: [string, string][] = [
    ['manifest', escapeHtml(c.manifest)],
    ['patients', String(c.patients)],
    ['lesions', String(c.lesions)],
    ['responders (label 1)', String(c.responders)],
    ['non-responders (label 0)', String(c.nonResponders)],
    ['lesions with a ground-truth subregion', String(c.withTruthSubregion)],
  ];
  for (const [k, v] of rows) h.push(`<tr><th class="l">${k}</th><td class="l">${v}</td></tr>`);
  h.push('</table></section>');

  h.push('<section id="metrics"><h2>Classification (out-of-fold)</h2>');
  h.push(`<p class="note">Mean out-of-fold probability over repeats; 95 % CIs from a patient-level bootstrap (${r.settings.metrics.replicates} replicates), DeLong CI for the AUC; threshold ${r.settings.metrics.threshold}.</p>`);
  h.push('<table id="metrics-table"><tr><th class="l">arm</th><th>AUC</th><th>AUC DeLong CI</th><th>accuracy</th><th>sensitivity</th><th>specificity</th><th>F1</th><th>balanced acc.</th><th>Brier</th><th>repeats</th></tr>');
  for (const a of r.arms) {
    const m = a.metrics;
    h.push(
      `<tr data-arm="${escapeHtml(a.name)}"><td class="l">${escapeHtml(armLabel(a.name))}</td><td>${ci(m.auc)}</td><td>[${f2(m.auc.deLongLower)}, ${f2(m.auc.deLongUpper)}]</td>` +
        `<td>${ci(m.accuracy)}</td><td>${ci(m.sensitivity)}</td><td>${ci(m.specificity)}</td><td>${ci(m.f1)}</td><td>${ci(m.balancedAccuracy)}</td><td>${ci(m.brier, f3)}</td><td>${a.repeats}</td></tr>`,
    );
  }
  h.push('</table></section>');

  h.push(`<section id="roc"><h2>ROC curves</h2>${rocSvg(r)}</section>`);

  h.push('<section id="delong"><h2>DeLong comparisons</h2><p class="note">Paired DeLong test of the AUCs of two arms on the same lesions (mean out-of-fold predictions; DeLong assumes independent lesions).</p>');
  h.push('<table id="delong-table"><tr><th class="l">arm A</th><th class="l">arm B</th><th>AUC A</th><th>AUC B</th><th>difference [95 % CI]</th><th>z</th><th>p</th></tr>');
  for (const d of r.comparisons) {
    h.push(`<tr><td class="l">${escapeHtml(armLabel(d.a))}</td><td class="l">${escapeHtml(armLabel(d.b))}</td><td>${f3(d.auc1)}</td><td>${f3(d.auc2)}</td><td>${f3(d.difference)} <span class="ci">[${f3(d.lower)}, ${f3(d.upper)}]</span></td><td>${f2(d.z)}</td><td>${Number.isFinite(d.p) ? d.p.toPrecision(3) : '–'}</td></tr>`);
  }
  h.push('</table></section>');

  h.push('<section id="features"><h2>Most important features per arm</h2><p class="note">Share of fitted folds whose fold-local selection kept the feature, and its mean |importance| there.</p>');
  for (const a of r.arms.filter((x) => x.topFeatures.length)) {
    h.push(`<h3>${escapeHtml(armLabel(a.name))}</h3><table class="features-table"><tr><th class="l">feature</th><th>selected</th><th>mean |importance|</th></tr>`);
    for (const t of a.topFeatures) h.push(`<tr><td class="l">${escapeHtml(t.name)}</td><td>${(100 * t.selected).toFixed(0)} %</td><td>${f3(t.importance)}</td></tr>`);
    h.push('</table>');
  }
  h.push('</section>');

  h.push('<section id="localisation"><h2>CAM localisation of the resistant subregion</h2>');
  const L = r.localisation;
  if (!L || !L.available) {
    h.push('<p class="note">No ground-truth subregion masks in this cohort (or no CNN arm): localisation not measured.</p>');
  } else {
    h.push(`<p class="note">Out-of-fold maps (each lesion explained by the network of the fold that tested it, repeat 0) explaining class ${L.classIndex} (${L.classIndex === 0 ? 'non-responder' : 'responder'}), against the truth subregion, inside the lesion. Pointing game: the in-lesion maximum lies in the truth (± 1 voxel); Dice / IoU of the extracted top subregion; AUC of the map as a voxel classifier of the truth; energy share and its lift over a uniform map. Means with patient-bootstrap 95 % CIs.</p>`);
    h.push('<table id="localisation-table"><tr><th class="l">method</th><th>lesions</th><th>pointing game</th><th>Dice</th><th>IoU</th><th>map AUC</th><th>energy share</th><th>lift</th></tr>');
    for (const m of L.methods) {
      h.push(`<tr><td class="l">${escapeHtml(methodSlug(m.method))}</td><td>${m.lesions}</td><td>${ci(m.pointingGame)}</td><td>${ci(m.dice)}</td><td>${ci(m.iou)}</td><td>${ci(m.auc)}</td><td>${ci(m.energyShare)}</td><td>${ci(m.lift)}</td></tr>`);
    }
    h.push('</table>');
    if (L.pairwise.length) {
      h.push('<h3>Paired differences</h3><table id="localisation-pairs"><tr><th class="l">A − B</th><th class="l">metric</th><th>mean difference [95 % CI]</th><th class="l">reading</th></tr>');
      for (const p of L.pairwise) {
        const d = p.difference;
        const reading = d.lower > 0 ? `<span class="good">A better</span>` : d.upper < 0 ? `<span class="bad">B better</span>` : 'no clear difference';
        h.push(`<tr><td class="l">${escapeHtml(methodSlug(p.a))} − ${escapeHtml(methodSlug(p.b))}</td><td class="l">${p.metric}</td><td>${ci(d, f3)}</td><td class="l">${reading}</td></tr>`);
      }
      h.push('</table>');
    }
  }
  h.push('</section>');

  h.push('<section id="lesions"><h2>Lesions</h2><p class="note">Slices through the lesion centroid (axial, coronal, sagittal; superior up). Yellow: lesion contour; cyan: ground-truth subregion; colour: CAM (jet, scaled to the in-lesion maximum); last column: extracted subregions of the primary method. Out-of-fold CNN probability in the caption.</p>');
  const cnn = r.arms.find((a) => a.name === 'cnn');
  panels.forEach((p) => {
    const idx = r.lesions.findIndex((l) => l.lesionId === p.lesionId);
    const prob = cnn && idx >= 0 ? ` · CNN P(resp) ${f2(cnn.oof[idx]!)}` : '';
    h.push(`<div class="lesion" id="lesion-${escapeHtml(p.lesionId)}"><div><b>${escapeHtml(p.lesionId)}</b> · label ${p.label} (${p.label ? 'responder' : 'non-responder'})${prob}${p.hasTruth ? ' · truth subregion' : ''}</div><table>`);
    h.push(`<tr><td></td>${p.columns.map((col) => `<td>${escapeHtml(col)}</td>`).join('')}</tr>`);
    for (const row of p.rows) {
      h.push(`<tr><td>${row.view[0]!.toUpperCase()}</td>${row.tiles.map((t, j) => `<td><img alt="${escapeHtml(`${p.lesionId} ${row.view} ${p.columns[j]}`)}" src="data:image/png;base64,${t}"></td>`).join('')}</tr>`);
    }
    h.push('</table></div>');
  });
  h.push('</section>');

  h.push(`<section id="settings"><h2>Settings</h2><details><summary>resolved settings, seeds and versions</summary><pre>${escapeHtml(JSON.stringify({ settings: r.settings, seeds: r.seeds, versions: r.versions }, null, 2))}</pre></details></section>`);
  h.push('</body></html>\n');
  return h.join('\n');
}
