import type { CanonicalEvent } from '../../src/schema/event.js';

export const REQUEST_LABELS = [
  'api',
  'api_version',
  'method',
  'resource',
  'status_code',
  'event_type',
  'key_type',
] as const;
export type RequestLabel = (typeof REQUEST_LABELS)[number];

export const DURATION_LABELS = ['api', 'api_version', 'method', 'resource'] as const;
export type DurationLabel = (typeof DURATION_LABELS)[number];

/** Label values of `apim_requests_total` for one event (the resource template, never a raw path). */
export function requestLabels(event: CanonicalEvent): Record<RequestLabel, string> {
  return {
    api: event.apiName ?? '',
    api_version: event.apiVersion ?? '',
    method: event.apiMethod ?? '',
    resource: event.apiResourceTemplate ?? '',
    status_code: event.proxyResponseCode === undefined ? '' : String(event.proxyResponseCode),
    event_type: event.eventType,
    key_type: event.keyType ?? '',
  };
}

export function durationLabels(event: CanonicalEvent): Record<DurationLabel, string> {
  return {
    api: event.apiName ?? '',
    api_version: event.apiVersion ?? '',
    method: event.apiMethod ?? '',
    resource: event.apiResourceTemplate ?? '',
  };
}

/** Milliseconds → seconds, or undefined when the field is absent or not a finite number. */
export function msToSeconds(ms: number | undefined): number | undefined {
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;
}
