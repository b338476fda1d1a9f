/** A minimal progress bar on a TTY stream (stderr); silent on anything else. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - 60 * m)).padStart(2, '0')}s`;
}

export class Progress {
  readonly enabled: boolean;
  #done = 0;
  #last = 0;
  readonly #start: number;

  constructor(
    readonly stream: ProgressStream,
    readonly label: string,
    readonly total: number,
    readonly now: () => number = Date.now,
  ) {
    this.#start = now();
    this.enabled = stream.isTTY === true && total > 0;
    this.render(true);
  }

  get done(): number {
    return this.#done;
  }

  /** Advance by `n` (default 1). */
  tick(n = 1): void {
    this.#done = Math.min(this.total, this.#done + n);
    this.render(this.#done === this.total);
  }

  /** The current line (exposed for tests). */
  line(): string {
    const width = 24;
    const frac = this.total > 0 ? this.#done / this.total : 1;
    const filled = Math.round(frac * width);
    const elapsed = (this.now() - this.#start) / 1000;
    const eta = this.#done > 0 ? (elapsed / this.#done) * (this.total - this.#done) : NaN;
    const tail = this.#done === this.total ? `${fmtSeconds(elapsed)}` : `ETA ${fmtSeconds(eta)}`;
    return `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.#done}/${this.total} ${tail}`;
  }

  private render(force: boolean): void {
    if (!this.enabled) return;
    const t = this.now();
    if (!force && t - this.#last < 100) return;
    this.#last = t;
    const cols = this.stream.columns ?? 80;
    this.stream.write(`\r\x1b[K${this.line().slice(0, Math.max(10, cols - 1))}`);
  }

  /** Finish: clear the bar's line. */
  finish(): void {
    if (!this.enabled) return;
    this.stream.write('\r\x1b[K');
  }
}
