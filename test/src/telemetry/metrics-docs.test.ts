/**
 * docs/metrics.md documents every metric the daemon and its plugins register: the daemon's
 * registry is built as the daemon builds it, and each plugin type of the composition root
 * (plugins/index.ts) registers what its instances would through its definition's `selfMetrics`;
 * each metric's name must appear in the doc as `name`.
 */
import { readFile } from 'node:fs/promises';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { plugins } from '../../../plugins/index.js';
import { createSelfMetrics } from '../../../src/telemetry/metrics.js';

const DOC = new URL('../../../docs/metrics.md', import.meta.url);

/** Per plugin type, the metrics its instances register (none for a type without `selfMetrics`). */
async function pluginMetrics(): Promise<Map<string, string[]>> {
  const byType = new Map<string, string[]>();
  for (const definition of plugins) {
    const registry = new Registry();
    await definition.selfMetrics?.(registry);
    byType.set(
      definition.type,
      registry.getMetricsAsArray().map((m) => m.name),
    );
  }
  return byType;
}

describe('docs/metrics.md', () => {
  it('lists every metric the daemon and every plugin type of the composition root register', async () => {
    const self = createSelfMetrics({ version: 'test', defaultMetrics: false });
    const byType = await pluginMetrics();
    const names = [
      ...self.registry.getMetricsAsArray().map((m) => m.name),
      ...[...byType.values()].flat(),
    ].sort();
    // Sanity: the registries are the real ones, not empty.
    expect(names).toContain('gax_events_delivered_total');
    expect(byType.get('elasticsearch')).toContain('gax_elasticsearch_documents_total');
    expect(byType.get('datadog')).toContain('gax_datadog_requests_total');
    expect(byType.get('prometheus')).toContain('apim_requests_total');
    expect(byType.get('prometheus')).toContain('gax_prometheus_series');
    const doc = await readFile(DOC, 'utf8');
    const missing = names.filter((name) => !doc.includes(`\`${name}\``));
    expect(missing).toEqual([]);
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
