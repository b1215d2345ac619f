import { execFile, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STALE_TEMP_MS, writeFileDurably } from '../../../src/fs/durable.js';
import { loadCheckpoint, saveCheckpoint } from '../../../src/sources/checkpoint.js';
import { ensureDebianPackage, versionLine } from '../../helpers/apt.js';

const run = promisify(execFile);
const FIXTURE = join(import.meta.dirname, 'fixtures', 'durable-writer.ts');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gax-durable-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One traced syscall on a path under the test directory: `fsync /d/x`, `rename /d/a -> /d/b`, `openat /d/x O_…`. */
interface Call {
  readonly name: string;
  readonly path: string;
  readonly to?: string;
  readonly flags?: string;
}

/** Runs the fixture under strace and returns the calls that name a path under `dir`, in order. */
async function traced(args: string[]): Promise<Call[]> {
  const log = join(tmpdir(), `gax-durable-strace-${process.pid}-${Date.now()}.log`);
  try {
    await run('strace', [
      '-f',
      '-y',
      '-qq',
      '-e',
      'trace=fsync,fdatasync,rename,renameat,renameat2,openat',
      '-o',
      log,
      process.execPath,
      '--import',
      'tsx',
      FIXTURE,
      ...args,
    ]);
    const calls: Call[] = [];
    for (const line of joinResumed((await readFile(log, 'utf8')).split('\n'))) {
      const m = /^\d+\s+([a-z0-9]+)\((.*)\)\s+= (-?\d+)/.exec(line);
      if (m === null || m[3]?.startsWith('-') === true) continue;
      const [, name = '', body = ''] = m;
      const quoted = [...body.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((q) => q[1] ?? '');
      if (name === 'fsync' || name === 'fdatasync') {
        const fd = /^\d+<([^>]*)>/.exec(body)?.[1];
        if (fd?.startsWith(dir) === true) calls.push({ name, path: fd });
      } else if (name === 'openat') {
        if (quoted[0]?.startsWith(dir) === true)
          calls.push({ name, path: quoted[0], flags: body.split(', ')[2] ?? '' });
      } else if (quoted[0]?.startsWith(dir) === true) {
        calls.push({ name: 'rename', path: quoted[0], to: quoted[1] ?? '' });
      }
    }
    return calls;
  } finally {
    await rm(log, { force: true });
  }
}

/**
 * strace -f splits a call that another thread interrupts into `PID name(args <unfinished ...>`
 * and, later, `PID <... name resumed>rest`: joined into one line, placed where the call ended.
 */
function joinResumed(lines: readonly string[]): string[] {
  const open = new Map<string, string>();
  const out: string[] = [];
  for (const line of lines) {
    const unfinished = /^(\d+)\s+(.*) <unfinished \.\.\.>$/.exec(line);
    if (unfinished !== null) {
      open.set(unfinished[1] as string, `${unfinished[1]} ${unfinished[2]}`);
      continue;
    }
    const resumed = /^(\d+)\s+<\.\.\. [a-z0-9]+ resumed>(.*)$/.exec(line);
    if (resumed !== null) {
      const start = open.get(resumed[1] as string);
      open.delete(resumed[1] as string);
      if (start !== undefined) out.push(`${start}${resumed[2]}`);
      continue;
    }
    out.push(line);
  }
  return out;
}

const at = (calls: Call[], match: (c: Call) => boolean, from = 0): number => {
  const i = calls.findIndex((c, n) => n >= from && match(c));
  expect(i, `no such call after #${from} in ${JSON.stringify(calls, null, 1)}`).toBeGreaterThanOrEqual(0);
  return i;
};

describe('writeFileDurably', () => {
  beforeAll(async () => {
    // strace is a Debian package; CI machines start fresh, so it is installed when missing.
    await ensureDebianPackage('strace', () => versionLine('strace', ['-V']));
  });

  it('fsyncs its own temp file before the rename and the directory after it', async () => {
    const path = join(dir, 'state', 'checkpoint.json');
    const calls = await traced(['write', path, 'new']);
    const stateDir = join(dir, 'state');
    const create = at(calls, (c) => c.name === 'openat' && /O_CREAT/.test(c.flags ?? '') && c.path !== path);
    const temp = calls[create]?.path ?? '';
    expect(calls[create]?.flags).toContain('O_EXCL');
    expect(temp.startsWith(`${stateDir}/.checkpoint.json.`) && temp.endsWith('.tmp')).toBe(true);
    const fileSync = at(calls, (c) => c.name === 'fsync' && c.path === temp, create);
    const renamed = at(calls, (c) => c.name === 'rename' && c.path === temp && c.to === path, fileSync);
    at(calls, (c) => c.name === 'fsync' && c.path === stateDir, renamed);
    // The directory it created: its parent is synced too, or the new directory itself can vanish.
    expect(calls.slice(0, create).some((c) => c.name === 'fsync' && c.path === dir)).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readdir(stateDir)).toEqual(['checkpoint.json']);
  });

  it('renameDurably fsyncs the directory after the rename', async () => {
    await writeFile(join(dir, 'a'), 'x');
    const calls = await traced(['rename', join(dir, 'a'), join(dir, 'b')]);
    const renamed = at(calls, (c) => c.name === 'rename' && c.to === join(dir, 'b'));
    at(calls, (c) => c.name === 'fsync' && c.path === dir, renamed);
  });

  it("syncs the dead-letter file's directory after it creates the file and after rotating it", async () => {
    const path = join(dir, 'dead-letter.ndjson');
    const calls = await traced(['rotate', path]);
    const created = at(calls, (c) => c.name === 'openat' && c.path === path && /O_CREAT/.test(c.flags ?? ''));
    const dirSync = at(calls, (c) => c.name === 'fsync' && c.path === dir, created);
    expect(at(calls, (c) => c.name === 'fdatasync' && c.path === path)).toBeGreaterThan(dirSync);
    const rotated = at(calls, (c) => c.name === 'rename' && c.path === path && c.to === `${path}.1`);
    const afterRotation = at(calls, (c) => c.name === 'fsync' && c.path === dir, rotated);
    const nextWrite = at(calls, (c) => c.name === 'fdatasync' && c.path === path, rotated);
    expect(afterRotation).toBeLessThan(nextWrite);
  });

  it('replaces the content and leaves no temp file behind', async () => {
    const path = join(dir, 'x.json');
    await writeFileDurably(path, 'one');
    await writeFileDurably(path, Buffer.from('two'));
    expect(await readFile(path, 'utf8')).toBe('two');
    expect(await readdir(dir)).toEqual(['x.json']);
  });

  it("removes a crashed writer's old temp file, not a live writer's nor anything else", async () => {
    const path = join(dir, 'checkpoint.json');
    const crashed = join(dir, '.checkpoint.json.0123456789ab.tmp');
    const live = join(dir, '.checkpoint.json.ba9876543210.tmp');
    const other = join(dir, '.other.json.0123456789ab.tmp');
    for (const file of [crashed, live, other]) await writeFile(file, 'partial');
    const old = new Date(Date.now() - STALE_TEMP_MS - 60_000);
    for (const file of [crashed, other]) await utimes(file, old, old);
    await writeFileDurably(path, 'new');
    expect((await readdir(dir)).sort()).toEqual(
      ['.checkpoint.json.ba9876543210.tmp', '.other.json.0123456789ab.tmp', 'checkpoint.json'].sort(),
    );
  });

  it('lets concurrent writers in several processes finish without clobbering each other', async () => {
    const path = join(dir, 'shared.json');
    // Large payloads, so a shared temp file would mix them or lose its rename (ENOENT).
    const payload = (c: string): string => c.repeat(256 * 1024);
    const children = ['a', 'b', 'c'].map((c) =>
      run(process.execPath, ['--import', 'tsx', FIXTURE, 'fill', path, c, '15']),
    );
    const local = Array.from({ length: 30 }, (_, i) =>
      writeFileDurably(path, payload(String.fromCharCode(100 + (i % 20)))),
    );
    // allSettled: the children must be done before afterEach removes the directory, even on failure.
    const results = await Promise.allSettled([...children, ...local]);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const text = await readFile(path, 'utf8');
    expect(text.length).toBe(256 * 1024);
    expect(new Set(text).size).toBe(1);
    expect(await readdir(dir)).toEqual(['shared.json']);
  });
});

