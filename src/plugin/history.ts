import { MAX_AGE_S, MAX_AHEAD_S } from '../../plugins/datadog/aggregate.js';
import type { PluginType } from './registry.js';

/**
 * What a plugin's backend can do with old events, for `gax replay` (backfill) and
 * `gax dlq replay`:
 *
 * - `any`: takes events of any age; `idempotent` when sending an event twice stores it once.
 * - `window`: takes events from `maxAgeMs` before now to `maxAheadMs` after now only.
 * - `none`: cannot take history at all; `reason` says why and what to use instead.
 */
export type HistoryPolicy =
  | { readonly accepts: 'any'; readonly idempotent: boolean }
  | {
      readonly accepts: 'window';
      readonly maxAgeMs: number;
      readonly maxAheadMs: number;
      readonly why: string;
    }
  | { readonly accepts: 'none'; readonly reason: string };

/**
 * One explicit map, like the registry: a new plugin type does not compile until it says what
 * it does with history.
 */
export const historyPolicies = {
  datadog: {
    accepts: 'window',
    maxAgeMs: MAX_AGE_S * 1000,
    maxAheadMs: MAX_AHEAD_S * 1000,
    why: 'Datadog accepts points from 1 hour back to 10 minutes ahead only',
  },
  elasticsearch: { accepts: 'any', idempotent: true },
  file: { accepts: 'any', idempotent: false },
  prometheus: {
    accepts: 'none',
    reason:
      'its counters are live: they start at zero with the process and Prometheus scrapes only their current value, so history replayed into them is never stored with its own time (and is gone when the command exits). Send history to Elasticsearch instead: --plugin elasticsearch',
  },
} as const satisfies Record<PluginType, HistoryPolicy>;

export function historyPolicy(type: PluginType): HistoryPolicy {
  return historyPolicies[type];
}

/** Whether an event time (epoch ms) is inside a window policy at `now`. */
export function inWindow(
  policy: Extract<HistoryPolicy, { accepts: 'window' }>,
  ms: number,
  now: number,
): boolean {
  return ms >= now - policy.maxAgeMs && ms <= now + policy.maxAheadMs;
}
