import type { ErrorCode } from '../errors.js';
import type { DeadLetterRecord, DeadLetterWriter } from './dead-letter.js';

const FIRST_WAIT_MS = 100;
const MAX_WAIT_MS = 5_000;
/** While writes keep failing, the failure is reported again this often. */
const REPORT_EVERY_MS = 60_000;

export interface KeepOptions {
  /** Give up (the caller then neither hands over nor acknowledges what the records came with). */
  readonly stopped: () => boolean;
  /** A write failed (`err`; first, then once a minute while failing), or works again after failing (`undefined`). */
  readonly report: (err: unknown) => void;
}

/**
 * Writes dead-letter records, trying again (100 ms doubling to 5 s) until it works. A reader
 * hands a chunk to no plugin, and a lane acknowledges no batch, before its records are kept: a
 * dead-letter file that cannot be written (a full or read-only disk) pauses that reader or lane
 * instead of losing good events or killing the lane. `true` once written, `false` if stopped.
 */
export async function keep(
  deadLetter: Pick<DeadLetterWriter, 'write'>,
  records: readonly DeadLetterRecord[],
  options: KeepOptions,
): Promise<boolean> {
  let wait = FIRST_WAIT_MS;
  let reportedAt: number | undefined;
  for (;;) {
    try {
      await deadLetter.write(records);
      if (reportedAt !== undefined) options.report(undefined);
      return true;
    } catch (err) {
      const now = Date.now();
      if (reportedAt === undefined || now - reportedAt >= REPORT_EVERY_MS) {
        reportedAt = now;
        options.report(err);
      }
    }
    for (const until = Date.now() + wait; Date.now() < until; ) {
      if (options.stopped()) return false;
      await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())));
    }
    if (options.stopped()) return false;
    wait = Math.min(wait * 2, MAX_WAIT_MS);
  }
}

/** A {@link KeepOptions.report} that logs through `logger` (`GAX_ERR_DEADLETTER_WRITE`). */
export function logKeepFailures(
  logger: { error(o: object, msg: string): void; info(o: object, msg: string): void },
  what: string,
): (err: unknown) => void {
  return (err) => {
    if (err === undefined) logger.info({}, `Dead-letter file written again; ${what} resumes.`);
    else
      logger.error(
        { err, code: 'GAX_ERR_DEADLETTER_WRITE' satisfies ErrorCode },
        `Cannot write the dead-letter file; ${what} pauses until it can.`,
      );
  };
}
