import { Registry } from 'prom-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRIC_LABELS, OPTIONAL_LABELS } from '../../plugins/prometheus/mapping.js';
import { create as createPrometheus } from '../../plugins/prometheus/plugin.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { createSelfMetrics } from '../../src/telemetry/metrics.js';
import { CONTRACT_METRICS, METRIC_CONTRACT, type MetricType } from './contract.js';

/** Name → type and label names of every metric gax registers, optional labels and semconv switched on. */
async function registered(): Promise<Map<string, { type: MetricType | 'other'; labels: string[] }>> {
  const self = createSelfMetrics({ version: 'test', defaultMetrics: false });
  const registry = new Registry();
  const on = Object.values(OPTIONAL_LABELS).map((key) => `${key}: true`);
  const loaded = parseConfig(
    `inputs: [{ paths: [x.log] }]\nplugins:\n  prometheus:\n    labels: { ${on.join(', ')} }\n    semconv: { http: true }\n`,
    { env: {} },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const plugin = createPrometheus(loaded.config.plugins.prometheus, {
    id: 'prometheus',
    logger: silentLogger(),
    registry,
    stateDir: '/nonexistent',
  });
  await plugin.start(new AbortController().signal);
  const out = new Map<string, { type: MetricType | 'other'; labels: string[] }>();
  for (const metric of [...self.registry.getMetricsAsArray(), ...registry.getMetricsAsArray()]) {
    // prom-client's metrics and the prometheus plugin's own families (families.ts) both say their type.
    const declared = (metric as { type?: unknown }).type;
    const type: MetricType | 'other' =
      declared === 'counter' || declared === 'gauge' || declared === 'histogram' ? declared : 'other';
    const labels = 'labelNames' in metric && Array.isArray(metric.labelNames) ? metric.labelNames : [];
    out.set(metric.name, { type, labels: labels.map(String) });
  }
  await plugin.stop(Date.now() + 1000);
  return out;
}

describe('metric contract of the dashboard and rules', () => {
  let code = new Map<string, { type: MetricType | 'other'; labels: string[] }>();
  beforeAll(async () => {
    code = await registered();
  });

  it('lists the gateway metrics and labels of the prometheus plugin mapping', () => {
    const apim = Object.fromEntries(
      CONTRACT_METRICS.filter((m) => m.startsWith('apim_') || m.startsWith('http_')).map((m) => [
        m,
        [...METRIC_CONTRACT[m].labels],
      ]),
    );
    const code = Object.fromEntries(Object.entries(METRIC_LABELS).map(([m, labels]) => [m, [...labels]]));
    expect(apim).toEqual(code);
  });

  it.each(
    CONTRACT_METRICS.filter((m) => m !== 'up'),
  )('matches the type and labels gax registers for %s', (name) => {
    const metric = code.get(name);
    expect(metric, `${name} is not registered`).toBeDefined();
    expect(metric?.type).toBe(METRIC_CONTRACT[name].type);
    expect([...(metric?.labels ?? [])].sort()).toEqual([...METRIC_CONTRACT[name].labels].sort());
  });
});
