import type { Volume } from '@radcam/core';
import { choiceOpt, intOpt, numberOpt, stringOpt, usageError, type CommandContext, type CommandSpec } from '../cli.js';
import { requireApi, volumeIo } from '../deps.js';
import { assertNotInput } from '../output.js';

/** The subset of `@radcam/radiomics` this command uses. */
interface FilterApi {
  applyImageType(image: Volume, spec: unknown): Volume<Float32Array>;
  ibsi2Test(id: string): { phantom: string; spec: unknown };
}

const FILTERS = [
  'mean', 'log', 'laws', 'gabor', 'wavelet', 'simoncelli', 'riesz-log',
  'square', 'squareroot', 'logarithm', 'exponential', 'gradient', 'lbp2D',
] as const;
type FilterName = (typeof FILTERS)[number];
const PADDINGS = ['constant', 'nearest', 'periodic', 'mirror'] as const;

/** Which filter options each filter accepts (besides --padding). */
const APPLIES: Record<string, readonly FilterName[]> = {
  support: ['mean'],
  dims: ['mean', 'log', 'simoncelli'],
  sigma: ['log', 'gabor', 'riesz-log'],
  truncate: ['log', 'riesz-log'],
  kernel: ['laws'],
  'rotation-invariant': ['laws', 'wavelet'],
  pooling: ['laws', 'wavelet', 'gabor'],
  'energy-delta': ['laws'],
  lambda: ['gabor'],
  gamma: ['gabor'],
  'theta-deg': ['gabor'],
  'theta-step-deg': ['gabor'],
  planes: ['gabor'],
  response: ['gabor'],
  wavelet: ['wavelet'],
  subband: ['wavelet'],
  level: ['wavelet', 'simoncelli'],
  'riesz-order': ['simoncelli', 'riesz-log'],
  radius: ['lbp2D'],
  samples: ['lbp2D'],
  'no-spacing': ['gradient'],
};
const NO_PADDING: readonly FilterName[] = ['simoncelli', 'square', 'squareroot', 'logarithm', 'exponential', 'gradient', 'lbp2D'];

function required<T>(v: T | undefined, flag: string, filter: string): T {
  if (v === undefined) throw usageError(`--filter ${filter} needs --${flag}`);
  return v;
}

function positive(ctx: CommandContext, flag: string): number | undefined {
  const v = numberOpt(ctx.values, flag);
  if (v !== undefined && !(v > 0)) throw usageError(`--${flag} must be > 0`, { found: String(v) });
  return v;
}

function rieszOrder(ctx: CommandContext): [number, number, number] | undefined {
  const s = stringOpt(ctx.values, 'riesz-order');
  if (s === undefined) return undefined;
  const parts = s.split(',').map((p) => p.trim());
  if (parts.length !== 3 || parts.some((p) => !/^\d+$/.test(p))) {
    throw usageError('--riesz-order must be three non-negative integers x,y,z', { found: JSON.stringify(s) });
  }
  return parts.map(Number) as [number, number, number];
}

