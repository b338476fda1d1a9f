#!/usr/bin/env node
import { main } from './index.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // main never throws; this is the last line of defence.
    process.stderr.write(`radcam: E_INTERNAL: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
