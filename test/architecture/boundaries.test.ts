import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importGraph, violations } from '../../scripts/boundaries.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('import boundaries', () => {
  it('are kept by the code: core reaches plugins and formats only through their composition roots', () => {
    expect(violations(importGraph(ROOT))).toEqual([]);
  });

  it('sees static, dynamic and type-only imports', () => {
    const edges = importGraph(ROOT);
    expect(edges).toContainEqual({ from: 'plugins/file/index.ts', to: 'plugins/file/plugin.ts' }); // load()
    expect(edges).toContainEqual({ from: 'src/config/schema.ts', to: 'plugins/index.ts' });
    expect(edges).toContainEqual({ from: 'src/plugin/define.ts', to: 'src/plugin/contract.ts' }); // import type
  });

  it.each([
    ['src/daemon.ts', 'plugins/elasticsearch/client.ts', 'composition root plugins/index.ts'],
    ['src/config/schema.ts', 'plugins/datadog/index.ts', 'composition root plugins/index.ts'],
    ['plugins/datadog/cost.ts', 'plugins/elasticsearch/fields.ts', 'only plugins/elasticsearch/ itself'],
    ['src/telemetry/metrics.ts', 'src/parsers/wso2-apim/parse.ts', 'only src/parsers/wso2-apim/ itself'],
    ['plugins/file/mapping.ts', 'src/parsers/wso2-apim/serialise.ts', 'only src/parsers/wso2-apim/ itself'],
    ['src/parsers/kong/parse.ts', 'src/parsers/wso2-apim/timestamp.ts', 'only src/parsers/wso2-apim/ itself'],
  ])('flags %s importing %s', (from, to, rule) => {
    const [found] = violations([{ from, to }]);
    expect(found).toContain(`${from} imports ${to}`);
    expect(found).toContain(rule);
  });

  it.each([
    ['src/plugin/registry.ts', 'plugins/index.ts'],
    ['plugins/index.ts', 'plugins/datadog/index.ts'],
    ['plugins/datadog/plugin.ts', 'plugins/datadog/client.ts'],
    ['plugins/datadog/plugin.ts', 'src/plugin/contract.ts'],
    ['src/parsers/index.ts', 'src/parsers/wso2-apim/index.ts'],
    ['src/parsers/wso2-apim/parse.ts', 'src/parsers/format.ts'],
    ['src/sources/ingest.ts', 'src/parsers/format.ts'],
  ])('allows %s importing %s', (from, to) => {
    expect(violations([{ from, to }])).toEqual([]);
  });
});