/** Build the filter specification of `--filter NAME` and its options (usage errors otherwise). */
export function filterSpecFromOptions(ctx: CommandContext): Record<string, unknown> {
  const name = choiceOpt(ctx.values, 'filter', FILTERS, 'mean');
  for (const [flag, filters] of Object.entries(APPLIES)) {
    if (ctx.values[flag] !== undefined && ctx.values[flag] !== false && !filters.includes(name)) {
      throw usageError(`--${flag} does not apply to --filter ${name}`, { expected: `a filter among ${filters.join(', ')}` });
    }
  }
  const padOpt = stringOpt(ctx.values, 'padding');
  if (padOpt !== undefined && NO_PADDING.includes(name)) {
    throw usageError(`--padding does not apply to --filter ${name}`, { expected: 'a convolutional filter (mean, log, laws, gabor, wavelet, riesz-log)' });
  }
  const padding = choiceOpt(ctx.values, 'padding', PADDINGS, 'mirror');
  const dims = stringOpt(ctx.values, 'dims') !== undefined ? choiceOpt(ctx.values, 'dims', ['2D', '3D'] as const, '3D') : undefined;
  const pooling = stringOpt(ctx.values, 'pooling') !== undefined ? choiceOpt(ctx.values, 'pooling', ['max', 'average', 'min'] as const, 'average') : undefined;
  const ri = ctx.values['rotation-invariant'] === true;
  const opt = <T>(key: string, v: T | undefined): Record<string, T> => (v === undefined ? {} : { [key]: v });
  switch (name) {
    case 'mean':
      return { filter: 'mean', support: intOpt(ctx.values, 'support', 3, { min: 1 }), padding, ...opt('dims', dims) };
    case 'log':
      return { filter: 'log', sigmaMm: required(positive(ctx, 'sigma'), 'sigma', name), padding, ...opt('dims', dims), ...opt('truncate', positive(ctx, 'truncate')) };
    case 'laws': {
      const delta = stringOpt(ctx.values, 'energy-delta') !== undefined ? intOpt(ctx.values, 'energy-delta', 0, { min: 0 }) : undefined;
      return {
        filter: 'laws', kernel: required(stringOpt(ctx.values, 'kernel'), 'kernel', name), padding,
        ...(ri ? { rotationInvariant: true } : {}), ...opt('pooling', pooling), ...opt('energyDelta', delta),
      };
    }
    case 'gabor': {
      const thetaDeg = numberOpt(ctx.values, 'theta-deg');
      const stepDeg = positive(ctx, 'theta-step-deg');
      if (thetaDeg !== undefined && stepDeg !== undefined) throw usageError('give --theta-deg or --theta-step-deg, not both');
      const planes = stringOpt(ctx.values, 'planes') !== undefined ? choiceOpt(ctx.values, 'planes', ['axial', 'orthogonal'] as const, 'axial') : undefined;
      const response = stringOpt(ctx.values, 'response') !== undefined ? choiceOpt(ctx.values, 'response', ['modulus', 'real', 'imaginary', 'phase'] as const, 'modulus') : undefined;
      return {
        filter: 'gabor',
        sigmaMm: required(positive(ctx, 'sigma'), 'sigma', name),
        lambdaMm: required(positive(ctx, 'lambda'), 'lambda', name),
        gamma: positive(ctx, 'gamma') ?? 1,
        ...(stepDeg !== undefined ? { thetaStep: (stepDeg * Math.PI) / 180 } : { theta: ((thetaDeg ?? 0) * Math.PI) / 180 }),
        padding, ...opt('planes', planes), ...opt('pooling', pooling), ...opt('response', response),
      };
    }
    case 'wavelet':
      return {
        filter: 'wavelet',
        wavelet: required(stringOpt(ctx.values, 'wavelet'), 'wavelet', name),
        subband: required(stringOpt(ctx.values, 'subband'), 'subband', name),
        level: intOpt(ctx.values, 'level', 1, { min: 1 }),
        padding, ...(ri ? { rotationInvariant: true } : {}), ...opt('pooling', pooling),
      };
    case 'simoncelli':
      return { filter: 'simoncelli', level: intOpt(ctx.values, 'level', 1, { min: 1 }), ...opt('dims', dims), ...opt('rieszOrder', rieszOrder(ctx)) };
    case 'riesz-log':
      return {
        filter: 'riesz-log', sigmaMm: required(positive(ctx, 'sigma'), 'sigma', name),
        rieszOrder: required(rieszOrder(ctx), 'riesz-order', name), padding, ...opt('truncate', positive(ctx, 'truncate')),
      };
    case 'gradient':
      return { filter: 'gradient', useSpacing: ctx.values['no-spacing'] !== true };
    case 'lbp2D':
      return { filter: 'lbp2D', ...opt('radius', positive(ctx, 'radius')), ...opt('samples', stringOpt(ctx.values, 'samples') !== undefined ? intOpt(ctx.values, 'samples', 8, { min: 1 }) : undefined) };
    default:
      return { filter: name };
  }
}

