/**
 * Every metric the daemon and its plugins register is documented: the daemon's registry is built
 * as the daemon builds it, and each plugin type of the composition root (plugins/index.ts)
 * registers what its instances would through its definition's `selfMetrics`. The daemon's
 * metrics must be named in docs/metrics.md as `name`, a plugin's there or in its own README.md.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { plugins } from '../../../plugins/index.js';
import { registeredMetrics, undocumentedMetrics } from '../../../scripts/metrics-docs.js';

describe('metric docs', () => {
  it('name every metric the daemon and every plugin type of the composition root register', async () => {
    const byOwner = await registeredMetrics();
    // Sanity: the registries are the real ones, not empty.
    expect(byOwner.get('')).toContain('gax_events_delivered_total');
    expect(byOwner.get('elasticsearch')).toContain('gax_elasticsearch_documents_total');
    expect(byOwner.get('datadog')).toContain('gax_datadog_requests_total');
    expect(byOwner.get('prometheus')).toContain('apim_requests_total');
    expect(byOwner.get('prometheus')).toContain('gax_prometheus_series');
    expect(await undocumentedMetrics()).toEqual([]);
  });

  it('declares the same metrics twice into one registry without a clash (two instances of a type share them)', async () => {
    for (const definition of plugins) {
      const registry = new Registry();
      await definition.selfMetrics?.(registry);
      const once = registry.getMetricsAsArray().length;
      await definition.selfMetrics?.(registry);
      expect(registry.getMetricsAsArray().length, definition.type).toBe(once);
    }
  });
});
