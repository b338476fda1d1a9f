import { countMask } from '@radcam/core';
import type { CommandSpec } from '../cli.js';
import { usageError, stringOpt } from '../cli.js';
import { volumeIo } from '../deps.js';
import { assertNotInput } from '../output.js';

export const convertCommand: CommandSpec = {
  name: 'convert',
  summary: 'convert an image between formats, or rasterise an RTSTRUCT ROI onto it',
  usage: ['convert IN OUT', 'convert IN OUT --rtstruct RTSTRUCT.dcm --roi NAME'],
  description:
    'IN is any readable image (NIfTI, NRRD, MetaImage, DICOM series folder); the format of OUT follows\n' +
    'its extension (.nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd). With --rtstruct, OUT is the mask of\n' +
    'ROI NAME on IN’s voxel grid (uint8, 1 inside). OUT is written atomically and never replaces IN.',
  options: {
    rtstruct: { type: 'string', valueName: 'FILE', description: 'DICOM RTSTRUCT file to rasterise' },
    roi: { type: 'string', valueName: 'NAME', description: 'ROI name in the RTSTRUCT (with --rtstruct)' },
  },
  positionals: { min: 2, max: 2, names: 'IN OUT' },
  examples: [
    'radcam convert dicom/ct ct.nii.gz',
    'radcam convert dicom/ct gtv.nii.gz --rtstruct dicom/rs.dcm --roi GTV-1',
  ],
  async run(ctx) {
    const input = ctx.path(ctx.positionals[0]!);
    const output = ctx.path(ctx.positionals[1]!);
    const rt = stringOpt(ctx.values, 'rtstruct');
    const roi = stringOpt(ctx.values, 'roi');
    if ((rt === undefined) !== (roi === undefined)) throw usageError('--rtstruct and --roi go together');
    const rtPath = rt !== undefined ? ctx.path(rt) : undefined;
    assertNotInput(output, [input, rtPath]);
    if (rtPath !== undefined) {
      const io = await volumeIo('radcam convert --rtstruct', ['readVolumeInfo', 'readRtstructMask', 'writeVolume']);
      const ref = await io.readVolumeInfo(input);
      const mask = await io.readRtstructMask(rtPath, ref, roi!);
      await io.writeVolume(output, mask, { inputs: [input, rtPath] });
      ctx.out(`wrote ${ctx.positionals[1]} (ROI "${roi}", ${countMask(mask)} voxels on a ${mask.size.join('×')} grid)`);
      return;
    }
    const io = await volumeIo('radcam convert', ['readVolume', 'writeVolume']);
    const vol = await io.readVolume(input);
    await io.writeVolume(output, vol, { inputs: [input] });
    ctx.out(`wrote ${ctx.positionals[1]} (${vol.size.join('×')})`);
  },
};
