/**
 * The scale-out topology of docs/scale-out.md, run end to end with real components and the
 * documented configurations themselves: the built `gax run` on
 * docs/examples/scale-out/gax-sidecar.yaml → a real Kafka broker (KRaft, test/helpers/kafka.ts) →
 * the OpenTelemetry Collector (bench/otelcol/builder-config.yaml, contrib kafka receiver v0.165.0)
 * on docs/examples/scale-out/otelcol-kafka.yaml, whose file exporter stands in for a backend. Both
 * files are used byte for byte: the test sets only the environment variables they document.
 *
 * - Every event gax read is one log record whose body is the event as gax put it on the topic.
 * - The Collector SIGKILLed mid-stream and restarted: every event still arrives (at least once:
 *   its consumer group resumes from the offsets committed after the exporter wrote).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { type KafkaBroker, startKafka } from '../helpers/kafka.js';
import { ensureOtelcolBinary, OTELCOL_SETUP_TIMEOUT_MS } from '../helpers/otelcol.js';
import { flattenLogs, type OtlpLogRecord, readRequests } from '../helpers/otelcol-records.js';
import { freePort } from '../helpers/prometheus.js';
import { createSandbox, Daemons, RotatingWriter, type Sandbox, sleep } from '../helpers/tail-harness.js';

const EXAMPLES = fileURLToPath(new URL('../../docs/examples/scale-out/', import.meta.url));
const GAX_CONFIG = join(EXAMPLES, 'gax-sidecar.yaml');
const OTELCOL_CONFIG = join(EXAMPLES, 'otelcol-kafka.yaml');
/** The topics `apim-{eventType}` of the gax example, which the Collector example consumes. */
const TOPICS = ['apim-response', 'apim-faulty'] as const;

let binary: string;
let broker: KafkaBroker | undefined;
let box: Sandbox;
let daemons: Daemons;
let writer: RotatingWriter | undefined;
let collector: Otelcol | undefined;

beforeAll(async () => {
  binary = await ensureOtelcolBinary();
}, OTELCOL_SETUP_TIMEOUT_MS);

// A broker per test: the examples name fixed topics and a fixed consumer group.
beforeEach(async () => {
  box = createSandbox(await mkdtemp(join(tmpdir(), 'gax-scale-out-')));
  daemons = new Daemons();
  broker = await startKafka({ numPartitions: 3 });
  for (const topic of TOPICS) await broker.createTopic(topic, 3);
}, 600_000);

afterEach(async () => {
  writer?.stop();
  writer = undefined;
  await daemons.killAll();
  await collector?.kill();
  collector = undefined;
  await broker?.destroy();
  broker = undefined;
  await rm(box.dir, { recursive: true, force: true });
}, 60_000);

function kafka(): KafkaBroker {
  if (broker === undefined) throw new Error('no broker');
  return broker;
}

/** `gax run` on the example config, with only its documented variables set. */
async function startGax(): Promise<void> {
  const env = {
    GAX_LOG_DIR: box.logDir,
    GAX_STATE_DIR: box.stateDir,
    GAX_HTTP_HOST: '127.0.0.1',
    GAX_HTTP_PORT: String(await freePort()),
    KAFKA_BROKERS: kafka().bootstrap,
  };
  daemons.start(box, () => startCli(['run', '--config', GAX_CONFIG], { env }));
}

/** The Collector on the example config, stopped by PID. */
interface Otelcol {
  readonly child: ChildProcess;
  output(): string;
  kill(): Promise<void>;
}

async function startCollector(): Promise<Otelcol> {
  const child = spawn(binary, ['--config', OTELCOL_CONFIG], {
    env: { ...process.env, KAFKA_BROKERS: kafka().bootstrap, GAX_EVENTS_FILE: join(box.dir, 'events.jsonl') },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`otelcol not ready: ${output.slice(-3000)}`)), 30_000);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('Everything is ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`otelcol exited before ready: ${output.slice(-3000)}`));
    });
  });
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const handle: Otelcol = {
    child,
    output: () => output,
    kill: async () => {
      if (child.pid !== undefined && running()) process.kill(child.pid, 'SIGKILL');
      await exited;
    },
  };
  await ready.catch(async (err: unknown) => {
    await handle.kill();
    throw err;
  });
  return handle;
}

