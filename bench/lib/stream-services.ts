/**
 * The Kafka and OTLP backends of the bench (`Scenario.services` `kafka` and `otelcol-receiver`),
 * started once per harness run by `services.ts`: a real single-node KRaft broker
 * (test/helpers/kafka.ts: its own JVM, never counted in a measured child) and a real
 * OpenTelemetry Collector with the otlp receiver and a file exporter (test/helpers/otelcol.ts:
 * its own process, restarted empty before each measured run).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { Admin, compatibilityPartitioner, ProduceAcks, Producer } from '@platformatic/kafka';
import { createGenerator } from '../../src/parsers/wso2-apim/sim/generate.js';
import { type KafkaBroker, startKafka } from '../../test/helpers/kafka.js';
import { type Collector, startOtelcol } from '../../test/helpers/otelcol.js';

export interface KafkaService {
  /** `127.0.0.1:<port>` */
  readonly bootstrap: string;
  readonly version: string;
  /** Deletes every topic an earlier run of the harness created (`gaxbench-*`). */
  reset(): Promise<void>;
  /** Creates `name` with `partitions` partitions and waits for their leader. */
  createTopic(name: string, partitions: number): Promise<void>;
  /** CPU seconds the broker JVM used since the last `reset` (a measured run's share, warm-up excluded). */
  cpuSeconds(): number;
}

export interface OtlpReceiverService {
  /** `http://127.0.0.1:<port>` of the collector now running (a new one after each `reset`). */
  readonly endpoint: string;
  /** Replaces the collector by a fresh one with empty files (untimed, before each measured run). */
  reset(): Promise<void>;
  /** What the collector wrote so far: log records, and `apim.requests` totals (the last cumulative point per series, summed). */
  received(): { logRecords: number; requests: number };
  /** CPU seconds the collector used since its start (the last `reset`). */
  cpuSeconds(): number;
}

/** user + sys CPU seconds of a process (all its threads) so far, 0 when it is gone. */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime and stime are fields 14 and 15; 100 ticks a second.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Why this machine cannot run a Kafka broker (no `java`), or undefined. */
export function kafkaUnavailable(): string | undefined {
  const home = process.env.GAX_KAFKA_JAVA_HOME;
  const java = home === undefined ? 'java' : join(home, 'bin', 'java');
  const probe = spawnSync(java, ['-version'], { stdio: 'ignore' });
  return probe.status === 0
    ? undefined
    : `needs a JDK 17+ for the Kafka broker (\`${java} -version\` failed)`;
}

/** Kafka for the bench: heap 512 MiB, `num.partitions` 3; warmed up like the Elasticsearch node. */
export async function startKafkaService(
  log: (message: string) => void,
): Promise<{ service: KafkaService; broker: KafkaBroker }> {
  log('starting Kafka (once for this run)');
  const broker = await startKafka({ numPartitions: 3, heapMb: 512 });
  log(`Kafka ${broker.version} at ${broker.bootstrap}, pid ${String(broker.pid)}; warming it up`);
  await broker.createTopic('gaxbench-warmup', 3);
  await warmUpKafka(broker.bootstrap);
  const admin = () => new Admin({ clientId: 'gax-bench-admin', bootstrapBrokers: [broker.bootstrap] });
  let cpuAtReset = processCpuSeconds(broker.pid);
  const service: KafkaService = {
    bootstrap: broker.bootstrap,
    version: broker.version,
    cpuSeconds: () => processCpuSeconds(broker.pid) - cpuAtReset,
    reset: async () => {
      const client = admin();
      try {
        const topics = (await client.listTopics()).filter((t) => t.startsWith('gaxbench-'));
        if (topics.length > 0) await client.deleteTopics({ topics });
      } finally {
        await client.close();
      }
      cpuAtReset = processCpuSeconds(broker.pid);
    },
    createTopic: (name, partitions) => broker.createTopic(name, partitions),
  };
  return { service, broker };
}

