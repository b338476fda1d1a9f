/**
 * @radcam/cli — the `radcam` command. `main(argv, io)` runs it in-process (tests, embedding);
 * `bin.ts` is the executable.
 */
import { runCli, type CliIo, type CommandSpec } from './cli.js';
import { convertCommand } from './commands/convert.js';
import { demoCommand } from './commands/demo.js';
import { featuresCommand } from './commands/features.js';
import { gradientCommand } from './commands/gradient.js';
import { infoCommand } from './commands/info.js';
import { synthCommand } from './commands/synth.js';
import { studyCommand } from './commands/study.js';
import { filterCommand } from './commands/filter.js';
import { trainCommand } from './commands/train.js';
import { predictCommand } from './commands/predict.js';
import { camCommand } from './commands/cam.js';

export const PACKAGE_NAME = '@radcam/cli';
export const VERSION = '0.1.0';

export type { CliIo, CommandSpec, CommandContext, OptionSpec } from './cli.js';
export { runCli, describeError, commandHelp, globalHelp } from './cli.js';
export { Progress } from './progress.js';
export { minMax, type InfoResult } from './commands/info.js';
export { aucOf } from './commands/demo.js';

/** Every `radcam` command, in help order. */
export const COMMANDS: readonly CommandSpec[] = [
  infoCommand,
  convertCommand,
  synthCommand,
  demoCommand,
  studyCommand,
  featuresCommand,
  gradientCommand,
  filterCommand,
  trainCommand,
  predictCommand,
  camCommand,
];

/**
 * Run `radcam` with `argv` (without `node` and the script). Returns the exit code: 0 success,
 * 1 error, 2 usage error. Never throws; errors are one line on `io.stderr` (`--debug` adds stacks).
 */
export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const full: CliIo = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    cwd: io.cwd ?? process.cwd(),
  };
  return runCli(COMMANDS, VERSION, argv, full);
}
