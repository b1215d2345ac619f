import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Admin,
  Consumer,
  FetchIsolationLevels,
  IS_CONTROL,
  IS_TRANSACTIONAL,
  ListOffsetTimestamps,
  type RecordsBatch,
} from '@platformatic/kafka';
import { freePort } from './prometheus.js';

/**
 * Real single-node Apache Kafka brokers (KRaft, combined broker + controller) for integration tests.
 *
 * Install: `org.apache.kafka:kafka_2.13:<version>` and its runtime dependencies (plus the log4j
 * SLF4J binding Kafka's own distribution ships) are resolved with Maven once per machine and version
 * into `${XDG_CACHE_HOME:-~/.cache}/gax-kafka/<version>/libs` (`GAX_KAFKA_CACHE` overrides the root),
 * next to a `template/` data dir formatted once by `kafka.tools.StorageTool` with a static voter set
 * (so it holds no port). The install happens in a temp dir renamed into place under a lock dir,
 * the marker written last: parallel test files never see half an install, and a warm run never
 * touches the network. Each broker copies the template into a private temp dir, binds 127.0.0.1 only
 * on two free ports (PLAINTEXT and CONTROLLER) and runs as `java -cp 'libs/*' kafka.Kafka`.
 */

/** The Kafka version tested: the newest 4.x (its broker runs on JDK 17); `GAX_KAFKA_VERSION` overrides. */
export const KAFKA_VERSION = process.env.GAX_KAFKA_VERSION ?? '4.4.0';
/** The log4j-slf4j-impl binding, same log4j as kafka_2.13 4.4.0 pulls in (Kafka logs through SLF4J 1.7). */
const LOG4J_VERSION = '2.25.5';
const CACHE =
  process.env.GAX_KAFKA_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'gax-kafka');
const JAVA =
  process.env.GAX_KAFKA_JAVA_HOME === undefined
    ? 'java'
    : join(process.env.GAX_KAFKA_JAVA_HOME, 'bin', 'java');
const MARKER = '.gax-installed';
const CDS_ARCHIVE = 'kafka-classes.jsa';
const NODE_ID = 1;
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const STALE_LOCK_MS = 15 * 60_000;
const STARTUP_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 15_000;
const REAP_TIMEOUT_MS = 10_000;
/** C1 only: the broker reaches "started" in about half the time; tests never run it long enough for C2. */
const JVM_FLAGS = [
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Djava.awt.headless=true',
  '-Djava.net.preferIPv4Stack=true',
];

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

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** PIDs of non-zombie processes in process group `pgid`. */
function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return members;
}

/** Runs a command to completion, its output appended to `log`; throws with the exit status. */
function runLogged(command: string, args: readonly string[], log: string, cwd: string): Promise<void> {
  const fd = openSync(log, 'a');
  const child = spawn(command, args, { cwd, stdio: ['ignore', fd, fd] });
  const killer = setTimeout(() => child.kill('SIGKILL'), INSTALL_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, sig) => {
      clearTimeout(killer);
      if (code === 0) resolve();
      else
        readFile(log, 'utf8').then((text) =>
          reject(new Error(`${command} ${args.join(' ')} failed (${sig ?? code}):\n${text.slice(-3000)}`)),
        );
    });
  });
}

function log4jConfig(level: string): string {
  return [
    'status = warn',
    'appender.console.type = Console',
    'appender.console.name = STDOUT',
    'appender.console.layout.type = PatternLayout',
    'appender.console.layout.pattern = [%d] %p %m (%c)%n',
    `rootLogger.level = ${level}`,
    'rootLogger.appenderRef.stdout.ref = STDOUT',
    // The full config dump of every component: thousands of lines per start.
    'logger.config.name = org.apache.kafka.common.config.AbstractConfig',
    'logger.config.level = WARN',
    '',
  ].join('\n');
}

