import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './prometheus.js';

/**
 * Real single-node Elasticsearch clusters for integration tests, from the official integ-test zip
 * (no bundled JDK, only the apm, transport-netty4, x-pack-core and x-pack-security modules).
 *
 * Layout and permissions: the zip is fetched with Maven and unzipped once per machine and version
 * into `/var/cache/gax-es/elasticsearch-<v>/` (`GAX_ES_CACHE`), owned by root and left read-only for the node. ES
 * refuses to run as root, so nodes run as the system user `gax-es` (created when missing) through
 * `runuser`; that user therefore needs search (`o+x`) permission on every directory above the cache.
 * We do not chmod the checkout's parents behind the user's back: when they are not traversable the
 * start fails with the exact directories to fix. Everything a node writes (data, logs, ES_TMPDIR,
 * its own copy of `config/` — ES writes its keystore there — and a jvm.options whose GC log and
 * error files point into the node's logs dir) lives in a private temp dir owned by `gax-es`, so
 * parallel test files can share one installation.
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

const ES_USER = 'gax-es';
/**
 * Machine-wide, outside the checkout: a clone in a private directory (e.g. `mktemp -d`, mode 700)
 * would not be traversable by `gax-es`. `/var/cache` is. `GAX_ES_CACHE` overrides it.
 */
const CACHE = process.env.GAX_ES_CACHE ?? '/var/cache/gax-es';
const INSTALLED_MARKER = '.gax-installed';
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const STALE_LOCK_MS = 20 * 60_000;
const STARTUP_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 20_000;
const REAP_TIMEOUT_MS = 10_000;
const DEFAULT_HEAP_MB = 384;

/** Feature versions of the JDK each ES major runs on; `GAX_ES<major>_JAVA_HOME` overrides the search. */
const JDK_RANGE: Record<EsMajor, { min: number; max: number }> = {
  8: { min: 17, max: 21 },
  9: { min: 21, max: 25 },
};

/**
 * Process groups of running nodes, SIGKILLed synchronously if the test process exits without
 * destroy(). A SIGKILLed test process cannot run this: the watchdog in {@link LAUNCHER} covers that.
 */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  });
}

/**
 * Runs the node (`"$@"`) in the background in this shell's process group and exits with its
 * status. A watchdog subshell blocks on fd 3, a pipe whose only writer is the test process: EOF
 * means the test process is gone (even SIGKILLed), and the watchdog then SIGKILLs the whole group.
 */
const LAUNCHER = [
  'exec 3<&0 </dev/null',
  '"$@" 3<&- &',
  'es=$!',
  '{ read -r _ <&3; kill -9 0; } &',
  'wd=$!',
  'exec 3<&-',
  'wait "$es"; code=$?',
  'kill "$wd" 2>/dev/null; wait "$wd" 2>/dev/null',
  'exit "$code"',
].join('\n');

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already gone
  }
}

/** Whether `pid` exists and is not a zombie (PID 1 of this container does not always reap). */
export function isProcessRunning(pid: number): boolean {
  const state = processState(pid);
  return state !== undefined && state !== 'Z';
}

function processState(pid: number): string | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).state;
  } catch {
    return undefined;
  }
}

function parseStat(text: string): { state: string; pgrp: number } {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', pgrp: Number(fields[2]) };
}

/** PIDs of non-zombie processes in process group `pgid`. */
function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const { state, pgrp } = parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (pgrp === pgid && state !== 'Z') members.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return members;
}

function run(command: string, args: readonly string[], timeout = 60_000): string {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout });
  if (r.error === undefined && r.status === 0) return r.stdout;
  const why = r.error?.message ?? `exit ${String(r.status)}: ${`${r.stdout}${r.stderr}`.slice(-2000)}`;
  throw new Error(`${[command, ...args].join(' ')} failed (${why})`);
}