describe('writeFileDurably on a failing filesystem', () => {
  let mnt: string;
  beforeEach(async () => {
    mnt = join(dir, 'mnt');
    await mkdir(mnt);
    mount(['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', mnt]);
  });
  afterEach(() => {
    mount(['-o', 'remount,rw', mnt]);
    const out = spawnSync('umount', [mnt], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`umount ${mnt}: ${out.stderr}`);
  });

  it('keeps the old content and no temp file when the disk is full (ENOSPC)', async () => {
    const path = join(mnt, 'state.json');
    await writeFileDurably(path, 'old\n');
    const error = await writeFileDurably(path, 'x'.repeat(64 * 1024)).catch((err: unknown) => err);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(await readFile(path, 'utf8')).toBe('old\n');
    expect(await readdir(mnt)).toEqual(['state.json']);
  });

  it('keeps the last checkpoint when the state directory is full', async () => {
    const path = join(mnt, 'checkpoint.json');
    const files = new Map([['1:2', { path: '/var/log/apim_metrics.log' }]]);
    await saveCheckpoint(path, new Map([['file', new Map([['1:2', 100]])]]), files);
    const many = new Map(Array.from({ length: 2000 }, (_, i) => [`p${i}`, new Map([['1:2', i]])]));
    await expect(saveCheckpoint(path, many, files)).rejects.toMatchObject({ code: 'ENOSPC' });
    const loaded = await loadCheckpoint(path);
    expect(loaded.status === 'ok' && loaded.plugins.get('file')?.get('1:2')?.offset).toBe(100);
    expect(await readdir(mnt)).toEqual(['checkpoint.json']);
  });

  it('keeps the old content on a read-only filesystem (EROFS)', async () => {
    const path = join(mnt, 'state.json');
    await writeFileDurably(path, 'old\n');
    mount(['-o', 'remount,ro', mnt]);
    await expect(writeFileDurably(path, 'new\n')).rejects.toMatchObject({ code: 'EROFS' });
    expect(await readFile(path, 'utf8')).toBe('old\n');
    expect(await readdir(mnt)).toEqual(['state.json']);
  });
});

/** `mount ARGS` (the tests run as root); throws with mount's message. */
function mount(args: string[]): void {
  const out = spawnSync('mount', args, { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`mount ${args.join(' ')}: ${out.stderr}`);
}
