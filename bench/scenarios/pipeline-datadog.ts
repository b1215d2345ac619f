import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { datadogOf, datadogRun } from '../lib/backend-inputs.js';
import type { Scenario } from '../lib/scenario.js';
import { lastJsonLine, verifyTailed } from '../lib/scenario.js';

const DAEMON = 'dist/src/daemon.js';

/**
 * The daemon in process with only the Datadog plugin, into the spec-validating loopback receiver
 * (in the harness process), over the input regenerated with recent times (Datadog refuses points
 * older than an hour). The plugin aggregates: no per-event request, so the plain work it is held
 * against is parsing the same number of lines (`baseline-json-parse`); against `tail-throughput`
 * (the daemon into a counting plugin) the ratio is the plugin's own cost.
 */
export const pipelineDatadog = {
  name: 'pipeline-datadog',
  description:
    'The daemon in process, datadog plugin only (defaults: 10 s buckets), tails the input regenerated with recent times into the loopback receiver until every event’s flush is accepted; the receiver’s `apim.requests` totals must equal the events (`bench/drivers/datadog.mjs`).',
  baseline: 'baseline-json-parse',
  compareWith: ['tail-throughput'],
  services: ['datadog'],
  unavailable: (ctx) => {
    if (!existsSync(join(ctx.repoRoot, DAEMON))) return `${DAEMON} not found (run \`npm run build\`)`;
    return ctx.generator === undefined
      ? 'needs a generated input (Datadog takes events of the last hour only), not --file'
      : undefined;
  },
  prepare: datadogRun,
  command: (ctx) => {
    const dd = datadogOf(ctx);
    return {
      command: process.execPath,
      args: [
        join(ctx.repoRoot, 'bench/drivers/datadog.mjs'),
        ctx.file,
        '--url',
        dd.url,
        '--api-key',
        dd.apiKey,
        '--env',
        ctx.runTag!,
        ...(ctx.events === undefined ? [] : ['--events', String(ctx.events)]),
      ],
      captureStdout: true,
    };
  },
  verify: (stdout, ctx) => {
    const out = lastJsonLine(stdout);
    if (out?.deadLettered !== 0) return `${String(out?.deadLettered)} events dead-lettered`;
    const accepted = datadogOf(ctx).accepted(ctx.runTag!);
    if (accepted.withProblems > 0 || accepted.refused > 0) {
      return `receiver: ${accepted.withProblems} requests with problems, ${accepted.refused} refused`;
    }
    if (accepted.events !== out.events) {
      return `receiver holds apim.requests totals of ${accepted.events}, ${String(out.events)} events delivered`;
    }
    return verifyTailed(stdout, ctx);
  },
  metrics: (stdout, ctx) => {
    const out = lastJsonLine(stdout);
    const seconds = Number(out?.seconds);
    return {
      'in process.seconds': seconds,
      'in process.events/s': Math.round(Number(out?.events) / seconds),
      'in process.last line read s': Number(out?.readSeconds),
      'in process.API requests': datadogOf(ctx).accepted(ctx.runTag!).requests,
    };
  },
  metricsTitle: 'Datadog pipeline in process, without node startup (daemon start → last flush accepted)',
} satisfies Scenario;
