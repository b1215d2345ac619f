/**
 * The throughput scenarios of the search-index plugins, one pair per backend (Elasticsearch,
 * OpenSearch): the daemon in process with only that plugin (`bench/drivers/search-index.mjs`)
 * against a plain bulk loader into the same node (`bench/baselines/<es|os>-bulk.mjs`, through
 * `bulk-loader.mjs`), each run into a fresh index set of the shared node.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { searchIndexOf, searchIndexRun } from './backend-inputs.js';
import type { Scenario } from './scenario.js';
import { lastJsonLine, verifyCounts, verifyTailed } from './scenario.js';
import type { SearchBackend } from './search-services.js';
import { searchBackendUnavailable } from './search-services.js';

const DAEMON = 'dist/src/daemon.js';

/** What names one backend's pair. */
export interface SearchBenchSpec {
  readonly backend: SearchBackend;
  /** `Elasticsearch`, `OpenSearch`. */
  readonly label: string;
  /** What one run writes into, e.g. `a fresh index pair`. */
  readonly indices: string;
  /** The baseline's script under bench/baselines/. */
  readonly loader: string;
  readonly pipelineName: string;
  readonly baselineName: string;
}

/** The daemon in process with only `spec.backend`'s plugin, until every event is acknowledged and `_count` agrees. */
export function searchPipelineScenario(spec: SearchBenchSpec): Scenario {
  const { backend, label } = spec;
  return {
    name: spec.pipelineName,
    description: `The daemon in process, ${backend} plugin only (defaults; numberOfReplicas 0), tails FILE from its beginning into ${spec.indices} of the shared ${label} node until every event is acknowledged; then \`_count\` must agree (\`bench/drivers/search-index.mjs --plugin ${backend}\`).`,
    baseline: spec.baselineName,
    services: [backend],
    unavailable: (ctx) =>
      existsSync(join(ctx.repoRoot, DAEMON))
        ? searchBackendUnavailable(backend)
        : `${DAEMON} not found (run \`npm run build\`)`,
    prepare: (ctx) => searchIndexRun(ctx, backend),
    command: (ctx) => ({
      command: process.execPath,
      args: [
        join(ctx.repoRoot, 'bench/drivers/search-index.mjs'),
        ctx.file,
        '--plugin',
        backend,
        '--node',
        searchIndexOf(ctx, backend).url,
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
    metricsTitle: `${label} pipeline in process, without node startup (daemon start → last event acknowledged)`,
  };
}

/**
 * The plainest loader of the same documents into the same node: split, JSON.parse, bulk `create`
 * with the plugin's ids, batch size, concurrency, gzip and client library. What the pipeline is
 * divided by. The plugin's index templates are installed untimed (`prepare`).
 */
export function searchBaselineScenario(spec: SearchBenchSpec): Scenario {
  const { backend, label } = spec;
  const script = `bench/baselines/${spec.loader}`;
  return {
    name: spec.baselineName,
    description: `A plain bulk loader: split, JSON.parse, bulk \`create\` of 1,000 documents per request, 2 in flight, gzip, into ${spec.indices} of the shared ${label} node (\`${script}\`).`,
    services: [backend],
    unavailable: () => searchBackendUnavailable(backend),
    prepare: async (ctx) => {
      const run = await searchIndexRun(ctx, backend);
      await searchIndexOf(ctx, backend).installTemplates(run.runTag!);
      return run;
    },
    command: (ctx) => ({
      command: process.execPath,
      args: [
        join(ctx.repoRoot, script),
        ctx.file,
        '--node',
        searchIndexOf(ctx, backend).url,
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
  };
}
