// The browser-safe entry: bundle src/index.ts for the browser with esbuild and check that no
// `node:` module is imported statically; then decode a NIfTI in headless Chromium (fflate path).
import { existsSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '@radcam/core/testing';

const here = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

async function bundle(format: 'esm' | 'iife'): Promise<string> {
  const req = createRequire(import.meta.url);
  const tsupPkg = req.resolve('tsup/package.json');
  // esbuild is tsup's dependency (not a direct one of this package): load it through tsup
  const esbuild = createRequire(tsupPkg)('esbuild') as {
    build(o: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
  };
  const out = await esbuild.build({
    entryPoints: [resolve(here, '../src/index.ts')],
    bundle: true,
    write: false,
    platform: 'browser',
    format,
    ...(format === 'iife' ? { globalName: 'radcamVolumeIo' } : {}),
    target: 'es2022',
    external: ['node:*'],
    alias: { '@radcam/core': resolve(here, '../../core/src/index.ts') },
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

describe('browser bundle', () => {
  it('bundles without static node: imports (fs / zlib are reached lazily)', async () => {
    const code = await bundle('esm');
    expect(code).not.toMatch(/^\s*import[^;]*from\s*["']node:/m);
    expect(code).not.toMatch(/require\(["']node:/);
    expect(code).toContain('decodeVolume');
  });

  if (!existsSync(CHROMIUM)) {
    console.warn(
      `\n${'!'.repeat(78)}\n!! ${CHROMIUM} is missing: the headless-Chromium decode test is SKIPPED.\n!! Install it (apt-get install -y chromium) — CI does.\n${'!'.repeat(78)}\n`,
    );
  }

  it.skipIf(!existsSync(CHROMIUM))('decodeVolume decodes the IBSI digital phantom (.nii.gz) in headless Chromium', async () => {
    const { chromium } = await import('playwright-core');
    const code = await bundle('iife');
    const bytes = Array.from(readFileSync(sharedPath('ibsi', 'ibsi1', 'digital_phantom', 'image', 'phantom.nii.gz')));
    const profile = mkdtempSync(join(tmpdir(), 'radcam-chromium-'));
    // fresh profile dir (playwright's way of passing --user-data-dir)
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage();
      await page.setContent('<!doctype html><title>radcam</title>');
      await page.addScriptTag({ content: code });
      const result = await page.evaluate((arr) => {
        const lib = (globalThis as unknown as { radcamVolumeIo: typeof import('../src/index.js') }).radcamVolumeIo;
        const v = lib.decodeVolume(new Uint8Array(arr), { filename: 'phantom.nii.gz' });
        const again = lib.decodeVolume(lib.encodeVolume(v, { format: 'nrrd' }));
        return { size: v.size, spacing: v.spacing, data: Array.from(v.data), backend: lib.gzipBackend(), same: Array.from(again.data).join() === Array.from(v.data).join(), hasProcess: typeof (globalThis as { process?: unknown }).process };
      }, bytes);
      expect(result.backend).toBe('fflate');
      expect(result.hasProcess).toBe('undefined');
      expect(result.size).toEqual([5, 4, 4]);
      expect(result.spacing).toEqual([2, 2, 2]);
      // first rows of z = 0 and z = 2 from ../shared/ibsi/README.md
      expect(result.data.slice(0, 10)).toEqual([1, 4, 4, 1, 1, 1, 4, 6, 1, 1]);
      expect(result.data.slice(40, 60)).toEqual([1, 4, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 9, 1, 1, 1, 1, 6, 1, 1]);
      expect(result.same).toBe(true);
    } finally {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
