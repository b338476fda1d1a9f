import { fail } from './errors.js';

/** Decode ASCII/Latin-1 bytes to a string (headers are ASCII). */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  const CH = 8192;
  for (let i = start; i < end; i += CH) {
    s += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, Math.min(end, i + CH))));
  }
  return s;
}

export function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/**
 * The data blobs of a header naming detached data files (`names`), in order, from `files` (contents
 * by name). A missing file → `E_FILE_NOT_FOUND`; `format` names the file format in the message.
 */
export function detachedDataFiles(format: string, names: readonly string[], files: Record<string, Uint8Array> | undefined): Uint8Array[] {
  return names.map((name) => {
    const f = files?.[name];
    if (!f) fail('E_FILE_NOT_FOUND', `${format} data file "${name}" was not provided`, { expected: 'the detached data file next to the header', found: 'nothing' });
    return f;
  });
}

/** Signal that a header-only parse needs more bytes than it was given. */
export class NeedMoreBytes extends Error {
  constructor(readonly atLeast: number) {
    super(`need at least ${atLeast} bytes`);
  }
}

/** Parse "x y z" or "(x,y,z)" into numbers. */
export function parseNumbers(s: string, what: string, code: string): number[] {
  const parts = s.replace(/[(),]/g, ' ').trim().split(/\s+/).filter(Boolean);
  const nums = parts.map((p) => (/^[+-]?nan$/i.test(p) ? NaN : Number(p)));
  if (parts.length === 0 || nums.some((n, i) => Number.isNaN(n) && !/nan/i.test(parts[i]!))) {
    fail(code, `cannot parse ${what}`, { expected: 'numbers', found: JSON.stringify(s) });
  }
  return nums;
}

/** Shortest round-trip decimal text of a double (JS `String`), "-0" → "0". */
export function num(x: number): string {
  return Object.is(x, -0) ? '0' : String(x);
}

export function dirname(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? '' : path.slice(0, i);
}

export function basename(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? path : path.slice(i + 1);
}
