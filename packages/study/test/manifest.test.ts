import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCohortManifest, readCohortManifest } from '../src/index.js';

describe('cohort manifest', () => {
  const text = 'patient_id,lesion_id,image,mask,label,subregion\nP1,P1_L1,img/a.nii.gz,m/a.nii.gz,1,\nP1,P1_L2,/abs/b.nii,m/b.nii,0,s/b.nii\n';

  it('resolves relative paths against the manifest folder and parses labels', () => {
    const m = parseCohortManifest(text, '/data/c');
    expect(m.columns).toEqual(['patient_id', 'lesion_id', 'image', 'mask', 'label', 'subregion']);
    expect(m.cases[0]).toMatchObject({ patientId: 'P1', lesionId: 'P1_L1', image: '/data/c/img/a.nii.gz', label: 1, subregion: null });
    expect(m.cases[1]).toMatchObject({ image: '/abs/b.nii', mask: '/data/c/m/b.nii', label: 0, subregion: '/data/c/s/b.nii' });
  });

  it('rejects a missing column, a bad label and duplicate ids with E_COHORT and the line', () => {
    expect(() => parseCohortManifest('image,label\na,1\n', '/')).toThrow(expect.objectContaining({ code: 'E_COHORT' }));
    expect(() => parseCohortManifest('image,mask,label\na,b,yes\n', '/')).toThrow(/line 2: invalid label/);
    expect(() => parseCohortManifest('lesion_id,image,mask\nx,a,b\nx,c,d\n', '/')).toThrow(/line 3: duplicate/);
    expect(() => parseCohortManifest('image,mask,label\na,b,\n', '/', { requireLabels: true })).toThrow(/invalid label/);
  });

  it('reports a missing manifest or referenced file as E_FILE_NOT_FOUND', async () => {
    await expect(readCohortManifest('/nonexistent/cohort.csv')).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
    const d = await mkdtemp(join(tmpdir(), 'radcam-manifest-'));
    try {
      await writeFile(join(d, 'cohort.csv'), 'image,mask\nnope.nii,nope2.nii\n');
      await expect(readCohortManifest(join(d, 'cohort.csv'), { checkFiles: true })).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
      expect((await readCohortManifest(join(d, 'cohort.csv'))).cases[0]!.lesionId).toBe('case1');
    } finally {
      await rm(d, { recursive: true, force: true });
    }
  });
});
