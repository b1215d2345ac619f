import type { DescribeContext, PluginConflict } from '../../src/plugin/capabilities.js';
import { EVENT_TYPES, indexBase } from '../../src/search-index/naming.js';
import { redactUrlCredentials } from '../../src/telemetry/redact.js';
import type { OpenSearchConfig } from './config.js';

/** `gax check-config`'s line: where an instance writes, the index names, the ISM policy. */
export function describeOpenSearch(section: OpenSearchConfig, { id }: DescribeContext): string[] {
  const target = (section.nodes ?? [section.node]).map(redactUrlCredentials).join(', ');
  const suffix = section.indexMode === 'daily' ? '-YYYY-MM-DD' : '';
  const names = EVENT_TYPES.map((t) => `${indexBase(section.indexPrefix, t)}${suffix}`).join(', ');
  const { ism } = section;
  const retention = ism.enabled ? `; ISM policy ${ism.policyId} deletes after ${ism.deleteAfterDays}d` : '';
  return [`  ${id}: ${target} → indices ${names}${retention}`];
}

/** Settings of an OpenSearch section that contradict each other. */
export function opensearchConflicts(section: OpenSearchConfig): PluginConflict[] {
  if (section.indexMode !== 'index' || !section.ism.enabled) return [];
  return [
    {
      path: ['ism', 'enabled'],
      message:
        'indexMode "index" writes two fixed indices that the ISM policy would delete whole after deleteAfterDays, so it applies to daily indices only: use indexMode "daily" with it',
    },
  ];
}
