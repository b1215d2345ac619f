import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Admin } from '@platformatic/kafka';
import {
  CDS_ARCHIVE,
  ensureKafka,
  JAVA,
  JVM_FLAGS,
  KAFKA_VERSION,
  log4jConfig,
  NODE_ID,
  serverProperties,
} from './kafka-install.js';
import { readTopic, type TopicRecord } from './kafka-read.js';
import { groupMembers, signalPid } from './process-group.js';
import { freePort } from './prometheus.js';

export { ensureKafka, KAFKA_VERSION } from './kafka-install.js';
export type { TopicRecord } from './kafka-read.js';

/**
 * Real single-node Apache Kafka brokers (KRaft, combined broker + controller) for integration tests,
 * installed from Maven Central by test/helpers/kafka-install.ts. Each broker copies the formatted
 * template into a private temp dir, binds 127.0.0.1 only on two free ports (PLAINTEXT and CONTROLLER)
 * and runs as `java -cp 'libs/*' kafka.Kafka server.properties` in its own process group.
 */

const STARTUP_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 15_000;
const REAP_TIMEOUT_MS = 10_000;

/** A running (or stopped) local Kafka broker; see {@link startKafka}. */
export interface KafkaBroker {
  /** `127.0.0.1:<port>` of the PLAINTEXT listener; stays the same across stop()/start(). */
  readonly bootstrap: string;
  /** The Kafka version running, e.g. `4.4.0`. */
  readonly version: string;
  /** PID of the broker JVM, undefined while stopped. */
  readonly pid: number | undefined;
  /** Graceful shutdown: SIGTERM to the JVM (a controlled shutdown), SIGKILL to its group after 15 s. */
  stop(): Promise<void>;
  /** Starts again on the same ports and data dir; resolves when every existing partition has its leader. */
  start(): Promise<void>;
  /** SIGKILL to the JVM (a crash), then waits until the broker's processes are gone. */
  kill(): Promise<void>;
  /** stop() and remove the broker's temp dir; idempotent. */
  destroy(): Promise<void>;
  /** The last `lines` lines of the broker's console output, for failure messages. */
  logTail(lines?: number): Promise<string>;
  /** Creates `name` (replication 1) and waits until every partition has a leader. */
  createTopic(name: string, partitions?: number, configs?: Record<string, string>): Promise<void>;
  /** Every committed record now in `topic`, from each partition's start to its end offset. */
  readTopic(topic: string, options?: { timeoutMs?: number }): Promise<TopicRecord[]>;
}

export interface KafkaOptions {
  /** Default `KAFKA_VERSION`. */
  version?: string;
  /** Max heap of the broker JVM; default 384. */
  heapMb?: number;
  /** The broker's `num.partitions` (default for topics created without a count); default 1. */
  numPartitions?: number;
  /** Extra or overriding server.properties entries. */
  config?: Record<string, string>;
  /** Port of the PLAINTEXT listener (default: a free one), e.g. one a proxy in front forwards to. */
  brokerPort?: number;
  /**
   * Port the broker advertises to clients (default: its own): a proxy's port puts the proxy on
   * every client's path to the partition leaders (test/helpers/kafka-proxy.ts).
   */
  advertisedPort?: number;
  /**
   * A second listener, `SECURE://127.0.0.1:<port>` with this security protocol, for TLS / SASL
   * tests; its `listener.name.secure.*` settings (keystore, SASL mechanisms, JAAS) go in `config`.
   */
  secureListener?: { port: number; protocol: 'SSL' | 'SASL_SSL' | 'SASL_PLAINTEXT' };
}

/** Process groups of running brokers, SIGKILLed synchronously if the test process exits without destroy(). */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/**
 * Runs the broker (`"$@"`) in the background, writes its PID to `$GAX_KAFKA_PID_FILE` and exits with
 * its status. A watchdog blocks on fd 3, a pipe whose only writer is the test process: EOF means the
 * test process is gone (even SIGKILLed), and the watchdog then SIGKILLs the whole process group.
 */
const LAUNCHER = [
  'exec 3<&0 </dev/null',
  '"$@" 3<&- &',
  'broker=$!',
  'echo "$broker" > "$GAX_KAFKA_PID_FILE"',
  '{ read -r _ <&3; kill -9 0; } &',
  'wd=$!',
  'exec 3<&-',
  'wait "$broker"; code=$?',
  'kill "$wd" 2>/dev/null; wait "$wd" 2>/dev/null',
  'exit "$code"',
].join('\n');

const signal = signalPid;

