import { describe, expect, it } from 'vitest';
import {
  classifyOutcome,
  classifyPartial,
  errorMessage,
  retryAfterMs,
} from '../../../plugins/otlp/classify.js';

describe('otlp response classification', () => {
  it.each([
    [200, 'delivered'],
    [202, 'delivered'],
    [429, 'retryable'],
    [502, 'retryable'],
    [503, 'retryable'],
    [504, 'retryable'],
    [401, 'retryable'],
    [403, 'retryable'],
    [404, 'retryable'],
    [408, 'retryable'],
    [400, 'rejected'],
    [413, 'rejected'],
    [415, 'rejected'],
    [500, 'rejected'],
    [501, 'rejected'],
  ] as const)('classifies HTTP %i as %s (OTLP/HTTP failures, operator errors retried)', (status, want) => {
    expect(classifyOutcome('logs', { status, message: 'm' }).status).toBe(want);
  });

  it('retries a request that got no answer (refused, reset, timed out)', () => {
    expect(classifyOutcome('metrics', { message: 'TypeError: ECONNREFUSED' })).toEqual({
      status: 'retryable',
      reason: 'otlp metrics: TypeError: ECONNREFUSED',
    });
  });

  it("passes a 429's and a 503's Retry-After on to the retry layer", () => {
    expect(classifyOutcome('logs', { status: 429, message: 'slow down', retryAfterMs: 3000 })).toEqual({
      status: 'retryable',
      reason: 'otlp logs 429: slow down',
      retryAfterMs: 3000,
    });
    expect(classifyOutcome('metrics', { status: 503, message: 'x', retryAfterMs: 1500 })).toMatchObject({
      retryAfterMs: 1500,
    });
  });

  it('says what to check when credentials or the path are wrong', () => {
    expect(classifyOutcome('logs', { status: 401, message: 'no' })).toMatchObject({
      reason: expect.stringContaining('headers'),
    });
    expect(classifyOutcome('logs', { status: 404, message: 'no' })).toMatchObject({
      reason: expect.stringContaining('endpoint'),
    });
  });

  it.each([
    ['120', 120_000],
    ['0', 0],
    ['1.5', 1500],
    [' 7 ', 7000],
  ])('reads Retry-After %j in seconds as %i ms', (value, ms) => {
    expect(retryAfterMs(value)).toBe(ms);
  });

  it('reads Retry-After as an HTTP date relative to now, never negative', () => {
    const now = Date.parse('2026-12-07T10:00:00Z');
    expect(retryAfterMs('Mon, 07 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Mon, 07 Dec 2026 09:59:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

describe('otlp partial success', () => {
  it('rejects every event when the receiver refused every record', () => {
    expect(classifyPartial('logs', 10, 10, 'too big')).toEqual({
      status: 'rejected',
      reason: 'otlp logs: the receiver rejected 10 of 10 log records: too big',
    });
  });

  it('dead-letters every event of a logs request when some records were refused (OTLP does not say which)', () => {
    const result = classifyPartial('logs', 3, 10, 'attribute too long');
    expect(result.status).toBe('rejected');
    expect(result).toMatchObject({ reason: expect.stringContaining('rejected 3 of 10 log records') });
  });

  it('delivers a metrics export with some points refused (cumulative totals are sent again)', () => {
    expect(classifyPartial('metrics', 2, 50, 'x').status).toBe('delivered');
    expect(classifyPartial('metrics', 50, 50, 'x').status).toBe('rejected');
  });

  it('treats a partial success that rejected nothing (only a warning message) as delivered', () => {
    expect(classifyPartial('logs', 0, 10, 'deprecated field')).toEqual({ status: 'delivered' });
  });
});

describe('otlp error bodies', () => {
  it('reads the message of a JSON google.rpc.Status', () => {
    const body = new TextEncoder().encode('{"code":3,"message":"unknown field"}');
    expect(errorMessage(body, 'application/json')).toBe('unknown field');
  });

  it('reads the message of a protobuf google.rpc.Status (field 2)', () => {
    const message = new TextEncoder().encode('bad data');
    const body = new Uint8Array([0x08, 0x03, 0x12, message.length, ...message]);
    expect(errorMessage(body, 'application/x-protobuf')).toBe('bad data');
  });

  it('falls back to the printable text, or says there was none', () => {
    expect(errorMessage(new TextEncoder().encode('Service Unavailable'), 'text/plain')).toBe(
      'Service Unavailable',
    );
    expect(errorMessage(new Uint8Array(), null)).toBe('no body');
  });
});