export const filterCommand: CommandSpec = {
  name: 'filter',
  summary: 'apply a convolutional filter (IBSI 2) or an intensity transform and write the response map',
  usage: [
    'filter IMAGE --filter NAME [filter options] [--padding constant|nearest|periodic|mirror] --out OUT.nii.gz',
    'filter IMAGE --ibsi2 TEST_ID --out OUT.nii.gz',
  ],
  description:
    `Filters: ${FILTERS.join(', ')}. Parameters in mm (σ, λ) use the image spacing.\n` +
    'OUT keeps the geometry of IMAGE (size, spacing, origin, direction) and is float32; it is written\n' +
    'atomically and never replaces IMAGE. --ibsi2 applies exactly the filter configuration of an\n' +
    'IBSI 2 phase-1 test (1.a.1 … 10.b.1) and takes no other filter option. Default padding: mirror.',
  options: {
    filter: { type: 'string', valueName: 'NAME', description: 'filter name (see above)' },
    ibsi2: { type: 'string', valueName: 'TEST_ID', description: 'IBSI 2 phase-1 test configuration, e.g. 3.b.2' },
    out: { type: 'string', valueName: 'FILE', description: 'output image (.nii, .nii.gz, .nrrd, .mha, …)' },
    padding: { type: 'string', valueName: 'MODE', description: 'boundary condition: constant, nearest, periodic or mirror' },
    support: { type: 'string', valueName: 'N', description: 'mean: odd support in voxels (default 3)' },
    dims: { type: 'string', valueName: '2D|3D', description: 'mean, log, simoncelli: slice-wise (2D) or 3D (default 3D)' },
    sigma: { type: 'string', valueName: 'MM', description: 'log, gabor, riesz-log: σ in mm' },
    truncate: { type: 'string', valueName: 'X', description: 'log, riesz-log: truncation in σ (default 4)' },
    kernel: { type: 'string', valueName: 'NAME', description: 'laws: kernel, e.g. L5E5E5 (first along x) or L5S5 (2D)' },
    'rotation-invariant': { type: 'boolean', description: 'laws, wavelet: pool over the right-angle rotations' },
    pooling: { type: 'string', valueName: 'max|average|min', description: 'laws, wavelet, gabor: pooling of rotations/orientations' },
    'energy-delta': { type: 'string', valueName: 'N', description: 'laws: energy map over a (2N+1) window' },
    lambda: { type: 'string', valueName: 'MM', description: 'gabor: wavelength λ in mm' },
    gamma: { type: 'string', valueName: 'X', description: 'gabor: spatial aspect ratio γ (default 1)' },
    'theta-deg': { type: 'string', valueName: 'DEG', description: 'gabor: one orientation θ in degrees (default 0)' },
    'theta-step-deg': { type: 'string', valueName: 'DEG', description: 'gabor: orientations 0, Δθ, … < 180° pooled' },
    planes: { type: 'string', valueName: 'axial|orthogonal', description: 'gabor: axial slices or the three orthogonal planes' },
    response: { type: 'string', valueName: 'TYPE', description: 'gabor: modulus (default), real, imaginary or phase' },
    wavelet: { type: 'string', valueName: 'NAME', description: 'wavelet: haar, db1–db4, sym2, coif1' },
    subband: { type: 'string', valueName: 'LHL', description: 'wavelet: one letter per axis x, y(, z)' },
    level: { type: 'string', valueName: 'N', description: 'wavelet, simoncelli: decomposition level (default 1)' },
    'riesz-order': { type: 'string', valueName: 'X,Y,Z', description: 'simoncelli, riesz-log: Riesz transform order' },
    radius: { type: 'string', valueName: 'R', description: 'lbp2D: radius in pixels (default 1)' },
    samples: { type: 'string', valueName: 'N', description: 'lbp2D: number of samples (default 8)' },
    'no-spacing': { type: 'boolean', description: 'gradient: differences per voxel instead of per mm' },
  },
  positionals: { min: 1, max: 1, names: 'IMAGE' },
  examples: [
    'radcam filter ct.nii.gz --filter log --sigma 2 --out ct_log2.nii.gz',
    'radcam filter ct.nii.gz --filter wavelet --wavelet db3 --subband LLH --level 1 --out ct_llh.nii.gz',
    'radcam filter checkerboard.nii.gz --ibsi2 3.b.2 --out 3b2.nii.gz',
  ],
  async run(ctx) {
    const outOpt = stringOpt(ctx.values, 'out');
    if (outOpt === undefined) throw usageError('radcam filter needs --out FILE');
    const ibsi2 = stringOpt(ctx.values, 'ibsi2');
    const filter = stringOpt(ctx.values, 'filter');
    if ((ibsi2 === undefined) === (filter === undefined)) throw usageError('give exactly one of --filter NAME and --ibsi2 TEST_ID');
    const api = await requireApi<FilterApi>('@radcam/radiomics', ['applyImageType', 'ibsi2Test'], 'radcam filter');
    let spec: unknown;
    if (ibsi2 !== undefined) {
      const extra = Object.keys(APPLIES).concat('padding').filter((k) => ctx.values[k] !== undefined && ctx.values[k] !== false);
      if (extra.length) throw usageError(`--ibsi2 fixes the filter configuration; remove --${extra.join(', --')}`);
      spec = api.ibsi2Test(ibsi2).spec;
    } else spec = filterSpecFromOptions(ctx);
    const input = ctx.path(ctx.positionals[0]!);
    const output = ctx.path(outOpt);
    assertNotInput(output, [input]);
    const io = await volumeIo('radcam filter', ['readVolume', 'writeVolume']);
    const image = await io.readVolume(input);
    const t0 = performance.now();
    const response = api.applyImageType(image, spec);
    const ms = performance.now() - t0;
    await io.writeVolume(output, response, { inputs: [input] });
    ctx.out(`wrote ${outOpt} (${response.size.join('×')}, float32, ${ibsi2 !== undefined ? `IBSI 2 test ${ibsi2}` : filter}, ${ms.toFixed(0)} ms)`);
  },
};
