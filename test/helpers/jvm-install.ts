import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Installing JVM search servers (Elasticsearch, OpenSearch) for integration tests: the unprivileged
 * user they run as, the JDK they run on, and their integ-test zips from Maven Central, downloaded
 * with `mvn` (the machine's Maven settings decide the repository or mirror), checked against the
 * `.sha512` (else `.sha1`) Maven Central publishes next to the zip, and unzipped once per machine
 * and version into a root-owned cache directory outside the checkout, under a lock directory
 * shared by parallel test workers; and each node's private, user-owned dir (data, logs, config).
 */

const INSTALLED_MARKER = '.gax-installed';
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const STALE_LOCK_MS = 20 * 60_000;
const CHECKSUM_TIMEOUT_MS = 2 * 60_000;

/** Runs `command` and returns its stdout; throws with the output tail on failure or timeout. */
export function run(command: string, args: readonly string[], timeout = 60_000): string {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout });
  if (r.error === undefined && r.status === 0) return r.stdout;
  const why = r.error?.message ?? `exit ${String(r.status)}: ${`${r.stdout}${r.stderr}`.slice(-2000)}`;
  throw new Error(`${[command, ...args].join(' ')} failed (${why})`);
}

/** Requires root (nodes are started via runuser) and creates the system user `user` when missing. */
export function ensureRootAndUser(user: string, label: string): void {
  if (process.getuid?.() !== 0)
    throw new Error(`${label} tests must run as root: they start nodes as '${user}' via runuser`);
  if (spawnSync('id', ['-u', user]).status === 0) return;
  // Parallel workers may race here; the loser's useradd fails with "already exists".
  spawnSync('useradd', ['-r', '-m', user], { encoding: 'utf8' });
  run('id', ['-u', user]);
}

function javaFeatureVersion(javaHome: string): number | undefined {
  try {
    const release = readFileSync(join(javaHome, 'release'), 'utf8');
    const version = /^JAVA_VERSION="([^"]+)"/m.exec(release)?.[1];
    if (version === undefined || !existsSync(join(javaHome, 'bin', 'java'))) return undefined;
    const [first, second] = version.split('.').map(Number);
    return first === 1 ? second : first;
  } catch {
    return undefined;
  }
}

/** What {@link findJdk} looks for: a feature-version range, its override variable and who needs it. */
export interface JdkWanted {
  readonly min: number;
  readonly max: number;
  /** Environment variable naming a JDK home to use instead of searching, e.g. `GAX_ES8_JAVA_HOME`. */
  readonly envVar: string;
  /** For the error message, e.g. `Elasticsearch 8.19.0`. */
  readonly product: string;
}

/** A JDK home in `[min, max]`: `envVar` when set, else the oldest fitting JDK under /usr/lib/jvm. */
export function findJdk({ min, max, envVar, product }: JdkWanted): string {
  const fits = (home: string): boolean => {
    const feature = javaFeatureVersion(home);
    return feature !== undefined && feature >= min && feature <= max;
  };
  const override = process.env[envVar];
  if (override !== undefined) {
    if (fits(override)) return override;
    throw new Error(`${envVar}=${override} is not a JDK ${min}-${max}`);
  }
  const root = '/usr/lib/jvm';
  const homes = existsSync(root)
    ? [...new Set(readdirSync(root).map((d) => realpathSync(join(root, d))))]
    : [];
  const found = homes
    .map((home) => ({ home, feature: javaFeatureVersion(home) }))
    .filter((j): j is { home: string; feature: number } => j.feature !== undefined);
  const fitting = found.filter((j) => j.feature >= min && j.feature <= max);
  fitting.sort((a, b) => a.feature - b.feature);
  const chosen = fitting[0];
  if (chosen !== undefined) return chosen.home;
  const seen = found.map((j) => `${j.home} (${j.feature})`).join(', ');
  throw new Error(
    `${product} needs a JDK ${min}-${max}; found ${seen === '' ? 'none' : seen} ` +
      `under ${root}. Install one or set ${envVar}.`,
  );
}

async function acquireLock(lock: string, done: () => boolean): Promise<boolean> {
  for (;;) {
    try {
      await mkdir(lock);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (done()) return false;
    const age = await stat(lock).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > STALE_LOCK_MS) await rmdir(lock).catch(() => undefined);
    await sleep(500);
  }
}

/** A distribution zip on Maven Central, e.g. `org.opensearch.distribution.integ-test-zip:opensearch`. */
export interface MavenZip {
  readonly groupId: string;
  /** Also the zip's top-level directory prefix: `<artifactId>-<version>/`. */
  readonly artifactId: string;
  readonly version: string;
  /** Machine-wide cache directory for the zip and the unpacked tree. */
  readonly cache: string;
  /** Unprivileged user that must be able to run `bin/<artifactId>` from the cache. */
  readonly user: string;
  /** For messages, e.g. `Elasticsearch 8.19.0`. */
  readonly product: string;
}

