/**
 * lockWithOwner: the lock `gax run` takes on its state directory. A holder that died in this boot
 * and PID namespace (a crash, then a restart in the same container) is taken over at once; one
 * that died in another PID namespace only once the lock is stale; a live one is waited for and
 * then reported.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockWithOwner } from '../../../src/fs/owned-lock.js';
import { currentOwner, ownerIsGone } from '../../../src/fs/owner.js';
import { killHard, startHolder } from '../../helpers/lock-holder.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'owner-holder.ts');
const STALE_MS = 2000;

let dir: string;
let path: string;
const children: ChildProcess[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-owner-lock-'));
  path = join(dir, 'gax-run.lock');
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

const holder = (command: string[] = []) => startHolder(FIXTURE, path, STALE_MS, children, command);

describe('lockWithOwner', () => {
  it('records its owner inside the lock and removes both on release', async () => {
    path = join(dir, 'state', 'not', 'there', 'yet', 'gax-run.lock'); // a first start: no state dir
    const got = await lockWithOwner(path, { staleMs: STALE_MS });
    expect(got.held).toBe(true);
    const owner = JSON.parse(await readFile(join(path, 'owner.json'), 'utf8'));
    expect(owner).toMatchObject({ pid: process.pid, pidNamespace: expect.stringMatching(/^pid:\[\d+\]$/) });
    if (got.held) await got.lock.release();
    expect(await stat(path).catch(() => undefined)).toBeUndefined();
  });

  it('takes over at once from a holder that died in this PID namespace (crash, then restart)', async () => {
    const { child } = await holder();
    await killHard(child);
    const started = Date.now();
    const got = await lockWithOwner(path, { staleMs: 60_000, waitMs: 60_000 });
    expect(got.held).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000); // not the 60 s staleness
    if (got.held) await got.lock.release();
    expect((await readdir(dir)).filter((n) => n.includes('.gone-'))).toEqual([]);
  });

  it('takes over at once from a holder that died after taking the lock but before naming itself in it', async () => {
    const claimHolder = join(import.meta.dirname, 'fixtures', 'claim-holder.ts');
    const { child } = await startHolder(claimHolder, path, 60_000, children);
    expect(await readFile(join(path, 'owner.json'), 'utf8').catch(() => 'none')).toBe('none');
    await killHard(child);
    const started = Date.now();
    const got = await lockWithOwner(path, { staleMs: 60_000, waitMs: 60_000 });
    expect(got.held).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000); // known by its claim, not the 60 s staleness
    if (got.held) await got.lock.release();
    expect((await readdir(dir)).filter((n) => n.includes('.claim-'))).toEqual([]);
  });

  it('waits for a live holder, says so once, and reports it when the wait ends', async () => {
    const { pid } = await holder();
    const waits: unknown[] = [];
    const started = Date.now();
    const got = await lockWithOwner(path, {
      staleMs: STALE_MS,
      waitMs: 3 * STALE_MS,
      onWait: (o) => waits.push(o),
    });
    expect(got).toEqual({ held: false, owner: expect.objectContaining({ pid }) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * STALE_MS); // a live holder never goes stale
    expect(waits).toHaveLength(1);
  });

  it('takes a lock whose holder died in another PID namespace only once it is stale', async () => {
    const unshare = ['unshare', '--pid', '--fork', '--kill-child', '--mount-proc'];
    const { child, pid } = await holder(unshare);
    expect(pid).toBe(1); // the holder's own view: PID 1 of its namespace, alive here for ever
    await killHard(child);
    const started = Date.now();
    const got = await lockWithOwner(path, { staleMs: STALE_MS, waitMs: 10 * STALE_MS });
    const took = Date.now() - started;
    expect(got.held).toBe(true);
    expect(took).toBeGreaterThanOrEqual(STALE_MS - 1_100); // refreshed up to a second before the kill
    expect(took).toBeLessThan(STALE_MS + 3_000);
    if (got.held) await got.lock.release();
  });

  it('knows a recorded owner is gone only when its PID is checkable here', async () => {
    const self = await currentOwner();
    expect(await ownerIsGone(self, self)).toBe(false);
    const ghost = { ...self, pid: 2 ** 22 + 1 }; // above pid_max's ceiling: no such process
    expect(await ownerIsGone(ghost, self)).toBe(true);
    expect(await ownerIsGone({ ...ghost, pidNamespace: 'pid:[1]' }, self)).toBe(false);
    expect(await ownerIsGone({ ...ghost, bootId: 'another-boot' }, self)).toBe(false);
    expect(await ownerIsGone({ ...self, startTicks: '1' }, self)).toBe(true); // our PID, an earlier process
  });
});
