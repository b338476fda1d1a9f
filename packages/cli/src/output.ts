/** Output-path safety: outputs never replace an input. */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { RadcamError } from '@radcam/core';

function canonical(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

/** Throws `E_OUTPUT_IS_INPUT` when `output` names one of `inputs` (after resolving links). */
export function assertNotInput(output: string, inputs: readonly (string | undefined)[]): void {
  const out = canonical(output);
  for (const i of inputs) {
    if (i !== undefined && canonical(i) === out) {
      throw new RadcamError('E_OUTPUT_IS_INPUT', `refusing to overwrite the input ${i}`, {
        expected: 'an output path different from every input',
        found: output,
        path: output,
      });
    }
  }
}
