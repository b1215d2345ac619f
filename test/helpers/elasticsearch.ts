import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureMavenZip, ensureRootAndUser, findJdk, prepareNodeDir } from './jvm-install.js';
import { freePortPair, LocalJvmNode, searchNodeSettings, startOrDestroy } from './jvm-node.js';

export { isProcessRunning } from './jvm-node.js';

/**
 * Real single-node Elasticsearch clusters for integration tests, from the official integ-test zip
 * (no bundled JDK, only the apm, transport-netty4, x-pack-core and x-pack-security modules).
 *
 * Layout and permissions: the zip is fetched with Maven, checked against Maven Central's checksum
 * and unzipped once per machine and version into `/var/cache/gax-es/elasticsearch-<v>/`
 * (`GAX_ES_CACHE`), owned by root and left read-only for the node. ES
 * refuses to run as root, so nodes run as the system user `gax-es` (created when missing) through
 * `runuser`; that user therefore needs search (`o+x`) permission on every directory above the cache.
 * We do not chmod the checkout's parents behind the user's back: when they are not traversable the
 * start fails with the exact directories to fix. Everything a node writes (data, logs, ES_TMPDIR,
 * its own copy of `config/` — ES writes its keystore there — and a jvm.options whose GC log and
 * error files point into the node's logs dir) lives in a private temp dir owned by `gax-es`, so
 * parallel test files can share one installation. The install and process lifecycle are shared
 * with the OpenSearch helper: jvm-install.ts and jvm-node.ts.
 */

export type EsMajor = 8 | 9;

/** The Elasticsearch version tested for each supported major. */
export const ES_VERSIONS: Record<EsMajor, string> = { 8: '8.19.0', 9: '9.2.0' };

/** A running (or stopped) local Elasticsearch node; see {@link startElasticsearch}. */
export interface EsNode {
  /** `http://127.0.0.1:<port>`; stays the same across stop()/start(). */
  readonly url: string;
  /** The version the node reports, e.g. `8.19.0`. */
  readonly version: string;
  /** PID of the server JVM, undefined while stopped. */
  readonly pid: number | undefined;
  /** Graceful shutdown: SIGTERM to the server JVM, SIGKILL to everything after 20 s. */
  stop(): Promise<void>;
  /** Starts again on the same ports and data dir (a full cluster restart); resolves when yellow. */
  start(): Promise<void>;
  /** SIGKILL to the server JVM (a crash), then waits until the node's processes are gone. */
  kill(): Promise<void>;
  /** stop() and remove the node's temp dir; idempotent. */
  destroy(): Promise<void>;
  /** The last `lines` lines of the node's console output, for failure messages. */
  logTail(lines?: number): Promise<string>;
}

/** The unprivileged system user every test search node (Elasticsearch and OpenSearch) runs as. */
export const ES_USER = 'gax-es';
/**
 * Machine-wide, outside the checkout: a clone in a private directory (e.g. `mktemp -d`, mode 700)
 * would not be traversable by `gax-es`. `/var/cache` is. `GAX_ES_CACHE` overrides it.
 */
const CACHE = process.env.GAX_ES_CACHE ?? '/var/cache/gax-es';
const STARTUP_TIMEOUT_MS = 120_000;
const DEFAULT_HEAP_MB = 384;

/** Feature versions of the JDK each ES major runs on; `GAX_ES<major>_JAVA_HOME` overrides the search. */
const JDK_RANGE: Record<EsMajor, { min: number; max: number }> = {
  8: { min: 17, max: 21 },
  9: { min: 21, max: 25 },
};

/** A JDK home for `major`: `GAX_ES<major>_JAVA_HOME`, else the oldest fitting JDK under /usr/lib/jvm. */
export function findJavaHome(major: EsMajor): string {
  return findJdk({
    ...JDK_RANGE[major],
    envVar: `GAX_ES${major}_JAVA_HOME`,
    product: `Elasticsearch ${ES_VERSIONS[major]}`,
  });
}

/**
 * Resolves to the home of an unpacked Elasticsearch `version`, downloading and unzipping it first
 * when needed (one install per machine, under a lock directory shared by parallel test workers).
 */
export function ensureElasticsearch(version: string): Promise<string> {
  return ensureMavenZip({
    groupId: 'org.elasticsearch.distribution.integ-test-zip',
    artifactId: 'elasticsearch',
    version,
    cache: CACHE,
    user: ES_USER,
    product: `Elasticsearch ${version}`,
  });
}

function esSettings(home: string, dir: string, httpPort: number, transportPort: number): string[] {
  const settings = searchNodeSettings(dir, httpPort, transportPort);
  if (existsSync(join(home, 'modules', 'x-pack-security'))) settings.push('xpack.security.enabled=false');
  if (existsSync(join(home, 'modules', 'ingest-geoip')))
    settings.push('ingest.geoip.downloader.enabled=false');
  return settings;
}

/**
 * Starts a single-node Elasticsearch (default major 8, heap 384 MB) on free loopback ports with
 * security off and disk watermarks disabled, and resolves once the cluster is yellow. Throws (never
 * skips) when the JDK, the install or the startup fails; startup errors carry the console tail.
 * Call destroy() in afterAll; nodes left running are SIGKILLed when the test process exits.
 */
export async function startElasticsearch(
  options: { major?: EsMajor; heapMb?: number } = {},
): Promise<EsNode> {
  const major = options.major ?? 8;
  ensureRootAndUser(ES_USER, 'Elasticsearch');
  const javaHome = findJavaHome(major);
  const home = await ensureElasticsearch(ES_VERSIONS[major]);
  const dir = await prepareNodeDir(home, ES_USER, 'es');
  const { httpPort, transportPort } = await freePortPair();
  const heapMb = options.heapMb ?? DEFAULT_HEAP_MB;
  const settings = esSettings(home, dir, httpPort, transportPort);
  return startOrDestroy(
    new LocalJvmNode({
      label: 'Elasticsearch',
      name: 'es',
      user: ES_USER,
      dir,
      httpPort,
      startupTimeoutMs: STARTUP_TIMEOUT_MS,
      command: (pidFile) => [
        'env',
        `ES_JAVA_HOME=${javaHome}`,
        `ES_PATH_CONF=${join(dir, 'config')}`,
        `ES_TMPDIR=${join(dir, 'tmp')}`,
        `ES_JAVA_OPTS=-Xms${heapMb}m -Xmx${heapMb}m`,
        join(home, 'bin', 'elasticsearch'),
        '-p',
        pidFile,
        ...settings.flatMap((s) => ['-E', s]),
      ],
    }),
  );
}