function mvnCopy(zip: MavenZip, extension: string, timeout: number): void {
  const { groupId, artifactId, version, cache } = zip;
  run(
    'mvn',
    [
      '-q',
      '-B',
      'dependency:copy',
      `-Dartifact=${groupId}:${artifactId}:${version}:${extension}`,
      `-DoutputDirectory=${cache}`,
    ],
    timeout,
  );
}

async function fileDigest(path: string, algorithm: 'sha512' | 'sha1'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks `<zip>` against Maven Central's `<zip>.sha512`, else `<zip>.sha1` (older uploads have no
 * SHA-512), both fetched with mvn into the cache beside the zip; throws on a mismatch.
 */
async function verifyZip(zip: MavenZip, path: string): Promise<void> {
  for (const algorithm of ['sha512', 'sha1'] as const) {
    try {
      mvnCopy(zip, `zip.${algorithm}`, CHECKSUM_TIMEOUT_MS);
    } catch {
      continue;
    }
    const expected = (await readFile(`${path}.${algorithm}`, 'utf8')).trim().split(/\s+/)[0]?.toLowerCase();
    const actual = await fileDigest(path, algorithm);
    if (actual === expected) return;
    await rm(path, { force: true });
    throw new Error(`${path}: ${algorithm} ${actual} does not match Maven Central's ${String(expected)}`);
  }
  throw new Error(`no .sha512 or .sha1 for ${path} on the Maven repository; refusing to use it`);
}

async function install(zip: MavenZip, home: string): Promise<void> {
  const { artifactId, version, cache } = zip;
  mvnCopy(zip, 'zip', INSTALL_TIMEOUT_MS);
  const zipPath = join(cache, `${artifactId}-${version}.zip`);
  await verifyZip(zip, zipPath);
  const staging = join(cache, `.unzip-${version}-${process.pid}`);
  await Promise.all([staging, home].map((d) => rm(d, { recursive: true, force: true })));
  run('unzip', ['-q', zipPath, '-d', staging], INSTALL_TIMEOUT_MS);
  await rename(join(staging, `${artifactId}-${version}`), home);
  await rm(staging, { recursive: true, force: true });
}

/** The directories above `path` that `user` cannot search, root first. */
function untraversableParents(path: string, user: string): string[] {
  const blocked: string[] = [];
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (spawnSync('runuser', ['-u', user, '--', 'test', '-x', dir]).status !== 0) blocked.unshift(dir);
    if (dir === dirname(dir)) return blocked;
  }
}

/**
 * Resolves to `<cache>/<artifactId>-<version>`, the unpacked distribution, downloading, verifying
 * and unzipping it first when needed; throws when `user` cannot run its `bin/<artifactId>`.
 */
export async function ensureMavenZip(zip: MavenZip): Promise<string> {
  const { artifactId, version, cache, user, product } = zip;
  const home = join(cache, `${artifactId}-${version}`);
  const installed = (): boolean => existsSync(join(home, INSTALLED_MARKER));
  if (!installed()) {
    await mkdir(cache, { recursive: true, mode: 0o755 });
    const lock = join(cache, `${artifactId}-${version}.lock`);
    if (await acquireLock(lock, installed)) {
      try {
        if (!installed()) {
          await install(zip, home);
          await writeFile(join(home, INSTALLED_MARKER), `${new Date().toISOString()}\n`);
        }
      } finally {
        await rmdir(lock).catch(() => undefined);
      }
    }
    if (!installed()) throw new Error(`${product} is still missing from ${home}`);
  }
  const launcher = join(home, 'bin', artifactId);
  if (spawnSync('runuser', ['-u', user, '--', 'test', '-x', launcher]).status !== 0) {
    const blocked = untraversableParents(launcher, user);
    throw new Error(
      `user ${user} cannot run ${launcher}` +
        (blocked.length > 0 ? `; run: chmod o+x ${blocked.join(' ')}` : ''),
    );
  }
  return home;
}

/** Points the GC log, JVM error file and heap dumps into the node's own dirs (some ship them in home). */
function isolateJvmOptions(text: string, logs: string, data: string): string {
  return text
    .replace(/^(-XX:ErrorFile=)(?:logs\/)?/m, `$1${logs}/`)
    .replace(/(:file=)(?:logs\/)?(gc\.log)/, `$1${logs}/$2`)
    .replace(/^-XX:HeapDumpPath=.*$/m, `-XX:HeapDumpPath=${data}`);
}

/**
 * A private node dir `<tmp>/gax-<name>-XXXXXX` owned by `user`: logs/, data/, tmp/ and a copy of
 * the distribution's config/ (nodes write their keystore there) with an isolated jvm.options.
 */
export async function prepareNodeDir(home: string, user: string, name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `gax-${name}-`));
  const [logs, data] = [join(dir, 'logs'), join(dir, 'data')];
  await Promise.all([mkdir(logs), mkdir(data), mkdir(join(dir, 'tmp'))]);
  await cp(join(home, 'config'), join(dir, 'config'), { recursive: true });
  const jvmOptions = join(dir, 'config', 'jvm.options');
  await writeFile(jvmOptions, isolateJvmOptions(await readFile(jvmOptions, 'utf8'), logs, data));
  run('chown', ['-R', `${user}:${user}`, dir]);
  return dir;
}
