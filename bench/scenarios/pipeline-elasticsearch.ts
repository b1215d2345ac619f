import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { elasticsearchOf, elasticsearchRun } from '../lib/backend-inputs.js';
import type { Scenario } from '../lib/scenario.js';
import { lastJsonLine, verifyTailed } from '../lib/scenario.js';
import { elasticsearchUnavailable } from '../lib/services.js';

const DAEMON = 'dist/src/daemon.js';

/**
 * The daemon in process with only the Elasticsearch plugin, tailing the first `--es-lines` lines
 * of the input into a fresh index pair of the shared node until every event is acknowledged and
 * `_count` agrees. Against the plain bulk loader on the same lines and node.
 */
export const pipelineElasticsearch = {
  name: 'pipeline-elasticsearch',
  description:
    'The daemon in process, elasticsearch plugin only (defaults; numberOfReplicas 0), tails FILE from its beginning into a fresh index pair of the shared node until every event is acknowledged; then `_count` must agree (`bench/drivers/elasticsearch.mjs`).',
  baseline: 'baseline-es-bulk',
  services: ['elasticsearch'],
  unavailable: (ctx) =>
    existsSync(join(ctx.repoRoot, DAEMON))
      ? elasticsearchUnavailable()
      : `${DAEMON} not found (run \`npm run build\`)`,
  prepare: elasticsearchRun,
  command: (ctx) => ({
    command: process.execPath,
    args: [
      join(ctx.repoRoot, 'bench/drivers/elasticsearch.mjs'),
      ctx.file,
      '--node',
      elasticsearchOf(ctx).url,
      '--prefix',
      ctx.runTag!,
      ...(ctx.events === undefined ? [] : ['--events', String(ctx.events)]),
    ],
    captureStdout: true,
  }),
  verify: (stdout, ctx) => {
    const out = lastJsonLine(stdout);
    if (out?.deadLettered !== 0) return `${String(out?.deadLettered)} events dead-lettered`;
    if (out.indexed !== out.events) {
      return `_count is ${String(out.indexed)}, ${String(out.events)} events delivered`;
    }
    return verifyTailed(stdout, ctx);
  },
  metrics: (stdout) => {
    const out = lastJsonLine(stdout);
    const seconds = Number(out?.seconds);
    return {
      'in process.seconds': seconds,
      'in process.events/s': Math.round(Number(out?.events) / seconds),
      'in process.stop s': Number(out?.stopSeconds),
    };
  },
  metricsTitle:
    'Elasticsearch pipeline in process, without node startup (daemon start → last event acknowledged)',
} satisfies Scenario;
