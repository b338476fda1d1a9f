/**
 * Side-effect module: importing `@radcam/gradient-features/register` registers the gradient
 * extractors in the global registry (idempotent: does nothing if they are already registered).
 */
import { extractorRegistry } from '@radcam/core';
import { gradientExtractors } from './extractors.js';

for (const e of gradientExtractors) if (!extractorRegistry.has(e.id)) extractorRegistry.register(e);
