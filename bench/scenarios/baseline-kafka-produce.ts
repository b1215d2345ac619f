import { join } from 'node:path';
import { kafkaOf, kafkaRun } from '../lib/backend-inputs.js';
import type { Scenario, ScenarioContext } from '../lib/scenario.js';
import { lastJsonLine, verifyCounts } from '../lib/scenario.js';
import { kafkaUnavailable } from '../lib/stream-services.js';

/** The baseline's command, with or without one transaction per request. */
function produceCommand(ctx: ScenarioContext, transactional: boolean) {
  return {
    command: process.execPath,
    args: [
      join(ctx.repoRoot, 'bench/baselines/kafka-produce.mjs'),
      ctx.file,
      '--bootstrap',
      kafkaOf(ctx).bootstrap,
      '--topic',
      ctx.runTag!,
      ...(transactional ? ['--transactional'] : []),
    ],
    captureStdout: true,
  };
}

/** The broker's CPU during the run (its own JVM: not in the row's CPU). */
export function brokerMetrics(ctx: ScenarioContext): Record<string, number> {
  const cpu = kafkaOf(ctx).cpuSeconds();
  return {
    'broker.CPU s': Number(cpu.toFixed(2)),
    ...(ctx.events === undefined
      ? {}
      : { 'broker.CPU ms/1k ev': Number(((cpu * 1e6) / ctx.events).toFixed(1)) }),
  };
}

/** Every event is a record on the topic (offsets counted by the baseline itself). */
function verifyProduced(stdout: string, ctx: ScenarioContext): string | undefined {
  const out = lastJsonLine(stdout);
  if (out?.records !== out?.events) {
    return `the topic holds ${String(out?.records)} records, expected ${String(out?.events)}`;
  }
  return verifyCounts(stdout, ctx);
}

/**
 * The plainest producer of the same records into the same broker: split, JSON.parse, produce with
 * the plugin's client, keys, partitioner and settings. What `pipeline-kafka` is divided by.
 */
export const baselineKafkaProduce = {
  name: 'baseline-kafka-produce',
  description:
    'A plain producer: split, JSON.parse, one record per event (key correlationId, Java’s partitioner) with the plugin’s client and settings (idempotent, acks=all, lz4, 1 MB of values per request, 1 in flight) into a fresh 3-partition topic of the shared broker; then the topic’s offsets must equal the events (`bench/baselines/kafka-produce.mjs`).',
  services: ['kafka'],
  unavailable: kafkaUnavailable,
  prepare: kafkaRun,
  command: (ctx) => produceCommand(ctx, false),
  verify: verifyProduced,
  metrics: (_stdout, ctx) => brokerMetrics(ctx),
  metricsTitle: 'Kafka broker during the plain producer (its own process: not in the row’s CPU)',
} satisfies Scenario;

/** The same loop with one transaction per request: what Kafka transactions would cost. */
export const baselineKafkaTransactions = {
  name: 'baseline-kafka-transactions',
  description:
    '`baseline-kafka-produce` with one Kafka transaction per request (transactional producer: begin, send, commit): the cost of transactions; the topic’s offsets less one commit marker per partition of each transaction must equal the events (`kafka-produce.mjs --transactional`).',
  baseline: 'baseline-kafka-produce',
  services: ['kafka'],
  unavailable: kafkaUnavailable,
  prepare: kafkaRun,
  command: (ctx) => produceCommand(ctx, true),
  verify: verifyProduced,
  metrics: (stdout, ctx) => ({
    ...brokerMetrics(ctx),
    'broker.transactions': Number(lastJsonLine(stdout)?.transactions),
  }),
  metricsTitle: 'Kafka broker during the transactional producer (its own process: not in the row’s CPU)',
} satisfies Scenario;
