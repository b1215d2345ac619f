import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupMembers, signalPid } from './process-group.js';
import { freePort } from './prometheus.js';

/**
 * A local single-node JVM search server (Elasticsearch or OpenSearch) run by the tests as an
 * unprivileged user, in its own process group, with everything it writes in a private temp dir.
 * The product helpers (elasticsearch.ts, opensearch.ts) say what to run; this owns the lifecycle:
 * start and wait for yellow, stop by the server JVM's PID, kill, reap the whole group, destroy.
 */

const STOP_GRACE_MS = 20_000;
const REAP_TIMEOUT_MS = 10_000;

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
    for (const pgid of liveGroups) signalPid(-pgid, 'SIGKILL');
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

/** Whether `pid` exists and is not a zombie (PID 1 of this container does not always reap). */
export function isProcessRunning(pid: number): boolean {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = text.slice(text.lastIndexOf(')') + 2).split(' ')[0];
    return state !== undefined && state !== '' && state !== 'Z';
  } catch {
    return false;
  }
}

function decodeProcAddress(hex: string): string {
  const bytes = (word: string): number[] =>
    [6, 4, 2, 0].map((i) => Number.parseInt(word.slice(i, i + 2), 16));
  if (hex.length === 8) return bytes(hex).join('.');
  const all = [0, 8, 16, 24].flatMap((i) => bytes(hex.slice(i, i + 8)));
  const isMapped = all.slice(0, 10).every((b) => b === 0) && all[10] === 255 && all[11] === 255;
  if (isMapped) return all.slice(12).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((all[i] ?? 0) << 8) | (all[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

/**
 * The TCP addresses `pid` listens on, as `address:port` (IPv4 and IPv4-mapped dotted, IPv6 as
 * eight hex groups, e.g. `0:0:0:0:0:0:0:1`), read from /proc; tests use it to prove loopback only.
 */
export function listeningAddresses(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1] !== undefined) inodes.add(match[1]);
    } catch {
      // closed while we looked
    }
  }
  const found: string[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      if (local === undefined || state !== '0A' || inode === undefined || !inodes.has(inode)) continue;
      const [address = '', port = ''] = local.split(':');
      found.push(`${decodeProcAddress(address)}:${Number.parseInt(port, 16)}`);
    }
  }
  return found;
}

/** Two distinct free loopback ports: HTTP and transport. */
export async function freePortPair(): Promise<{ httpPort: number; transportPort: number }> {
  const httpPort = await freePort();
  let transportPort = await freePort();
  while (transportPort === httpPort) transportPort = await freePort();
  return { httpPort, transportPort };
}

/**
 * The `-E` settings Elasticsearch and OpenSearch share: one node on loopback, data and logs in the
 * node's private dir, disk watermarks off (test machines run near full), wildcard deletes allowed.
 */
export function searchNodeSettings(dir: string, httpPort: number, transportPort: number): string[] {
  return [
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
}

/** What to run; see {@link LocalJvmNode}. */
export interface JvmNodeSpec {
  /** Product name for messages, e.g. `Elasticsearch`. */
  readonly label: string;
  /** Short name for the pid file (`<name>.pid`) and the launcher's `$0`, e.g. `es`. */
  readonly name: string;
  readonly user: string;
  /** The node's private dir from `prepareNodeDir` (jvm-install.ts); removed by destroy(). */
  readonly dir: string;
  readonly httpPort: number;
  readonly startupTimeoutMs: number;
  /** The argv run as `user` (after `runuser -u user --`); it must write the JVM's PID to `pidFile`. */
  readonly command: (pidFile: string) => string[];
}

interface Running {
  readonly child: ChildProcess;
  readonly pgid: number;
  readonly exited: Promise<void>;
  /** The launcher's exit code once it has exited (null when killed by a signal). */
  exitCode: number | null | undefined;
}

/** A node on fixed loopback ports and a fixed data dir, startable again after stop() or kill(). */
export class LocalJvmNode {
  readonly url: string;
  readonly port: number;
  version = '';
  pid: number | undefined;
  private running: Running | undefined;
  private destroyed = false;

  constructor(private readonly spec: JvmNodeSpec) {
    this.port = spec.httpPort;
    this.url = `http://127.0.0.1:${spec.httpPort}`;
  }

  private get pidFile(): string {
    return join(this.spec.dir, `${this.spec.name}.pid`);
  }

  private get consoleLog(): string {
    return join(this.spec.dir, 'console.log');
  }

  async start(): Promise<void> {
    const { label, name, user } = this.spec;
    if (this.destroyed) throw new Error(`this ${label} node was destroyed`);
    if (this.running !== undefined) return;
    const log = openSync(this.consoleLog, 'a');
    const command = ['runuser', '-u', user, '--', ...this.spec.command(this.pidFile)];
    const child = spawn('sh', ['-c', LAUNCHER, `gax-${name}-launcher`, ...command], {
      detached: true,
      stdio: ['pipe', log, log],
    });
    child.stdin?.on('error', () => undefined);
    if (child.pid === undefined) throw new Error(`could not spawn ${label}: ${await this.logTail()}`);
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
      throw new Error(`${(error as Error).message}\n--- ${label} console (last lines) ---\n${tail}`);
    }
  }

  private async waitUntilReady(running: Running): Promise<void> {
    const { label, startupTimeoutMs } = this.spec;
    const until = Date.now() + startupTimeoutMs;
    for (;;) {
      if (running.exitCode !== undefined)
        throw new Error(`${label} exited during startup (code ${running.exitCode})`);
      if (Date.now() > until) throw new Error(`${label} not yellow within ${startupTimeoutMs} ms`);
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

  /** stop() then start(): a full cluster restart on the same ports and data dir. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Sends `signal` to the server JVM (or the whole group before its PID is known), then reaps. */
  private async terminate(signal: NodeJS.Signals): Promise<void> {
    const running = this.running;
    if (running === undefined) return;
    signalPid(this.pid ?? -running.pgid, signal);
    const grace = new AbortController();
    const inTime = await Promise.race([
      running.exited.then(() => true),
      sleep(STOP_GRACE_MS, false, { signal: grace.signal }).catch(() => true),
    ]);
    grace.abort();
    if (!inTime) signalPid(-running.pgid, 'SIGKILL');
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
      signalPid(-pgid, 'SIGKILL');
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
      await rm(this.spec.dir, { recursive: true, force: true });
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

/** Starts `node`; on failure destroys it (removing its dir) and rethrows. */
export async function startOrDestroy<T extends LocalJvmNode>(node: T): Promise<T> {
  try {
    await node.start();
  } catch (error) {
    await node.destroy().catch(() => undefined);
    throw error;
  }
  return node;
}