function pom(version: string): string {
  const dep = (g: string, a: string, v: string): string =>
    `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  return `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>gax.test</groupId><artifactId>kafka-libs</artifactId><version>1</version><packaging>pom</packaging>
<dependencies>${dep('org.apache.kafka', 'kafka_2.13', version)}
${dep('org.apache.logging.log4j', 'log4j-slf4j-impl', LOG4J_VERSION)}</dependencies></project>\n`;
}

/** server.properties for one broker; `ports` undefined gives the template's (format-only) config. */
function serverProperties(
  dataDir: string,
  ports?: { broker: number; controller: number },
  options: KafkaOptions = {},
): string {
  const controller = ports?.controller ?? 1;
  const props: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': String(NODE_ID),
    'controller.quorum.voters': `${NODE_ID}@127.0.0.1:${controller}`,
    listeners: `PLAINTEXT://127.0.0.1:${ports?.broker ?? 0},CONTROLLER://127.0.0.1:${controller}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${options.advertisedPort ?? ports?.broker ?? 0}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': dataDir,
    'num.partitions': String(options.numPartitions ?? 1),
    'auto.create.topics.enable': 'false',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '1',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '1',
    'share.coordinator.state.topic.replication.factor': '1',
    'share.coordinator.state.topic.min.isr': '1',
    'share.coordinator.state.topic.num.partitions': '1',
    'group.initial.rebalance.delay.ms': '0',
    // After a crash the restarted broker cannot register until its previous session expires (9 s by default).
    'broker.session.timeout.ms': '3000',
    'broker.heartbeat.interval.ms': '500',
    'num.recovery.threads.per.data.dir': '1',
    'num.network.threads': '2',
    'num.io.threads': '2',
    'background.threads': '2',
    'log.cleaner.enable': 'false',
    ...options.config,
  };
  return `${Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
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

/** Resolves the jars and formats the template data dir in `staging`; the marker is written last. */
async function install(version: string, staging: string): Promise<void> {
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'template'), { recursive: true });
  const log = join(staging, 'install.log');
  await writeFile(join(staging, 'pom.xml'), pom(version));
  const libs = join(staging, 'libs');
  await runLogged(
    'mvn',
    ['-q', '-B', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${libs}`],
    log,
    staging,
  );
  await writeFile(join(staging, 'template.properties'), serverProperties(join(staging, 'template')));
  await writeFile(join(staging, 'log4j2-warn.properties'), log4jConfig('WARN'));
  // A Kafka cluster id is 16 random bytes in URL-safe base64; one leading '-' would read as an option.
  const clusterId = `A${randomBytes(16).toString('base64url').slice(1)}`;
  await runLogged(
    JAVA,
    [
      '-Xmx128m',
      ...JVM_FLAGS,
      `-Dlog4j2.configurationFile=${join(staging, 'log4j2-warn.properties')}`,
      '-cp',
      `${libs}/*`,
      'kafka.tools.StorageTool',
      'format',
      '--cluster-id',
      clusterId,
      '--config',
      join(staging, 'template.properties'),
    ],
    log,
    staging,
  );
  await writeFile(join(staging, MARKER), `${new Date().toISOString()}\n`);
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

/** The install dir of Kafka `version` (`libs/`, `template/`), installing it first when needed. */
export async function ensureKafka(version = KAFKA_VERSION): Promise<string> {
  const home = join(CACHE, version);
  const installed = (): boolean => existsSync(join(home, MARKER));
  if (installed()) return home;
  await mkdir(CACHE, { recursive: true });
  const lock = join(CACHE, `${version}.lock`);
  if (await acquireLock(lock, installed)) {
    try {
      if (!installed()) {
        const staging = join(CACHE, `.${version}.staging-${process.pid}`);
        await install(version, staging);
        await rm(home, { recursive: true, force: true });
        await rename(staging, home);
        await trainClassDataSharing(home, version);
      }
    } finally {
      await rmdir(lock).catch(() => undefined);
    }
  }
  if (!installed()) throw new Error(`Kafka ${version} is still missing from ${home}`);
  return home;
}

/** One record as stored in a partition. */
export interface TopicRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** `key` / `value` decoded as UTF-8 (null when absent). */
  readonly keyText: string | null;
  readonly valueText: string | null;
  /** In record order; keys decoded as UTF-8 (Kafka header keys are strings). */
  readonly headers: ReadonlyArray<readonly [string, Buffer | null]>;
  /** Milliseconds since the epoch: the producer's CreateTime, or the broker's LogAppendTime. */
  readonly timestamp: number;
}

const LOG_APPEND_TIME = 1 << 3;

/**
 * Appends the records of `batches` with offsets in [from, end) to `out`, skipping control batches and
 * batches of aborted transactions (the READ_COMMITTED rules of the Java consumer); returns the next offset.
 */
