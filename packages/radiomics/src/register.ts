/**
 * Side-effect module: importing `@radcam/radiomics/register` registers the built-in IBSI
 * extractors in the global `extractorRegistry`.
 */
import { registerIbsiExtractors } from './index.js';

registerIbsiExtractors();
