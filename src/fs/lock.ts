import fs from 'node:fs';
import { lstat, mkdir, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * The one inter-process lock of gax (used by `gax dlq replay` for its dead-letter file; use it for
 * anything else that needs one).
 *
 * Why proper-lockfile (MIT, moxystudio/node-proper-lockfile, ~37 M downloads a month) and not a
 * PID file: a PID names a process only inside one PID namespace. Two sidecar containers sharing a
 * state volume each have their own PIDs, so `process.kill(pid, 0)` on the PID in a lock file
 * asks about someone else's process (a dead holder whose PID 1 is "alive" forever) or about
 * nobody (a live holder taken over). proper-lockfile holds no PIDs: the lock is a directory
 * created with `mkdir` (atomic on local filesystems and NFS), and the holder touches its mtime
 * every `updateMs`; a lock whose mtime is older than `staleMs` belongs to a holder that died and
 * is taken over. That works across PID namespaces, containers and hosts sharing the volume.
 * Why not flock(2): Node has no flock without a native addon (fs-ext), and flock is not
 * reliable on every network filesystem.
 *
 * Limits: a holder whose event loop is blocked for longer than `staleMs` (or a machine whose
 * clock jumps) can lose its lock; it then learns so within `updateMs` (`signal` aborts) and must
 * stop. Stale detection compares the lock's mtime with this machine's clock: hosts sharing a
 * network volume need synchronised clocks (containers on one host share one).
 */
export interface HeldLock {
  /** The lock directory. */
  readonly path: string;
  /** Aborts when the lock was lost (its directory removed or taken over): stop working under it. */
  readonly signal: AbortSignal;
  /** Removes the lock; idempotent, and harmless after the lock was lost. */
  release(): Promise<void>;
}

export interface LockOptions {
  /** A lock not refreshed for this long is stale and taken over (default 10 s, at least 2 s). */
  readonly staleMs?: number;
  /** How often the holder refreshes it (default `staleMs / 2`, at least 1 s, at most `staleMs / 2`). */
  readonly updateMs?: number;
}

export const DEFAULT_STALE_MS = 10_000;

/**
 * Takes the lock at `path` (a directory that only the lock uses), or resolves `undefined` when a
 * live holder has it, in this process or any other, whatever its PID namespace. A stale lock is
 * taken over. A regular file at `path` is the PID lock file of an older gax: it is treated as held
 * until it is `staleMs` old (those were never refreshed), then removed.
 */
export async function tryLock(path: string, options: LockOptions = {}): Promise<HeldLock | undefined> {
  const absolute = resolve(path);
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  await mkdir(dirname(absolute), { recursive: true });
  if (!(await clearLegacyLock(absolute, staleMs))) return undefined;
  // Loaded on first use: proper-lockfile installs signal-exit's process hooks (to remove held
  // locks on exit) when it is imported, which only processes that take a lock should carry.
  const { lock } = await import('proper-lockfile');
  const lost = new AbortController();
  let release: () => Promise<void>;
  try {
    release = await lock(absolute, {
      lockfilePath: absolute,
      realpath: false,
      stale: staleMs,
      ...(options.updateMs === undefined ? {} : { update: options.updateMs }),
      retries: 0,
      fs: lockFs,
      // The default throws from a timer, which would crash the process.
      onCompromised: (err) => lost.abort(err),
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
    throw err;
  }
  let released: Promise<void> | undefined;
  return {
    path: absolute,
    signal: lost.signal,
    release: () => {
      released ??= lost.signal.aborted ? Promise.resolve() : release().catch(ignoreReleased);
      return released;
    },
  };
}

/**
 * The filesystem proper-lockfile works through, with one change: removing a lock removes its
 * directory with what is inside (`owner.json`), where proper-lockfile's `rmdir` would fail on a
 * non-empty directory, and a stale lock could then never be taken over.
 */
const lockFs = {
  ...fs,
  rmdir: (path: string, callback: (err: NodeJS.ErrnoException | null) => void): void =>
    fs.rm(path, { recursive: true }, callback),
  rmdirSync: (path: string): void => fs.rmSync(path, { recursive: true }),
};

/** Whether `path` is free of an older gax's PID lock file (removed once stale). */
async function clearLegacyLock(path: string, staleMs: number): Promise<boolean> {
  const stats = await lstat(path).catch(() => undefined);
  if (stats === undefined || stats.isDirectory()) return true;
  if (Date.now() - stats.mtimeMs < staleMs) return false;
  await unlink(path).catch(() => undefined);
  return true;
}

function ignoreReleased(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ERELEASED') throw err;
}
