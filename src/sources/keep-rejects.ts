import type { Logger } from 'pino';
import type { ErrorCode } from '../errors.js';
import type { DeadLetterRecord, DeadLetterWriter } from '../pipeline/dead-letter.js';

const FIRST_WAIT_MS = 100;
const MAX_WAIT_MS = 5_000;
/** While writes keep failing, the error is logged again this often. */
const LOG_EVERY_MS = 60_000;

export interface KeepRejectsOptions {
  /** The reader stopped: give up (the chunk was not handed over, so it is read again). */
  readonly stopped: () => boolean;
  readonly logger: Logger;
}

/**
 * Writes a chunk's rejected lines to the dead-letter file, trying again (100 ms doubling to 5 s)
 * until it works: the chunk is handed to no plugin before its rejected lines are kept, so a
 * dead-letter file that cannot be written (a full or read-only disk) pauses reading instead of
 * losing the chunk's good events. Resolves `true` once written, `false` if the reader stopped.
 */
export async function keepRejects(
  deadLetter: Pick<DeadLetterWriter, 'write'>,
  records: readonly DeadLetterRecord[],
  options: KeepRejectsOptions,
): Promise<boolean> {
  let wait = FIRST_WAIT_MS;
  let loggedAt: number | undefined;
  let since: number | undefined;
  for (;;) {
    try {
      await deadLetter.write(records);
      if (since !== undefined)
        options.logger.info(
          { pausedMs: Date.now() - since },
          'Dead-letter file written again; reading resumes.',
        );
      return true;
    } catch (err) {
      const now = Date.now();
      since ??= now;
      if (loggedAt === undefined || now - loggedAt >= LOG_EVERY_MS) {
        loggedAt = now;
        options.logger.error(
          { err, code: 'GAX_ERR_DEADLETTER_WRITE' satisfies ErrorCode },
          'Cannot keep rejected lines in the dead-letter file; reading this input pauses until it can.',
        );
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
