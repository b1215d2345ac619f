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

type PolicyConfig = Pick<OpenSearchConfig, 'indexPrefix' | 'ism'> & {
  readonly indexMode?: OpenSearchConfig['indexMode'];
};

/**
 * The policy the plugin owns. Daily indices (and `index` mode, refused by describe.ts): each
 * index starts in `hot` and moves to `delete` (which deletes it) `deleteAfterDays` after its
 * creation; no rollover, a daily index is already one day; `ism_template` attaches it to every new
 * `<prefix>_response-*` / `<prefix>_faulty-*`. Data streams: `hot` first rolls the write index over
 * when a `rolloverAfter` condition is met, and a backing index that rolled over moves to `delete`
 * `deleteAfterDays` after its creation; `ism_template` names the data streams, since ISM matches a
 * backing index (`.ds-<stream>-000001`) by its data stream's name (index-management's
 * ManagedIndexCoordinator, `findIndexLookupName`). Priority 100 either way, so no index setting is
 * needed. ISM keeps no `_meta`, so the checksum that makes `gax setup opensearch` report
 * `unchanged` is in the description.
 */
export function ismPolicy(config: PolicyConfig): IsmPolicy {
  const days = config.ism.deleteAfterDays;
  const streams = config.indexMode === 'dataStream';
  const patterns = EVENT_TYPES.map((t) => `${indexBase(config.indexPrefix, t)}${streams ? '' : '-*'}`);
  const what = streams
    ? `rolls over the WSO2 API-M analytics data streams ${patterns.join(', ')} and deletes each backing index`
    : `deletes the daily WSO2 API-M analytics indices ${patterns.join(', ')}`;
  const policy = {
    description: `gateway-analytics-exporter: ${what} ${days} days after creation.`,
    default_state: 'hot',
    states: [
      {
        name: 'hot',
        actions: streams ? [{ rollover: rolloverAction(config.ism.rolloverAfter) }] : [],
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

/** `ism.rolloverAfter` → the conditions of ISM's `rollover` action. */
function rolloverAction(after: OpenSearchConfig['ism']['rolloverAfter']): Record<string, unknown> {
  return {
    ...(after.age === undefined ? {} : { min_index_age: after.age }),
    ...(after.primaryShardSize === undefined ? {} : { min_primary_shard_size: after.primaryShardSize }),
    ...(after.docs === undefined ? {} : { min_doc_count: after.docs }),
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
