import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ES_USER } from './elasticsearch.js';
import { ensureMavenZip, ensureRootAndUser, findJdk, prepareNodeDir } from './jvm-install.js';
import { freePortPair, LocalJvmNode, searchNodeSettings, startOrDestroy } from './jvm-node.js';

export { isProcessRunning } from './jvm-node.js';

/**
 * Real single-node OpenSearch clusters for integration tests, from the integ-test zip on Maven
 * Central (`org.opensearch.distribution.integ-test-zip:opensearch`: no bundled JDK, no plugins, so
 * no security plugin; only the core modules).
 *
 * Installed exactly as the Elasticsearch helper installs ES (see elasticsearch.ts and
 * jvm-install.ts): fetched with mvn, checked against Maven Central's `.sha512`, unzipped once per
 * machine and version into `/var/cache/gax-opensearch/opensearch-<v>/` (`GAX_OPENSEARCH_CACHE`),
 * root-owned and read-only for the node, which runs as the same unprivileged user `gax-es` through
 * `runuser` (OpenSearch refuses root too) with its data, logs, tmp and config copy in a private
 * temp dir. One node per test file: start it in beforeAll, destroy() it in afterAll.
 */

export type OsMajor = 2 | 3;

/** The OpenSearch version tested for each major: 2.x runs on JDK 17-21, 3.x needs JDK 21+. */
export const OS_VERSIONS: Record<OsMajor, string> = { 2: '2.19.6', 3: '3.8.0' };

/** Feature versions of the JDK each major runs on; `GAX_OS<major>_JAVA_HOME` overrides the search. */
const JDK_RANGE: Record<OsMajor, { min: number; max: number }> = {
  2: { min: 17, max: 21 },
  3: { min: 21, max: 25 },
};

/** A running (or stopped) local OpenSearch node; see {@link startOpenSearch}. */
export interface OsNode {
  /** `http://127.0.0.1:<port>`; stays the same across stop()/start(). */
  readonly url: string;
  /** The HTTP port of {@link url}. */
  readonly port: number;
  /** The version the node reports, e.g. `2.19.6`. */
  readonly version: string;
  /** PID of the server JVM, undefined while stopped. */
  readonly pid: number | undefined;
  /** Graceful shutdown: SIGTERM to the server JVM, SIGKILL to everything after 20 s. */
  stop(): Promise<void>;
  /** Starts again on the same ports and data dir (a full cluster restart); resolves when yellow. */
  start(): Promise<void>;
  /** stop() then start(). */
  restart(): Promise<void>;
  /** SIGKILL to the server JVM (a crash), then waits until the node's processes are gone. */
  kill(): Promise<void>;
  /** stop() and remove the node's temp dir; idempotent. */
  destroy(): Promise<void>;
  /** The last `lines` lines of the node's console output, for failure messages. */
  logTail(lines?: number): Promise<string>;
}

/** Machine-wide, outside the checkout and traversable by `gax-es`; `GAX_OPENSEARCH_CACHE` overrides it. */
const CACHE = process.env.GAX_OPENSEARCH_CACHE ?? '/var/cache/gax-opensearch';
/** Generous: up to six agents share two cores on the test machines. */
const STARTUP_TIMEOUT_MS = 180_000;
const DEFAULT_HEAP_MB = 384;

/** A JDK home for `major`: `GAX_OS<major>_JAVA_HOME`, else the oldest fitting JDK under /usr/lib/jvm. */
export function findOpenSearchJavaHome(major: OsMajor): string {
  return findJdk({
    ...JDK_RANGE[major],
    envVar: `GAX_OS${major}_JAVA_HOME`,
    product: `OpenSearch ${OS_VERSIONS[major]}`,
  });
}

/** Resolves to the home of an unpacked OpenSearch `version`, downloading and verifying it when needed. */
export function ensureOpenSearch(version: string): Promise<string> {
  return ensureMavenZip({
    groupId: 'org.opensearch.distribution.integ-test-zip',
    artifactId: 'opensearch',
    version,
    cache: CACHE,
    user: ES_USER,
    product: `OpenSearch ${version}`,
  });
}

function osSettings(home: string, dir: string, httpPort: number, transportPort: number): string[] {
  const settings = searchNodeSettings(dir, httpPort, transportPort);
  // Not in the integ-test zip; guards a distribution that does bundle it.
  if (existsSync(join(home, 'plugins', 'opensearch-security')))
    settings.push('plugins.security.disabled=true');
  return settings;
}

/**
 * Starts a single-node OpenSearch (default major 2, heap 384 MB) on free loopback ports with disk
 * watermarks disabled and no security plugin, and resolves once the cluster is yellow. Throws
 * (never skips) when the JDK, the install or the startup fails; startup errors carry the console
 * tail. Call destroy() in afterAll; nodes left running are SIGKILLed when the test process exits.
 */
export async function startOpenSearch(options: { major?: OsMajor; heapMb?: number } = {}): Promise<OsNode> {
  const major = options.major ?? 2;
  ensureRootAndUser(ES_USER, 'OpenSearch');
  const javaHome = findOpenSearchJavaHome(major);
  const home = await ensureOpenSearch(OS_VERSIONS[major]);
  const dir = await prepareNodeDir(home, ES_USER, 'opensearch');
  const { httpPort, transportPort } = await freePortPair();
  const heapMb = options.heapMb ?? DEFAULT_HEAP_MB;
  const settings = osSettings(home, dir, httpPort, transportPort);
  return startOrDestroy(
    new LocalJvmNode({
      label: 'OpenSearch',
      name: 'opensearch',
      user: ES_USER,
      dir,
      httpPort,
      startupTimeoutMs: STARTUP_TIMEOUT_MS,
      command: (pidFile) => [
        'env',
        `OPENSEARCH_JAVA_HOME=${javaHome}`,
        `OPENSEARCH_PATH_CONF=${join(dir, 'config')}`,
        `OPENSEARCH_TMPDIR=${join(dir, 'tmp')}`,
        `OPENSEARCH_JAVA_OPTS=-Xms${heapMb}m -Xmx${heapMb}m`,
        join(home, 'bin', 'opensearch'),
        '-p',
        pidFile,
        ...settings.flatMap((s) => ['-E', s]),
      ],
    }),
  );
}
