import type { PluginName } from '../lib/gax-run-plugins.js';
import { gaxRunPlugins } from '../lib/gax-run-plugins.js';
import type { Scenario } from '../lib/scenario.js';

const INPUT =
  'the first --es-lines lines of the input, regenerated with recent times before each run (Datadog takes the last hour only)';

/** The same `gax run` with one plugin alone: what that plugin costs on the same input and backends. */
function alone(plugin: PluginName): Scenario {
  return gaxRunPlugins({
    name: `pipeline-all-${plugin}`,
    description: `\`pipeline-all\` with the ${plugin} plugin alone (same driver, ${INPUT}) until it delivered every event (\`bench/drivers/gax-run-plugins.mjs\`).`,
    plugins: [plugin],
    metricsTitle: `\`gax run\`, ${plugin} only (pipeline-all’s input): the daemon’s own CPU and peak RSS (/proc, before SIGTERM)`,
  });
}

/** Prometheus alone on pipeline-all's input: the baseline of issue #17's "≤ 1.5× prometheus alone". */
export const pipelineAllPrometheus = alone('prometheus');

/**
 * `gax run` as a user runs it with all four plugins (issue #17, part 4): file (NDJSON in a temp
 * dir), prometheus (server on 127.0.0.1 port 0), elasticsearch (the shared node) and datadog (the
 * loopback receiver), from the spawn until every plugin delivered every event, then SIGTERM by PID.
 * Held against prometheus alone on the same input (the goal: CPU per 1,000 events ≤ 1.5× that).
 */
export const pipelineAll = gaxRunPlugins({
  name: 'pipeline-all',
  description: `\`gax run\` (the built CLI, its own process) with all four plugins: file (temp dir), prometheus (maxEventAge 0s, server on 127.0.0.1 port 0), elasticsearch (the shared node, numberOfReplicas 0), datadog (the loopback receiver); ${INPUT}; from spawn until gax_events_delivered_total shows every event for every plugin, then SIGTERM by PID; then _count, the NDJSON lines and the receiver's totals must agree (\`bench/drivers/gax-run-plugins.mjs\`).`,
  plugins: ['file', 'prometheus', 'elasticsearch', 'datadog'],
  baseline: 'pipeline-all-prometheus',
  compareWith: ['gax-run-prometheus', 'pipeline-elasticsearch'],
  metricsTitle:
    '`gax run`, all four plugins: spawn → every event delivered by each; the daemon’s own CPU and peak RSS (/proc, before SIGTERM)',
});

/** In table order: the baseline first, each plugin alone (run only when named in `--only`), all four. */
export const pipelineAllScenarios: readonly Scenario[] = [
  pipelineAllPrometheus,
  alone('file'),
  alone('elasticsearch'),
  alone('datadog'),
  pipelineAll,
];
