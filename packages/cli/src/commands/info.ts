import type { Volume } from '@radcam/core';
import type { CommandSpec } from '../cli.js';
import { volumeIo } from '../deps.js';

/** What `radcam info --json` prints. */
export interface InfoResult {
  path: string;
  format: string;
  compressed?: boolean;
  size: [number, number, number];
  spacing: [number, number, number];
  origin: [number, number, number];
  direction: number[];
  dtype: string;
  /** Minimum and maximum voxel value (absent with --header-only). */
  min?: number;
  max?: number;
}

/** Min and max of a volume's data (NaN ignored). */
export function minMax(vol: Volume): { min: number; max: number } {
  const d = vol.data;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

const fmt = (v: number) => String(+v.toFixed(6));

export const infoCommand: CommandSpec = {
  name: 'info',
  summary: 'print an image’s format, geometry, data type and value range',
  usage: ['info FILE|DICOMDIR [--json] [--header-only]'],
  description:
    'Reads NIfTI-1/2, NRRD, MetaImage or a DICOM series folder. Coordinates are LPS (mm).\n' +
    'min/max need the voxel data: --header-only skips them and reads only the header.',
  options: {
    json: { type: 'boolean', description: 'print JSON instead of a table' },
    'header-only': { type: 'boolean', description: 'do not read the voxel data (no min/max)' },
  },
  positionals: { min: 1, max: 1, names: 'FILE|DICOMDIR' },
  examples: ['radcam info ct.nii.gz', 'radcam info dicom/series1 --json'],
  async run(ctx) {
    const file = ctx.path(ctx.positionals[0]!);
    const io = await volumeIo('radcam info', ['readVolumeInfo', 'readVolume']);
    const info = await io.readVolumeInfo(file);
    const res: InfoResult = {
      path: ctx.positionals[0]!,
      format: info.format,
      ...(info.compressed !== undefined ? { compressed: info.compressed } : {}),
      size: [...info.size],
      spacing: [...info.spacing],
      origin: [...info.origin],
      direction: Array.from(info.direction),
      dtype: info.dtype,
    };
    if (!ctx.values['header-only']) Object.assign(res, minMax(await io.readVolume(file)));
    if (ctx.values.json) {
      ctx.out(JSON.stringify(res, null, 2));
      return;
    }
    const d = res.direction.map(fmt);
    const rows: [string, string][] = [
      ['file', res.path],
      ['format', `${res.format}${res.compressed ? ' (compressed)' : ''}`],
      ['size', res.size.join(' × ')],
      ['spacing', `${res.spacing.map(fmt).join(' × ')} mm`],
      ['origin', `${res.origin.map(fmt).join(', ')} mm (LPS)`],
      ['direction', `[${d.slice(0, 3).join(' ')}; ${d.slice(3, 6).join(' ')}; ${d.slice(6, 9).join(' ')}]`],
      ['dtype', res.dtype],
    ];
    if (res.min !== undefined) rows.push(['min', fmt(res.min)], ['max', fmt(res.max!)]);
    for (const [k, v] of rows) ctx.out(`${k.padEnd(10)} ${v}`);
  },
};