interface Layout {
  readonly version: string;
  readonly home: string;
  readonly dir: string;
  readonly heapMb: number;
  readonly brokerPort: number;
  /** JVM options after the standard ones. */
  readonly jvm: readonly string[];
}

interface Running {
  readonly child: ChildProcess;
  readonly pgid: number;
  readonly exited: Promise<void>;
  exitCode: number | null | undefined;
}

class LocalKafkaBroker implements KafkaBroker {
  readonly bootstrap: string;
  readonly version: string;
  pid: number | undefined;
  private running: Running | undefined;
  private destroyed = false;

  constructor(private readonly layout: Layout) {
    this.bootstrap = `127.0.0.1:${layout.brokerPort}`;
    this.version = layout.version;
  }

  private get consoleLog(): string {
    return join(this.layout.dir, 'console.log');
  }

  private get pidFile(): string {
    return join(this.layout.dir, 'kafka.pid');
  }

  async start(): Promise<void> {
    if (this.destroyed) throw new Error('this Kafka broker was destroyed');
    if (this.running !== undefined) return;
    const { dir, home, heapMb, jvm } = this.layout;
    await rm(this.pidFile, { force: true });
    const log = openSync(this.consoleLog, 'a');
    const command = [
      JAVA,
      `-Xmx${heapMb}m`,
      ...JVM_FLAGS,
      `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`,
      ...jvm,
      '-cp',
      `${join(home, 'libs')}/*`,
      'kafka.Kafka',
      join(dir, 'server.properties'),
    ];
    const child = spawn('sh', ['-c', LAUNCHER, 'gax-kafka-launcher', ...command], {
      cwd: dir,
      detached: true,
      stdio: ['pipe', log, log],
      env: { ...process.env, GAX_KAFKA_PID_FILE: this.pidFile },
    });
    closeSync(log);
    child.stdin?.on('error', () => undefined);
    if (child.pid === undefined) throw new Error(`could not spawn Kafka: ${await this.logTail()}`);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const pgid of liveGroups) signal(-pgid, 'SIGKILL');
      });
    }
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
      throw new Error(
        `${(error as Error).message}\n--- Kafka console (last lines) ---\n${await this.logTail()}`,
      );
    }
  }

  /** Ready: the broker is registered and every existing topic's partitions have a leader. */
  private async waitUntilReady(running: Running): Promise<void> {
    const until = Date.now() + STARTUP_TIMEOUT_MS;
    const admin = new Admin({
      clientId: 'gax-test-ready',
      bootstrapBrokers: [this.bootstrap],
      timeout: 2_000,
      retries: false,
    });
    try {
      for (;;) {
        if (running.exitCode !== undefined)
          throw new Error(`Kafka exited during startup (code ${running.exitCode})`);
        if (Date.now() > until) throw new Error(`Kafka not ready within ${STARTUP_TIMEOUT_MS} ms`);
        const probe = admin
          .listTopics()
          .then((topics) => admin.metadata({ topics, forceUpdate: true }))
          .then(
            (m) =>
              m.brokers.has(NODE_ID) &&
              [...m.topics.values()].every((t) => t.partitions.every((p) => p.leader === NODE_ID)),
            () => false,
          );
        // A probe can hang on a listener that is not Kafka's: the JVM's exit and 5 s end the wait.
        const ready = await Promise.race([probe, running.exited.then(() => false), sleep(5_000, false)]);
        if (ready) break;
        await sleep(200);
      }
    } finally {
      await admin.close().catch(() => undefined);
    }
    const pid = Number((await readFile(this.pidFile, 'utf8')).trim());
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`bad pid file ${this.pidFile}`);
    this.pid = pid;
  }

  stop(): Promise<void> {
    return this.terminate('SIGTERM');
  }

  kill(): Promise<void> {
    return this.terminate('SIGKILL');
  }

  /** Sends `name` to the JVM (or its whole group before its PID is known), then reaps the group. */
  private async terminate(name: NodeJS.Signals): Promise<void> {
    const running = this.running;
    if (running === undefined) return;
    signal(this.pid ?? -running.pgid, name);
    const grace = new AbortController();
    const inTime = await Promise.race([
      running.exited.then(() => true),
      sleep(STOP_GRACE_MS, false, { signal: grace.signal }).catch(() => true),
    ]);
    grace.abort();
    if (!inTime) signal(-running.pgid, 'SIGKILL');
    await running.exited;
    running.child.stdin?.end();
    const reapUntil = Date.now() + REAP_TIMEOUT_MS;
    while (groupMembers(running.pgid).length > 0) {
      if (Date.now() > reapUntil)
        throw new Error(`processes ${groupMembers(running.pgid).join(', ')} survived SIGKILL`);
      signal(-running.pgid, 'SIGKILL');
      await sleep(50);
    }
    liveGroups.delete(running.pgid);
    this.running = undefined;
    this.pid = undefined;
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

  async createTopic(name: string, partitions = 1, configs: Record<string, string> = {}): Promise<void> {
    const admin = new Admin({
      clientId: 'gax-test-admin',
      bootstrapBrokers: [this.bootstrap],
      timeout: 5_000,
    });
    try {
      await admin.createTopics({
        topics: [name],
        partitions,
        replicas: 1,
        configs: Object.entries(configs).map(([key, value]) => ({ name: key, value })),
      });
      const until = Date.now() + 30_000;
      for (;;) {
        const m = await admin.metadata({ topics: [name], forceUpdate: true }).catch(() => undefined);
        const led = m?.topics.get(name)?.partitions.filter((p) => p.leader === NODE_ID).length ?? 0;
        if (led === partitions) return;
        if (Date.now() > until)
          throw new Error(`topic ${name}: ${led} of ${partitions} partitions have a leader`);
        await sleep(100);
      }
    } finally {
      await admin.close().catch(() => undefined);
    }
  }

  readTopic(topic: string, options: { timeoutMs?: number } = {}): Promise<TopicRecord[]> {
    return readTopic(this.bootstrap, topic, options.timeoutMs ?? 30_000);
  }
}