function ensureRootAndUser(): void {
  if (process.getuid?.() !== 0)
    throw new Error(`Elasticsearch tests must run as root: they start nodes as '${ES_USER}' via runuser`);
  if (spawnSync('id', ['-u', ES_USER]).status === 0) return;
  // Parallel workers may race here; the loser's useradd fails with "already exists".
  spawnSync('useradd', ['-r', '-m', ES_USER], { encoding: 'utf8' });
  run('id', ['-u', ES_USER]);
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

/** A JDK home for `major`: `GAX_ES<major>_JAVA_HOME`, else the oldest fitting JDK under /usr/lib/jvm. */
export function findJavaHome(major: EsMajor): string {
  const { min, max } = JDK_RANGE[major];
  const fits = (home: string): boolean => {
    const feature = javaFeatureVersion(home);
    return feature !== undefined && feature >= min && feature <= max;
  };
  const override = process.env[`GAX_ES${major}_JAVA_HOME`];
  if (override !== undefined) {
    if (fits(override)) return override;
    throw new Error(`GAX_ES${major}_JAVA_HOME=${override} is not a JDK ${min}-${max}`);
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
    `Elasticsearch ${ES_VERSIONS[major]} needs a JDK ${min}-${max}; found ${seen === '' ? 'none' : seen} ` +
      `under ${root}. Install one or set GAX_ES${major}_JAVA_HOME.`,
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

async function install(version: string, home: string): Promise<void> {
  run(
    'mvn',
    [
      '-q',
      '-B',
      'dependency:copy',
      `-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:${version}:zip`,
      `-DoutputDirectory=${CACHE}`,
    ],
    INSTALL_TIMEOUT_MS,
  );
  const staging = join(CACHE, `.unzip-${version}-${process.pid}`);
  await Promise.all([staging, home].map((d) => rm(d, { recursive: true, force: true })));
  run('unzip', ['-q', join(CACHE, `elasticsearch-${version}.zip`), '-d', staging], INSTALL_TIMEOUT_MS);
  await rename(join(staging, `elasticsearch-${version}`), home);
  await rm(staging, { recursive: true, force: true });
}

/** The directories above `path` that `gax-es` cannot search, root first. */
function untraversableParents(path: string): string[] {
  const blocked: string[] = [];
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (spawnSync('runuser', ['-u', ES_USER, '--', 'test', '-x', dir]).status !== 0) blocked.unshift(dir);
    if (dir === dirname(dir)) return blocked;
  }
}

/**
 * Resolves to the home of an unpacked Elasticsearch `version`, downloading and unzipping it first
 * when needed (one install per machine, under a lock directory shared by parallel test workers).
 */
export async function ensureElasticsearch(version: string): Promise<string> {
  const home = join(CACHE, `elasticsearch-${version}`);
  const installed = (): boolean => existsSync(join(home, INSTALLED_MARKER));
  if (!installed()) {
    await mkdir(CACHE, { recursive: true, mode: 0o755 });
    const lock = join(CACHE, `elasticsearch-${version}.lock`);
    if (await acquireLock(lock, installed)) {
      try {
        if (!installed()) {
          await install(version, home);
          await writeFile(join(home, INSTALLED_MARKER), `${new Date().toISOString()}\n`);
        }
      } finally {
        await rmdir(lock).catch(() => undefined);
      }
    }
    if (!installed()) throw new Error(`Elasticsearch ${version} is still missing from ${home}`);
  }
  const launcher = join(home, 'bin', 'elasticsearch');
  if (spawnSync('runuser', ['-u', ES_USER, '--', 'test', '-x', launcher]).status !== 0) {
    const blocked = untraversableParents(launcher);
    throw new Error(
      `user ${ES_USER} cannot run ${launcher}` +
        (blocked.length > 0 ? `; run: chmod o+x ${blocked.join(' ')}` : ''),
    );
  }
  return home;
}

/** Points the GC log, JVM error file and heap dumps into the node's own dirs (8.x has them in ES home). */
function isolateJvmOptions(text: string, logs: string, data: string): string {
  return text
    .replace(/^(-XX:ErrorFile=)(?:logs\/)?/m, `$1${logs}/`)
    .replace(/(:file=)(?:logs\/)?(gc\.log)/, `$1${logs}/$2`)
    .replace(/^-XX:HeapDumpPath=.*$/m, `-XX:HeapDumpPath=${data}`);
}

interface Layout {
  readonly home: string;
  readonly javaHome: string;
  readonly dir: string;
  readonly heapMb: number;
  readonly httpPort: number;
  readonly transportPort: number;
}

interface Running {
  readonly child: ChildProcess;
  readonly pgid: number;
  readonly exited: Promise<void>;
  /** The launcher's exit code once it has exited (null when killed by a signal). */
  exitCode: number | null | undefined;
}

class LocalEsNode implements EsNode {
  readonly url: string;
  version = '';
  pid: number | undefined;
  private running: Running | undefined;
  private destroyed = false;

  constructor(private readonly layout: Layout) {
    this.url = `http://127.0.0.1:${layout.httpPort}`;
  }

  private get pidFile(): string {
    return join(this.layout.dir, 'es.pid');
  }

  private get consoleLog(): string {
    return join(this.layout.dir, 'console.log');
  }

  private settings(): string[] {
    const { dir, home, httpPort, transportPort } = this.layout;
    const settings = [
      'discovery.type=single-node',
      'http.host=127.0.0.1',
      `http.port=${httpPort}`,
      'transport.host=127.0.0.1',
      `transport.port=${transportPort}`,
      `path.data=${join(dir, 'data')}`,
      `path.logs=${join(dir, 'logs')}`,
      'cluster.routing.allocation.disk.threshold_enabled=false',
      'action.destructive_requires_name=false',
    ];
    if (existsSync(join(home, 'modules', 'x-pack-security'))) settings.push('xpack.security.enabled=false');
    if (existsSync(join(home, 'modules', 'ingest-geoip')))
      settings.push('ingest.geoip.downloader.enabled=false');
    return settings;
  }

  async start(): Promise<void> {
    if (this.destroyed) throw new Error('this Elasticsearch node was destroyed');
    if (this.running !== undefined) return;
    const { dir, home, javaHome, heapMb } = this.layout;
    const log = openSync(this.consoleLog, 'a');
    const command = [
      'runuser',
      '-u',
      ES_USER,
      '--',
      'env',
      `ES_JAVA_HOME=${javaHome}`,
      `ES_PATH_CONF=${join(dir, 'config')}`,
      `ES_TMPDIR=${join(dir, 'tmp')}`,
      `ES_JAVA_OPTS=-Xms${heapMb}m -Xmx${heapMb}m`,
      join(home, 'bin', 'elasticsearch'),
      '-p',
      this.pidFile,
      ...this.settings().flatMap((s) => ['-E', s]),
    ];
    const child = spawn('sh', ['-c', LAUNCHER, 'gax-es-launcher', ...command], {
      detached: true,
      stdio: ['pipe', log, log],
    });
    child.stdin?.on('error', () => undefined);
    if (child.pid === undefined) throw new Error(`could not spawn Elasticsearch: ${await this.logTail()}`);
    installExitHook();
    liveGroups.add(child.pid);
    const running: Running = {
      child,
      pgid: child.pid,
      exitCode: undefined,
      exited: new Promise((resolve) =>
        child.once('exit', (code) => {
          running.exitCode = code;
          resolve();
        }),
      ),
    };
    this.running = running;
    try {
      await this.waitUntilReady(running);
    } catch (error) {
      await this.terminate('SIGKILL');
      const tail = await this.logTail();
      throw new Error(`${(error as Error).message}\n--- Elasticsearch console (last lines) ---\n${tail}`);
    }
  }

  private async waitUntilReady(running: Running): Promise<void> {
    const until = Date.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
      if (running.exitCode !== undefined)
        throw new Error(`Elasticsearch exited during startup (code ${running.exitCode})`);
      if (Date.now() > until) throw new Error(`Elasticsearch not yellow within ${STARTUP_TIMEOUT_MS} ms`);
      const ready = await fetch(`${this.url}/_cluster/health?wait_for_status=yellow&timeout=1s`, {
        signal: AbortSignal.timeout(5_000),
      }).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      await sleep(250);
    }
    const pid = Number((await readFile(this.pidFile, 'utf8')).trim());
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`bad pid file ${this.pidFile}`);
    this.pid = pid;
    const res = await fetch(`${this.url}/_nodes/_local?filter_path=nodes.*.version`);
    const body = (await res.json()) as { nodes?: Record<string, { version?: string }> };
    this.version = Object.values(body.nodes ?? {})[0]?.version ?? '';
    if (this.version === '') throw new Error(`node did not report its version: ${JSON.stringify(body)}`);
  }

  stop(): Promise<void> {
    return this.terminate('SIGTERM');
  }

  kill(): Promise<void> {
    return this.terminate('SIGKILL');
  }

  /** Sends `signal` to the server JVM (or the whole group before its PID is known), then reaps. */
  private async terminate(signal: NodeJS.Signals): Promise<void> {
    const running = this.running;
    if (running === undefined) return;
    if (this.pid === undefined) signalGroup(running.pgid, signal);
    else {
      try {
        process.kill(this.pid, signal);
      } catch {
        // already gone
      }
    }
    const grace = new AbortController();
    const inTime = await Promise.race([
      running.exited.then(() => true),
      sleep(STOP_GRACE_MS, false, { signal: grace.signal }).catch(() => true),
    ]);
    grace.abort();
    if (!inTime) signalGroup(running.pgid, 'SIGKILL');
    await running.exited;
    running.child.stdin?.end();
    await this.reap(running.pgid);
    this.running = undefined;
    this.pid = undefined;
  }

  /** Waits until no live process of group `pgid` is left, SIGKILLing stragglers. */
  private async reap(pgid: number): Promise<void> {
    const until = Date.now() + REAP_TIMEOUT_MS;
    while (groupMembers(pgid).length > 0) {
      if (Date.now() > until) throw new Error(`processes ${groupMembers(pgid).join(', ')} survived SIGKILL`);
      signalGroup(pgid, 'SIGKILL');
      await sleep(100);
    }
    liveGroups.delete(pgid);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    try {
      await this.stop();
    } finally {
      await rm(this.layout.dir, { recursive: true, force: true });
    }
  }

  async logTail(lines = 60): Promise<string> {
    const text = await readFile(this.consoleLog, 'utf8').catch(() => '');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  }
}

async function prepareNodeDir(home: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gax-es-'));
  const [logs, data] = [join(dir, 'logs'), join(dir, 'data')];
  await Promise.all([mkdir(logs), mkdir(data), mkdir(join(dir, 'tmp'))]);
  await cp(join(home, 'config'), join(dir, 'config'), { recursive: true });
  const jvmOptions = join(dir, 'config', 'jvm.options');
  await writeFile(jvmOptions, isolateJvmOptions(await readFile(jvmOptions, 'utf8'), logs, data));
  run('chown', ['-R', `${ES_USER}:${ES_USER}`, dir]);
  return dir;
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
  ensureRootAndUser();
  const javaHome = findJavaHome(major);
  const home = await ensureElasticsearch(ES_VERSIONS[major]);
  const dir = await prepareNodeDir(home);
  const httpPort = await freePort();
  let transportPort = await freePort();
  while (transportPort === httpPort) transportPort = await freePort();
  const node = new LocalEsNode({
    home,
    javaHome,
    dir,
    heapMb: options.heapMb ?? DEFAULT_HEAP_MB,
    httpPort,
    transportPort,
  });
  try {
    await node.start();
  } catch (error) {
    await node.destroy().catch(() => undefined);
    throw error;
  }
  return node;
}
