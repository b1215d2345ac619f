import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Checkpointer } from '../../../src/sources/checkpointer.js';
import { errorCode, ReadErrors } from '../../../src/sources/read-errors.js';
import { silentLogger } from '../../../src/telemetry/logger.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-checkpointer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Checkpointer', () => {
  it('keeps trying a failing write on its own, shuts the gate meanwhile and opens it once a write works', async () => {
    // The state "directory" is a regular file: every write fails (ENOTDIR) until it is replaced.
    const state = join(dir, 'state');
    await writeFile(state, 'not a directory');
    const checkpointer = new Checkpointer({
      path: join(state, 'checkpoint.json'),
      logger: silentLogger(),
      intervalMs: 20,
    });
    checkpointer.noteFile('1:2', { path: '/logs/a.log' });
    checkpointer.noteStart('file', '1:2', 0);
    checkpointer.update('file', new Map([['1:2', 100]]));
    await until(() => checkpointer.writeFailures >= 2);
    const gate = checkpointer.writable();
    expect(gate, 'the gate while writes fail').toBeInstanceOf(Promise);

    await rm(state);
    await mkdir(state);
    await gate; // no new position: the retry timer alone writes it
    expect(checkpointer.writable()).toBeUndefined();
    expect(checkpointer.writeFailures).toBe(0);
    const saved = JSON.parse(await readFile(join(state, 'checkpoint.json'), 'utf8'));
    expect(saved.plugins.file.files['1:2'].offset).toBe(100);
    await checkpointer.close();
  });

  it('saves a followed file under its new path once it is renamed, keeping its fingerprint', async () => {
    const path = join(dir, 'checkpoint.json');
    const checkpointer = new Checkpointer({ path, logger: silentLogger(), intervalMs: 60_000 });
    const fingerprint = { length: 1024, hash: 'ab' };
    checkpointer.noteFile('1:2', { path: '/logs/a.log', fingerprint });
    checkpointer.update('file', new Map([['1:2', 100]]));
    const saved = async () =>
      (
        JSON.parse(await readFile(path, 'utf8').catch(() => '{}')) as {
          plugins?: {
            file?: { files: Record<string, { offset: number; path: string; fingerprint?: unknown }> };
          };
        }
      ).plugins?.file?.files['1:2'];
    await until(async () => (await saved())?.offset === 100);
    checkpointer.noteFile('1:2', { path: '/logs/a-1.log' }); // no commit follows: the rename alone is saved
    await until(async () => (await saved())?.path === '/logs/a-1.log');
    expect(await saved()).toEqual({ offset: 100, path: '/logs/a-1.log', fingerprint });
    await checkpointer.close();
  });

  it('writes every commit at once, not once a second, coalescing the commits of one turn', async () => {
    const path = join(dir, 'checkpoint.json');
    const checkpointer = new Checkpointer({ path, logger: silentLogger(), intervalMs: 60_000 });
    const offset = async () => {
      const text = await readFile(path, 'utf8').catch(() => '{}');
      return (JSON.parse(text) as { plugins?: { file?: { files: Record<string, { offset: number }> } } })
        .plugins?.file?.files['1:2']?.offset;
    };
    checkpointer.noteFile('1:2', { path: '/logs/a.log' });
    for (let n = 1; n <= 50; n++) checkpointer.update('file', new Map([['1:2', n * 10]]));
    await until(async () => (await offset()) === 500);
    // Within the (here one-minute) fsync interval, later commits are still written at once.
    for (const next of [510, 520, 530]) {
      checkpointer.update('file', new Map([['1:2', next]]));
      const started = Date.now();
      await until(async () => (await offset()) === next);
      expect(Date.now() - started).toBeLessThan(1000);
    }
    // The 50 commits of one turn coalesced; the first write is fsynced, the next ones (within
    // the minute) are not, and the one at close is.
    const { all, durable } = checkpointer.writes;
    expect(all).toBeGreaterThanOrEqual(4);
    expect(all).toBeLessThanOrEqual(8);
    expect(durable).toBe(1);
    await checkpointer.close();
    expect(await offset()).toBe(530);
    expect(checkpointer.writes.durable).toBe(2);
  });

  it('a start before the saved offset replaces it (another file on the inode); one after it does not', async () => {
    const path = join(dir, 'checkpoint.json');
    const first = new Checkpointer({ path, logger: silentLogger() });
    first.noteStart('file', '1:2', 0);
    first.update('file', new Map([['1:2', 500]]));
    await first.close();

    const second = new Checkpointer({ path, logger: silentLogger() });
    await second.load();
    second.noteStart('file', '1:2', 800);
    expect(second.saved('file').get('1:2')?.offset).toBe(500);
    second.noteStart('file', '1:2', 0);
    expect(second.saved('file').get('1:2')?.offset).toBe(0);
    await second.close();
  });
});

describe('ReadErrors', () => {
  it('names errno codes libuv leaves unnamed, and backs off from the poll interval doubling to 10 s', () => {
    expect(errorCode(Object.assign(new Error('x'), { code: 'Unknown system error -116', errno: -116 }))).toBe(
      'ESTALE',
    );
    expect(errorCode(Object.assign(new Error('x'), { code: 'EIO', errno: -5 }))).toBe('EIO');
    expect(errorCode(new Error('no code'))).toBe('other');

    const counted: string[] = [];
    const errors = new ReadErrors({
      pollIntervalMs: 100,
      logger: silentLogger(),
      onError: (_, code) => counted.push(code),
    });
    const file = { failures: 0, retryAt: 0 };
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      const before = Date.now();
      errors.failed('/logs/a.log', Object.assign(new Error('x'), { code: 'EIO' }), file);
      waits.push(Math.round((file.retryAt - before) / 100) * 100);
    }
    expect(waits).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000]);
    expect(errors.waiting(file, Date.now())).toBe(true);
    expect(counted).toHaveLength(10);
    errors.recovered('/logs/a.log', file);
    expect(errors.waiting(file, Date.now())).toBe(false);
  });
});

async function until(probe: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
