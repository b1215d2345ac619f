import { spawnSync } from 'node:child_process';
import { mkdir, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Installs a Debian package with apt-get when a test needs its binary and it is missing: CI
 * machines start fresh. Test files run in parallel workers and apt-get cannot run twice at once,
 * so every install, whatever the package, runs under one lock directory; the other workers wait
 * and then find the binary. Needs root, or password-less `sudo`.
 */

const LOCK = join(tmpdir(), 'gax-apt-get.lock');
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const STALE_LOCK_MS = 20 * 60_000;

/**
 * Resolves to `installed()` (e.g. the binary's version line) once it is defined: at once when
 * it is, else after `apt-get update` and `apt-get install -y --no-install-recommends PACKAGE`.
 * Rejects with apt-get's error when that fails, or when the binary is still missing after it.
 */
export async function ensureDebianPackage(pkg: string, installed: () => string | undefined): Promise<string> {
  const found = installed();
  if (found !== undefined) return found;
  if (await acquireLock(installed)) {
    try {
      if (installed() === undefined) {
        run('apt-get', ['update']);
        run('apt-get', ['install', '-y', '--no-install-recommends', pkg]);
      }
    } finally {
      await rmdir(LOCK).catch(() => undefined);
    }
  }
  const version = installed();
  if (version === undefined) throw new Error(`still missing after installing the Debian package ${pkg}`);
  return version;
}

/** The first line a command prints for `args` (its version), or undefined when it cannot run. */
export function versionLine(command: string, args: readonly string[] = ['--version']): string | undefined {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) return undefined;
  return `${r.stdout}${r.stderr}`.split('\n')[0];
}

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

/** True once this worker holds the lock; false when another worker installed the binary meanwhile. */
async function acquireLock(installed: () => string | undefined): Promise<boolean> {
  for (;;) {
    try {
      await mkdir(LOCK);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (installed() !== undefined) return false;
    const age = await stat(LOCK).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > STALE_LOCK_MS) await rmdir(LOCK).catch(() => undefined);
    await sleep(500);
  }
}