/** 20 requests of 1,000 generated events (as the baselines produce them): a cold broker is slower. */
async function warmUpKafka(bootstrap: string): Promise<void> {
  const producer = new Producer({
    clientId: 'gax-bench-warmup',
    bootstrapBrokers: [bootstrap],
    idempotent: true,
    acks: ProduceAcks.ALL,
    compression: 'lz4',
  });
  const generator = createGenerator({ seed: 99 });
  try {
    for (let request = 0; request < 20; request++) {
      const messages = [];
      for (let i = 0; i < 1000; i++) {
        const line = generator.next();
        const json = line.slice(line.indexOf('{', line.indexOf('properties')));
        const key = Buffer.from(String(i));
        const partition = compatibilityPartitioner(undefined as never, key) % 3;
        messages.push({ topic: 'gaxbench-warmup', partition, key, value: Buffer.from(json) });
      }
      await producer.send({ messages });
    }
  } finally {
    await producer.close();
  }
}

/** The test suite's collector (otlp over HTTP → JSON files), one per measured run. */
export async function startOtlpReceiver(
  log: (message: string) => void,
): Promise<{ service: OtlpReceiverService; close: () => Promise<void> }> {
  log('starting the OpenTelemetry Collector (otlp receiver → file)');
  let collector: Collector = await startOtelcol();
  const service: OtlpReceiverService = {
    get endpoint() {
      return collector.endpoint;
    },
    reset: async () => {
      await collector.destroy();
      collector = await startOtelcol();
    },
    cpuSeconds: () => processCpuSeconds(collector.pid),
    received: () => ({
      logRecords: countLogRecords(join(collector.dir, 'logs.jsonl')),
      requests: requestTotals(join(collector.dir, 'metrics.jsonl')),
    }),
  };
  return { service, close: () => collector.destroy() };
}

/** Each JSON request the file exporter wrote (one a line; read in pieces: the file may pass 512 MB). */
function eachRequest(path: string, onRequest: (request: Record<string, unknown>) => void): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return; // nothing written yet
  }
  try {
    const buffer = Buffer.alloc(16 << 20);
    let rest = '';
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      const lines = (rest + buffer.toString('utf8', 0, n)).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) splitRequests(line).forEach(onRequest);
    }
    if (rest !== '') splitRequests(rest).forEach(onRequest);
  } finally {
    closeSync(fd);
  }
}

/** Writes can share a line (as test/helpers/otelcol-records.ts splits them). */
function splitRequests(line: string): Record<string, unknown>[] {
  return line
    .split(/(?=\{"resource(?:Logs|Metrics)":)/)
    .filter((p) => p !== '')
    .map((p) => JSON.parse(p) as Record<string, unknown>);
}

interface ResourceLogs {
  scopeLogs?: { logRecords?: unknown[] }[];
}

interface ResourceMetrics {
  resource?: unknown;
  scopeMetrics?: { metrics?: SumMetric[] }[];
}

function countLogRecords(path: string): number {
  let records = 0;
  eachRequest(path, (request) => {
    for (const rl of (request.resourceLogs ?? []) as ResourceLogs[]) {
      for (const sl of rl.scopeLogs ?? []) records += sl.logRecords?.length ?? 0;
    }
  });
  return records;
}

interface SumMetric {
  name: string;
  sum?: { dataPoints?: { attributes?: unknown[]; asInt?: string | number; asDouble?: number }[] };
}

/** `apim.requests`: the last cumulative value of each series (resource + attributes), summed. */
function requestTotals(path: string): number {
  const last = new Map<string, number>();
  eachRequest(path, (request) => {
    for (const rm of (request.resourceMetrics ?? []) as ResourceMetrics[]) {
      const resource = JSON.stringify(rm.resource ?? {});
      for (const sm of rm.scopeMetrics ?? []) {
        for (const metric of sm.metrics ?? []) {
          if (metric.name !== 'apim.requests') continue;
          for (const p of metric.sum?.dataPoints ?? []) {
            last.set(`${resource}|${JSON.stringify(p.attributes ?? [])}`, Number(p.asInt ?? p.asDouble ?? 0));
          }
        }
      }
    }
  });
  let total = 0;
  for (const value of last.values()) total += value;
  return total;
}
