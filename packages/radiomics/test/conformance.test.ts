import { describeExtractorConformance } from '../src/conformance.js';
import { ibsiExtractors } from '../src/index.js';
import { loadDigitalPhantom } from './phantom.js';
import { syntheticCase } from './synthetic.js';

const phantom = loadDigitalPhantom();
const synth = syntheticCase();

for (const e of ibsiExtractors()) {
  describeExtractorConformance(e, { ...phantom, pipeline: { preset: 'ibsi-phantom' }, name: `${e.id} (digital phantom)`, settings: e.family === 'intensity_histogram' ? { discretisation: { method: 'none' } } : e.family === 'intensity_volume_histogram' ? { ivh: { method: 'none' } } : {} });
  describeExtractorConformance(e, {
    ...synth,
    pipeline: { discretisation: { method: 'fbs', binWidth: 10 } },
    name: `${e.id} (synthetic CT-like blob, FBS 10)`,
    settings: e.family === 'intensity_volume_histogram' ? { ivh: { method: 'none' } } : {},
  });
}
