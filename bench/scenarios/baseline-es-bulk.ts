import { join } from 'node:path';
import { elasticsearchOf, elasticsearchRun } from '../lib/backend-inputs.js';
import type { Scenario } from '../lib/scenario.js';
import { lastJsonLine, verifyCounts } from '../lib/scenario.js';
import { elasticsearchUnavailable } from '../lib/services.js';

/**
 * The plainest loader of the same documents into the same node: split, JSON.parse, bulk `create`
 * with the plugin's ids, batch size, concurrency, gzip and client library. What
 * `pipeline-elasticsearch` is divided by. Its index templates are installed untimed (`prepare`).
 */
export const baselineEsBulk = {
  name: 'baseline-es-bulk',
  description:
    'A plain bulk loader: split, JSON.parse, bulk `create` of 1,000 documents per request, 2 in flight, gzip, into a fresh index pair of the shared Elasticsearch node (`bench/baselines/es-bulk.mjs`).',
  services: ['elasticsearch'],
  unavailable: elasticsearchUnavailable,
  prepare: async (ctx) => {
    const run = await elasticsearchRun(ctx);
    await elasticsearchOf(ctx).installTemplates(run.runTag!);
    return run;
  },
  command: (ctx) => ({
    command: process.execPath,
    args: [
      join(ctx.repoRoot, 'bench/baselines/es-bulk.mjs'),
      ctx.file,
      '--node',
      elasticsearchOf(ctx).url,
      '--prefix',
      ctx.runTag!,
    ],
    captureStdout: true,
  }),
  verify: (stdout, ctx) => {
    const out = lastJsonLine(stdout);
    if (out?.indexed !== out?.events) {
      return `_count is ${String(out?.indexed)}, expected ${String(out?.events)} documents`;
    }
    return verifyCounts(stdout, ctx);
  },
} satisfies Scenario;
