import { constants } from 'node:os';
import type { Logger } from 'pino';
import type { ErrorCode } from '../errors.js';
import { LogRateLimiter } from '../telemetry/rate-limit.js';

/** Longest wait between two attempts at a file that keeps failing. */
const MAX_BACKOFF_MS = 10_000;

/** A file with a read back-off: errors in a row and when it may be tried again. */
export interface Retrying {
  failures: number;
  retryAt: number;
}

/**
 * What the tailer does when the filesystem fails a read (`ESTALE` from an NFS server, `EIO`
 * from a failing disk): the file keeps its offset, so nothing is skipped and nothing committed
 * moves; it is tried again after a back-off that doubles from the poll interval up to 10 s (the
 * caller reopens it first); every error is counted by code; the log gets one line per code per
 * 10 s, with how many were held back.
 */
export class ReadErrors {
  readonly #baseMs: number;
  readonly #logger: Logger;
  readonly #onError: (path: string, code: string) => void;
  readonly #limiter = new LogRateLimiter();

  constructor(options: {
    pollIntervalMs: number;
    logger: Logger;
    onError: (path: string, code: string) => void;
  }) {
    this.#baseMs = Math.min(Math.max(options.pollIntervalMs, 50), 1000);
    this.#logger = options.logger;
    this.#onError = options.onError;
  }

  /** Whether `file` is waiting out its back-off at `now`. */
  waiting(file: Retrying, now: number): boolean {
    return file.failures > 0 && now < file.retryAt;
  }

  /** Counts and (rate-limited) logs an error on `path`, backs `file` off when given; returns the code. */
  failed(path: string, err: unknown, file?: Retrying): string {
    const code = errorCode(err);
    this.#onError(path, code);
    let retryInMs: number | undefined;
    if (file !== undefined) {
      file.failures++;
      retryInMs = Math.min(this.#baseMs * 2 ** Math.min(file.failures - 1, 20), MAX_BACKOFF_MS);
      file.retryAt = Date.now() + retryInMs;
    }
    const suppressed = this.#limiter.allow(`read:${code}`);
    if (suppressed !== undefined) {
      this.#logger.warn(
        { path, reason: code, retryInMs, suppressed, code: 'GAX_ERR_INPUT_READ' satisfies ErrorCode },
        'Reading an input file failed; keeping its position and trying again.',
      );
    }
    return code;
  }

  /** `failed` for every error of an AggregateError (a read and its check both failed), one back-off. */
  failedAll(path: string, err: unknown, file: Retrying): string {
    const [first, ...more] = err instanceof AggregateError ? (err.errors as unknown[]) : [err];
    for (const other of more) this.failed(path, other);
    return this.failed(path, first, file);
  }

  /** `file` was read again after failing: the back-off is over. */
  recovered(path: string, file: Retrying): void {
    if (file.failures === 0) return;
    this.#logger.warn({ path, failures: file.failures }, 'Reading an input file works again.');
    file.failures = 0;
    file.retryAt = 0;
  }
}

/** errno number → name (`116` → `ESTALE`): libuv has no name for some codes NFS returns. */
const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/**
 * An errno code (`ESTALE`, `EIO`, …) as a bounded metric label, taken from the error's `errno`
 * when libuv gave it no name (`Unknown system error -116`); anything else is `other`.
 */
export function errorCode(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  if (typeof e?.code === 'string' && /^E[A-Z0-9]{1,15}$/.test(e.code)) return e.code;
  return (typeof e?.errno === 'number' ? ERRNO_NAMES.get(Math.abs(e.errno)) : undefined) ?? 'other';
}
