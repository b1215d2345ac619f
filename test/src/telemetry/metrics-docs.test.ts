/**
 * docs/metrics.md documents every metric the daemon and its plugins register: the registries are
 * built as the daemon builds them and each metric's name must appear there as `name`.
 */
import { readFile } from 'node:fs/promises';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DdMetrics } from '../../../plugins/datadog/metrics-self.js';
import { EsMetrics } from '../../../plugins/elasticsearch/metrics.js';
import { GatewayMetrics } from '../../../plugins/prometheus/metrics.js';
import { parseConfig } from '../../../src/config/load.js';
import { createSelfMetrics } from '../../../src/telemetry/metrics.js';

const DOC = new URL('../../../docs/metrics.md', import.meta.url);

async function registered(): Promise<string[]> {
  const self = createSelfMetrics({ version: 'test', defaultMetrics: false });
  const plugins = new Registry();
  new EsMetrics(plugins, 'elasticsearch');
  new DdMetrics(plugins, 'datadog');
  const loaded = parseConfig(
    'inputs: [{ paths: [/tmp/x.log] }]\nplugins: { prometheus: { enabled: true } }',
    {
      env: {},
    },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  new GatewayMetrics(loaded.config.plugins.prometheus, plugins);
  const all = [...self.registry.getMetricsAsArray(), ...plugins.getMetricsAsArray()];
  return all.map((m) => m.name).sort();
}

describe('docs/metrics.md', () => {
  it('lists every metric the daemon and the plugins register', async () => {
    const names = await registered();
    // Sanity: the registries above are the real ones, not empty.
    expect(names).toContain('gax_events_delivered_total');
    expect(names).toContain('gax_elasticsearch_documents_total');
    expect(names).toContain('gax_datadog_requests_total');
    expect(names).toContain('apim_requests_total');
    const doc = await readFile(DOC, 'utf8');
    const missing = names.filter((name) => !doc.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
