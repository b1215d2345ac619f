import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_STALE_MS, type HeldLock, type LockOptions, tryLock } from './lock.js';
import { currentOwner, type LockOwner, ownerIsGone, parseOwner } from './owner.js';

/**
 * A lock (src/fs/lock.ts) that says who holds it, so that a holder that died can be told from a
 * live one at once where that is certain (same boot and PID namespace: src/fs/owner.ts).
 *
 * The holder is named in two places, so that it is named at every moment: before each attempt a
 * contender writes a claim beside the lock (`<lock>.claim-<pid>-<random>.json`); once it holds the
 * lock it writes `<lock>/owner.json` and removes its claim. A holder killed between taking the lock
 * and writing `owner.json` is thus still known by its claim. Claims older than {@link CLAIM_TTL_MS}
 * are left-overs (a contender rewrites its claim every {@link POLL_MS}) and are removed.
 */

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
const CLAIM_TTL_MS = 30_000;

/**
 * Takes the lock at `path` and records this process in `<path>/owner.json`, waiting while another
 * holder has it. A holder recorded as a process of this boot and PID namespace that no longer
 * runs (a crash, then a restart in the same container) is taken over at once; any other holder
 * is waited for until it releases the lock or the lock goes stale (a holder that died elsewhere),
 * at most `waitMs`. Resolves `{ held: false, owner }` when a live holder keeps it.
 */
export async function lockWithOwner(path: string, options: WaitOptions = {}): Promise<OwnedLock> {
  const absolute = resolve(path);
  await mkdir(dirname(absolute), { recursive: true }); // a first start: no state directory yet
  const self = await currentOwner();
  const claim = `${absolute}.claim-${self.pid}-${randomBytes(4).toString('hex')}.json`;
  const waitMs = options.waitMs ?? (options.staleMs ?? DEFAULT_STALE_MS) + 2_000;
  const until = Date.now() + waitMs;
  let waited = false;
  try {
    for (;;) {
      await writeFile(claim, `${JSON.stringify(self)}\n`);
      const lock = await tryLock(absolute, options);
      if (lock !== undefined) {
        await recordOwner(absolute, self);
        return { held: true, lock };
      }
      const holder = await findHolder(absolute, self, claim);
      if (holder.gone && (await takeOver(absolute, self))) {
        await Promise.all(holder.claims.map((c) => unlink(c).catch(() => undefined)));
        continue;
      }
      if (Date.now() >= until || options.signal?.aborted === true)
        return { held: false, owner: holder.owner };
      if (!waited) options.onWait?.(holder.owner, waitMs);
      waited = true;
      await sleep(POLL_MS, undefined, options.signal === undefined ? {} : { signal: options.signal }).catch(
        () => undefined,
      );
    }
  } finally {
    await unlink(claim).catch(() => undefined);
  }
}

/**
 * Who holds the lock, and whether it is certainly gone: the owner it recorded, or, before it
 * recorded one, the other claimants (one of them took it). Gone only when every candidate is.
 */
async function findHolder(
  lock: string,
  self: LockOwner,
  mine: string,
): Promise<{ owner: LockOwner | undefined; gone: boolean; claims: string[] }> {
  const recorded = parseOwner(await readFile(join(lock, 'owner.json'), 'utf8').catch(() => ''));
  if (recorded !== undefined) return { owner: recorded, gone: await ownerIsGone(recorded, self), claims: [] };
  const claims = await otherClaims(lock, mine);
  if (claims.length === 0) return { owner: undefined, gone: false, claims: [] }; // nobody known: wait
  for (const { owner } of claims) {
    if (!(await ownerIsGone(owner, self))) return { owner, gone: false, claims: [] };
  }
  return { owner: claims[0]?.owner, gone: true, claims: claims.map((c) => c.path) };
}

/** Claims beside `lock` other than `mine`; left-overs past their time are removed on the way. */
async function otherClaims(lock: string, mine: string): Promise<{ path: string; owner: LockOwner }[]> {
  const dir = dirname(lock);
  const prefix = `${basename(lock)}.claim-`;
  const found: { path: string; owner: LockOwner }[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    if (!name.startsWith(prefix) || !name.endsWith('.json') || path === mine) continue;
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) continue;
    if (Date.now() - info.mtimeMs > CLAIM_TTL_MS) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    const owner = parseOwner(await readFile(path, 'utf8').catch(() => ''));
    if (owner !== undefined) found.push({ path, owner });
  }
  return found;
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
 * wins the rename), then checks what it moved: if it now names an owner that is not gone (a
 * process that meanwhile took the lock afresh), the directory is put back.
 */
async function takeOver(path: string, self: LockOwner): Promise<boolean> {
  const aside = `${path}.gone-${randomBytes(6).toString('hex')}`;
  const moved = await rename(path, aside).then(
    () => true,
    () => false,
  );
  if (!moved) return false;
  const owner = parseOwner(await readFile(join(aside, 'owner.json'), 'utf8').catch(() => ''));
  if (owner !== undefined && !(await ownerIsGone(owner, self))) {
    await rename(aside, path).catch(() => undefined);
    return false;
  }
  await rm(aside, { recursive: true, force: true });
  return true;
}
