import { GaxError } from '../../../src/errors.js';
import type { CommandIo } from '../../../src/plugin/capabilities.js';
import { templatesJson } from '../../../src/search-index/templates.js';
import { EsClient } from '../client.js';
import type { ElasticsearchConfig } from '../config.js';
import { searchableMappings, searchablePlan } from '../searchable-fields.js';
import { buildTemplates, EVENT_TYPES, indexBase } from '../templates.js';

interface IndexMappings {
  [index: string]: {
    mappings?: { dynamic?: unknown; _meta?: unknown; properties?: Record<string, unknown> };
  };
}

/**
 * `gax setup elasticsearch`: installs the component and index templates the daemon's config
 * implies and reports each one (`created`, `updated`, `unchanged`); warns about existing
 * indices that predate them (WSO2's Logstash created them with dynamic mappings). Idempotent.
 * With `print`, writes the templates as JSON and contacts nothing. A failure is thrown as
 * `GAX_ERR_SETUP_FAILED`.
 */
export async function runSetupElasticsearch(
  config: ElasticsearchConfig,
  io: CommandIo,
  options: { print?: boolean } = {},
): Promise<0> {
  const templates = buildTemplates(config);
  if (options.print === true) {
    const out = {
      ...templatesJson(templates),
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const client = await EsClient.open(config);
  try {
    const results = await client.installTemplates(templates);
    for (const r of results) io.stdout.write(`${r.kind.padEnd(20)}${r.name.padEnd(32)}${r.result}\n`);
    for (const line of await existingIndexWarnings(client, config)) io.stdout.write(`${line}\n`);
    const count = (what: string) => results.filter((r) => r.result === what).length;
    io.stdout.write(
      `done: ${results.length} templates (${count('created')} created, ${count('updated')} updated, ${count('unchanged')} unchanged) on ${config.cloudId === undefined ? config.node : 'Elastic Cloud'}\n`,
    );
    return 0;
  } catch (err) {
    throw new GaxError('GAX_ERR_SETUP_FAILED', err instanceof Error ? err.message : String(err), {
      command: 'setup elasticsearch',
      cause: err,
    });
  } finally {
    await client.close();
  }
}

/**
 * Templates apply to indices created after them. An index that already exists with mappings
 * not made from our template (e.g. by WSO2's Logstash) keeps them: say so, with the way out.
 */
async function existingIndexWarnings(client: EsClient, config: ElasticsearchConfig): Promise<string[]> {
  if (config.indexMode !== 'index') return [];
  const names = EVENT_TYPES.map((t) => indexBase(config.indexPrefix, t)).join(',');
  const mappings = await client.request<IndexMappings>('GET', `/${names}/_mapping?ignore_unavailable=true`);
  const lines: string[] = [];
  for (const [index, { mappings: m }] of Object.entries(mappings)) {
    const ours = m?.dynamic === 'false' || m?.dynamic === false;
    if (ours) {
      const missing = missingSearchable(config, m?.properties);
      const note =
        missing.length === 0
          ? ''
          : `; without the searchable ${missing.join(', ')} (a fixed index keeps its mapping: see plugins/elasticsearch/README.md, "Existing indices")`;
      lines.push(`${'index'.padEnd(20)}${index.padEnd(32)}exists, mapped by these templates${note}`);
      continue;
    }
    lines.push(
      `${'index'.padEnd(20)}${index.padEnd(32)}WARNING exists with dynamic mappings (created before these templates, e.g. by Logstash); it keeps them. See plugins/elasticsearch/README.md "Migrating from WSO2's Filebeat + Logstash".`,
    );
  }
  return lines;
}

/** The opted-in `properties` keys an existing index does not map the way the templates now do. */
function missingSearchable(
  config: ElasticsearchConfig,
  properties: Record<string, unknown> | undefined,
): string[] {
  const plan = searchablePlan(config.searchable);
  if (plan === undefined) return [];
  const inner = properties?.properties as { properties?: Record<string, { type?: string }> } | undefined;
  const mapped = inner?.properties ?? {};
  return Object.entries(searchableMappings(plan))
    .filter(([key, mapping]) => mapped[key]?.type !== mapping.type)
    .map(([key]) => `properties.${key}`);
}
