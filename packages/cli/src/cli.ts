/**
 * The command framework of `radcam`: `node:util` parseArgs per subcommand, `--help` everywhere,
 * one-line typed errors (`radcam: E_CODE: message`), exit codes 0 / 1 / 2.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { RadcamError, isRadcamError } from '@radcam/core';
import { Progress } from './progress.js';

/** Where the CLI reads and writes. Tests pass their own; `bin.ts` passes the process streams. */
export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown; isTTY?: boolean; columns?: number };
  /** Working directory relative paths resolve against (default `process.cwd()`). */
  cwd: string;
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Shown in help as `--name VALUE`. */
  valueName?: string;
  description: string;
  default?: string | boolean;
}

export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** What a command's `run` receives. */
export interface CommandContext {
  values: OptionValues;
  positionals: string[];
  io: CliIo;
  debug: boolean;
  /** Absolute path of a user-given path (relative to `io.cwd`). */
  path(p: string): string;
  /** A progress bar on stderr (silent unless stderr is a TTY). */
  progress(label: string, total: number): Progress;
  /** Print a line on stdout. */
  out(line?: string): void;
  /** Print a note on stderr (not an error). */
  note(line: string): void;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Usage lines without the leading `radcam `. */
  usage: string[];
  /** Longer help text, shown after the usage. */
  description?: string;
  options: Record<string, OptionSpec>;
  positionals: { min: number; max: number; names?: string };
  examples?: string[];
  run(ctx: CommandContext): Promise<void>;
}

/** Usage error: exit code 2. */
export function usageError(message: string, options: { expected?: string; found?: string } = {}): RadcamError {
  return new RadcamError('E_CLI_USAGE', message, options);
}

const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  debug: { type: 'boolean', description: 'print stack traces of errors' },
};