function collect(
  partition: number,
  batches: readonly RecordsBatch[],
  aborted: ReadonlyArray<{ producerId: bigint; firstOffset: bigint }>,
  range: { from: bigint; end: bigint },
  out: TopicRecord[],
): bigint {
  const pending = [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
  const abortedProducers = new Set<bigint>();
  let next = range.from;
  for (const batch of batches) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    while (pending[0] !== undefined && pending[0].firstOffset <= lastOffset)
      abortedProducers.add((pending.shift() as { producerId: bigint }).producerId);
    if (lastOffset >= next) next = lastOffset + 1n;
    if ((batch.attributes & IS_CONTROL) !== 0) {
      // A control record's key is (version int16, type int16); type 0 is an abort marker.
      const type = batch.records[0]?.key?.readInt16BE(2);
      if (type === 0) abortedProducers.delete(batch.producerId);
      continue;
    }
    if ((batch.attributes & IS_TRANSACTIONAL) !== 0 && abortedProducers.has(batch.producerId)) continue;
    for (const record of batch.records) {
      const offset = batch.firstOffset + BigInt(record.offsetDelta);
      if (offset < range.from || offset >= range.end) continue;
      const timestamp =
        (batch.attributes & LOG_APPEND_TIME) !== 0
          ? batch.maxTimestamp
          : batch.firstTimestamp + record.timestampDelta;
      out.push({
        partition,
        offset: Number(offset),
        key: record.key,
        value: record.value,
        keyText: record.key?.toString('utf8') ?? null,
        valueText: record.value?.toString('utf8') ?? null,
        headers: record.headers.map(([k, v]) => [k?.toString('utf8') ?? '', v] as const),
        timestamp: Number(timestamp),
      });
    }
  }
  return next;
}

/** Partition → offset for `topic` at `timestamp` (LATEST is the last stable offset under READ_COMMITTED). */
async function offsetsAt(
  admin: Admin,
  topic: string,
  partitions: number[],
  timestamp: bigint,
): Promise<Map<number, bigint>> {
  const listed = await admin.listOffsets({
    topics: [
      { name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) },
    ],
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
  });
  return new Map((listed[0]?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]));
}

/** See {@link KafkaBroker.readTopic}. */
async function readTopic(bootstrap: string, topic: string, timeoutMs: number): Promise<TopicRecord[]> {
  const until = Date.now() + timeoutMs;
  const clientOptions = { bootstrapBrokers: [bootstrap], timeout: 5_000 };
  const admin = new Admin({ clientId: 'gax-test-read-admin', ...clientOptions });
  const consumer = new Consumer({
    clientId: 'gax-test-reader',
    groupId: `gax-test-reader-${randomBytes(6).toString('hex')}`,
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    ...clientOptions,
  });
  try {
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
    const info = metadata.topics.get(topic);
    if (info === undefined) throw new Error(`topic ${topic} does not exist`);
    const partitions = info.partitions.map((_, i) => i);
    const starts = await offsetsAt(admin, topic, partitions, ListOffsetTimestamps.EARLIEST);
    const ends = await offsetsAt(admin, topic, partitions, ListOffsetTimestamps.LATEST);
    const out: TopicRecord[] = [];
    for (const partition of partitions) {
      const end = ends.get(partition) ?? 0n;
      let next = starts.get(partition) ?? 0n;
      while (next < end) {
        if (Date.now() > until)
          throw new Error(
            `readTopic(${topic}): partition ${partition} at offset ${next} of ${end} after ${timeoutMs} ms`,
          );
        const response = await consumer.fetch({
          node: info.partitions[partition]?.leader ?? NODE_ID,
          maxWaitTime: 200,
          topics: [
            {
              topicId: info.id,
              partitions: [
                {
                  partition,
                  currentLeaderEpoch: -1,
                  fetchOffset: next,
                  lastFetchedEpoch: -1,
                  partitionMaxBytes: 8 << 20,
                },
              ],
            },
          ],
        });
        const data = response.responses[0]?.partitions[0];
        if (data === undefined || data.errorCode !== 0) {
          await sleep(100);
          continue;
        }
        next = collect(partition, data.records ?? [], data.abortedTransactions, { from: next, end }, out);
      }
    }
    return out;
  } finally {
    await Promise.allSettled([
      new Promise<void>((resolve) => consumer.close(true, () => resolve())),
      admin.close(),
    ]);
  }
}

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
    child.stdin?.on('error', () => undefined);
    if (child.pid === undefined) throw new Error(`could not spawn Kafka: ${await this.logTail()}`);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const pgid of liveGroups) signal(-pgid, 'SIGKILL');
      });
    }
    liveGroups.add(child.pid);
    const running: Running = { child, pgid: child.pid, exitCode: undefined, exited: Promise.resolve() };
    Object.assign(running, {
      exited: new Promise<void>((resolve) =>
        child.once('exit', (code) => {
          running.exitCode = code;
          resolve();
        }),
      ),
    });
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
        const ready = await admin
          .listTopics()
          .then((topics) => admin.metadata({ topics, forceUpdate: true }))
          .then(
            (m) =>
              m.brokers.has(NODE_ID) &&
              [...m.topics.values()].every((t) => t.partitions.every((p) => p.leader === NODE_ID)),
            () => false,
          );
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
  const home = await ensureKafka(version);
  // The JVM falls back to no sharing (with a warning) when the archive does not match it.
  const cds = join(home, CDS_ARCHIVE);
  return launch(home, version, options, existsSync(cds) ? [`-XX:SharedArchiveFile=${cds}`] : []);
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
