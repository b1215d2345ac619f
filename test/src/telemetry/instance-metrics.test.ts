/** Two instances of one plugin type in one registry: shared self-metrics, own `plugin` label, own prefix. */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DdMetrics } from '../../../plugins/datadog/metrics-self.js';
import { EsMetrics } from '../../../plugins/elasticsearch/metrics.js';
import { GatewayMetrics, type MetricsSettings } from '../../../plugins/prometheus/metrics.js';

function settings(metricPrefix: string): MetricsSettings {
  return {
    metricPrefix,
    labels: {
      application: false,
      user: false,
      platform: false,
      userAgent: false,
      destination: false,
      targetStatusCode: false,
      errorMessage: false,
      tenant: false,
      region: false,
      apiCreator: false,
      applicationOwner: false,
    },
    semconv: { http: false },
    allowLabels: {},
    maxSeriesPerMetric: 100,
    maxLabelValueLength: 1024,
    buckets: { latency: [0.1, 1], responseSize: [100] },
  };
}

describe('plugin self-metrics with two instances of a type', () => {
  it('counts Elasticsearch documents per instance and removes only the stopped instance’s series', async () => {
    const registry = new Registry();
    const hot = new EsMetrics(registry, 'elasticsearch');
    const archive = new EsMetrics(registry, 'elasticsearch/archive');
    hot.documents('created', 'none', 3);
    archive.documents('created', 'none', 5);
    archive.startRequest()('200');
    let text = await registry.metrics();
    expect(text).toContain(
      'gax_elasticsearch_documents_total{plugin="elasticsearch",outcome="created",error_type="none"} 3',
    );
    expect(text).toContain(
      'gax_elasticsearch_documents_total{plugin="elasticsearch/archive",outcome="created",error_type="none"} 5',
    );
    await archive.remove();
    text = await registry.metrics();
    expect(text).not.toContain('elasticsearch/archive');
    expect(text).toContain(
      'gax_elasticsearch_documents_total{plugin="elasticsearch",outcome="created",error_type="none"} 3',
    );
    // A new instance under the same id registers again without a clash.
    const again = new EsMetrics(registry, 'elasticsearch/archive');
    again.documents('created', 'none', 1);
    expect(await registry.metrics()).toContain(
      'plugin="elasticsearch/archive",outcome="created",error_type="none"} 1',
    );
    // Once every instance stopped, the registry is as before they started.
    await again.remove();
    await hot.remove();
    expect(registry.getMetricsAsArray()).toEqual([]);
  });

  it('counts Datadog points per instance', async () => {
    const registry = new Registry();
    new DdMetrics(registry, 'datadog').points('count', 2);
    new DdMetrics(registry, 'datadog/eu').points('count', 7);
    const text = await registry.metrics();
    expect(text).toContain('gax_datadog_points_total{plugin="datadog",type="count"} 2');
    expect(text).toContain('gax_datadog_points_total{plugin="datadog/eu",type="count"} 7');
  });

  it('exposes each Prometheus instance’s gateway metrics under its own metricPrefix', async () => {
    const registry = new Registry();
    const base = new GatewayMetrics(settings('apim'), registry, 'prometheus');
    const detailed = new GatewayMetrics(settings('apim_detailed'), registry, 'prometheus/detailed');
    base.record('apim_cache_hits_total', { api: 'A' }, 1);
    detailed.record('apim_cache_hits_total', { api: 'A' }, 4);
    let text = await registry.metrics();
    expect(text).toMatch(/^apim_cache_hits_total\{.*\} 1$/m);
    expect(text).toMatch(/^apim_detailed_cache_hits_total\{.*\} 4$/m);
    expect(text).toContain('gax_prometheus_series{metric="apim_detailed_cache_hits_total"} 1');
    expect(text).toContain('gax_prometheus_series{metric="apim_cache_hits_total"} 1');
    detailed.remove();
    text = await registry.metrics();
    expect(text).not.toContain('apim_detailed');
    expect(text).toMatch(/^apim_cache_hits_total\{.*\} 1$/m);
  });

  it('refuses a second Prometheus instance with the same metricPrefix, naming the first', () => {
    const registry = new Registry();
    new GatewayMetrics(settings('apim'), registry, 'prometheus');
    expect(() => new GatewayMetrics(settings('apim'), registry, 'prometheus/copy')).toThrow(
      /metricPrefix "apim" is already used by plugin "prometheus"/,
    );
  });
});