function optionHelp(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : ''}`;
    const def = o.default !== undefined && o.default !== false ? ` (default ${String(o.default)})` : '';
    return [flag, o.description + def] as const;
  });
  const w = Math.max(...rows.map((r) => r[0].length), 10);
  return rows.map(([f, d]) => `  ${f.padEnd(w)}  ${d}`);
}

export function commandHelp(cmd: CommandSpec): string {
  const lines = [`radcam ${cmd.name} — ${cmd.summary}`, '', 'Usage:'];
  for (const u of cmd.usage) lines.push(`  radcam ${u}`);
  if (cmd.description) lines.push('', ...cmd.description.split('\n').map((l) => (l ? `  ${l}` : '')));
  lines.push('', 'Options:', ...optionHelp({ ...cmd.options, ...GLOBAL_OPTIONS }));
  if (cmd.examples?.length) lines.push('', 'Examples:', ...cmd.examples.map((e) => `  ${e}`));
  return lines.join('\n') + '\n';
}

export function globalHelp(commands: readonly CommandSpec[], version: string): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return [
    `radcam ${version} — radiomics, gradient features and CAMs for radiotherapy images`,
    '',
    'Usage: radcam <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'Global options:',
    '  -h, --help     show help (also `radcam <command> --help`)',
    '  -V, --version  print the version',
    '      --debug    print stack traces of errors',
    '',
    'Errors are printed as one line `radcam: E_CODE: message`; exit code 2 for usage errors, 1 for others.',
    '',
  ].join('\n');
}

/** Map any thrown value to a code + one-line message. */
export function describeError(err: unknown): { code: string; message: string } {
  if (isRadcamError(err)) return { code: err.code, message: err.message };
  const e = err as { code?: unknown; message?: unknown; syscall?: unknown; path?: unknown };
  if (typeof e?.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS')) {
    return { code: 'E_CLI_USAGE', message: String(e.message) };
  }
  if (typeof e?.code === 'string' && typeof e.syscall === 'string') {
    const path = typeof e.path === 'string' ? ` ${e.path}` : '';
    if (e.code === 'ENOENT') return { code: 'E_FILE_NOT_FOUND', message: `no such file or directory${path}` };
    if (e.code === 'EACCES' || e.code === 'EPERM') return { code: 'E_IO', message: `permission denied${path}` };
    return { code: 'E_IO', message: `${e.syscall} failed (${e.code})${path}` };
  }
  return { code: 'E_INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** Parse one command's arguments. Throws E_CLI_USAGE. */
export function parseCommandArgs(cmd: CommandSpec, argv: string[]): { values: OptionValues; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, o] of Object.entries({ ...cmd.options, ...GLOBAL_OPTIONS })) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    const { message } = describeError(err);
    throw usageError(`${oneLine(message)} (see radcam ${cmd.name} --help)`);
  }
  const values = parsed.values as OptionValues;
  for (const [name, o] of Object.entries(cmd.options)) {
    if (values[name] === undefined && o.default !== undefined) values[name] = o.default;
  }
  return { values, positionals: parsed.positionals };
}

export function checkPositionals(cmd: CommandSpec, positionals: string[]): void {
  const { min, max, names } = cmd.positionals;
  if (positionals.length < min || positionals.length > max) {
    const exp = min === max ? `${min}` : `${min}–${max}`;
    throw usageError(`radcam ${cmd.name} takes ${exp} argument${max === 1 ? '' : 's'}${names ? ` (${names})` : ''}`, {
      found: positionals.length ? positionals.map((p) => JSON.stringify(p)).join(' ') : 'none',
    });
  }
}

/** Run the CLI. Never throws: returns the exit code and prints errors on `io.stderr`. */
export async function runCli(
  commands: readonly CommandSpec[],
  version: string,
  argv: string[],
  io: CliIo,
): Promise<number> {
  const debug = argv.includes('--debug');
  const ctxBase = {
    io,
    debug,
    path: (p: string) => resolve(io.cwd, p),
    progress: (label: string, total: number) => new Progress(io.stderr, label, total),
    out: (line = '') => void io.stdout.write(line + '\n'),
    note: (line: string) => void io.stderr.write(line + '\n'),
  };
  try {
    const first = argv.find((a) => a !== '--debug');
    if (first === undefined) {
      io.stderr.write(globalHelp(commands, version));
      throw usageError('no command given', { expected: commands.map((c) => c.name).join(', ') });
    }
    if (first === '--help' || first === '-h' || first === 'help') {
      const topic = first === 'help' ? argv.filter((a) => a !== '--debug')[1] : undefined;
      const cmd = topic ? commands.find((c) => c.name === topic) : undefined;
      if (topic && !cmd) throw usageError(`unknown command "${topic}"`, { expected: commands.map((c) => c.name).join(', ') });
      io.stdout.write(cmd ? commandHelp(cmd) : globalHelp(commands, version));
      return 0;
    }
    if (first === '--version' || first === '-V') {
      io.stdout.write(`${version}\n`);
      return 0;
    }
    if (first.startsWith('-')) throw usageError(`unknown option ${first} before the command`, { expected: 'radcam <command> [options]' });
    const cmd = commands.find((c) => c.name === first);
    if (!cmd) throw usageError(`unknown command "${first}"`, { expected: commands.map((c) => c.name).join(', ') });
    const rest = [...argv];
    rest.splice(argv.indexOf(first), 1);
    const { values, positionals } = parseCommandArgs(cmd, rest);
    if (values.help) {
      io.stdout.write(commandHelp(cmd));
      return 0;
    }
    checkPositionals(cmd, positionals);
    await cmd.run({ ...ctxBase, values, positionals });
    return 0;
  } catch (err) {
    const { code, message } = describeError(err);
    io.stderr.write(`radcam: ${code}: ${oneLine(message)}\n`);
    if (debug) {
      let e: unknown = err;
      for (let depth = 0; e && depth < 5; depth++) {
        if (e instanceof Error && e.stack) io.stderr.write(`${depth ? 'caused by: ' : ''}${e.stack}\n`);
        e = e instanceof Error ? e.cause : undefined;
      }
    }
    return code === 'E_CLI_USAGE' ? 2 : 1;
  }
}

/* ---------- option helpers ---------- */

export function stringOpt(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
  return typeof v === 'string' ? v : undefined;
}

export function intOpt(values: OptionValues, name: string, def: number, range: { min?: number; max?: number } = {}): number {
  const s = stringOpt(values, name);
  if (s === undefined) return def;
  const n = Number(s);
  const min = range.min ?? -Infinity;
  const max = range.max ?? Infinity;
  if (!/^[+-]?\d+$/.test(s.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw usageError(`--${name} must be an integer${Number.isFinite(min) ? ` ≥ ${min}` : ''}${Number.isFinite(max) ? ` and ≤ ${max}` : ''}`, {
      found: JSON.stringify(s),
    });
  }
  return n;
}

export function numberOpt(values: OptionValues, name: string): number | undefined {
  const s = stringOpt(values, name);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n)) throw usageError(`--${name} must be a number`, { found: JSON.stringify(s) });
  return n;
}

export function choiceOpt<T extends string>(values: OptionValues, name: string, choices: readonly T[], def: T): T {
  const s = stringOpt(values, name);
  if (s === undefined) return def;
  if (!(choices as readonly string[]).includes(s)) {
    throw usageError(`--${name} must be one of ${choices.join(', ')}`, { found: JSON.stringify(s) });
  }
  return s as T;
}
