import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { lstat, mkdir, readFile, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { currentOwner, type LockOwner, ownerIsGone, parseOwner } from './owner.js';

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

export interface WaitOptions extends LockOptions {
  /** How long to wait for a held lock to be released or go stale (default `staleMs` + 2 s). */
  readonly waitMs?: number;
  /** Ends the wait early (resolves `{ held: false }`). */
  readonly signal?: AbortSignal;
  /** Called once when the lock is held by someone else and the wait begins. */
  readonly onWait?: (owner: LockOwner | undefined, waitMs: number) => void;
}

export type OwnedLock =
  | { readonly held: true; readonly lock: HeldLock }
  | { readonly held: false; readonly owner: LockOwner | undefined };

const POLL_MS = 250;

/**
 * Takes the lock at `path` and records this process in `<path>/owner.json`, waiting while another
 * holder has it. A holder recorded as a process of this boot and PID namespace that no longer
 * runs (a crash, then a restart in the same container) is taken over at once; any other holder
 * is waited for until it releases the lock or the lock goes stale (a holder that died elsewhere),
 * at most `waitMs`. Resolves `{ held: false, owner }` when a live holder keeps it.
 */
export async function lockWithOwner(path: string, options: WaitOptions = {}): Promise<OwnedLock> {
  const absolute = resolve(path);
  const self = await currentOwner();
  const waitMs = options.waitMs ?? (options.staleMs ?? DEFAULT_STALE_MS) + 2_000;
  const until = Date.now() + waitMs;
  let waited = false;
  for (;;) {
    const lock = await tryLock(absolute, options);
    if (lock !== undefined) {
      await recordOwner(absolute, self);
      return { held: true, lock };
    }
    const owner = parseOwner(await readFile(join(absolute, 'owner.json'), 'utf8').catch(() => ''));
    if (owner !== undefined && (await ownerIsGone(owner, self)) && (await takeOver(absolute, owner)))
      continue;
    if (Date.now() >= until || options.signal?.aborted === true) return { held: false, owner };
    if (!waited) options.onWait?.(owner, waitMs);
    waited = true;
    await sleep(POLL_MS, undefined, options.signal === undefined ? {} : { signal: options.signal }).catch(
      () => undefined,
    );
  }
}

/**
 * Writes `owner.json` into the held lock directory and puts the directory's mtime back:
 * proper-lockfile takes an mtime it did not set as a sign that the lock was taken over.
 */
async function recordOwner(lock: string, owner: LockOwner): Promise<void> {
  const before = await stat(lock);
  await writeFile(join(lock, 'owner.json'), `${JSON.stringify(owner)}\n`).catch(() => undefined);
  await utimes(lock, before.atime, before.mtime);
}

/**
 * Removes the lock of a holder known to be gone: renames the directory away first (one taker
 * wins the rename), then checks that what it moved is still that holder's; if another process
 * had meanwhile taken the lock afresh, its directory is put back.
 */
async function takeOver(path: string, gone: LockOwner): Promise<boolean> {
  const aside = `${path}.gone-${randomBytes(6).toString('hex')}`;
  const moved = await rename(path, aside).then(
    () => true,
    () => false,
  );
  if (!moved) return false;
  const owner = parseOwner(await readFile(join(aside, 'owner.json'), 'utf8').catch(() => ''));
  if (owner?.pid !== gone.pid || owner.startTicks !== gone.startTicks) {
    await rename(aside, path).catch(() => undefined);
    return false;
  }
  await rm(aside, { recursive: true, force: true });
  return true;
}

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