/**
 * Starts a single-node KRaft Kafka broker (default {@link KAFKA_VERSION}, heap 384 MB) on free loopback
 * ports, installing it first when needed, and resolves once it serves metadata. Throws (never skips)
 * when Java, the install or the startup fails; startup errors carry the console tail. Call destroy()
 * in afterAll; brokers left running are SIGKILLed when the test process exits, even when it is killed.
 */
export async function startKafka(options: KafkaOptions = {}): Promise<KafkaBroker> {
  const version = options.version ?? KAFKA_VERSION;
  const home = await ensureKafka(version, (dir) => trainClassDataSharing(dir, version));
  // The JVM falls back to no sharing (with a warning) when the archive does not match it.
  const cds = join(home, CDS_ARCHIVE);
  const jvm = existsSync(cds) ? [`-XX:SharedArchiveFile=${cds}`] : [];
  // A free port can be taken by another process between freePort() and the JVM's bind: retry on new ones.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(home, version, options, jvm);
    } catch (error) {
      if (attempt === 3 || !/Address already in use/.test(String(error))) throw error;
    }
  }
}

/** A broker of the installed `version` on fresh ports and a copy of the template data dir, started. */
async function launch(
  home: string,
  version: string,
  options: KafkaOptions,
  jvm: readonly string[],
): Promise<LocalKafkaBroker> {
  const dir = await mkdtemp(join(tmpdir(), 'gax-kafka-'));
  const brokerPort = options.brokerPort ?? (await freePort());
  let controllerPort = await freePort();
  while (controllerPort === brokerPort) controllerPort = await freePort();
  const data = join(dir, 'data');
  await cp(join(home, 'template'), data, { recursive: true });
  await writeFile(
    join(dir, 'server.properties'),
    serverProperties(data, { broker: brokerPort, controller: controllerPort }, options),
  );
  await writeFile(join(dir, 'log4j2.properties'), log4jConfig('INFO'));
  const heapMb = options.heapMb ?? 384;
  const broker = new LocalKafkaBroker({ version, home, dir, heapMb, brokerPort, jvm });
  try {
    await broker.start();
  } catch (error) {
    await broker.destroy().catch(() => undefined);
    throw error;
  }
  return broker;
}

/**
 * Runs one broker from the final install dir (the archive records the class path) and stops it, so the
 * JVM dumps the classes it loaded into an AppCDS archive: later brokers start about 1.5 s sooner.
 * Best effort: without the archive brokers start as usual.
 */
async function trainClassDataSharing(home: string, version: string): Promise<void> {
  const temp = join(home, `.${CDS_ARCHIVE}-${process.pid}`);
  try {
    const broker = await launch(home, version, {}, [`-XX:ArchiveClassesAtExit=${temp}`]);
    await broker.destroy();
    if (existsSync(temp)) await rename(temp, join(home, CDS_ARCHIVE));
  } catch (error) {
    await writeFile(join(home, 'install.log'), `AppCDS training failed: ${String(error)}\n`, { flag: 'a' });
  }
}
