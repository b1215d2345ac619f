import { spawnSync } from 'node:child_process';
import { mkdir, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Makes sure `promtool` (Debian package `prometheus`, 2.42 on bookworm) is installed, installing
 * it with apt-get when it is missing: CI machines start fresh. Test files run in parallel
 * workers, so the install runs under a lock directory; the others wait for it and find
 * `promtool` installed. Needs root, or password-less `sudo`.
 */

export const PROMTOOL = 'promtool';
const LOCK = join(tmpdir(), 'gax-ensure-prometheus.lock');
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const STALE_LOCK_MS = 20 * 60_000;

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs promtool with `args`; never throws for a non-zero exit. */
export function promtool(args: readonly string[], options: { cwd?: string } = {}): RunResult {
  const r = spawnSync(PROMTOOL, args, { encoding: 'utf8', cwd: options.cwd, timeout: 120_000 });
  if (r.error !== undefined) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function promtoolVersion(): string | undefined {
  const r = spawnSync(PROMTOOL, ['--version'], { encoding: 'utf8' });
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

async function acquireLock(): Promise<boolean> {
  for (;;) {
    try {
      await mkdir(LOCK);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (promtoolVersion() !== undefined) return false;
    const age = await stat(LOCK).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > STALE_LOCK_MS) await rmdir(LOCK).catch(() => undefined);
    await sleep(500);
  }
}

/**
 * Resolves to promtool's version line once `promtool` is on PATH: at once when it is, else after
 * `apt-get update` and `apt-get install -y --no-install-recommends prometheus` (one install for
 * all workers). Rejects with the apt-get error when that fails.
 */
export async function ensurePrometheus(): Promise<string> {
  const found = promtoolVersion();
  if (found !== undefined) return found;
  if (await acquireLock()) {
    try {
      if (promtoolVersion() === undefined) {
        run('apt-get', ['update']);
        run('apt-get', ['install', '-y', '--no-install-recommends', 'prometheus']);
      }
    } finally {
      await rmdir(LOCK).catch(() => undefined);
    }
  }
  const version = promtoolVersion();
  if (version === undefined)
    throw new Error('promtool is still missing after installing the prometheus package');
  return version;
}
