/** File output helpers of @radcam/study (Node only). */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeVolume } from '@radcam/volume-io';
import { RadcamError, type Volume } from '@radcam/core';

/** Write `data` to `path` atomically: a temporary name in the same directory, then rename. */
export async function atomicWriteFile(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new RadcamError('E_IO', `cannot write ${path}: ${(err as Error).message}`, { path, cause: err });
  }
}

/** Write a volume atomically with `@radcam/volume-io` (format from the extension). */
export async function writeVolumeFile(path: string, vol: Volume): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeVolume(path, vol);
}
