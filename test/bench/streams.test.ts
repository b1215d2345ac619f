import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compatibilityPartitioner } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGeneratedFile } from '../../bench/lib/data-file.js';
import type { ScenarioContext } from '../../bench/lib/scenario.js';
import { baselineKafkaProduce } from '../../bench/scenarios/baseline-kafka-produce.js';
import { type KafkaBroker, startKafka } from '../helpers/kafka.js';
import { quickBenchRows } from './quick-bench.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

// One harness run (a Kafka broker and an OpenTelemetry Collector started by the harness): 2,000
// lines through each of the five scenarios. Counts and report shape, not timings.
describe('npm run bench --quick --only pipeline-kafka,pipeline-otlp', () => {
  it('produces to a real broker and exports to a real collector, each against its plain baseline', async () => {
    const { run, byName } = await quickBenchRows(
      'pipeline-kafka,pipeline-otlp',
      [
        'baseline-kafka-produce',
        'baseline-kafka-transactions',
        'pipeline-kafka',
        'baseline-otlp-logs',
        'pipeline-otlp',
      ],
      600_000,
    );
    for (const name of ['baseline-kafka-transactions', 'pipeline-kafka']) {
      expect(byName.get(name)!.baseline).toBe('baseline-kafka-produce');
      expect(byName.get(name)!.ratio).toBeGreaterThan(0);
    }
    expect(byName.get('pipeline-kafka')!.ratios?.['baseline-kafka-transactions']).toBeGreaterThan(0);
    expect(byName.get('pipeline-otlp')!.baseline).toBe('baseline-otlp-logs');
    expect(byName.get('pipeline-otlp')!.ratio).toBeGreaterThan(0);
    for (const row of byName.values()) {
      expect(row.input?.lines, row.scenario).toBe(2_000);
      expect(row.cpuMsPer1kEvents, row.scenario).toBeGreaterThan(0);
      expect(row.linesPerSecond, row.scenario).toBeGreaterThan(0);
    }
    expect(byName.get('pipeline-kafka')!.metrics?.['in process.events/s']).toBeGreaterThan(0);
    expect(byName.get('pipeline-otlp')!.metrics?.['in process.last line read s']).toBeGreaterThan(0);
    expect(run.markdown).toMatch(/## Kafka pipeline in process/);
  }, 600_000);
});

// The Kafka baseline's own count (offsets, less the transactions' commit markers) against every
// record read back, and its records against the plugin's placement rules.
describe('bench/baselines/kafka-produce.mjs', () => {
  let broker: KafkaBroker;
  let dir: string;
  let file: string;
  beforeAll(async () => {
    broker = await startKafka({ numPartitions: 3 });
    dir = await mkdtemp(join(tmpdir(), 'gax-bench-kafka-'));
    file = join(dir, 'apim_metrics.log');
    await writeGeneratedFile(file, 3_000, { seed: 7 });
  }, 180_000);
  afterAll(async () => {
    await broker?.destroy();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  for (const transactional of [false, true]) {
    it(`counts exactly what the topic holds${transactional ? ' with one transaction per request' : ''}`, async () => {
      const topic = `bench-${String(transactional)}`;
      await broker.createTopic(topic, 3);
      const args = [
        'bench/baselines/kafka-produce.mjs',
        file,
        '--bootstrap',
        broker.bootstrap,
        '--topic',
        topic,
      ];
      const out = spawnSync(process.execPath, transactional ? [...args, '--transactional'] : args, {
        cwd: root,
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(out.status, out.stderr).toBe(0);
      const counts = JSON.parse(out.stdout.trim()) as Record<string, number>;
      const records = await broker.readTopic(topic);
      expect(counts.lines).toBe(3_000);
      expect(counts.events).toBe(3_000);
      expect(records).toHaveLength(3_000);
      expect(counts.records).toBe(records.length);
      expect(counts.transactions).toBe(transactional ? counts.requests : 0);
      expect(counts.requests).toBeGreaterThan(1); // ~1.1 KB values: several 1 MB requests
      for (const r of records) {
        const value = JSON.parse(r.valueText ?? '') as { correlationId: string; eventType: string };
        expect(r.keyText).toBe(value.correlationId);
        expect(['response', 'faulty']).toContain(value.eventType);
        expect(r.partition).toBe(compatibilityPartitioner(undefined as never, r.key as Buffer) % 3);
      }
      expect(new Set(records.map((r) => r.keyText)).size).toBe(3_000);
    }, 180_000);
  }

  it('fails a run whose topic does not hold every event', () => {
    const ctx = { lines: 3_000, events: 3_000 } as ScenarioContext;
    const counts = { lines: 3_000, events: 3_000, records: 2_999 };
    expect(baselineKafkaProduce.verify(JSON.stringify(counts), ctx)).toMatch(/holds 2999 records/);
    expect(baselineKafkaProduce.verify(JSON.stringify({ ...counts, records: 3_000 }), ctx)).toBeUndefined();
  });
});
