import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaOf, kafkaRun } from '../lib/backend-inputs.js';
import type { Scenario } from '../lib/scenario.js';
import { lastJsonLine, verifyTailed } from '../lib/scenario.js';
import { kafkaUnavailable } from '../lib/stream-services.js';
import { brokerMetrics } from './baseline-kafka-produce.js';

const DAEMON = 'dist/src/daemon.js';

/**
 * The daemon in process with only the Kafka plugin, tailing the first `--es-lines` lines of the
 * input into a fresh 3-partition topic of the shared broker until every event is acknowledged and
 * the topic holds that many records. Against the plain producer on the same lines and broker.
 */
export const pipelineKafka = {
  name: 'pipeline-kafka',
  description:
    'The daemon in process, kafka plugin only (defaults: idempotent, acks=all, lz4, 1 MB requests, 1 in flight), tails FILE from its beginning into a fresh 3-partition topic of the shared broker until every event is acknowledged; then the topic’s offsets must equal the events (`bench/drivers/kafka.mjs`).',
  baseline: 'baseline-kafka-produce',
  compareWith: ['baseline-kafka-transactions'],
  services: ['kafka'],
  unavailable: (ctx) =>
    existsSync(join(ctx.repoRoot, DAEMON))
      ? kafkaUnavailable()
      : `${DAEMON} not found (run \`npm run build\`)`,
  prepare: kafkaRun,
  command: (ctx) => ({
    command: process.execPath,
    args: [
      join(ctx.repoRoot, 'bench/drivers/kafka.mjs'),
      ctx.file,
      '--bootstrap',
      kafkaOf(ctx).bootstrap,
      '--topic',
      ctx.runTag!,
      ...(ctx.events === undefined ? [] : ['--events', String(ctx.events)]),
    ],
    captureStdout: true,
  }),
  verify: (stdout, ctx) => {
    const out = lastJsonLine(stdout);
    if (out?.deadLettered !== 0) return `${String(out?.deadLettered)} events dead-lettered`;
    if (out.records !== out.events) {
      return `the topic holds ${String(out.records)} records, ${String(out.events)} events delivered`;
    }
    return verifyTailed(stdout, ctx);
  },
  metrics: (stdout, ctx) => {
    const out = lastJsonLine(stdout);
    const seconds = Number(out?.seconds);
    return {
      'in process.seconds': seconds,
      'in process.events/s': Math.round(Number(out?.events) / seconds),
      'in process.stop s': Number(out?.stopSeconds),
      ...brokerMetrics(ctx),
    };
  },
  metricsTitle:
    'Kafka pipeline in process, without node startup (daemon start → last event acknowledged); the broker’s CPU',
} satisfies Scenario;
