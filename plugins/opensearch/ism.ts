import { EVENT_TYPES, indexBase } from '../../src/search-index/naming.js';
import { checksum } from '../../src/search-index/templates.js';
import type { OpenSearchConfig } from './config.js';

/** The ISM plugin's name in `GET _cat/plugins`. */
export const ISM_COMPONENT = 'opensearch-index-management';

/** An Index State Management policy as `PUT _plugins/_ism/policies/<id>` takes it. */
export interface IsmPolicy {
  readonly id: string;
  readonly body: { readonly policy: Record<string, unknown> };
  /** Digest of the body, also written at the end of its `description` (`(gax checksum …)`). */
  readonly checksum: string;
}

/**
 * The retention policy of the daily indices: each index starts in `hot` and moves to `delete`
 * (which deletes it) `deleteAfterDays` after its creation. Its `ism_template` attaches it to
 * every new `<prefix>_response-*` and `<prefix>_faulty-*` index (priority 100), so no index
 * setting is needed. No rollover: a daily index is already one day. ISM keeps no `_meta`, so the
 * checksum that makes `gax setup opensearch` report `unchanged` is in the description.
 */
export function ismPolicy(config: Pick<OpenSearchConfig, 'indexPrefix' | 'ism'>): IsmPolicy {
  const days = config.ism.deleteAfterDays;
  const patterns = EVENT_TYPES.map((t) => `${indexBase(config.indexPrefix, t)}-*`);
  const policy = {
    description: `gateway-analytics-exporter: deletes the daily WSO2 API-M analytics indices ${patterns.join(', ')} ${days} days after creation.`,
    default_state: 'hot',
    states: [
      {
        name: 'hot',
        actions: [],
        transitions: [{ state_name: 'delete', conditions: { min_index_age: `${days}d` } }],
      },
      { name: 'delete', actions: [{ delete: {} }], transitions: [] },
    ],
    ism_template: [{ index_patterns: patterns, priority: 100 }],
  };
  const sum = checksum({ policy });
  return {
    id: config.ism.policyId,
    body: { policy: { ...policy, description: `${policy.description} (gax checksum ${sum})` } },
    checksum: sum,
  };
}

/** What `GET _plugins/_ism/policies/<id>` answers for an existing policy (the parts read here). */
export interface InstalledPolicy {
  readonly _seq_no?: number;
  readonly _primary_term?: number;
  readonly policy?: { readonly description?: string };
}

/** `created` (none), `unchanged` (its description carries this checksum) or `updated`. */
export function policyResult(
  installed: InstalledPolicy | undefined,
  policy: IsmPolicy,
): 'created' | 'updated' | 'unchanged' {
  if (installed?.policy === undefined) return 'created';
  return (installed.policy.description ?? '').endsWith(`(gax checksum ${policy.checksum})`)
    ? 'unchanged'
    : 'updated';
}
