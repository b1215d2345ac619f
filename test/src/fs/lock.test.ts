import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, rmdir, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tryLock } from '../../../src/fs/lock.js';
import { killHard, startHolder } from '../../helpers/lock-holder.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'lock-holder.ts');
const STALE_MS = 2000; // proper-lockfile's minimum; the holder refreshes every second

let dir: string;
let path: string;
const children: ChildProcess[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-lock-'));
  path = join(dir, 'dead-letter.ndjson.replay.lock');
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/**
 * The check gax used before (src/dead-letter/ledger.ts): a lock holds while `process.kill(pid, 0)`
 * finds the PID written in it. Kept here to show where it goes wrong.
 */
function pidCheckSaysHeld(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Polls tryLock until it succeeds; resolves the ms it took. */
async function takeOver(deadlineMs: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < deadlineMs) {
    const lock = await tryLock(path, { staleMs: STALE_MS });
    if (lock !== undefined) {
      await lock.release();
      return Date.now() - start;
    }
    await sleep(100);
  }
  throw new Error(`lock not taken over within ${deadlineMs} ms`);
}

const holder = (command: string[] = []) => startHolder(FIXTURE, path, STALE_MS, children, command);

describe('tryLock', () => {
  it('is refused while held, in this process and from another, and free again after release', async () => {
    const lock = await tryLock(path, { staleMs: STALE_MS });
    expect(lock).toBeDefined();
    expect((await stat(path)).isDirectory()).toBe(true);
    expect(await tryLock(path, { staleMs: STALE_MS })).toBeUndefined();
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, path, String(STALE_MS)]);
    children.push(child);
    let out = '';
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) out += chunk.toString();
    expect(JSON.parse(out)).toMatchObject({ locked: false });
    await lock?.release();
    await lock?.release(); // idempotent
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    const again = await tryLock(path, { staleMs: STALE_MS });
    expect(again).toBeDefined();
    await again?.release();
  });

  it('keeps a live holder in another process for longer than the stale time, then takes over a SIGKILLed one', async () => {
    const { child } = await holder();
    await sleep(STALE_MS * 2);
    expect(await tryLock(path, { staleMs: STALE_MS })).toBeUndefined();
    await killHard(child);
    expect(await tryLock(path, { staleMs: STALE_MS })).toBeUndefined(); // not stale yet
    expect(await takeOver(STALE_MS * 3)).toBeLessThanOrEqual(STALE_MS + 1500);
  });

  it('aborts its signal when the lock is lost (removed under the holder)', async () => {
    const lock = await tryLock(path, { staleMs: STALE_MS });
    expect(lock?.signal.aborted).toBe(false);
    await rmdir(path);
    await new Promise((resolve) => lock?.signal.addEventListener('abort', resolve));
    expect((lock?.signal.reason as NodeJS.ErrnoException).code).toBe('ECOMPROMISED');
    await lock?.release(); // harmless once lost
  });

  it("treats an older gax's PID lock file as held until it is stale, then replaces it", async () => {
    await writeFile(path, '12345\n');
    expect(await tryLock(path, { staleMs: STALE_MS })).toBeUndefined();
    const old = new Date(Date.now() - STALE_MS - 1000);
    await utimes(path, old, old);
    const lock = await tryLock(path, { staleMs: STALE_MS });
    expect((await stat(path)).isDirectory()).toBe(true);
    await lock?.release();
  });
});

describe('tryLock across PID namespaces (two containers sharing a state volume)', () => {
  const unshare = ['unshare', '--pid', '--fork', '--kill-child', '--mount-proc'];

  it('takes over a SIGKILLed holder from another namespace, where the PID check never would', async () => {
    const { child, pid } = await holder(unshare);
    expect(pid).toBe(1); // the PID the old lock file would have held: our namespace's init
    await killHard(child); // unshare dies, its namespace with it
    await expect(readFile('/proc/1/stat')).resolves.toBeDefined();
    expect(pidCheckSaysHeld(pid)).toBe(true); // the old lock: refused forever
    expect(await takeOver(STALE_MS * 3)).toBeLessThanOrEqual(STALE_MS + 1500);
  });

  it('respects a live holder in another namespace whose PID means nobody here', async () => {
    const free = freePid();
    // In the new namespace, make the holder's PID one that no process of ours has.
    const script = `echo ${free - 1} > /proc/sys/kernel/ns_last_pid || exit 1; "$@" & wait`;
    const { pid } = await holder([...unshare, 'sh', '-c', script, 'sh']);
    expect(pid).toBe(free);
    expect(pidCheckSaysHeld(pid)).toBe(false); // the old lock: taken over from a live holder
    await sleep(STALE_MS * 2);
    expect(await tryLock(path, { staleMs: STALE_MS })).toBeUndefined();
  });
});

/** A PID no process in this namespace has (the highest free one below pid_max). */
function freePid(): number {
  for (let pid = 32_000; pid > 1000; pid--) if (!pidCheckSaysHeld(pid)) return pid;
  throw new Error('no free PID');
}
