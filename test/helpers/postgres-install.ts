import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDebianPackage } from './apt.js';

/**
 * Finds (or installs) Debian's PostgreSQL server binaries and creates throw-away clusters for
 * test/helpers/postgres.ts. `postgres` refuses to run as root, so when the tests run as root the
 * cluster belongs to the system user `gax-pg` (created when missing) and every server command runs
 * as that user through `setpriv`; an unprivileged test process runs them as itself.
 */

export const PG_USER = 'gax-pg';
/** The cluster's bootstrap superuser; it reaches the server over the unix socket only (trust). */
export const PG_SUPERUSER = 'postgres';
const PG_ROOT = '/usr/lib/postgresql';
const SERVER_BINARIES = ['initdb', 'postgres', 'pg_ctl'] as const;

/** Where a PostgreSQL major's server binaries live. */
export interface PgInstall {
  readonly major: number;
  /** `/usr/lib/postgresql/<major>/bin`. */
  readonly bin: string;
}

/** The highest major under /usr/lib/postgresql that has initdb, postgres and pg_ctl, if any. */
export function findPostgres(): PgInstall | undefined {
  if (!existsSync(PG_ROOT)) return undefined;
  const majors = readdirSync(PG_ROOT)
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .sort((a, b) => b - a);
  for (const major of majors) {
    const bin = join(PG_ROOT, String(major), 'bin');
    if (SERVER_BINARIES.every((b) => existsSync(join(bin, b)))) return { major, bin };
  }
  return undefined;
}

/**
 * Resolves to the server binaries, installing the Debian package `postgresql` first when none are
 * present (CI machines start fresh; needs root or password-less sudo; see test/helpers/apt.ts).
 */
export async function ensurePostgres(): Promise<PgInstall> {
  await ensureDebianPackage('postgresql', () => findPostgres()?.bin);
  const found = findPostgres();
  if (found === undefined) throw new Error(`no PostgreSQL server binaries under ${PG_ROOT}`);
  return found;
}

/** True when server processes must drop to {@link PG_USER}. */
export function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/** `command` prefixed so that it runs as the cluster's owner (unchanged when not root). */
export function asOwner(command: readonly string[]): string[] {
  if (!runsAsRoot()) return [...command];
  return ['setpriv', `--reuid=${PG_USER}`, `--regid=${PG_USER}`, '--init-groups', '--', ...command];
}

export function run(command: readonly string[], timeout = 60_000): string {
  const [file, ...args] = command;
  if (file === undefined) throw new Error('run: empty command');
  const r = spawnSync(file, args, { encoding: 'utf8', timeout });
  if (r.error === undefined && r.status === 0) return r.stdout;
  const why = r.error?.message ?? `exit ${String(r.status)}: ${`${r.stdout}${r.stderr}`.slice(-2000)}`;
  throw new Error(`${command.join(' ')} failed (${why})`);
}

/** Creates the system user {@link PG_USER} when running as root and it is missing. */
export function ensureOwner(): void {
  if (!runsAsRoot()) return;
  if (spawnSync('id', ['-u', PG_USER]).status === 0) return;
  // Parallel workers may race here; the loser's useradd fails with "already exists".
  spawnSync('useradd', ['-r', '-M', '-s', '/usr/sbin/nologin', PG_USER], { encoding: 'utf8' });
  run(['id', '-u', PG_USER]);
}

/**
 * initdb into `<dir>/data` (UTF8, C locale, no fsync during initdb only: the server keeps fsync on)
 * and writes a pg_hba.conf: the superuser over the unix socket with trust; TCP from 127.0.0.1 with
 * trust, or with scram-sha-256 when `password` is true. `dir` is chowned to the owner first.
 */
export async function initCluster(install: PgInstall, dir: string, password: boolean): Promise<string> {
  if (runsAsRoot()) run(['chown', '-R', `${PG_USER}:${PG_USER}`, dir]);
  const data = join(dir, 'data');
  run(
    asOwner([
      join(install.bin, 'initdb'),
      '-D',
      data,
      '-U',
      PG_SUPERUSER,
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ]),
  );
  const hostMethod = password ? 'scram-sha-256' : 'trust';
  await writeFile(
    join(data, 'pg_hba.conf'),
    [
      '# written by test/helpers/postgres-install.ts',
      `local all ${PG_SUPERUSER} trust`,
      `local all all ${hostMethod}`,
      `host all all 127.0.0.1/32 ${hostMethod}`,
      '',
    ].join('\n'),
  );
  if (runsAsRoot()) run(['chown', `${PG_USER}:${PG_USER}`, join(data, 'pg_hba.conf')]);
  return data;
}
