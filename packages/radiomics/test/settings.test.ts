import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadParams, resolveSettings, parseParams, definePreset, PRESETS } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'radcam-params-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('parameter files', () => {
  it('loads YAML with a preset and overrides', () => {
    const p = loadParams(file('a.yaml', 'preset: ibsi-phantom\nfamilies: [glcm, stat]\ntexture:\n  distance: 2\n  aggregations: [3D_avg]\n'));
    const s = resolveSettings({ params: p });
    expect(s.families).toEqual(['glcm', 'intensity_statistics']);
    expect(s.texture.distance).toBe(2);
    expect(s.texture.symmetric).toBe(true); // from the preset
    expect(s.texture.discretisation).toEqual({ method: 'none' });
  });

  it('loads JSON', () => {
    const p = loadParams(file('b.json', JSON.stringify({ discretisation: { method: 'fbs', binWidth: 25 }, resegmentation: { range: [-500, 400] } })));
    const s = resolveSettings({ params: p });
    expect(s.histogram.discretisation).toEqual({ method: 'fbs', binWidth: 25 });
  });

  it('syntax errors → E_PARAMS_FILE', () => {
    expect(() => loadParams(file('c.yaml', 'texture: [unclosed\n'))).toThrow(expect.objectContaining({ code: 'E_PARAMS_FILE' }));
    expect(() => loadParams(file('c.json', '{"a": '))).toThrow(expect.objectContaining({ code: 'E_PARAMS_FILE' }));
    expect(() => loadParams(file('d.yaml', '- a\n- b\n'))).toThrow(expect.objectContaining({ code: 'E_PARAMS_FILE' }));
  });

  it('missing file → E_FILE_NOT_FOUND', () => {
    expect(() => loadParams(join(dir, 'nope.yaml'))).toThrow(expect.objectContaining({ code: 'E_FILE_NOT_FOUND' }));
  });

  it('unknown and invalid keys → E_SETTINGS naming the key', () => {
    expect(() => parseParams('textures:\n  distance: 1\n')).toThrow(/unknown setting "textures"/);
    expect(() => parseParams('texture:\n  distanse: 1\n')).toThrow(/unknown setting "texture.distanse"/);
    expect(() => parseParams('texture:\n  distance: 0\n')).toThrow(/"texture.distance"/);
    expect(() => parseParams('discretisation:\n  method: fbs\n')).toThrow(/"discretisation.binWidth"/);
    expect(() => parseParams('families: [glcm, foo]\n')).toThrow(/"families"/);
    expect(() => parseParams('preset: nope\n')).toThrow(/"preset"/);
    expect(() => parseParams('ivh:\n  method: fbs\n  range: [5, 1]\n')).toThrow(/"ivh/);
    try {
      parseParams('texture:\n  aggregations: [4D]\n');
    } catch (e) {
      expect((e as { code: string }).code).toBe('E_SETTINGS');
    }
  });

  it('--families aliases and an unknown preset', () => {
    expect(resolveSettings({ families: 'morph,ivh,ngldm' }).families).toEqual(['morphology', 'intensity_volume_histogram', 'ngldm']);
    expect(() => resolveSettings({ preset: 'pyradiomics-x' })).toThrow(expect.objectContaining({ code: 'E_SETTINGS' }));
  });

  it('presets can be added (for the issue-4 configurations) and removed', () => {
    const dispose = definePreset('test-fbs25', { description: 't', settings: { discretisation: { method: 'fbs', binWidth: 25 } } });
    expect(resolveSettings({ preset: 'test-fbs25' }).texture.discretisation).toEqual({ method: 'fbs', binWidth: 25 });
    dispose();
    expect(PRESETS['test-fbs25']).toBeUndefined();
  });
});
