import { RadcamError, type RadcamErrorCode, type RadcamErrorOptions } from '@radcam/core';

/** Throw a RadcamError (helper keeping call sites short). */
export function fail(code: RadcamErrorCode, message: string, options: RadcamErrorOptions = {}): never {
  throw new RadcamError(code, message, options);
}
