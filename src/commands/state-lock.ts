import { join } from 'node:path';
import type { Logger } from 'pino';
import { type ErrorCode, GaxError } from '../errors.js';
import type { HeldLock } from '../fs/lock.js';
import { lockWithOwner } from '../fs/owned-lock.js';
import type { LockOwner } from '../fs/owner.js';

/** `<state.dir>/gax-run.lock`: one `gax run` per state directory. */
export function stateLockPath(stateDir: string): string {
  return join(stateDir, 'gax-run.lock');
}

/**
 * Takes the state directory for this `gax run`. Two daemons sharing one (two sidecars on one
 * volume, a copy-pasted config) would overwrite each other's checkpoint and lose or repeat
 * events; the second one waits for the first to release the lock (a rolling restart) or for the
 * lock to go stale (a holder that died in another container), then refuses with
 * GAX_ERR_STATE_LOCKED. A holder that died in this container is taken over at once, so a restart
 * after a crash does not wait.
 */
export async function lockStateDir(
  stateDir: string,
  log: Logger,
  waitMs?: number,
  signal?: AbortSignal,
): Promise<HeldLock> {
  const path = stateLockPath(stateDir);
  const got = await lockWithOwner(path, {
    ...(waitMs === undefined ? {} : { waitMs }),
    ...(signal === undefined ? {} : { signal }),
    onWait: (owner, ms) =>
      log.warn(
        { lock: path, owner, waitMs: ms, code: 'GAX_ERR_STATE_LOCKED' satisfies ErrorCode },
        'The state directory is locked by another gax run; waiting for it to be released or to go stale.',
      ),
  });
  if (got.held) return got.lock;
  if (signal?.aborted === true) {
    throw new GaxError('GAX_ERR_STATE_LOCKED', `stopped while waiting for the lock of state.dir ${stateDir}`);
  }
  throw new GaxError(
    'GAX_ERR_STATE_LOCKED',
    `state.dir ${stateDir} is in use by another gax run (${describeOwner(got.owner)}); give each daemon its own state.dir`,
  );
}

function describeOwner(owner: LockOwner | undefined): string {
  if (owner === undefined) return 'owner unknown';
  return `pid ${owner.pid} on ${owner.host}${owner.pidNamespace === undefined ? '' : ` in ${owner.pidNamespace}`}, since ${owner.since}`;
}