/** Every log record the Collector's file exporter wrote so far. */
async function records(): Promise<OtlpLogRecord[]> {
  return (await readRequests(box.dir, 'events')).flatMap(flattenLogs);
}

/** Log records per correlation id (the body's), waiting until every id of `ids` has one. */
async function waitForRecords(
  ids: readonly string[],
  timeoutMs: number,
): Promise<Map<string, OtlpLogRecord[]>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const byId = new Map<string, OtlpLogRecord[]>();
    for (const r of await records()) {
      const id = String((r.body as { correlationId?: unknown } | undefined)?.correlationId);
      byId.set(id, [...(byId.get(id) ?? []), r]);
    }
    const missing = ids.filter((id) => !byId.has(id)).length;
    if (missing === 0) return byId;
    if (Date.now() > deadline) {
      throw new Error(
        `${missing} of ${ids.length} events never reached the collector: ${collector?.output().slice(-2000)}`,
      );
    }
    await sleep(250);
  }
}

/** Each event on the gax topics, parsed, by correlation id (the record key). */
async function onTopics(): Promise<Map<string, Record<string, unknown>>> {
  const events = new Map<string, Record<string, unknown>>();
  for (const topic of TOPICS) {
    for (const r of await kafka().readTopic(topic)) {
      const event = JSON.parse(r.valueText ?? '{}') as Record<string, unknown>;
      expect(r.keyText).toBe(event.correlationId);
      expect(`apim-${String(event.eventType)}`).toBe(topic);
      events.set(r.keyText ?? '', event);
    }
  }
  return events;
}

describe('scale-out: gax sidecar → Kafka → OpenTelemetry Collector (docs/scale-out.md)', () => {
  it('every event becomes one log record whose body is the event', async () => {
    const w = new RotatingWriter(box, { seed: 1803, linesPerSecond: 400, rotateEvery: 700 });
    writer = w;
    w.append(600);
    await startGax();
    collector = await startCollector();
    // A first run reads the active file from its beginning; siblings rotated before gax started
    // are history to it (docs/configuration.md, `followRotated`): start rotating once it reads.
    await waitForRecords(w.ids, 60_000);
    w.start();
    await sleep(2500);
    w.stop();

    const byId = await waitForRecords(w.ids, 60_000);
    const events = await onTopics();
    expect(events.size).toBe(w.ids.length);
    const types = new Set([...events.values()].map((e) => e.eventType));
    expect(types).toEqual(new Set(['response', 'faulty']));
    for (const id of w.ids) {
      const got = byId.get(id) ?? [];
      // A run without failures delivers each record once.
      expect(got.length, id).toBe(1);
      const body = got[0]?.body as Record<string, unknown>;
      // The whole event, field for field (numbers arrive as OTLP doubles: the same JS values).
      expect(body, id).toEqual(events.get(id));
      expect(body.apiName, id).toEqual(expect.any(String));
      expect(body.requestTimestamp, id).toEqual(expect.any(String));
    }
    expect(byId.size).toBe(w.ids.length);
  }, 180_000);

  it('the Collector SIGKILLed mid-stream and restarted: every event still arrives (at least once)', async () => {
    const w = new RotatingWriter(box, { seed: 1804, linesPerSecond: 500, rotateEvery: 1000 });
    writer = w;
    w.append(300);
    await startGax();
    collector = await startCollector();
    await waitForRecords(w.ids, 60_000);
    w.start();
    await sleep(2000);
    const before = (await records()).length;
    await collector.kill();
    await sleep(1500);
    collector = await startCollector();
    await sleep(2000);
    w.stop();

    const byId = await waitForRecords(w.ids, 90_000);
    expect(before).toBeGreaterThan(0);
    expect(byId.size).toBe(w.ids.length);
    const duplicates = [...byId.values()].reduce((n, rs) => n + rs.length - 1, 0);
    // At-least-once: a record written but not yet committed (autocommit every 1 s) comes again.
    process.stderr.write(
      `[scale-out] ${w.ids.length} events, ${before} records before the kill, ${duplicates} delivered twice after it\n`,
    );
    expect(duplicates).toBeLessThan(w.ids.length);
  }, 240_000);
});
