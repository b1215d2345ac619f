import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
  it('is refused while a running process holds it', async () => {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await writeFile(lockPath(path), `${holder.pid}\n`);
      const error = await acquireReplayLock(path).catch((err: unknown) => err);
      expect(isGaxError(error) && error.code).toBe('GAX_ERR_DEADLETTER_LOCKED');
      expect(String((error as Error).message)).toContain(String(holder.pid));
    } finally {
      holder.kill();
    }
  });

  it('takes over a lock whose process is gone, and releases it', async () => {
    const gone = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((resolve) => gone.on('close', resolve));
    await writeFile(lockPath(path), `${gone.pid}\n`);
    const lock = await acquireReplayLock(path);
    expect((await readFile(lockPath(path), 'utf8')).trim()).toBe(String(process.pid));
    await lock.release();
    await expect(readFile(lockPath(path))).rejects.toThrow();
  });

  it('takes over an empty lock file (a crash right after creating it)', async () => {
    await appendFile(lockPath(path), '');
    const lock = await acquireReplayLock(path);
    await lock.release();
  });
});
