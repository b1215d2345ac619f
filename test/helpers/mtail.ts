import { spawnSync } from 'node:child_process';
import { mkdir, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mtailVersion } from '../../bench/lib/mtail.js';

/**
 * Makes sure `mtail` (Debian package `mtail`, 3.0.0~rc50 on bookworm) is installed, for the bench
 * smoke test of the mtail scenarios, installing it with apt-get when it is missing, as
 * `ensurePrometheus` (test/dashboards/promtool.ts) does for promtool: one install for all test
 * workers, under a lock directory. Needs root, or password-less `sudo`.
 */

const LOCK = join(tmpdir(), 'gax-ensure-mtail.lock');
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const STALE_LOCK_MS = 20 * 60_000;

function run(command: string, args: readonly string[]): void {
  const root = process.getuid?.() === 0;
  const [file, argv] = root ? [command, args] : ['sudo', ['-n', command, ...args]];
  const r = spawnSync(file, argv, {
    encoding: 'utf8',
    timeout: INSTALL_TIMEOUT_MS,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.error === undefined && r.status === 0) return;
  const why = r.error?.message ?? `exit ${String(r.status)}: ${r.stderr.slice(-2000)}`;
  throw new Error(`${[file, ...argv].join(' ')} failed (${why})`);
}

async function acquireLock(): Promise<boolean> {
  for (;;) {
    try {
      await mkdir(LOCK);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (mtailVersion() !== undefined) return false;
    const age = await stat(LOCK).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > STALE_LOCK_MS) await rmdir(LOCK).catch(() => undefined);
    await sleep(500);
  }
}

/**
 * Resolves to mtail's version line once `mtail` is on PATH: at once when it is, else after
 * `apt-get update` and `apt-get install -y --no-install-recommends mtail`. Rejects with the apt-get
 * error when that fails.
 */
export async function ensureMtail(): Promise<string> {
  const found = mtailVersion();
  if (found !== undefined) return found;
  if (await acquireLock()) {
    try {
      if (mtailVersion() === undefined) {
        run('apt-get', ['update']);
        run('apt-get', ['install', '-y', '--no-install-recommends', 'mtail']);
      }
    } finally {
      await rmdir(LOCK).catch(() => undefined);
    }
  }
  const version = mtailVersion();
  if (version === undefined) throw new Error('mtail is still missing after installing the mtail package');
  return version;
}
