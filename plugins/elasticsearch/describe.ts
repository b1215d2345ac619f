import type { DescribeContext, PluginConflict } from '../../src/plugin/capabilities.js';
import { redactUrlCredentials } from '../../src/telemetry/redact.js';
import type { ElasticsearchConfig } from './config.js';
import { searchablePlan } from './searchable-fields.js';
import { EVENT_TYPES, indexBase } from './templates.js';

/** `gax check-config`'s line: where an instance writes, what an operator checks first. */
export function describeElasticsearch(section: ElasticsearchConfig, { id }: DescribeContext): string[] {
  const target = section.cloudId === undefined ? redactUrlCredentials(section.node) : 'Elastic Cloud';
  const suffix = section.indexMode === 'daily' ? '-YYYY.MM.DD' : '';
  const kind = section.indexMode === 'dataStream' ? 'data streams' : 'indices';
  const names = EVENT_TYPES.map((t) => `${indexBase(section.indexPrefix, t)}${suffix}`).join(', ');
  return [`  ${id}: ${target} → ${kind} ${names}`, ...searchableLine(section)];
}

/** What `searchable` opts in, when anything: `properties.tier (keyword), headers, mcpAnalytics`. */
function searchableLine(section: ElasticsearchConfig): string[] {
  const plan = searchablePlan(section.searchable);
  if (plan === undefined) return [];
  const scalars = [...plan.scalars].map(([key, type]) => `properties.${key} (${type})`);
  const flattened = [...plan.flattened.keys()].map((key) => `properties.${key} (flattened)`);
  return [`    searchable: ${[...scalars, ...flattened].join(', ')}`];
}

/** Settings of an Elasticsearch section that contradict each other. */
export function elasticsearchConflicts(section: ElasticsearchConfig): PluginConflict[] {
  const out: PluginConflict[] = [];
  if (section.indexMode === 'index' && section.templates.ilmPolicy !== undefined)
    out.push({
      path: ['templates', 'ilmPolicy'],
      message:
        'indexMode "index" writes fixed index names that never roll over, so an ILM policy’s rollover cannot act on them: use indexMode "daily" or "dataStream" with it',
    });
  if (section.searchable.headers && (section.pii?.headers ?? 'keep') === 'keep')
    out.push({
      path: ['searchable', 'headers'],
      message:
        'makes the published headers searchable while pii.headers keeps credential headers (Authorization, Cookie, API keys) as sent: set pii: { headers: drop } (or mask / hash) on this plugin',
    });
  return out;
}
