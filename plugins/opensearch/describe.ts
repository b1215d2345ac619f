import type { DescribeContext, PluginConflict } from '../../src/plugin/capabilities.js';
import { EVENT_TYPES, indexBase } from '../../src/search-index/naming.js';
import { redactUrlCredentials } from '../../src/telemetry/redact.js';
import type { OpenSearchConfig } from './config.js';

/** `gax check-config`'s line: where an instance writes, the index (or data stream) names, the ISM policy. */
export function describeOpenSearch(section: OpenSearchConfig, { id }: DescribeContext): string[] {
  const target = (section.nodes ?? [section.node]).map(redactUrlCredentials).join(', ');
  const suffix = section.indexMode === 'daily' ? '-YYYY-MM-DD' : '';
  const kind = section.indexMode === 'dataStream' ? 'data streams' : 'indices';
  const names = EVENT_TYPES.map((t) => `${indexBase(section.indexPrefix, t)}${suffix}`).join(', ');
  return [`  ${id}: ${target} → ${kind} ${names}${ismLine(section)}`];
}

/** `; ISM policy <id> [rolls over at 1d or 50gb and ]deletes after 30d`, when enabled. */
function ismLine({ ism, indexMode }: OpenSearchConfig): string {
  if (!ism.enabled) return '';
  const { age, primaryShardSize, docs } = ism.rolloverAfter;
  const at = [age, primaryShardSize, docs === undefined ? undefined : `${docs} docs`].filter(
    (c) => c !== undefined,
  );
  const rolls = indexMode === 'dataStream' ? `rolls over at ${at.join(' or ')} and ` : '';
  return `; ISM policy ${ism.policyId} ${rolls}deletes after ${ism.deleteAfterDays}d`;
}

/** Settings of an OpenSearch section that contradict each other. */
export function opensearchConflicts(section: OpenSearchConfig): PluginConflict[] {
  if (section.indexMode !== 'index' || !section.ism.enabled) return [];
  return [
    {
      path: ['ism', 'enabled'],
      message:
        'indexMode "index" writes two fixed indices that the ISM policy would delete whole after deleteAfterDays, so it applies to daily indices and data streams only: use indexMode "daily" or "dataStream" with it',
    },
  ];
}
