/**
 * Lazy access to the radcam packages the commands use. Each package is imported on first use (so
 * `radcam info` does not load the radiomics code), and a function that a package does not export
 * in this build gives `E_UNSUPPORTED` naming the package and function.
 */
import { RadcamError, type Geometry, type Mask, type Vec3, type Volume } from '@radcam/core';

/** The subset of `@radcam/volume-io` the CLI uses. */
export interface VolumeIoApi {
  readVolume(path: string, options?: Record<string, unknown>): Promise<Volume>;
  writeVolume(path: string, volume: Volume, options?: Record<string, unknown>): Promise<void>;
  readVolumeInfo(path: string): Promise<{
    format: string;
    size: Vec3;
    spacing: Vec3;
    origin: Vec3;
    direction: Float64Array;
    dtype: string;
    compressed?: boolean;
  }>;
  readMask(path: string, options?: { reference?: Geometry }): Promise<Mask>;
  readRtstructMask(rtPath: string, reference: Geometry, roiName: string): Promise<Mask>;
  listRtstructRois(path: string): Promise<unknown>;
}

/** The subset of `@radcam/radiomics` the CLI uses. */
export interface RadiomicsApi {
  extractFeatures(image: Volume, mask: Mask, settings: unknown): { features: Record<string, number>; diagnostics: Record<string, unknown> };
  loadParams(path: string): unknown;
  resolveSettings(input: { preset?: string; params?: unknown; families?: string[] }): unknown;
}

/** The subset of `@radcam/gradient-features` the CLI uses. */
export interface GradientApi {
  extractGradientFeatures(
    image: Volume,
    mask: Mask,
    options?: Record<string, unknown>,
  ): { features: Record<string, number>; diagnostics: Record<string, unknown>; maps?: Record<string, Volume> };
}

type Loader = () => Promise<Record<string, unknown>>;

const loaders: Record<string, Loader> = {
  '@radcam/volume-io': () => import('@radcam/volume-io') as Promise<Record<string, unknown>>,
  '@radcam/radiomics': () => import('@radcam/radiomics') as Promise<Record<string, unknown>>,
  '@radcam/gradient-features': () => import('@radcam/gradient-features') as Promise<Record<string, unknown>>,
};

/** The named functions of `pkg`, or E_UNSUPPORTED naming what is missing. */
export async function requireApi<T>(pkg: keyof typeof loaders & string, names: readonly (keyof T & string)[], what: string): Promise<T> {
  const mod = await loaders[pkg]!();
  const missing = names.filter((n) => typeof mod[n] !== 'function');
  if (missing.length) {
    throw new RadcamError('E_UNSUPPORTED', `${what} needs ${pkg} ${missing.join(', ')}, which this build does not provide`, {
      expected: `${pkg} exporting ${missing.join(', ')}`,
    });
  }
  return mod as unknown as T;
}

/** True when `pkg` exports every function in `names` (no error). */
export async function hasApi(pkg: keyof typeof loaders & string, names: readonly string[]): Promise<boolean> {
  try {
    const mod = await loaders[pkg]!();
    return names.every((n) => typeof mod[n] === 'function');
  } catch {
    return false;
  }
}

export const volumeIo = (what: string, names: readonly (keyof VolumeIoApi)[] = ['readVolume']) =>
  requireApi<VolumeIoApi>('@radcam/volume-io', names, what);
export const radiomics = (what: string) =>
  requireApi<RadiomicsApi>('@radcam/radiomics', ['extractFeatures', 'resolveSettings', 'loadParams'], what);
export const gradient = (what: string) => requireApi<GradientApi>('@radcam/gradient-features', ['extractGradientFeatures'], what);
