/**
 * PyRadiomics image types in compat mode: `Original`, `LoG` (`getLoGImage`), `Wavelet`
 * (`getWaveletImage`), `Square`, `SquareRoot`, `Logarithm`, `Exponential`, `Gradient` and `LBP2D`,
 * with PyRadiomics' image-type names and its checks.
 */
import type { Vec3 } from '@radcam/core';
import { laplacianRecursiveGaussian } from '../filters/pyradiomics-log.js';
import { pyradiomicsWavelet } from '../filters/pyradiomics-wavelet.js';
import { pyradiomicsGradientMagnitude, pyradiomicsLbp2D, pyradiomicsPointTransform, type PyradiomicsPointTransform } from '../filters/pyradiomics-nonlinear.js';
import { pyradiomicsDerivedImageNames, pyradiomicsSettings, type PyradiomicsImageType, type PyradiomicsParams, type PyradiomicsSettings } from './params.js';

/** Options of `pyradiomicsDerivedImages` that depend on the input image rather than the settings. */
export interface PyradiomicsDerivedImageOptions {
  /**
   * Integer pixel type range of the (pre-processed) input image, null for floating images. Used by
   * LBP2D, whose codes PyRadiomics writes back into the input array (cast to its pixel type).
   */
  intRange?: [number, number] | null;
}

const POINT_TYPES: Partial<Record<PyradiomicsImageType, PyradiomicsPointTransform>> = {
  Square: 'square',
  SquareRoot: 'squareroot',
  Logarithm: 'logarithm',
  Exponential: 'exponential',
};

/** One derived image: PyRadiomics name (`original`, `log-sigma-1-0-mm-3D`, `wavelet-LLH`, `square`, `lbp-2D`) and values. */
export interface PyradiomicsDerivedImage {
  name: string;
  values: Float64Array;
}

/** Settings of an image type: the global settings with the image type's custom settings on top. */
export function pyradiomicsImageTypeSettings(params: PyradiomicsParams, type: PyradiomicsImageType): PyradiomicsSettings {
  return pyradiomicsSettings(params.imageTypes[type] ?? {}, params.settings);
}

/**
 * Apply an image type to the (pre-processed) image as PyRadiomics does. LoG: no image at all when
 * any axis has < 4 voxels; σ ≤ 0 or `size < ceil(σ/spacing) + 1` on any axis skips that σ (PyRadiomics
 * logs a warning) — skipped images are reported in `skipped`. Square / SquareRoot / Logarithm /
 * Exponential: point transforms with coefficients from max|x| of the whole given image. Gradient:
 * ITK gradient magnitude (float32), `gradientUseSpacing`. LBP2D: scikit-image LBP per slice along
 * `force2Ddimension` (`lbp2DRadius`, `lbp2DSamples`, `lbp2DMethod`), cast to the input pixel type.
 */
export function pyradiomicsDerivedImages(
  type: PyradiomicsImageType,
  values: Float64Array,
  size: Readonly<Vec3>,
  spacing: Readonly<Vec3>,
  s: PyradiomicsSettings,
  options: PyradiomicsDerivedImageOptions = {},
): { images: PyradiomicsDerivedImage[]; skipped: string[] } {
  const images: PyradiomicsDerivedImage[] = [];
  const skipped: string[] = [];
  const point = POINT_TYPES[type];
  if (type === 'Original') {
    images.push({ name: 'original', values });
  } else if (point) {
    images.push({ name: pyradiomicsDerivedImageNames(type, s)[0]!, values: pyradiomicsPointTransform(values, point) });
  } else if (type === 'Gradient') {
    images.push({ name: 'gradient', values: Float64Array.from(pyradiomicsGradientMagnitude(values, size, spacing, s.gradientUseSpacing)) });
  } else if (type === 'LBP2D') {
    const lbp = pyradiomicsLbp2D(values, size, {
      radius: s.lbp2DRadius,
      samples: s.lbp2DSamples,
      method: s.lbp2DMethod,
      axis: s.force2Ddimension,
      intRange: options.intRange ?? null,
    });
    images.push({ name: 'lbp-2D', values: lbp });
  } else if (type === 'LoG') {
    const names = pyradiomicsDerivedImageNames('LoG', s);
    let k = 0;
    if (Math.min(size[0], size[1], size[2]) < 4) {
      skipped.push(`LoG: image too small to apply LoG filter, size ${size.join('×')}`);
    } else {
      s.sigma.forEach((sigma) => {
        if (!(sigma > 0)) {
          skipped.push(`LoG: sigma must be greater than 0.0: ${sigma}`);
          return;
        }
        const name = names[k++]!;
        if (![0, 1, 2].every((d) => size[d]! >= Math.ceil(sigma / spacing[d]!) + 1)) {
          skipped.push(`LoG: sigma(${sigma})/spacing(${spacing.join(',')}) + 1 must be greater than the size(${size.join(',')}) of the image`);
          return;
        }
        const out = laplacianRecursiveGaussian(values, size, spacing, sigma, { normalizeAcrossScale: true });
        images.push({ name, values: Float64Array.from(out) });
      });
    }
  } else {
    for (const b of pyradiomicsWavelet(values, size, {
      wavelet: s.wavelet,
      level: s.level,
      startLevel: s.start_level,
      force2D: s.force2D,
      force2Ddimension: s.force2Ddimension,
    })) {
      images.push({ name: b.name, values: b.data });
    }
  }
  return { images, skipped };
}
