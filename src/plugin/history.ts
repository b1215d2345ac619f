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

/** Whether an event time (epoch ms) is inside a window policy at `now`. */
export function inWindow(
  policy: Extract<HistoryPolicy, { accepts: 'window' }>,
  ms: number,
  now: number,
): boolean {
  return ms >= now - policy.maxAgeMs && ms <= now + policy.maxAheadMs;
}
