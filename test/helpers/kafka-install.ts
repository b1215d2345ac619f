import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaOptions } from './kafka.js';

/**
 * Installs Apache Kafka for the tests (see test/helpers/kafka.ts for the brokers).
 *
 * `org.apache.kafka:kafka_2.13:<version>` and its runtime dependencies (plus the log4j SLF4J binding
 * Kafka's own distribution ships) are resolved with Maven once per machine and version into
 * `${XDG_CACHE_HOME:-~/.cache}/gax-kafka/<version>/libs` (`GAX_KAFKA_CACHE` overrides the root), next
 * to a `template/` data dir formatted once by `kafka.tools.StorageTool` with a static voter set (so it
 * holds no port: every broker starts from a copy). The install is built in a temp dir renamed into
 * place under a lock dir, its marker written last: parallel test files never see half an install, and
 * a warm run never touches the network.
 */

/** The Kafka version tested: the newest 4.x (its broker runs on JDK 17); `GAX_KAFKA_VERSION` overrides. */
export const KAFKA_VERSION = process.env.GAX_KAFKA_VERSION ?? '4.4.0';
/** The log4j-slf4j-impl binding, same log4j as kafka_2.13 4.4.0 pulls in (Kafka logs through SLF4J 1.7). */
const LOG4J_VERSION = '2.25.5';
const CACHE =
  process.env.GAX_KAFKA_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'gax-kafka');
export const JAVA =
  process.env.GAX_KAFKA_JAVA_HOME === undefined
    ? 'java'
    : join(process.env.GAX_KAFKA_JAVA_HOME, 'bin', 'java');
const MARKER = '.gax-installed';
export const CDS_ARCHIVE = 'kafka-classes.jsa';
/** The broker's node id, also the only voter of its controller quorum. */
export const NODE_ID = 1;
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const STALE_LOCK_MS = 15 * 60_000;
/** C1 only: the broker reaches "started" in about half the time; tests never run it long enough for C2. */
export const JVM_FLAGS = [
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Djava.awt.headless=true',
  '-Djava.net.preferIPv4Stack=true',
];

/** Runs a command to completion, its output appended to `log`; throws with the exit status. */
function runLogged(command: string, args: readonly string[], log: string, cwd: string): Promise<void> {
  const fd = openSync(log, 'a');
  const child = spawn(command, args, { cwd, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const killer = setTimeout(() => child.kill('SIGKILL'), INSTALL_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.once('error', (error) =>
      reject(new Error(`cannot run ${command} (${error.message}): Kafka needs mvn and a JDK 17+ on PATH`)),
    );
    child.once('exit', (code, sig) => {
      clearTimeout(killer);
      if (code === 0) resolve();
      else
        readFile(log, 'utf8')
          .catch(() => '')
          .then((text) =>
            reject(new Error(`${command} ${args.join(' ')} failed (${sig ?? code}):\n${text.slice(-3000)}`)),
          );
    });
  });
}

export function log4jConfig(level: string): string {
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
export function serverProperties(
  dataDir: string,
  ports?: { broker: number; controller: number },
  options: KafkaOptions = {},
): string {
  const controller = ports?.controller ?? 1;
  const secure = options.secureListener;
  const extra = (protocol: boolean) =>
    secure === undefined
      ? ''
      : protocol
        ? `,SECURE:${secure.protocol}`
        : `,SECURE://127.0.0.1:${secure.port}`;
  const props: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': String(NODE_ID),
    'controller.quorum.voters': `${NODE_ID}@127.0.0.1:${controller}`,
    listeners: `PLAINTEXT://127.0.0.1:${ports?.broker ?? 0},CONTROLLER://127.0.0.1:${controller}${extra(false)}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${options.advertisedPort ?? ports?.broker ?? 0}${extra(false)}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': `PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${extra(true)}`,
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
    [
      '-q',
      '-B',
      '-Dstyle.color=never',
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${libs}`,
    ],
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
 * The install dir of Kafka `version` (`libs/`, `template/`), installing it first when needed;
 * `afterInstall` runs on the new install dir, still under the lock, after its marker is visible.
 */
export async function ensureKafka(
  version = KAFKA_VERSION,
  afterInstall: (home: string) => Promise<void> = async () => undefined,
): Promise<string> {
  const home = join(CACHE, version);
  const installed = (): boolean => existsSync(join(home, MARKER));
  if (installed()) return home;
  await mkdir(CACHE, { recursive: true });
  const lock = join(CACHE, `${version}.lock`);
  if (await acquireLock(lock, installed)) {
    try {
      if (!installed()) {
        const staging = join(CACHE, `.${version}.staging-${process.pid}`);
        try {
          await install(version, staging);
        } catch (error) {
          await rm(staging, { recursive: true, force: true });
          throw error;
        }
        await rm(home, { recursive: true, force: true });
        await rename(staging, home);
        await afterInstall(home);
      }
    } finally {
      await rmdir(lock).catch(() => undefined);
    }
  }
  if (!installed()) throw new Error(`Kafka ${version} is still missing from ${home}`);
  return home;
}
