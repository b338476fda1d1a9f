/**
 * `describeExtractorConformance(extractor, { image, mask, settings })`: the vitest suite every
 * feature extractor — built-in or third-party — should pass. Import from
 * `@radcam/radiomics/conformance` (this entry depends on vitest; the main entry does not).
 *
 * Checks: deterministic (two runs, fresh contexts, identical values incl. NaN positions);
 * `featureNames(settings)` equals the result keys in order; an empty ROI throws
 * `RadcamError` `E_EMPTY_ROI`; the input image and mask buffers are untouched; no ±Infinity.
 */
import { describe, expect, it } from 'vitest';
import { isRadcamError, type ExtractionContext, type FeatureExtractor, type Mask, type Volume } from '@radcam/core';
import { createRadiomicsContext } from './pipeline.js';
import { resolveSettings, type RadiomicsSettings } from './settings.js';

export interface ConformanceCase<S = Record<string, unknown>> {
  image: Volume;
  mask: Mask;
  /** Settings passed to `extractor.extract` / `featureNames`. */
  settings?: Partial<S>;
  /**
   * Pipeline settings used to prepare the context (re-segmentation, texture grey levels in
   * `ibsi/texture-levels`). Default: preset `default` (fixed bin number 32).
   */
  pipeline?: RadiomicsSettings & { preset?: string };
  /** Suite title (default: the extractor id). */
  name?: string;
}

function contextFor(image: Volume, mask: Mask, pipeline: RadiomicsSettings & { preset?: string } = {}): ExtractionContext {
  const { preset, ...params } = pipeline;
  return createRadiomicsContext(image, mask, resolveSettings(preset !== undefined ? { preset, params } : { params })).context;
}

function snapshot(v: Volume): Uint8Array {
  const d = v.data;
  return new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
}

/** Register a `describe` block of conformance tests for `extractor`. */
export function describeExtractorConformance<S>(extractor: FeatureExtractor<S>, testCase: ConformanceCase<S>): void {
  const { image, mask } = testCase;
  const settings = testCase.settings;
  describe(`extractor conformance: ${testCase.name ?? extractor.id}`, () => {
    it('has a namespaced id and a family', () => {
      expect(extractor.id).toMatch(/^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._/-]*$/i);
      expect(typeof extractor.family).toBe('string');
      expect(extractor.family.length).toBeGreaterThan(0);
    });

    it('featureNames() equals the result keys, in order, without duplicates', () => {
      const r = extractor.extract(contextFor(image, mask, testCase.pipeline), settings);
      const names = extractor.featureNames(settings);
      expect(Object.keys(r.features)).toEqual(names);
      expect(new Set(names).size).toBe(names.length);
    });

    it('is deterministic and returns numbers (NaN allowed, never ±Infinity)', () => {
      const a = extractor.extract(contextFor(image, mask, testCase.pipeline), settings).features;
      const b = extractor.extract(contextFor(image, mask, testCase.pipeline), settings).features;
      for (const [k, v] of Object.entries(a)) {
        expect(typeof v, k).toBe('number');
        expect(v === Infinity || v === -Infinity, `${k} is ${v}`).toBe(false);
        if (Number.isNaN(v)) expect(Number.isNaN(b[k]!), k).toBe(true);
        else expect(b[k], k).toBe(v);
      }
      expect(Object.keys(b)).toEqual(Object.keys(a));
    });

    it('leaves the input image and mask buffers untouched', () => {
      const img0 = snapshot(image);
      const msk0 = snapshot(mask);
      const geo = JSON.stringify([image.size, image.spacing, image.origin, Array.from(image.direction), mask.size, mask.spacing]);
      extractor.extract(contextFor(image, mask, testCase.pipeline), settings);
      expect(snapshot(image)).toEqual(img0);
      expect(snapshot(mask)).toEqual(msk0);
      expect(JSON.stringify([image.size, image.spacing, image.origin, Array.from(image.direction), mask.size, mask.spacing])).toBe(geo);
    });

    it('throws RadcamError E_EMPTY_ROI on an empty mask', () => {
      const empty: Mask = { ...mask, data: new Uint8Array(mask.data.length) };
      let err: unknown;
      try {
        extractor.extract(contextFor(image, empty, testCase.pipeline), settings);
      } catch (e) {
        err = e;
      }
      expect(isRadcamError(err), `expected a RadcamError, got ${String(err)}`).toBe(true);
      expect((err as { code: string }).code).toBe('E_EMPTY_ROI');
    });
  });
}
