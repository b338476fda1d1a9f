/**
 * Typed errors. Every error radcam raises on bad input is a `RadcamError` with a stable `code`
 * (a string constant that never changes meaning) and a message that says what was expected and
 * what was found. Callers branch on `code`, never on the message.
 */
export type RadcamErrorCode =
  | 'E_INVALID_ARGUMENT'
  | 'E_INVALID_VOLUME'
  | 'E_EMPTY_ROI'
  | 'E_MASK_GEOMETRY_MISMATCH'
  | 'E_FILE_NOT_FOUND'
  | 'E_UNKNOWN_FORMAT'
  | 'E_UNSUPPORTED'
  | 'E_CORRUPT_FILE'
  | 'E_GZIP_CORRUPT'
  | 'E_NIFTI_TRUNCATED'
  | 'E_NIFTI_MAGIC'
  | 'E_NIFTI_DATATYPE'
  | 'E_NRRD_HEADER'
  | 'E_MHA_HEADER'
  | 'E_DATA_SIZE_MISMATCH'
  | 'E_BAD_DIMENSIONS'
  | 'E_BAD_SPACING'
  | 'E_DICOM'
  | 'E_DICOM_TRANSFER_SYNTAX'
  | 'E_DICOM_UNEVEN_SPACING'
  | 'E_DICOM_GANTRY_TILT'
  | 'E_RTSTRUCT'
  | 'E_ROI_NOT_FOUND'
  | 'E_REGISTRY_DUPLICATE'
  | 'E_REGISTRY_UNKNOWN'
  | 'E_SETTINGS'
  | 'E_PARAMS_FILE'
  | 'E_MODEL_INCOMPATIBLE'
  | 'E_MODEL'
  | 'E_BACKEND'
  | 'E_COHORT'
  | 'E_CLI_USAGE'
  | 'E_OUTPUT_EXISTS'
  | 'E_IO'
  | (string & {});

export interface RadcamErrorOptions {
  /** What the code expected, e.g. `"348 bytes of header"`. */
  expected?: string;
  /** What it found instead. */
  found?: string;
  /** The file or object concerned. */
  path?: string;
  cause?: unknown;
}

export class RadcamError extends Error {
  readonly code: RadcamErrorCode;
  readonly expected?: string;
  readonly found?: string;
  readonly path?: string;

  constructor(code: RadcamErrorCode, message: string, options: RadcamErrorOptions = {}) {
    const parts = [message];
    if (options.expected !== undefined) parts.push(`expected ${options.expected}`);
    if (options.found !== undefined) parts.push(`found ${options.found}`);
    super(parts.join('; '), options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'RadcamError';
    this.code = code;
    if (options.expected !== undefined) this.expected = options.expected;
    if (options.found !== undefined) this.found = options.found;
    if (options.path !== undefined) this.path = options.path;
  }
}

/** True when `err` is a RadcamError (also across two installed copies of this package). */
export function isRadcamError(err: unknown): err is RadcamError {
  return (
    err instanceof RadcamError ||
    (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'RadcamError' &&
      typeof (err as { code?: unknown }).code === 'string')
  );
}

/** Throw a RadcamError with `E_INVALID_ARGUMENT` unless `cond` holds. */
export function assertArg(cond: unknown, message: string, options?: RadcamErrorOptions): asserts cond {
  if (!cond) throw new RadcamError('E_INVALID_ARGUMENT', message, options);
}
