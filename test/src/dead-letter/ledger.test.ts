import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireReplayLock, ledgerPath, lockPath, ReplayLedger } from '../../../src/dead-letter/ledger.js';
import { isGaxError } from '../../../src/errors.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-ledger-'));
  path = join(dir, 'dead-letter.ndjson');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const id = (n: number): string => `id${String(n).padStart(20, '0')}`;

describe('replay ledger', () => {
  it('remembers marks per plugin across loads', async () => {
    const ledger = await ReplayLedger.load(path);
    await ledger.mark('elasticsearch', [id(1), id(2)]);
    await ledger.mark('file', [id(2)]);
    await ledger.close();
    const again = await ReplayLedger.load(path);
    expect(again.has('elasticsearch', id(1))).toBe(true);
    expect(again.has('file', id(1))).toBe(false);
    expect(again.has('file', id(2))).toBe(true);
    expect(again.any(id(1))).toBe(true);
    expect(again.any(id(3))).toBe(false);
  });

  it('ignores a mark cut short by a crash and keeps the next mark whole', async () => {
    await writeFile(ledgerPath(path), `file\t${id(1)}\nfile\t${id(2)}`.slice(0, -5));
    const ledger = await ReplayLedger.load(path);
    expect(ledger.has('file', id(1))).toBe(true);
    expect(ledger.any(id(2))).toBe(false);
    await ledger.mark('file', [id(3)]);
    await ledger.close();
    const again = await ReplayLedger.load(path);
    expect(again.has('file', id(3))).toBe(true);
    expect(again.size).toBe(2);
  });

  it('compacts to the records still present in a dead-letter file', async () => {
    const ledger = await ReplayLedger.load(path);
    await ledger.mark('file', [id(1), id(2), id(3)]);
    await ledger.compact(new Set([id(2)]));
    await ledger.mark('file', [id(4)]);
    await ledger.close();
    expect(await readFile(ledgerPath(path), 'utf8')).toBe(`file\t${id(2)}\nfile\t${id(4)}\n`);
  });
});

describe('replay lock', () => {
  // The lock itself (src/fs/lock.ts) is tested in test/src/fs/lock.test.ts, across PID namespaces too.
  it('is refused while another process holds it', async () => {
    const holder = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '../fs/fixtures/lock-holder.ts'), lockPath(path), '2000'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      for await (const chunk of holder.stdout as AsyncIterable<Buffer>) {
        expect(JSON.parse(chunk.toString())).toMatchObject({ locked: true });
        break;
      }
      const error = await acquireReplayLock(path).catch((err: unknown) => err);
      expect(isGaxError(error) && error.code).toBe('GAX_ERR_DEADLETTER_LOCKED');
      expect(String((error as Error).message)).toContain(lockPath(path));
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('is one per dead-letter file, and free again once released', async () => {
    const lock = await acquireReplayLock(path);
    await expect(acquireReplayLock(path)).rejects.toMatchObject({ code: 'GAX_ERR_DEADLETTER_LOCKED' });
    const other = await acquireReplayLock(join(dir, 'other.ndjson'));
    await other.release();
    await lock.release();
    await expect(stat(lockPath(path))).rejects.toMatchObject({ code: 'ENOENT' });
    await (await acquireReplayLock(path)).release();
  });

  it('takes over the stale PID lock file an older gax left behind', async () => {
    await appendFile(lockPath(path), '4242\n');
    const old = new Date(Date.now() - 60_000);
    await utimes(lockPath(path), old, old);
    const lock = await acquireReplayLock(path);
    expect((await stat(lockPath(path))).isDirectory()).toBe(true);
    await lock.release();
  });
});
