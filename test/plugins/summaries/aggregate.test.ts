import { describe, expect, it } from 'vitest';
import { aggregate, clean, MAX_TEXT } from '../../../plugins/summaries/aggregate.js';
import { bucketStart } from '../../../plugins/summaries/granularity.js';
import { TABLES, type TableSpec, userTenantDomain } from '../../../plugins/summaries/tables.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';

const table = (name: string): TableSpec => {
  const found = TABLES.find((t) => t.name === name);
  if (found === undefined) throw new Error(`no table ${name}`);
  return found;
};
const event = (id: string, at: string, extra: Partial<CanonicalEvent> = {}): CanonicalEvent => ({
  eventType: 'response',
  correlationId: id,
  requestTimestamp: at,
  apiName: 'Pizza',
  apiContext: '/pizza/1.0.0',
  apiVersion: '1.0.0',
  apiCreator: 'admin',
  apiCreatorTenantDomain: 'carbon.super',
  applicationName: 'WebShop',
  responseLatency: 40,
  backendLatency: 25,
  requestMediationLatency: 3,
  responseMediationLatency: 2,
  ...extra,
});

describe('summaries aggregate', () => {
  it('gives the same rows in any order: late events land in their own bucket', () => {
    const events = [
      event('a', '2026-11-03T10:15:00.000Z'),
      event('b', '2026-10-01T00:00:00.000Z', { apiVersion: '0.9' }),
      event('c', '2026-11-03T10:59:59.999Z', { apiVersion: '1.1' }),
      event('d', '2026-11-03T11:00:00.000Z'),
    ];
    const forward = aggregate(events, TABLES, ['HOURS', 'MONTHS', 'YEARS']);
    const backward = aggregate([...events].reverse(), TABLES, ['HOURS', 'MONTHS', 'YEARS']);
    expect(backward).toEqual(forward);
    const hours = forward.find((d) => d.table.name === 'ApiVersionPerAppAgg' && d.granularity === 'HOURS');
    expect(hours?.rows.map((r) => [new Date(r.time).toISOString(), r.sums[0], r.attributes[1]])).toEqual([
      ['2026-10-01T00:00:00.000Z', 1, '0.9'],
      ['2026-11-03T10:00:00.000Z', 2, '1.1'], // the latest event's version
      ['2026-11-03T11:00:00.000Z', 1, '1.0.0'],
    ]);
    const years = forward.find((d) => d.table.name === 'ApiVersionPerAppAgg' && d.granularity === 'YEARS');
    expect(years?.rows.map((r) => [new Date(r.time).toISOString(), r.sums[0], r.last])).toEqual([
      ['2026-01-01T00:00:00.000Z', 4, Date.parse('2026-11-03T11:00:00.000Z')],
    ]);
  });

  it('sums the latency columns, leaves what 4.x lacks NULL and fills a missing key with UNKNOWN', () => {
    const [delta] = aggregate(
      [event('a', '2026-11-03T10:15:00.000Z'), event('b', '2026-11-03T10:16:00.000Z')],
      [table('ApiExeTime')],
      ['DAYS'],
    );
    const row = delta?.rows[0];
    const sums = Object.fromEntries(table('ApiExeTime').sums.map((s, i) => [s.name, row?.sums[i]]));
    expect(sums).toEqual({
      AGG_SUM_responseTime: 80,
      AGG_COUNT: 2,
      AGG_SUM_serviceTime: 30,
      AGG_SUM_backendTime: 50,
      AGG_SUM_securityLatency: null,
      AGG_SUM_throttlingLatency: null,
      AGG_SUM_requestMedLat: 6,
      AGG_SUM_responseMedLat: 4,
      AGG_SUM_backendLatency: 50,
      AGG_SUM_otherLatency: 20,
    });
    expect(row?.keys).toEqual(['/pizza/1.0.0', 'UNKNOWN', 'UNKNOWN', 'UNKNOWN']); // no host, template, method
  });

  it('counts responses as requests, THROTTLED faults as throttled out, other faults as faults', () => {
    const events = [
      event('r', '2026-11-03T10:00:00.000Z'),
      event('t', '2026-11-03T10:00:01.000Z', {
        eventType: 'faulty',
        errorType: 'THROTTLED',
        errorMessage: 'API_LEVEL_LIMIT_EXCEEDED',
      }),
      event('f', '2026-11-03T10:00:02.000Z', { eventType: 'faulty', errorType: 'AUTH' }),
    ];
    const count = (name: string) =>
      aggregate(events, [table(name)], ['DAYS'])[0]?.rows.map((r) => r.sums) ?? [];
    expect(count('APIM_ReqCountAgg')).toEqual([[1, 1]]);
    expect(count('ApiThrottledOutAgg')).toEqual([[1]]);
    expect(count('ApiFaultyInvocationAgg')).toEqual([[1]]);
    expect(count('ApiUserPerAppAgg')).toEqual([[1]]);
    const reason = aggregate(events, [table('ApiThrottledOutAgg')], ['DAYS'])[0]?.rows[0]?.keys[2];
    expect(reason).toBe('API_LEVEL_LIMIT_EXCEEDED');
  });

  it("cuts text to WSO2's 254 characters without NUL, and reads the user's tenant", () => {
    expect(clean(`a\u0000b${'x'.repeat(400)}`)).toBe(`ab${'x'.repeat(MAX_TEXT - 2)}`);
    expect(
      userTenantDomain(event('u', '2026-11-03T10:00:00.000Z', { userName: 'bob@acme.com@tenant1' })),
    ).toBe('tenant1');
    expect(userTenantDomain(event('u', '2026-11-03T10:00:00.000Z', { userName: 'bob' }))).toBeUndefined();
  });

  it('starts UTC buckets at their boundaries', () => {
    const t = Date.parse('2024-02-29T23:59:59.999Z');
    expect(new Date(bucketStart(t, 'SECONDS')).toISOString()).toBe('2024-02-29T23:59:59.000Z');
    expect(new Date(bucketStart(t, 'MINUTES')).toISOString()).toBe('2024-02-29T23:59:00.000Z');
    expect(new Date(bucketStart(t, 'DAYS')).toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(new Date(bucketStart(t, 'MONTHS')).toISOString()).toBe('2024-02-01T00:00:00.000Z');
    expect(new Date(bucketStart(t, 'YEARS')).toISOString()).toBe('2024-01-01T00:00:00.000Z');
  });
});
